"""The conversation mechanism's own router (a late answer to a question that has expired) and the shared
reading of yes/no questions (``yes_no``): every consent and confirmation question answers through it."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence

from bot import filters, pending
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.filters import Check
from bot.fsm import KEEP, State
from bot.nlu import answers
from bot.nlu.answers import Answer
from bot.replies import Text

router = Router("dialog")

SHORT_ANSWER = re.compile(r"^\s*(是|否|是的|不是|好|好的|不用|不要|要|对|不对|确认|取消|\d{1,2}|[一二三四五])\s*[。.!！]?\s*$")


@router.route(filters.known, filters.text)
async def expired_question(ctx: Context) -> Replies:
    """The question we asked has timed out: say so instead of guessing what the answer meant."""
    if not ctx.fsm.expired:
        return NOT_HANDLED
    if not SHORT_ANSWER.match(ctx.text) and answers.read(ctx.text) not in (Answer.YES, Answer.NO):
        return NOT_HANDLED
    return Text(content="刚才的问题已经超时作废了，为免弄错，请把事情重新完整地发一遍，谢谢！")


# --- yes / no questions ------------------------------------------------------------------------

UNSURE_REASK = "没太明白您的意思，请直接回复“是”或“否”：\n"
UNSURE_KEPT = "好的，不着急。这个问题我先给您留着，想好了随时回复“是”或“否”。"
Decide = Callable[[Context, bool], Awaitable[Replies]]


def yes_no(router: Router, state: State, decide: Decide, *filters: Check, extra_yes: Sequence[str] = (),
           extra_no: Sequence[str] = ()) -> Decide:
    """Answer ``state`` (a yes/no question) with ``decide(ctx, yes)`` in everyday words (``bot.nlu.answers``).

    An unsure answer ("我想想", "啥意思") asks once more; a second one leaves the question open and says so
    (in a ``KEEP`` state, or for a short reply ``bot.pending`` reads, it is routed on instead). A message that
    is no answer at all is not taken (the state's ``unanswered`` policy applies).
    """
    @router.message(*filters, state=state)
    async def answered(ctx: Context) -> Replies:
        reading = answers.read(ctx.text, extra_yes=extra_yes, extra_no=extra_no)
        if reading is Answer.OTHER:
            return NOT_HANDLED
        if reading is Answer.UNSURE:
            if state.unanswered == KEEP or pending.kinds_of(ctx.text):
                # A question that stays open while they talk of other things, or a short reply that means
                # something waiting for them ("接单", "收到"): routed on; the question stays (or drops) as declared.
                return NOT_HANDLED
            return await unsure(ctx)
        return await decide(ctx, reading is Answer.YES)
    answered.__name__ = f"yes_no_{state.name.replace('.', '_')}"
    return decide


async def unsure(ctx: Context) -> Replies:
    """The answer decides nothing: ask again once, then keep the question open (never dropped silently)."""
    if not ctx.fsm.data.get("unsure"):
        prompt = ctx.fsm.prompt or ""
        await ctx.fsm.update(unsure=1)
        return Text(content=UNSURE_REASK + prompt)
    await ctx.fsm.update(unsure=int(ctx.fsm.data.get("unsure", 1)) + 1)
    return Text(content=UNSURE_KEPT)
