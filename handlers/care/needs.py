"""Care needs: one's own (asked for consent before anything is stored) and a colleague's (a tip,
passed privately to the responsible member, who decides it)."""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from bot.cards import button_card
from bot.dispatcher import Context, Replies
from bot.logsafe import pseudo
from bot.replies import Reply, Text
from handlers.care import messages as msg
from handlers.care.states import CareStates, TipCard
from handlers.care.which import continuation
from storage import care, people
from storage.care import TIP_REASON, CareEntry, CareSource, CareStatus, VisitTask

log = logging.getLogger(__name__)


def day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


async def _secretary(ctx: Context, userid: str) -> bool:
    """Whether ``userid`` (not necessarily the sender) is the secretary."""
    person = await people.get(ctx.session, userid)
    return person is not None and person.is_secretary


# --- one's own need --------------------------------------------------------------------


async def propose(ctx: Context, data: dict[str, Any]) -> Replies:
    """A care need about oneself: ask before anything is stored."""
    responsible = await care.responsible_for(ctx.session, ctx.userid)
    if responsible is None:
        return Text(content=msg.NO_ONE_RESPONSIBLE)
    assert ctx.sender is not None
    name = await people.name_of(ctx.session, responsible)
    if responsible == ctx.userid:
        who = "你本人"
    elif ctx.sender.zone_member == responsible:
        who = f"{name}（你的联系党员）"
    else:
        who = f"{name}（支部书记）"
    return await ctx.fsm.ask(CareStates.consent, msg.consent_prompt(data["category"], who), data)


async def consented(ctx: Context, data: dict[str, Any], yes: bool) -> Replies:
    """The answer to "是否登记到重点关注台账？"."""
    responsible = await care.responsible_for(ctx.session, ctx.userid)
    who = await people.name_of(ctx.session, responsible) if responsible else "支部书记"
    if not yes:
        return Text(content=msg.NOT_REGISTERED.format(who=who))
    if responsible is None:
        return Text(content=msg.CANNOT_REGISTER)
    entry = await care.create_entry(ctx.session, ctx.now, person=ctx.userid, category=data.get("category") or "other",
                                    responsible=responsible, summary=data.get("summary", ""),
                                    source=CareSource.SELF, created_by=ctx.userid, due=day(data.get("due")))
    task = await _life_event_task(ctx, entry, day(data.get("due")))
    log.info("care entry %d created for %s", entry.id, pseudo(ctx.userid))
    replies: list[Reply] = [Text(content=msg.REGISTERED.format(who=who))]
    if responsible != ctx.userid:
        assert ctx.sender is not None
        when = task.due_date if task is not None else entry.next_follow_up
        replies.append(Text(to=responsible, content=msg.registered_notice(
            ctx.sender.name, ctx.sender.team, entry, when, await _secretary(ctx, responsible))))
    return replies


async def _life_event_task(ctx: Context, entry: CareEntry, due: date | None) -> VisitTask | None:
    """A visit task for illness, celebration, bereavement, retirement (once per entry)."""
    days = care.life_event_due_days(entry.category)
    if days is None:
        return None
    when = due if due is not None and due >= ctx.today else ctx.today + timedelta(days=days)
    return await care.add_task(ctx.session, ctx.now, person=entry.person, member=entry.responsible,
                               entry_id=entry.id, reason=entry.category, due_date=when,
                               dedupe_key=care.first_visit_key(entry.id), actor=ctx.userid)


@continuation("care_need")
async def need_of(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    """A care need once we know whom it is about."""
    if person == ctx.userid:
        return await propose(ctx, data)
    return await tip(ctx, person, data)


# --- a colleague's need: a tip -------------------------------------------------------------


async def tip(ctx: Context, person: str, data: dict[str, Any]) -> Replies:
    """A colleague's need: passed privately to their zone member, who decides.

    While it is the member's only open tip, a plain 是/否 decides it: the question is offered to them
    (it opens with their next message, under their own lock). A second tip withdraws that offer.
    """
    assert ctx.sender is not None
    responsible = await care.responsible_for(ctx.session, person)
    thanks = Text(content=msg.TIP_THANKS)
    if responsible is None:
        return thanks
    entry = await care.create_entry(ctx.session, ctx.now, person=person, category=data["category"],
                                    responsible=responsible, summary=data["summary"], source=CareSource.TIP,
                                    created_by=ctx.userid, due=day(data.get("due")), status=CareStatus.PROPOSED)
    target = await people.get(ctx.session, person)
    who = target.label if target is not None else person
    only = len(await care.open_tips(ctx.session, responsible)) == 1
    if only:
        await ctx.fsm.offer(responsible, CareStates.tip, {"tip_id": entry.id},
                            prompt=msg.TIP_PROMPT.format(tip=entry.id, who=who))
    else:
        await ctx.fsm.withdraw(responsible, CareStates.tip)
    secretary = await _secretary(ctx, responsible)
    desc = msg.tip_desc(ctx.sender.name, entry, who, target is not None and target.zone_member == responsible)
    card = button_card(responsible, title=msg.TIP_TITLE.format(tip=entry.id), desc=desc,
                       buttons=[("登记并安排走访", TipCard("accept", entry.id).pack()),
                                ("不登记", TipCard("decline", entry.id).pack())],
                       fallback=msg.tip_fallback(entry.id, desc, only, secretary), task_prefix="care")
    log.info("care tip %d from %s passed to %s", entry.id, pseudo(ctx.userid), pseudo(responsible))
    if responsible == ctx.userid:
        return card
    return [thanks, card]


async def decide(ctx: Context, tip_id: int, accept: bool) -> Replies:
    """登记 or 不登记 a tip: the responsible member, or the secretary."""
    entry = await care.get_entry(ctx.session, tip_id)
    if entry is None or entry.source != CareSource.TIP or ctx.sender is None or not ctx.sender.is_staff:
        return Text(content=msg.TIP_NOT_FOUND.format(tip=tip_id))
    if ctx.userid != entry.responsible and not ctx.sender.is_secretary:
        return Text(content=msg.TIP_NOT_YOURS.format(tip=tip_id))
    if ctx.fsm.in_state(CareStates.tip) and int(ctx.fsm.data.get("tip_id", 0)) == tip_id:
        await ctx.fsm.clear()
    if entry.responsible != ctx.userid:
        # The secretary decides: the 是/否 question queued for the member no longer applies. (Before the
        # entry's row lock: the member's own event takes their queue first, then the entry.)
        await ctx.fsm.withdraw(entry.responsible, CareStates.tip)
    name = await people.name_of(ctx.session, entry.person)
    if not accept:
        await care.decline_tip(ctx.session, ctx.now, entry, ctx.userid)  # refuses a tip already decided
        return Text(content=msg.TIP_DECLINED.format(tip=tip_id))
    await care.accept_tip(ctx.session, ctx.now, entry, ctx.userid)
    due = ctx.today + timedelta(days=care.tip_due_days(entry.category))
    task = await care.add_task(ctx.session, ctx.now, person=entry.person, member=entry.responsible,
                               entry_id=entry.id, reason=TIP_REASON, due_date=due,
                               dedupe_key=care.first_visit_key(entry.id), actor=ctx.userid)
    text = msg.tip_accepted(name, entry.category, task.due_date if task is not None else due)
    replies: list[Reply] = [Text(content=text)]
    if entry.responsible != ctx.userid:
        replies.append(Text(to=entry.responsible, content=msg.TIP_ACCEPTED_BY_SECRETARY.format(tip=tip_id, text=text)))
    return replies

