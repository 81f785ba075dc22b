"""People who are not in the roster yet."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import Context, Replies, Router
from bot.replies import Text
from storage import people

router = Router("registration")


@router.route(filters.unknown, filters.app_event("enter_agent", "subscribe", "unsubscribe"))
async def silent_event(ctx: Context) -> Replies:
    """Opening the app is not a question: say nothing."""
    return None


@router.route(filters.unknown)
async def not_in_roster(ctx: Context) -> Replies:
    secretaries = await people.by_role(ctx.session, "secretary")
    if secretaries:
        who = "、".join(f"{s.name}（支部书记）" for s in secretaries)
        ask = f"请联系{who}，把您的企业微信账号加入名册"
    else:
        ask = "请联系本支部书记或系统管理员，把您的企业微信账号加入名册"
    return Text(
        content=(
            "您好！四精助手目前只为本支部名册中的同事服务，暂时还没有找到您的信息。\n"
            f"{ask}（需提供账号、姓名、班组）。加入后就可以直接在这里反映问题、查询进度了。"
        )
    )
