"""The buttons of the tip card: 登记并安排走访 / 不登记."""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from handlers.care import needs
from handlers.care.router import router
from handlers.care.states import TipCard

ACTIONS = ("accept", "decline")


@router.card(TipCard)
async def pressed(ctx: Context) -> Replies:
    card = ctx.card
    assert isinstance(card, TipCard)
    if card.action not in ACTIONS:
        return None  # a button of another version: nothing to say
    return await needs.decide(ctx, card.tip, card.action == "accept")
