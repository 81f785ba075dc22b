"""An incident followed to the end: progress notes, closing with what was done, the reporter's word,
"which one?" when several are open, and reading it (its history, the reporter's list).

Storage locks the row and refuses, in Chinese, what its lifecycle does not allow
(``storage.duty.add_progress`` / ``close``); here: who may act, and who is told what at each step.
"""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from bot.format import local
from bot.replies import Reply, Text
from handlers.duty import incidents
from handlers.duty import messages as msg
from handlers.duty import words
from handlers.duty.states import DutyStates
from storage import audit, deeds, duty, people
from storage.deeds import EventKind
from storage.deeds.models import Item
from storage.duty import IncidentStatus
from storage.errors import Refused

WHICH_LIMIT = 9


async def _others(ctx: Context, item: Item, *, secretaries_only: bool = False) -> list[str]:
    """Whom to tell besides the reporter and the sender: the alerted grid leaders and secretaries."""
    if secretaries_only:
        alerted = [p.userid for p in await people.by_role(ctx.session, "secretary")]
    else:
        alerted = await incidents.alert_list(ctx, item.team, item.requester)
    return [u for u in alerted if u not in (ctx.userid, item.requester)]


async def act(ctx: Context, item: Item, text: str) -> Replies:
    """A handler's word on an incident: done ("已处理，…") closes it, anything else is a progress note."""
    note = words.without_number(text, item.number)
    if words.is_done(note):
        return await close(ctx, item, note)
    return await progress(ctx, item, note)


async def progress(ctx: Context, item: Item, note: str) -> Replies:
    if not await incidents.may_handle(ctx, item):
        return Text(content=msg.not_yours_to_handle(item.number, item.team))
    replies: list[Reply] = []
    if item.status == IncidentStatus.OPEN:  # they are on it: that is the acknowledgement
        try:
            acked = await incidents.acknowledge(ctx, item.number)
        except Refused:
            if item.status != IncidentStatus.ACKNOWLEDGED:  # re-read under the lock: closed meanwhile
                raise
            acked = None  # someone acknowledged it a moment ago: the note still counts
        replies += [r for r in as_list(acked) if r.to is not None]
    await duty.add_progress(ctx.session, item, ctx.userid, ctx.now, note)  # refused once closed
    assert ctx.sender is not None
    me = msg.who(ctx.sender)
    reporter = await people.name_of(ctx.session, item.requester)
    replies.insert(0, Text(content=msg.progress_recorded(item.number, reporter)))
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester, content=msg.progress_to_reporter(item.number, me, note)))
    for uid in await _others(ctx, item, secretaries_only=True):
        replies.append(Text(to=uid, content=msg.progress_to_others(item.number, me, note)))
    return replies


async def close(ctx: Context, item: Item, outcome: str) -> Replies:
    """Close the incident with what was done; the reporter and everyone alerted are told."""
    if not await incidents.may_handle(ctx, item):
        return Text(content=msg.not_yours_to_handle(item.number, item.team))
    outcome = outcome.strip(" ：:，,")
    if len(outcome) < 2:
        return Text(content=msg.need_outcome(item.number))
    await duty.close(ctx.session, item, ctx.userid, ctx.now, outcome)  # refused when closed already
    assert ctx.sender is not None
    me = msg.who(ctx.sender)
    replies: list[Reply] = [Text(content=msg.closed(item.number, await people.name_of(ctx.session, item.requester),
                                                    outcome))]
    if item.requester != ctx.userid:
        replies.append(Text(to=item.requester, content=msg.closed_to_reporter(item.number, me, outcome)))
    for uid in await _others(ctx, item):
        replies.append(Text(to=uid, content=msg.closed_to_others(item.number, me, outcome)))
    return replies


async def reporter_note(ctx: Context, item: Item, text: str) -> Replies:
    """The reporter adds something ("#3 还没人来", "#3 火越来越大了"): recorded, passed on at once."""
    note = words.without_number(text, item.number)
    if item.status == IncidentStatus.CLOSED:
        return await show(ctx, item)
    await deeds.add_note(ctx.session, item, now=ctx.now, actor=ctx.userid, note=note, kind=EventKind.NOTE)
    told = await incidents.alert_list(ctx, item.team, item.requester)
    reporter = await people.name_of(ctx.session, ctx.userid)
    names = [await people.name_of(ctx.session, u) for u in told]
    return [Text(content=msg.reporter_note_recorded(item.number, names)),
            *[Text(to=u, content=msg.reporter_note_to_handlers(item.number, reporter, note)) for u in told]]


# --- which one? --------------------------------------------------------------------------


async def ask_which(ctx: Context, purpose: str, items: list[Item], text: str = "", *, deeds_too: bool = False) -> Replies:
    shown = items[:WHICH_LIMIT]
    options = [msg.option(i.number, i.title, IncidentStatus.label_of(i.status), bool(i.urgent)) for i in shown]
    prompt = msg.which_prompt(purpose, options, shown[0].number, deeds_too)
    return await ctx.fsm.ask(DutyStates.which, prompt,
                             {"purpose": purpose, "text": text, "numbers": [i.number for i in shown]})


async def chosen(ctx: Context, purpose: str, item: Item, text: str) -> Replies:
    """The answer to "which one?": go on with what was asked."""
    if purpose == "ack":
        return await incidents.acknowledge(ctx, item.number)
    return await act(ctx, item, text)


# --- reading ---------------------------------------------------------------------------


async def entitled(ctx: Context, item: Item) -> bool:
    return item.requester == ctx.userid or await incidents.may_handle(ctx, item)


async def show(ctx: Context, item: Item) -> Replies:
    """The incident and its whole history, for the reporter, its handlers and the secretary (audited)."""
    n = item.number
    if not await entitled(ctx, item):
        await audit.record(ctx.session, ctx.now, ctx.userid, "incident_view_denied", "incident", n, "")
        return Text(content=msg.view_denied(n))
    await audit.record(ctx.session, ctx.now, ctx.userid, "incident_view", "incident", n, "")
    tz = ctx.settings.tz
    lines = [
        f"事件 #{n} {msg.flag(bool(item.urgent))}{item.title}",
        f"状态：{IncidentStatus.label_of(item.status)}；班组：{item.team or '—'}",
        f"报告人：{await people.name_of(ctx.session, item.requester)}；报告时间：{local(item.created_at, tz)}",
        f"内容：{item.text}",
    ]
    if item.close_reason:
        lines.append(f"处置结果：{item.close_reason}")
    lines.append("经过：")
    for e in await deeds.history(ctx.session, item.id):
        what = EventKind.label_of(e.kind)
        line = f"{local(e.at, tz)} {await people.name_of(ctx.session, e.actor)} {what}"
        if e.note and e.kind != EventKind.REPORTED:
            line += f"：{e.note}"
        lines.append(line)
    return Text(content="\n".join(lines))


async def last_step(ctx: Context, item: Item) -> str:
    events = await deeds.history(ctx.session, item.id)
    if len(events) <= 1:
        return ""
    e = events[-1]
    who = await people.name_of(ctx.session, e.actor)
    return f"{local(e.at, ctx.settings.tz)} {who}{EventKind.label_of(e.kind)}" + (f"：{e.note}" if e.note else "")


async def my_reports(ctx: Context) -> Replies:
    """The reporter's incidents and where each stands."""
    mine = await duty.reported_by(ctx.session, ctx.userid)
    if not mine:
        return Text(content=msg.NO_REPORTS)
    lines = [msg.status_line(i.number, i.title, IncidentStatus.label_of(i.status), await last_step(ctx, i))
             for i in mine]
    return Text(content=msg.my_reports(lines))


def as_list(replies: Replies) -> list[Reply]:
    if replies is None:
        return []
    if isinstance(replies, Reply):
        return [replies]
    return list(replies)  # type: ignore[arg-type]
