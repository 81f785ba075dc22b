"""The 开始作答 button of a published survey's card (``surveys:start:N``)."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.surveys import flows
from handlers.surveys import messages as msg
from handlers.surveys.router import router
from handlers.surveys.states import SurveyCard


@router.card(SurveyCard, action="start")
async def start(ctx: Context) -> Replies:
    assert isinstance(ctx.card, SurveyCard)
    return await flows.resume(ctx, ctx.card.number, explicit=True)


@router.route(filters.known, filters.card(f"{SurveyCard.prefix}:"))
async def stale(ctx: Context) -> Replies:
    """A ``surveys:`` key that no longer unpacks (an old card)."""
    return Text(content=msg.STALE_BUTTON)
