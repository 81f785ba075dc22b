"""The care ledger and visits for the workbench: filtered, scoped and paged in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.web.queries import paged
from storage.models import CareEntry, Person, Visit, VisitTask

LEDGER = ("active", "resolved")  # proposed / declined tips have no consent: not part of the ledger


@dataclass(frozen=True)
class CareFilter:
    status: str | None = None
    category: str | None = None
    responsible: str | None = None
    due: str | None = None  # late | week
    text: str | None = None  # a name


async def entries(session: AsyncSession, f: CareFilter, scope: ColumnElement[bool] | None, today: date,
                  limit: int | None, offset: int) -> tuple[list[tuple[CareEntry, int, date | None]], int]:
    """Ledger entries with their number of visits and the last one, soonest follow-up first."""
    stmt = select(CareEntry).where(CareEntry.status.in_([f.status] if f.status else LEDGER))
    if scope is not None:
        stmt = stmt.where(scope)
    if f.category:
        stmt = stmt.where(CareEntry.category == f.category)
    if f.responsible:
        stmt = stmt.where(CareEntry.responsible == f.responsible)
    if f.due:
        bound = today if f.due == "late" else today + timedelta(days=7)
        late = CareEntry.next_follow_up < bound if f.due == "late" else CareEntry.next_follow_up <= bound
        stmt = stmt.where(CareEntry.status == "active", CareEntry.next_follow_up.is_not(None), late)
    if f.text:
        named = select(Person.userid).where(Person.name.contains(f.text, autoescape=True)).scalar_subquery()
        stmt = stmt.where(CareEntry.person.in_(named) | (CareEntry.person == f.text))
    found, total = await paged(session, stmt, CareEntry.status, CareEntry.next_follow_up, CareEntry.id,
                               limit=limit, offset=offset)
    stats = await visit_stats(session, [e.person for e in found])
    return [(e, *stats.get(e.person, (0, None))) for e in found], total


async def visit_stats(session: AsyncSession, people: list[str]) -> dict[str, tuple[int, date | None]]:
    if not people:
        return {}
    rows = await session.execute(select(Visit.person, func.count(), func.max(Visit.visited_on))
                                 .where(Visit.person.in_(set(people))).group_by(Visit.person))
    return {p: (int(n), last) for p, n, last in rows.all()}


@dataclass(frozen=True)
class VisitFilter:
    member: str | None = None
    person: str | None = None
    since: date | None = None
    until: date | None = None


async def visits(session: AsyncSession, f: VisitFilter, scope: ColumnElement[bool] | None, limit: int | None,
                 offset: int) -> tuple[list[tuple[Visit, CareEntry | None]], int]:
    """Visits, newest first, each with the ledger entry it belongs to."""
    stmt = select(Visit, CareEntry).outerjoin(CareEntry, CareEntry.id == Visit.entry_id)
    if scope is not None:
        stmt = stmt.where(scope)
    for column, value in ((Visit.member, f.member), (Visit.person, f.person)):
        if value:
            stmt = stmt.where(column == value)
    if f.since is not None:
        stmt = stmt.where(Visit.visited_on >= f.since)
    if f.until is not None:
        stmt = stmt.where(Visit.visited_on <= f.until)
    return await paged(session, stmt, Visit.visited_on.desc(), Visit.id.desc(), limit=limit, offset=offset,
                       scalars=False)


async def timeline(session: AsyncSession, person: str) -> tuple[list[CareEntry], list[Visit], list[VisitTask]]:
    """Everything about one person's care: all their entries (callers show only ``LEDGER`` ones), visits, tasks."""
    ents = await session.execute(select(CareEntry).where(CareEntry.person == person).order_by(CareEntry.created_at))
    vis = await session.execute(select(Visit).where(Visit.person == person).order_by(Visit.visited_on, Visit.id))
    tasks = await session.execute(select(VisitTask).where(VisitTask.person == person).order_by(VisitTask.due_date))
    return list(ents.scalars()), list(vis.scalars()), list(tasks.scalars())
