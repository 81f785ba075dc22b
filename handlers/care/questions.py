"""Answers to the questions 精密关注 asks: consent, a tip's 是/否, "请问你走访的是哪位同事？".

("你说的是哪一位？" is answered in ``which.py``.)
"""

from __future__ import annotations

from bot.dialog import yes_no
from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care import needs, visits
from handlers.care.router import router
from handlers.care.states import CareStates
from storage import care

CONSENT_NO = ("不记", "保密", "别告诉", "不想让人知道", "不想麻烦")


async def _consent(ctx: Context, yes: bool) -> Replies:
    data = ctx.fsm.data
    await ctx.fsm.clear()
    return await needs.consented(ctx, data, yes)


async def _tip(ctx: Context, yes: bool) -> Replies:
    """是/否 to a tip; with several tips open (a second came in meanwhile) the number is needed."""
    tip_id = int(ctx.fsm.data["tip_id"])
    await ctx.fsm.clear()
    tips = await care.open_tips(ctx.session, ctx.userid)
    if len(tips) > 1:
        return Text(content=msg.tips_pending(tips))
    return await needs.decide(ctx, tip_id, yes)


# "是否登记到重点关注台账？" and a tip's "是否登记到台账并安排走访？", in everyday words (bot.nlu.answers).
yes_no(router, CareStates.consent, _consent, extra_no=CONSENT_NO)
yes_no(router, CareStates.tip, _tip, extra_no=CONSENT_NO)


@router.message(state=CareStates.visit_who)
async def visit_who(ctx: Context) -> Replies:
    return await visits.who_answer(ctx)
