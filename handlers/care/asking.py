"""A question about a colleague ("王小波家里怎么了", "听说邓超住院了？"): answered as a question — where to
ask — and never recorded as a tip, nor answered with anything private."""

from __future__ import annotations

import re

from bot import filters
from bot.dispatcher import Context, Replies
from bot.nlu import Intent
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care.router import router
from storage import care, people

CLAUSES = re.compile(r"[，,。.！!；;？?\n]+")
QUESTION_END = re.compile(r"(?:[?？]+|吗|呢|么|嘛|没有|了没)\s*$")
QUESTION_WORDS = re.compile(r"怎么了|怎么样|咋了|咋样|咋回事|怎么回事|什么事|啥事|出什么|出啥|什么情况|啥情况|是不是|是否"
                            r"|有没有|还好吗|严重吗|为什么|为啥|因为什么|好点了|好些了")
NOT_A_QUESTION = re.compile(r"看望|走访|探望|慰问|看了看|去看了|谈心|值班|帮我|请帮")  # a visit report, a duty query, a request
TAKEN_ELSEWHERE = (Intent.INCIDENT_REPORT, Intent.DEED_REQUEST, Intent.TALENT)


def _last_clause(text: str) -> str:
    parts = [p for p in CLAUSES.split(text.strip()) if p.strip()]
    last = parts[-1] if parts else ""
    return last + ("？" if text.strip()[-1:] in "?？" else "")


def asks_about_colleague(ctx: Context) -> bool:
    """The message names a colleague and ends in a question about them."""
    p = ctx.parse
    if p is None or p.urgent or p.intent in TAKEN_ELSEWHERE or NOT_A_QUESTION.search(ctx.text):
        return False
    if not p.others(ctx.userid) and not p.ambiguous:
        return False
    last = _last_clause(ctx.text)
    return bool(QUESTION_END.search(last) or QUESTION_WORDS.search(last))


@router.message(filters.not_command, asks_about_colleague)
async def colleague_question(ctx: Context) -> Replies:
    assert ctx.parse is not None and ctx.sender is not None
    others = ctx.parse.others(ctx.userid)
    if not others:  # several people of that name: no need to know which to say where to ask
        name = ctx.parse.ambiguous[0][0]
        return Text(content=msg.colleague_question(name, None, secretary=ctx.sender.is_secretary))
    person = others[0]
    name = await people.name_of(ctx.session, person)
    responsible = await care.responsible_for(ctx.session, person)
    if ctx.sender.is_secretary or responsible == ctx.userid:
        return Text(content=msg.colleague_question_staff(name))
    contact = await people.get(ctx.session, responsible) if responsible else None
    return Text(content=msg.colleague_question(name, contact.name if contact else None,
                                               secretary=contact is not None and contact.is_secretary))
