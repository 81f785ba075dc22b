"""The 收到 button of an incident alert."""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from handlers.duty import incidents
from handlers.duty.router import router
from handlers.duty.states import ACK, IncidentCard


@router.card(IncidentCard, action=ACK)
async def ack_click(ctx: Context) -> Replies:
    assert isinstance(ctx.card, IncidentCard)
    return await incidents.acknowledge(ctx, ctx.card.number)
