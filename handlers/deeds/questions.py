"""Answers to the questions 办实事 asks: "是否同一件事？" and "你说的是哪一件？"."""

from __future__ import annotations

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.deeds import flows
from handlers.deeds import messages as msg
from handlers.deeds.router import router
from handlers.deeds.states import DeedStates
from storage import deeds

YES = r"^(是|是的|对|对的|嗯|是同一件|同一件|一样|一回事|是一件事)\s*[。.!！]?$"
NO = r"^(否|不是|不对|不是同一件|不一样|新的|另一件|另外一件|不是一回事)\s*[。.!！]?$"
NUMBER = r"^第?\s*[#＃]?\s*(\d{1,7})\s*(?:号|件)?\s*[。.!！]?$"


@router.message(state=DeedStates.dup, regex=YES)
async def same_matter(ctx: Context) -> Replies:
    data = ctx.fsm.data
    await ctx.fsm.clear()
    return await flows.merge(ctx, data)


@router.message(state=DeedStates.dup, regex=NO)
async def new_matter(ctx: Context) -> Replies:
    data = ctx.fsm.data
    await ctx.fsm.clear()
    return await flows.create(ctx, data["text"], data["category"], bool(data["urgent"]))


@router.message(state=DeedStates.which, regex=NUMBER)
async def which_one(ctx: Context) -> Replies:
    assert ctx.match is not None
    n = int(ctx.match.group(1))
    data = ctx.fsm.data
    numbers = [int(x) for x in data.get("numbers", [])]
    if n not in numbers:
        return Text(content="请回复下面其中一个编号：" + "、".join(f"#{x}" for x in numbers))
    await ctx.fsm.clear()
    item = await deeds.get_deed(ctx.session, n)
    if item is None:
        return msg.not_found(n)
    if data.get("purpose") == "feedback":
        return await flows.feedback(ctx, item, data["polarity"], data.get("text", ""))
    return await flows.progress(ctx, item, data.get("text", ""))
