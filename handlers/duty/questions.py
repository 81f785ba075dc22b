"""The answer to duty's one question: "which incident?" (a 序号, "#N", "3号", or "都收到")."""

from __future__ import annotations

import re

from bot.dispatcher import NOT_HANDLED, Context, Replies
from bot.replies import Reply, Text
from handlers.duty import followthrough
from handlers.duty import messages as msg
from handlers.duty.router import router
from handlers.duty.states import DutyStates
from storage import deeds, duty

CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
ANSWER = re.compile(r"^\s*(?:第\s*)?(?:(?P<hash>[#＃])\s*)?(?P<n>\d{1,7}|[一二两三四五六七八九])\s*(?:号|个|件)?\s*[。.!！]?\s*$")
ALL = re.compile(r"^\s*(?:都|全部|全都)(?:收到|确认)(?:了)?\s*[。.!！]?\s*$")


@router.message(state=DutyStates.which, regex=ALL)
async def all_of_them(ctx: Context) -> Replies:
    data = ctx.fsm.data
    if data.get("purpose") != "ack":
        return NOT_HANDLED
    await ctx.fsm.clear()
    replies: list[Reply] = []
    for n in data.get("numbers", []):
        item = await duty.get_incident(ctx.session, int(n))
        if item is not None and item.status == duty.IncidentStatus.OPEN:
            found = await followthrough.chosen(ctx, "ack", item, "")
            replies += followthrough.as_list(found)
    return replies


@router.message(state=DutyStates.which, regex=ANSWER)
async def which_one(ctx: Context) -> Replies:
    assert ctx.match is not None
    data = ctx.fsm.data
    numbers = [int(x) for x in data.get("numbers", [])]
    raw = ctx.match["n"]
    said = int(raw) if raw.isdigit() else CN_DIGITS[raw]
    # "#5" is a number; "2" is the second option, unless there are fewer options than that (then: #2)
    number = said if ctx.match["hash"] or not 1 <= said <= len(numbers) else numbers[said - 1]
    if number not in numbers:
        item = await deeds.get_by_number(ctx.session, number)
        if item is not None and item.kind == deeds.ItemKind.DEED:
            await ctx.fsm.clear()
            return Text(content=msg.DEED_IN_WHICH.format(n=number))
        return Text(content=msg.WHICH_RANGE.format(count=len(numbers), first=numbers[0] if numbers else 1))
    await ctx.fsm.clear()
    item = await duty.get_incident(ctx.session, number)
    if item is None:
        return Text(content=msg.incident_not_found(number))
    return await followthrough.chosen(ctx, str(data.get("purpose", "ack")), item, str(data.get("text", "")))
