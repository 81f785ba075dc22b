"""Answers to the questions 精密关注 asks: consent, a tip's 是/否, "请问你走访的是哪位同事？".

("你说的是哪一位？" is answered in ``which.py``.)
"""

from __future__ import annotations

from collections.abc import Callable

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care import needs, visits
from handlers.care.router import router
from handlers.care.states import CareStates
from handlers.care.which import answer
from storage import care

YES = frozenset({"是", "是的", "好", "好的", "要", "对", "确认", "可以", "同意", "嗯", "行", "登记", "需要"})
NO = frozenset({"否", "不", "不是", "不用", "不要", "不了", "算了", "取消", "不需要", "不登记", "不用了"})


def said(words: frozenset[str]) -> Callable[[Context], bool]:
    """The text is one of ``words`` (trailing punctuation aside)."""
    def check(ctx: Context) -> bool:
        return answer(ctx.text) in words
    return check


@router.message(said(YES | NO), state=CareStates.consent)
async def consent(ctx: Context) -> Replies:
    data = ctx.fsm.data
    await ctx.fsm.clear()
    return await needs.consented(ctx, data, answer(ctx.text) in YES)


@router.message(said(YES | NO), state=CareStates.tip)
async def tip(ctx: Context) -> Replies:
    """是/否 to a tip; with several tips open (a second came in meanwhile) the number is needed."""
    tip_id = int(ctx.fsm.data["tip_id"])
    await ctx.fsm.clear()
    tips = await care.open_tips(ctx.session, ctx.userid)
    if len(tips) > 1:
        return Text(content=msg.tips_pending(tips))
    return await needs.decide(ctx, tip_id, answer(ctx.text) in YES)


@router.message(state=CareStates.visit_who)
async def visit_who(ctx: Context) -> Replies:
    return await visits.who_answer(ctx)
