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
    return (f"已确认事件 #{n}，已告诉报告人{reporter}。请尽快处置：有进展请回复“#{n} 进展情况”，"
            f"处置完毕请回复“#{n} 已处理，…”写明处置情况。")


def acknowledged_to_reporter(n: int, by: str) -> str:
    return f"您报告的事件 #{n} 已由{by}确认收到，正在处置。"


def acknowledged_to_others(n: int, by: str) -> str:
    return f"事件 #{n} 已由{by}确认收到。"


def open_incidents(count: int) -> str:
    return f"{IncidentStatus.OPEN.label}的事件（{count} 件）："


def flag(urgent: bool) -> str:
    return "【紧急】" if urgent else ""


def alert_fallback(n: int, flagged: str, origin: str, text: str) -> str:
    return (f"{flagged}突发事件 #{n}\n{origin}报告：{text}\n请尽快处置，回复“收到 #{n}”确认；"
            f"处置完毕回复“#{n} 已处理，…”写明处置情况。")


def reported(n: int, notified: list[RosterEntry]) -> str:
    if not notified:
        return f"已记录为事件 #{n}，但名册里没有可通知的网格长或书记，请直接打电话联系值班人员。" + SAFETY_FIRST
    msg = f"已记录为事件 #{n}，并立即通知了：{'、'.join(who(p) for p in notified)}。有人确认后我会告诉您。"
    phones = "；".join(f"{p.name} {p.phone}" for p in notified if p.phone)
    if phones:
        msg += f"\n情况紧急请直接打电话：{phones}。"
    return msg + SAFETY_FIRST


# --- following an incident to the end ---------------------------------------------------

INCIDENT_USAGE = "用法：/事件（未处置完毕的事件）；/事件 编号（某件事件的经过），例如“/事件 3”。"
CLOSE_USAGE = "用法：/关闭 #编号 处置情况，例如“/关闭 #3 已送医，家属已到场”。"
NONE_TO_ACKNOWLEDGE = f"目前没有{IncidentStatus.OPEN.label}的事件。有新的突发事件时我会立即通知您。"
NO_REPORTS = "您还没有报告过突发事件。遇到突发情况，直接把情况发给我，我会立即通知网格长和支部书记。"
NOT_AN_INCIDENT = "#{n} 是办实事事项，不是突发事件。查看请发“#{n} 进度”。"
WHICH_RANGE = "请回复 1 到 {count} 之间的序号，或者直接回复编号，例如“#{first}”。"
DEED_IN_WHICH = "#{n} 不在这几件事件里。如果说的是办实事事项，请把进展连同编号重新发一遍，例如“#{n} 已联系后勤”。"


def already_acknowledged(items: list[tuple[int, str]]) -> str:
    """Nothing waits for acknowledgement, but these are being handled (number, who acknowledged)."""
    lines = "；".join(f"#{n} 已由{by}确认" for n, by in items)
    return f"目前没有{IncidentStatus.OPEN.label}的事件（{lines}）。有进展请回复“#编号 进展情况”，处置完毕回复“#编号 已处理，…”。"


def which_prompt(purpose: str, options: list[str], first: int, deeds_too: bool = False) -> str:
    what = {"ack": "确认收到哪一件", "progress": "这条进展是哪一件事件的"}.get(purpose, "说的是哪一件")
    lines = [f"有 {len(options)} 件事件，请问{what}？", *[f"{i}. {o}" for i, o in enumerate(options, 1)],
             f"请回复序号或编号，例如“1”或“#{first}”" + ("；都收到请回复“都收到”。" if purpose == "ack" else "。")]
    if deeds_too:
        lines.append("如果说的是办实事事项，请带上编号重新发送，例如“#12 已联系后勤”。")
    return "\n".join(lines)


def option(n: int, title: str, status: str, urgent: bool) -> str:
    return f"#{n} {flag(urgent)}{title}（{status}）"


def progress_recorded(n: int, reporter: str) -> str:
    return f"已记录事件 #{n} 的进展，并告诉了报告人{reporter}。处置完毕请回复“#{n} 已处理，…”写明处置情况。"


def progress_to_reporter(n: int, by: str, note: str) -> str:
    return f"您报告的事件 #{n} 有新进展——{by}：{note}"


def progress_to_others(n: int, by: str, note: str) -> str:
    return f"事件 #{n} 进展——{by}：{note}"


def closed(n: int, reporter: str, outcome: str) -> str:
    return f"事件 #{n} 已处置完毕，处置情况已记录：{outcome}\n已告诉报告人{reporter}。"


def closed_to_reporter(n: int, by: str, outcome: str) -> str:
    return f"您报告的事件 #{n} 已由{by}处置完毕：{outcome}\n谢谢您及时报告！如果还有情况，请直接告诉我。"


def closed_to_others(n: int, by: str, outcome: str) -> str:
    return f"事件 #{n} 已由{by}处置完毕：{outcome}"


def not_yours_to_handle(n: int, team: str) -> str:
    return (f"事件 #{n} 由{team or '相关'}网格长和支部书记处置，进展和处置结果请由他们反馈。"
            "如果您有新情况要补充，请直接说明情况，我会转告他们。")


def reporter_note_recorded(n: int, told: list[str]) -> str:
    return f"已把您的补充记录到事件 #{n}，并转告了：{'、'.join(told) or '支部书记'}。" + SAFETY_FIRST


def reporter_note_to_handlers(n: int, reporter: str, note: str) -> str:
    return f"事件 #{n} 报告人{reporter}补充：{note}"


def need_outcome(n: int) -> str:
    return f"请写明处置情况，例如“#{n} 已处理，人员已送医”或“/关闭 #{n} 已处理，设备恢复运行”。"


def view_denied(n: int) -> str:
    return f"事件 #{n} 的经过只有报告人、所在班组的网格长和支部书记可以查看。"


def status_line(n: int, title: str, status: str, last: str) -> str:
    return f"#{n} {title} — {status}" + (f"；最近：{last}" if last else "")


def my_reports(lines: list[str]) -> str:
    return "您报告的突发事件（最新在前）：\n" + "\n".join(lines) + "\n发“/事件 编号”可以查看某件事件的完整经过。"


def unclosed_heading(count: int) -> str:
    return f"{IncidentStatus.ACKNOWLEDGED.label}的事件（{count} 件）："


NO_UNCLOSED_INCIDENTS = "目前没有待确认或处置中的事件。"
LIST_HINT = "确认请回复“收到 #编号”；处置完毕请回复“#编号 已处理，…”；查看经过请发“/事件 编号”。"

