"""Duty in everyday words: "收到 #N" / "#N 收到", an incident report, "今天谁值班"."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.nlu import Intent
from bot.replies import Text
from handlers.duty import incidents
from handlers.duty import messages as msg
from handlers.duty import rota
from handlers.duty.router import router
from storage import deeds, duty

ACK_TEXT = r"^\s*(?:收到\s*[#＃]\s*(?P<a>\d{1,9})|[#＃]\s*(?P<b>\d{1,9})\s*(?:已)?收到)\s*[。.!！~～]?\s*$"


@router.message(regex=ACK_TEXT)
async def ack_text(ctx: Context) -> Replies:
    """Deeds read "收到 #N" first and leave it here when #N is an incident."""
    assert ctx.match is not None
    number = int(ctx.match["a"] or ctx.match["b"])
    item = await deeds.get_by_number(ctx.session, number)
    if item is not None and item.kind != duty.KIND:
        return NOT_HANDLED  # a deed: not ours
    return await incidents.acknowledge(ctx, number)


@router.message(filters.intent(Intent.INCIDENT_REPORT))
async def incident_report(ctx: Context) -> Replies:
    assert ctx.parse is not None
    return await incidents.report(ctx, ctx.text.strip(), bool(ctx.parse.urgent))


@router.message(filters.intent(Intent.DUTY_QUERY))
async def duty_query(ctx: Context) -> Replies:
    assert ctx.parse is not None
    day = ctx.parse.due or ctx.today
    label = msg.day_label(day, ctx.today)
    lines = await rota.lines(ctx, day)
    if lines:
        return Text(content=msg.duty_on(label, lines))
    return Text(content=msg.nobody_on_duty(label, await rota.secretaries_contact(ctx)))
