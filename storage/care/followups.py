"""What members owe the people they look after: follow-ups due, last contacts, visit figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.models import CareEntry, Visit, VisitTask

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
class VisitFigures:
    visits: int
    visits_by_member: dict[str, int]
    followups_overdue: int


async def visit_figures(session: AsyncSession, start: datetime, end: datetime, today: date) -> VisitFigures:
    """Visits in ``[start, end)`` and follow-ups overdue as of ``today``."""
    visits = list((await session.execute(
        select(Visit).where(Visit.visited_on >= start.date(), Visit.visited_on < end.date()))).scalars())
    by_member: dict[str, int] = {}
    for v in visits:
        by_member[v.member] = by_member.get(v.member, 0) + 1
    fus = await follow_ups(session)
    return VisitFigures(len(visits), by_member, sum(1 for f in fus if f.due < today))
