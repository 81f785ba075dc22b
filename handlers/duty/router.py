"""Duty (值班) questions and commands, incidents (突发事件) and their acknowledgement."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot import filters
from bot.cards import button_card
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.events import AppEvent
from bot.nlu import Intent
from bot.nlu.dates import find_dates
from bot.replies import Reply, Text
from storage import audit, duty, people
from storage.deeds.models import Item
from storage.people import RosterEntry

router = Router("duty")

WEEKDAYS = "一二三四五六日"
PHONE = re.compile(r"^[0-9+\- ]{3,20}$")
DUTY_CMD = re.compile(r"^\s*[/／]值班(?:\s+(?P<args>.*))?\s*$", re.S)
INCIDENT_CMD = re.compile(r"^\s*[/／]事件\s*$")
ACK_TEXT = re.compile(r"^\s*(?:收到\s*[#＃]\s*(?P<a>\d{1,9})|[#＃]\s*(?P<b>\d{1,9})\s*(?:已)?收到)\s*[。.!！~～]?\s*$")
ACK_KEY = re.compile(r"^incident:ack:(\d{1,9})$")
ISO_DAY = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


# --- helpers -------------------------------------------------------------------


def day_label(day: date, today: date) -> str:
    """``今天（11月25日 周三）`` style, relative words for the next two days."""
    base = f"{day.month}月{day.day}日 周{WEEKDAYS[day.weekday()]}"
    rel = {0: "今天", 1: "明天", 2: "后天", -1: "昨天"}.get((day - today).days)
    if day.year != today.year:
        base = f"{day.year}年{base}"
    return f"{rel}（{base}）" if rel else base


def who(p: RosterEntry) -> str:
    """A person with the role that matters here."""
    if p.role == "secretary":
        return f"{p.name}（支部书记）"
    if p.grid_leader:
        return f"{p.name}（网格长）"
    if p.role == "member":
        return f"{p.name}（党员）"
    return p.name


def parse_day(token: str, today: date) -> date | None:
    """YYYY-MM-DD, 2026/11/25, 今天, 明天, 11月28日, 周五 … ; ``None`` if not a date."""
    token = token.strip()
    m = ISO_DAY.match(token)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    hits = find_dates(token, today)
    if len(hits) == 1 and hits[0][0] == 0 and hits[0][1] is not None:
        return hits[0][1]
    return None


async def _person(ctx: Context, token: str) -> RosterEntry | None | list[RosterEntry]:
    """A roster entry by userid or by name; a list when a name is ambiguous."""
    found = await people.get(ctx.session, token)
    if found is not None:
        return found
    matches = [p for p in await people.all_people(ctx.session) if p.name == token]
    if len(matches) == 1:
        return matches[0]
    return matches or None


async def _secretaries_contact(ctx: Context) -> str:
    secs = await people.by_role(ctx.session, "secretary")
    if not secs:
        return "请联系支部书记"
    return "、".join(f"支部书记{s.name}，电话 {s.phone}" if s.phone else f"支部书记{s.name}（名册中没有电话，请在企业微信上联系）"
                    for s in secs)


async def _duty_lines(ctx: Context, day: date) -> list[str]:
    out = []
    for e in await duty.on_day(ctx.session, day):
        p = await people.get(ctx.session, e.userid)
        name = p.name if p else e.userid
        phone = e.phone or (p.phone if p else "")
        line = f"{name}，电话 {phone}" if phone else f"{name}（没有登记电话，请在企业微信上联系）"
        if e.note:
            line += f"（{e.note}）"
        out.append(line)
    return out


# --- /值班 (secretary) -----------------------------------------------------------


@router.route(filters.known, filters.text)
async def duty_command(ctx: Context) -> Replies:
    m = DUTY_CMD.match(ctx.text)
    if not m:
        return NOT_HANDLED
    assert ctx.sender is not None
    if ctx.sender.role != "secretary":
        return Text(content="排班只有支部书记可以操作。想知道谁值班，直接问我“今天谁值班”或“明天谁值班”就行。")
    args = (m["args"] or "").split()
    if not args:
        return Text(content=await _week(ctx))
    usage = "格式：/值班 日期 账号 [电话]，例如“/值班 明天 liuzhiyong”或“/值班 2026-11-28 刘志勇 13800000002”"
    if len(args) not in (2, 3):
        return Text(content=usage)
    day = parse_day(args[0], ctx.today)
    if day is None:
        return Text(content=f"看不懂日期“{args[0]}”。{usage}")
    person = await _person(ctx, args[1])
    if person is None:
        return Text(content=f"名册中没有“{args[1]}”。{usage}")
    if isinstance(person, list):
        ids = "、".join(p.userid for p in person)
        return Text(content=f"名册中有多位“{args[1]}”，请改用账号：{ids}")
    phone = args[2] if len(args) == 3 else None
    if phone is not None and not PHONE.match(phone):
        return Text(content=f"电话“{phone}”格式不对。{usage}")
    created = await duty.upsert(ctx.session, day, person.userid, phone=phone)
    await audit.record(ctx.session, ctx.now, ctx.userid, "create" if created else "update", "duty",
                       f"{day.isoformat()}:{person.userid}", "phone" if phone else "")
    verb = "已排班" if created else "已更新"
    return Text(content=f"{verb}：{day_label(day, ctx.today)} {person.name}"
                        f"{'，电话 ' + phone if phone else ''}。\n" + await _week(ctx))


async def _week(ctx: Context) -> str:
    lines = ["未来 7 天值班："]
    for i in range(7):
        day = ctx.today + timedelta(days=i)
        names = await _duty_lines(ctx, day)
        lines.append(f"{day_label(day, ctx.today)}：{'；'.join(names) if names else '（未排班）'}")
    return "\n".join(lines)


# --- /事件 ------------------------------------------------------------------------


@router.route(filters.known, filters.text)
async def incident_list(ctx: Context) -> Replies:
    if not INCIDENT_CMD.match(ctx.text):
        return NOT_HANDLED
    assert ctx.sender is not None
    if ctx.sender.role == "secretary":
        items = await duty.open_incidents(ctx.session)
    elif ctx.sender.grid_leader:
        items = await duty.open_incidents(ctx.session, team=ctx.sender.team)
    else:
        return Text(content="事件清单只有支部书记和网格长可以查看。遇到突发情况，直接把情况发给我就行。")
    if not items:
        return Text(content="目前没有待确认的事件。")
    lines = [f"待确认的事件（{len(items)} 件）："]
    for it in items:
        reporter = await people.get(ctx.session, it.requester)
        at = it.created_at.astimezone(ctx.now.tzinfo)
        lines.append(f"#{it.number} {'【紧急】' if it.urgent else ''}{at:%m-%d %H:%M} {it.team or '-'} "
                     f"{reporter.name if reporter else it.requester}：{it.title}")
    lines.append("确认请回复“收到 #编号”。")
    return Text(content="\n".join(lines))


# --- acknowledgement --------------------------------------------------------------


@router.route(filters.known, filters.app_event("template_card_event"))
async def ack_click(ctx: Context) -> Replies:
    assert isinstance(ctx.event, AppEvent)
    m = ACK_KEY.match(ctx.event.event_key)
    if not m:
        return NOT_HANDLED
    return await _acknowledge(ctx, int(m[1]))


@router.route(filters.known, filters.text)
async def ack_text(ctx: Context) -> Replies:
    m = ACK_TEXT.match(ctx.text)
    if not m:
        return NOT_HANDLED
    number = int(m["a"] or m["b"])
    item = await duty.get_item(ctx.session, number)
    if item is not None and item.kind != duty.KIND:
        return NOT_HANDLED  # a deed item: not ours
    return await _acknowledge(ctx, number)


async def _may_acknowledge(ctx: Context, item: Item) -> bool:
    assert ctx.sender is not None
    if ctx.sender.role == "secretary":
        return True
    if not item.team:
        return False
    return any(p.userid == ctx.userid for p in await people.grid_leaders(ctx.session, item.team))


async def _acknowledge(ctx: Context, number: int) -> Replies:
    assert ctx.sender is not None
    item = await duty.get_incident(ctx.session, number)
    if item is None:
        return Text(content=f"没有找到事件 #{number}，请核对编号。")
    if item.requester == ctx.userid:
        return Text(content=f"事件 #{number} 是您本人报告的，需要由网格长或支部书记确认。")
    if not await _may_acknowledge(ctx, item):
        return Text(content=f"谢谢您的关心！事件 #{number} 需要由{item.team or ''}网格长或支部书记确认，"
                            "您不用操作。如能帮上忙，请直接联系他们。")
    if item.status != duty.OPEN:
        by = await duty.acknowledged_by(ctx.session, item)
        person = await people.get(ctx.session, by) if by else None
        name = person.name if person else (by or "他人")
        return Text(content=f"事件 #{number} 已由{name}确认过了，无需重复确认。")
    if not await duty.acknowledge(ctx.session, item, ctx.userid, ctx.now):
        return Text(content=f"事件 #{number} 刚刚已被其他人确认。")
    me = who(ctx.sender)
    reporter = await people.get(ctx.session, item.requester)
    replies: list[Reply] = [Text(content=f"已确认事件 #{number}，已告诉报告人"
                                         f"{reporter.name if reporter else item.requester}。请尽快处置。")]
    replies.append(Text(to=item.requester, content=f"您报告的事件 #{number} 已由{me}确认收到，正在处置。"))
    for uid in await _alert_list(ctx, item.team, item.requester):
        if uid != ctx.userid:
            replies.append(Text(to=uid, content=f"事件 #{number} 已由{me}确认收到。"))
    return replies


# --- incidents --------------------------------------------------------------------


async def _alert_list(ctx: Context, team: str, reporter: str) -> list[str]:
    """The team's grid leaders, then the secretaries; never the reporter."""
    out: list[str] = []
    leaders = await people.grid_leaders(ctx.session, team) if team else []
    for p in [*leaders, *await people.by_role(ctx.session, "secretary")]:
        if p.userid != reporter and p.userid not in out:
            out.append(p.userid)
    return out


@router.route(filters.known, filters.text)
async def incident_report(ctx: Context) -> Replies:
    if ctx.parse is None or ctx.parse.intent != Intent.INCIDENT_REPORT:
        return NOT_HANDLED
    assert ctx.sender is not None
    text = ctx.text.strip()
    team = ctx.sender.team
    alerted = await _alert_list(ctx, team, ctx.userid)
    item = await duty.create_incident(ctx.session, reporter=ctx.userid, team=team, text=text,
                                      urgent=ctx.parse.urgent, now=ctx.now,
                                      owner=alerted[0] if alerted else None, alerted=alerted)
    n = item.number
    flag = "【紧急】" if item.urgent else ""
    origin = f"{ctx.sender.name}（{team}）" if team else ctx.sender.name
    replies: list[Reply] = []
    recipients = [p for p in [await people.get(ctx.session, uid) for uid in alerted] if p is not None]
    for p in recipients:
        replies.append(button_card(
            p.userid, title=f"{flag}突发事件 #{n}", desc=f"{origin}报告：{text}",
            buttons=[("收到", f"incident:ack:{n}")], task_prefix=f"incident-{n}",
            fallback=f"{flag}突发事件 #{n}\n{origin}报告：{text}\n请尽快处置，回复“收到 #{n}”确认。"))
    if recipients:
        names = "、".join(who(p) for p in recipients)
        phones = "；".join(f"{p.name} {p.phone}" for p in recipients if p.phone)
        msg = f"已记录为事件 #{n}，并立即通知了：{names}。有人确认后我会告诉您。"
        if phones:
            msg += f"\n情况紧急请直接打电话：{phones}。"
    else:
        msg = f"已记录为事件 #{n}，但名册里没有可通知的网格长或书记，请直接打电话联系值班人员。"
    msg += "\n请先确保自身安全。"
    replies.insert(0, Text(content=msg))
    return replies


# --- who is on duty ---------------------------------------------------------------


@router.route(filters.known, filters.text)
async def duty_query(ctx: Context) -> Replies:
    if ctx.parse is None or ctx.parse.intent != Intent.DUTY_QUERY:
        return NOT_HANDLED
    day = ctx.parse.due or ctx.today
    label = day_label(day, ctx.today)
    lines = await _duty_lines(ctx, day)
    if lines:
        return Text(content=f"{label}值班：\n" + "\n".join(lines))
    return Text(content=f"{label}没有安排值班。有事请联系{await _secretaries_contact(ctx)}。")
