"""What the duty domain says: the Chinese texts, how a person and a day are named."""

from __future__ import annotations

from datetime import date

from bot.format import relative_day, weekday
from storage.duty import IncidentStatus
from storage.people import Role, RosterEntry

DUTY_DENIED = "排班只有支部书记可以操作。想知道谁值班，直接问我“今天谁值班”或“明天谁值班”就行。"
DUTY_USAGE = "格式：/值班 日期 账号 [电话]，例如“/值班 明天 liuzhiyong”或“/值班 2026-11-28 刘志勇 13800000002”"
INCIDENTS_DENIED = "事件清单只有支部书记和网格长可以查看。遇到突发情况，直接把情况发给我就行。"
NO_OPEN_INCIDENTS = f"目前没有{IncidentStatus.OPEN.label}的事件。"
ACK_HINT = "确认请回复“收到 #编号”。"
GRID_LEADER = "网格长"
NOT_ON_DUTY = "（未排班）"
SAFETY_FIRST = "\n请先确保自身安全。"


def day_label(day: date, today: date) -> str:
    """``今天（11月25日 周三）`` style, relative words for the days around today."""
    base = f"{day.month}月{day.day}日 {weekday(day)}"
    if day.year != today.year:
        base = f"{day.year}年{base}"
    rel = relative_day(day, today)
    return f"{rel}（{base}）" if rel else base


def who(p: RosterEntry) -> str:
    """A person with the role that matters here: 支部书记, 网格长, 党员."""
    if p.is_secretary:
        return f"{p.name}（{Role.SECRETARY.label}）"
    if p.grid_leader:
        return f"{p.name}（{GRID_LEADER}）"
    if p.is_member:
        return f"{p.name}（{Role.MEMBER.label}）"
    return p.name


def on_duty(name: str, phone: str, note: str) -> str:
    line = f"{name}，电话 {phone}" if phone else f"{name}（没有登记电话，请在企业微信上联系）"
    return f"{line}（{note}）" if note else line


def secretary_contact(s: RosterEntry) -> str:
    if s.phone:
        return f"{Role.SECRETARY.label}{s.name}，电话 {s.phone}"
    return f"{Role.SECRETARY.label}{s.name}（名册中没有电话，请在企业微信上联系）"


NO_SECRETARY_CONTACT = "请联系支部书记"


# --- /值班 --------------------------------------------------------------------------


def bad_day(token: str) -> str:
    return f"看不懂日期“{token}”。{DUTY_USAGE}"


def not_in_roster(token: str) -> str:
    return f"名册中没有“{token}”。{DUTY_USAGE}"


def ambiguous(token: str, matches: list[RosterEntry]) -> str:
    return f"名册中有多位“{token}”，请改用账号：{'、'.join(p.userid for p in matches)}"


def bad_phone(phone: str) -> str:
    return f"电话“{phone}”格式不对。{DUTY_USAGE}"


def scheduled(created: bool, day: str, name: str, phone: str | None) -> str:
    verb = "已排班" if created else "已更新"
    return f"{verb}：{day} {name}{'，电话 ' + phone if phone else ''}。\n"


# --- duty questions -------------------------------------------------------------------


def duty_on(day: str, lines: list[str]) -> str:
    return f"{day}值班：\n" + "\n".join(lines)


def nobody_on_duty(day: str, contact: str) -> str:
    return f"{day}没有安排值班。有事请联系{contact}。"


# --- incidents ------------------------------------------------------------------------


def incident_not_found(n: int) -> str:
    return f"没有找到事件 #{n}，请核对编号。"


def own_report(n: int) -> str:
    return f"事件 #{n} 是您本人报告的，需要由网格长或支部书记确认。"


def not_yours_to_acknowledge(n: int, team: str) -> str:
    return f"谢谢您的关心！事件 #{n} 需要由{team}网格长或支部书记确认，您不用操作。如能帮上忙，请直接联系他们。"


def acknowledged(n: int, reporter: str) -> str:
    return f"已确认事件 #{n}，已告诉报告人{reporter}。请尽快处置。"


def acknowledged_to_reporter(n: int, by: str) -> str:
    return f"您报告的事件 #{n} 已由{by}确认收到，正在处置。"


def acknowledged_to_others(n: int, by: str) -> str:
    return f"事件 #{n} 已由{by}确认收到。"


def open_incidents(count: int) -> str:
    return f"{IncidentStatus.OPEN.label}的事件（{count} 件）："


def flag(urgent: bool) -> str:
    return "【紧急】" if urgent else ""


def alert_fallback(n: int, flagged: str, origin: str, text: str) -> str:
    return f"{flagged}突发事件 #{n}\n{origin}报告：{text}\n请尽快处置，回复“收到 #{n}”确认。"


def reported(n: int, notified: list[RosterEntry]) -> str:
    if not notified:
        return f"已记录为事件 #{n}，但名册里没有可通知的网格长或书记，请直接打电话联系值班人员。" + SAFETY_FIRST
    msg = f"已记录为事件 #{n}，并立即通知了：{'、'.join(who(p) for p in notified)}。有人确认后我会告诉您。"
    phones = "；".join(f"{p.name} {p.phone}" for p in notified if p.phone)
    if phones:
        msg += f"\n情况紧急请直接打电话：{phones}。"
    return msg + SAFETY_FIRST
