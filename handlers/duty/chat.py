"""Duty in everyday words: "收到 #N" / "#N 收到", "收到 马上过去" (one incident waiting), "#N 已处理，…",
"人已送医", "我报的事件处理了吗", an incident report, "今天谁值班".

The duty router comes before 办实事's (``precedes``): a word about an incident reaches it first, and
whatever is not about an incident is left to the others (``NOT_HANDLED``).
"""

from __future__ import annotations

import re

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.nlu import Intent
from bot.replies import Text
from handlers.duty import followthrough, incidents
from handlers.duty import messages as msg
from handlers.duty import rota, words
from handlers.duty.router import router
from storage import deeds, duty, people
from storage.deeds.models import Item
from storage.duty import IncidentStatus

ACK_TEXT = r"^\s*(?:收到\s*[#＃]\s*(?P<a>\d{1,9})|[#＃]\s*(?P<b>\d{1,9})\s*(?:已)?收到)\s*[。.!！~～]?\s*$"
NEW_ALARM = re.compile(r"又|再次|另外|还有|新的|但是|但")


def _handler(ctx: Context) -> bool:
    """A grid leader or the secretary: the people who acknowledge and handle incidents."""
    return ctx.sender is not None and (ctx.sender.is_secretary or ctx.sender.grid_leader)


@router.message(regex=ACK_TEXT)
async def ack_text(ctx: Context) -> Replies:
    """Deeds read "收到 #N" too; a deed's number is left to them."""
    assert ctx.match is not None
    number = int(ctx.match["a"] or ctx.match["b"])
    item = await deeds.get_by_number(ctx.session, number)
    if item is not None and item.kind != duty.KIND:
        return NOT_HANDLED  # a deed: not ours
    return await incidents.acknowledge(ctx, number)


@router.message(filters.not_command, _handler, lambda ctx: words.acknowledges(ctx.text))
async def ack_in_context(ctx: Context) -> Replies:
    """"收到 马上过去" without a number: the one incident waiting for the sender, or which one, or none."""
    waiting = await incidents.waiting_for_me(ctx)
    if len(waiting) == 1:
        return await incidents.acknowledge(ctx, waiting[0].number)
    if waiting:
        return await followthrough.ask_which(ctx, "ack", waiting)
    busy = await incidents.handling(ctx)
    if busy:
        names = [(i.number, await _acknowledger(ctx, i)) for i in busy if i.status == IncidentStatus.ACKNOWLEDGED]
        if names:
            return Text(content=msg.already_acknowledged(names))
    if await deeds.list_items(ctx.session, owner=ctx.userid, status=deeds.UNACCEPTED, limit=1):
        return NOT_HANDLED  # perhaps a deed card's 收到: 办实事 answers it
    return Text(content=msg.NONE_TO_ACKNOWLEDGE)


async def _acknowledger(ctx: Context, item: Item) -> str:
    return await people.name_of(ctx.session, await duty.acknowledged_by(ctx.session, item), default="网格长")


@router.message(filters.not_command, filters.has_ref)
async def about_an_incident(ctx: Context) -> Replies:
    """"#N …" where #N is an incident: its status, the reporter's addition, or a handler's progress or outcome."""
    assert ctx.parse is not None and ctx.parse.ref is not None
    item = await duty.get_incident(ctx.session, ctx.parse.ref)
    if item is None:
        return NOT_HANDLED  # a deed, or no such number: 办实事 answers
    if ctx.parse.intent == Intent.STATUS_QUERY:
        return await followthrough.show(ctx, item)
    if item.requester == ctx.userid:
        return await followthrough.reporter_note(ctx, item, ctx.text)
    if item.status == IncidentStatus.OPEN and words.acknowledges(words.without_number(ctx.text, item.number)):
        return await incidents.acknowledge(ctx, item.number)
    if not await incidents.may_handle(ctx, item):
        return Text(content=msg.not_yours_to_handle(item.number, item.team))
    return await followthrough.act(ctx, item, ctx.text)


@router.message(filters.intent(Intent.INCIDENT_REPORT))
async def incident_report(ctx: Context) -> Replies:
    """A new incident, unless a handler is telling how theirs ended ("火已扑灭，没有人员受伤")."""
    assert ctx.parse is not None
    if _handler(ctx) and words.is_done(ctx.text) and not NEW_ALARM.search(ctx.text):
        busy = await incidents.handling(ctx)
        if len(busy) == 1:
            return await followthrough.act(ctx, busy[0], ctx.text)
        if busy:
            return await followthrough.ask_which(ctx, "progress", busy, ctx.text)
    return await incidents.report(ctx, ctx.text.strip(), bool(ctx.parse.urgent))


@router.message(filters.not_command, _handler, lambda ctx: ctx.parse is not None and ctx.parse.ref is None and (
    ctx.parse.intent == Intent.PROGRESS_REPORT or words.is_progress(ctx.text)))
async def progress_in_context(ctx: Context) -> Replies:
    """"人已送医" without a number, from someone handling an incident: that incident (or which one)."""
    busy = await incidents.handling(ctx)
    if not busy:
        return NOT_HANDLED  # a deed's progress, perhaps
    owns_deeds = bool(await deeds.open_for_owner(ctx.session, ctx.userid))
    if len(busy) == 1 and not owns_deeds:
        return await followthrough.act(ctx, busy[0], ctx.text)
    return await followthrough.ask_which(ctx, "progress", busy, ctx.text, deeds_too=owns_deeds)


@router.message(filters.intent(Intent.STATUS_QUERY))
async def reporter_asks(ctx: Context) -> Replies:
    """"我报的事件处理了吗": the reporter's incidents; a question about a deed is 办实事's."""
    assert ctx.parse is not None
    if ctx.parse.ref is not None:
        return NOT_HANDLED
    reported = await duty.reported_by(ctx.session, ctx.userid, limit=1)
    if not reported:
        return NOT_HANDLED
    asks = words.ASKS_INCIDENT.search(ctx.text)
    if not asks and await deeds.list_items(ctx.session, requester=ctx.userid, status=deeds.ACTIVE, limit=1):
        return NOT_HANDLED
    return await followthrough.my_reports(ctx)


@router.message(filters.intent(Intent.DUTY_QUERY))
async def duty_query(ctx: Context) -> Replies:
    assert ctx.parse is not None
    day = ctx.parse.due or ctx.today
    label = msg.day_label(day, ctx.today)
    lines = await rota.lines(ctx, day)
    if lines:
        return Text(content=msg.duty_on(label, lines))
    return Text(content=msg.nobody_on_duty(label, await rota.secretaries_contact(ctx)))
