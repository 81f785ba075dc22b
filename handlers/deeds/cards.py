"""The buttons of 办实事's cards: 接单 / 查看 for the owner, 满意 / 不满意 for the requester."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.deeds import flows
from handlers.deeds import messages as msg
from handlers.deeds.router import router
from handlers.deeds.states import DeedCard
from storage import deeds

ACTIONS = ("accept", "view", "ok", "no")


@router.card(DeedCard)
async def pressed(ctx: Context) -> Replies:
    card = ctx.card
    assert isinstance(card, DeedCard)
    if card.action not in ACTIONS:
        return Text(content=msg.STALE_BUTTON)
    item = await deeds.get_deed(ctx.session, card.number)
    if item is None:
        return msg.not_found(card.number)
    if card.action == "accept":
        return await flows.accept(ctx, item)
    if card.action == "view":
        return await flows.show(ctx, item)
    if ctx.userid != item.requester:
        return Text(content=f"谢谢！不过 #{item.number} 的办理结果只能由反映人本人确认，您的点击没有改变事项状态。")
    return await flows.feedback(ctx, item, "satisfied" if card.action == "ok" else "unsatisfied", "")


@router.route(filters.known, filters.card(f"{DeedCard.prefix}:"))
async def stale(ctx: Context) -> Replies:
    """A ``deed:`` key that no longer unpacks (an old card)."""
    return Text(content=msg.STALE_BUTTON)
