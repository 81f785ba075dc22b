"""Answers to the questions 办实事 asks: "是否同一件事？" and "你说的是哪一件？"."""

from __future__ import annotations

from bot.dialog import yes_no
from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.deeds import flows
from handlers.deeds import messages as msg
from handlers.deeds.router import router
from handlers.deeds.states import DeedStates
from storage import deeds

SAME = ("同一件", "一样", "一回事", "是一件事", "就是它", "就是这件", "重复")
OTHER = ("不是同一件", "不一样", "新的", "另一件", "另外一件", "不是一回事", "两回事", "两件事", "不同")
NUMBER = r"^第?\s*[#＃]?\s*(\d{1,7})\s*(?:号|件)?\s*[。.!！]?$"


async def _same_matter(ctx: Context, same: bool) -> Replies:
    """"是否与 #N 是同一件事？" in everyday words (bot.nlu.answers): yes merges, no registers a new item."""
    data = ctx.fsm.data
    await ctx.fsm.clear()
    if same:
        return await flows.merge(ctx, data)
    return await flows.create(ctx, data["text"], data["category"], bool(data["urgent"]))


yes_no(router, DeedStates.dup, _same_matter, extra_yes=SAME, extra_no=OTHER)

APART = ("分开", "分成", "分别", "拆开", "一件一件", "分两条", "分三条", "分四条", "分五条", "分2条", "分3条",
         "分4条", "分5条", "各登记", "单独登记")
TOGETHER = ("一条", "合在一起", "一起", "不用分", "别分", "不分", "不用拆", "别拆", "不拆", "合并", "算一件",
            "一件事")  # read first: "不用拆开" is a no


async def _apart(ctx: Context, apart: bool) -> Replies:
    """"这条消息里有 N 件事…要分成 N 条登记吗？": yes registers each problem, no the whole message as one."""
    data = ctx.fsm.data
    await ctx.fsm.clear()
    if apart:
        return await flows.create_apart(ctx, list(data["parts"]), data["category"])
    return await flows.request(ctx, data["text"], data["category"], False, whole=True)


yes_no(router, DeedStates.split, _apart, extra_yes=APART, extra_no=TOGETHER)


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
