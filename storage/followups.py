"""Read-side queries the schedules need: what is due, open, waiting or stale, as of a moment."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import CareEntry, Item, ItemEvent, Person, Visit, VisitTask

OPEN_DEED = ("submitted", "accepted", "in_progress", "reopened")
CATEGORY_CN = {
    "illness": "疾病/住院", "hardship": "生活困难", "bereavement": "丧事", "celebration": "婚育喜事",
    "retirement": "退休", "emotional": "情绪/压力", "other": "其他",
}


@dataclass(frozen=True)
class FollowUp:
    """Something a member should do for a person by a date: an entry's follow-up or a visit task."""

    key: str  # "e12" or "t7"
    person: str
    member: str
    due: date
    what: str  # category / reason in Chinese


async def people_by_id(session: AsyncSession) -> dict[str, Person]:
    return {p.userid: p for p in (await session.execute(select(Person))).scalars()}


async def follow_ups(session: AsyncSession) -> list[FollowUp]:
    out: list[FollowUp] = []
    entries = await session.execute(
        select(CareEntry).where(CareEntry.status == "active", CareEntry.next_follow_up.is_not(None))
    )
    for e in entries.scalars():
        assert e.next_follow_up is not None
        out.append(FollowUp(f"e{e.id}", e.person, e.responsible, e.next_follow_up, CATEGORY_CN.get(e.category, e.category)))
    tasks = await session.execute(select(VisitTask).where(VisitTask.status == "open"))
    for t in tasks.scalars():
        out.append(FollowUp(f"t{t.id}", t.person, t.member, t.due_date, t.reason))
    return sorted(out, key=lambda f: (f.due, f.key))


async def last_contact(session: AsyncSession) -> dict[str, date]:
    rows = await session.execute(select(Visit.person, func.max(Visit.visited_on)).group_by(Visit.person))
    return {person: day for person, day in rows}


async def open_deeds(session: AsyncSession) -> list[Item]:
    rows = await session.execute(
        select(Item).where(Item.kind == "deed", Item.status.in_(OPEN_DEED + ("resolved",))).order_by(Item.number)
    )
    return list(rows.scalars())


async def open_incidents(session: AsyncSession) -> list[Item]:
    rows = await session.execute(select(Item).where(Item.kind == "incident", Item.status == "open"))
    return list(rows.scalars())


async def ensure_task(session: AsyncSession, *, person: str, member: str, reason: str, due: date,
                      dedupe_key: str, now: datetime) -> bool:
    """Create a visit task once per ``dedupe_key``; True if it was new."""
    exists = (await session.execute(select(VisitTask.id).where(VisitTask.dedupe_key == dedupe_key))).first()
    if exists:
        return False
    session.add(VisitTask(person=person, member=member, reason=reason, due_date=due, status="open",
                          created_at=now, dedupe_key=dedupe_key))
    await session.flush()
    return True


@dataclass(frozen=True)
class PeriodFigures:
    new: int
    resolved: int
    closed: int
    reopened: int
    overdue: int
    satisfied: int
    unsatisfied: int
    visits: int
    visits_by_member: dict[str, int]
    followups_overdue: int
    closed_by_team: dict[str, int]
    visits_by_team: dict[str, int]

    @property
    def satisfaction(self) -> float | None:
        total = self.satisfied + self.unsatisfied
        return self.satisfied / total if total else None


async def period_figures(session: AsyncSession, start: datetime, end: datetime, today: date,
                         now: datetime) -> PeriodFigures:
    """Item and visit figures for ``[start, end)``; overdue counts as of ``now``/``today``."""
    items = list((await session.execute(select(Item).where(Item.kind == "deed"))).scalars())
    reopen_events = (await session.execute(
        select(func.count()).select_from(ItemEvent).where(
            ItemEvent.to_status == "reopened", ItemEvent.at >= start, ItemEvent.at < end)
    )).scalar_one()
    people = await people_by_id(session)
    visits = list((await session.execute(
        select(Visit).where(Visit.visited_on >= start.date(), Visit.visited_on < end.date()))).scalars())
    by_member: dict[str, int] = {}
    by_team: dict[str, int] = {}
    for v in visits:
        by_member[v.member] = by_member.get(v.member, 0) + 1
        team = people[v.person].team if v.person in people else ""
        by_team[team] = by_team.get(team, 0) + 1
    closed_by_team: dict[str, int] = {}
    for i in items:
        if i.closed_at and start <= i.closed_at < end and i.satisfaction == "satisfied":
            team = people[i.requester].team if i.requester in people else i.team
            closed_by_team[team] = closed_by_team.get(team, 0) + 1
    fus = await follow_ups(session)

    def within(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    return PeriodFigures(
        new=sum(within(i.created_at) for i in items),
        resolved=sum(within(i.resolved_at) for i in items),
        closed=sum(within(i.closed_at) for i in items),
        reopened=int(reopen_events),
        overdue=sum(1 for i in items if i.status in OPEN_DEED and i.due_at is not None and i.due_at < now),
        satisfied=sum(1 for i in items if within(i.closed_at) and i.satisfaction == "satisfied"),
        unsatisfied=int(reopen_events),
        visits=len(visits),
        visits_by_member=by_member,
        followups_overdue=sum(1 for f in fus if f.due < today),
        closed_by_team=closed_by_team,
        visits_by_team=by_team,
    )
