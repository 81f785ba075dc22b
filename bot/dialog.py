"""The conversation mechanism's own router: a late answer to a question that has expired."""

from __future__ import annotations

import re

from bot import filters
from bot.dispatcher import NOT_HANDLED, Context, Replies, Router
from bot.replies import Text

router = Router("dialog")

SHORT_ANSWER = re.compile(r"^\s*(是|否|是的|不是|好|好的|不用|不要|要|对|不对|确认|取消|\d{1,2}|[一二三四五])\s*[。.!！]?\s*$")


@router.route(filters.known, filters.text)
async def expired_question(ctx: Context) -> Replies:
    """The question we asked has timed out: say so instead of guessing what the answer meant."""
    if not ctx.fsm.expired or not SHORT_ANSWER.match(ctx.text):
        return NOT_HANDLED
    return Text(content="刚才的问题已经超时作废了，为免弄错，请把事情重新完整地发一遍，谢谢！")
