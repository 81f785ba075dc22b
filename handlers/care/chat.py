"""精密关注 in everyday words: "登记 T{n}" / "不登记 T{n}" (the tip card's text fallback), care needs,
visit reports."""

from __future__ import annotations

from bot import filters
from bot.dispatcher import Context, Replies
from bot.nlu import Intent
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care import needs, visits
from handlers.care.router import router
from handlers.care.which import ask_which
from storage.care import CareCategory

TIP_REPLY = r"^(不登记|登记)\s*[Tt]\s*(\d{1,9})$"


@router.message(regex=TIP_REPLY)
async def tip_reply(ctx: Context) -> Replies:
    assert ctx.match is not None
    return await needs.decide(ctx, int(ctx.match.group(2)), ctx.match.group(1) == "登记")


@router.message(filters.intent(Intent.CARE_NEED))
async def care_need(ctx: Context) -> Replies:
    parse = ctx.parse
    assert parse is not None
    data = {"category": CareCategory.of(parse.category).value, "due": parse.due.isoformat() if parse.due else None,
            "summary": ctx.text.strip()}
    if parse.ambiguous:
        return await ask_which(ctx, parse.ambiguous[0][1], then="care_need", data=data)
    others = parse.others(ctx.userid)  # never the secretary the message is spoken to
    if others:
        return await needs.tip(ctx, others[0], data)
    if parse.unknown:  # "我们班老赵…": someone is meant, not the teller
        return Text(content=msg.unknown_person(parse.unknown[0]))
    return await needs.propose(ctx, data)


@router.message(filters.intent(Intent.VISIT_REPORT))
async def visit_report(ctx: Context) -> Replies:
    return await visits.report(ctx)
