"""Visit reports: "今天看望了赵宇飞，……" becomes a visit; the next follow-up is set, open tasks closed."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from bot.dispatcher import Context, Replies
from bot.replies import Text
from handlers.care import messages as msg
from handlers.care.needs import day
from handlers.care.states import CareStates
from handlers.care.which import answer, ask_which, continuation, named
from storage import care, people
from storage.people import Role

PAST_DAY = (("大前天", 3), ("前天", 2), ("昨天", 1), ("昨晚", 1), ("昨日", 1))


def visited_on(text: str, today: date) -> date:
    """Today, unless the text says 昨天/前天/大前天."""
    for word, days in PAST_DAY:
        if word in text:
            return today - timedelta(days=days)
    return today


async def report(ctx: Context) -> Replies:
    """A member's visit report (the parser's ``visit_report``)."""
    parse = ctx.parse
    assert parse is not None and ctx.sender is not None
    if not ctx.sender.is_staff:
        return Text(content=msg.VISITS_ARE_FOR_STAFF)
    data = {"summary": ctx.text.strip(), "due": parse.due.isoformat() if parse.due else None,
            "visited_on": visited_on(ctx.text, ctx.today).isoformat()}
    persons = parse.others(ctx.userid)  # "王书记，我今天去看了孙鹏" is a visit to 孙鹏
    if parse.ambiguous:
        return await ask_which(ctx, parse.ambiguous[0][1], then="visit", data={**data, "persons": persons})
    if not persons:
        return await ctx.fsm.ask(CareStates.visit_who, msg.VISIT_WHO, data)
    return await record(ctx, persons, data)


async def who_answer(ctx: Context) -> Replies:
    """The answer to "请问你走访的是哪位同事？": a name (or several people of that name)."""
    data = ctx.fsm.data
    await ctx.fsm.clear()
    parse = ctx.parse
    if parse is not None and parse.ambiguous:
        return await ask_which(ctx, parse.ambiguous[0][1], then="visit",
                               data={**data, "persons": [u for u in parse.persons if u != ctx.userid]})
    persons = [u for u in (parse.persons if parse else ()) if u != ctx.userid]
    if not persons:
        found = await named(ctx, answer(ctx.text))
        if len(found) > 1:
            return await ask_which(ctx, [p.userid for p in found], then="visit", data={**data, "persons": []})
        persons = [p.userid for p in found]
    if not persons:
        return Text(content=msg.VISIT_NOBODY)
    return await record(ctx, persons, data)


@continuation("visit")
async def chosen(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    persons = [u for u in data.get("persons", []) if u != person] + [person]
    return await record(ctx, persons, data)


async def record(ctx: Context, persons: Sequence[str], data: dict[str, Any]) -> Replies:
    """One visit per person; the reply says when the next one is due and whose zone they are in."""
    due = day(data.get("due"))
    next_date = due if due is not None and due > ctx.today else None
    when_visited = day(data.get("visited_on")) or ctx.today
    everyone = await people.by_id(ctx.session, persons)  # only those named, not the roster
    lines = []
    mine = await _may_write_for(ctx)
    for userid in dict.fromkeys(persons):
        person = everyone.get(userid)
        if mine is not None and userid not in mine:
            # Outside one's zone nothing is written, and whose zone it is stays unsaid.
            lines.append(msg.not_your_zone(msg.who(person, userid)))
            continue
        _, _, when = await care.record_visit(ctx.session, ctx.now, member=ctx.userid, person=userid,
                                             visited_on=when_visited, summary=data["summary"], next_date=next_date)
        lines.append(msg.visit_recorded(msg.who(person, userid), when, "", asked=next_date))
    return Text(content="\n".join(lines))


async def _may_write_for(ctx: Context) -> set[str] | None:
    """Whom the sender may record visits for: ``None`` is anyone in the branch (the secretary); a member,
    the people in their zone, on the ledger in their care, or whose open visit task is theirs."""
    assert ctx.sender is not None
    if ctx.sender.role == Role.SECRETARY:
        return None
    return await care.visitable(ctx.session, ctx.userid)
