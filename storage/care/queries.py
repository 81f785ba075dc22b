"""Read-side queries over the ledger and visits for the admin API, the export, the workbench and /我的."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import String, bindparam, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from storage import scope
from storage.care.lifecycle import CareStatus, TaskStatus
from storage.care.models import CareEntry, Visit, VisitTask
from storage.deeds.lifecycle import DeedStatus
from storage.deeds.models import Item
from storage.duty.lifecycle import IncidentStatus
from storage.months import per_month
from storage.paging import Page, page
from storage.people.models import Person

ITEM_CLOSED = (DeedStatus.CLOSED, IncidentStatus.CLOSED)
# proposed and declined tips have no consent: they are not part of the ledger
LEDGER: tuple[CareStatus, ...] = (CareStatus.ACTIVE, CareStatus.RESOLVED)


def _equal(*pairs: tuple[Any, Any]) -> list[Any]:
    """``column == value`` for each pair whose value is given (a filter left empty is no filter)."""
    return [column == value for column, value in pairs if value]


async def care_entries(session: AsyncSession, *, status: str | Sequence[str] | None = None,
                       responsible: str | None = None, category: str | None = None,
                       scope: ColumnElement[bool] | None = None, follow_up_before: date | None = None,
                       person_named: str | None = None, soonest_first: bool = False, limit: int | None = 50,
                       offset: int = 0) -> Page[CareEntry]:
    """Entries by id (``soonest_first``: by status, then the next follow-up); ``follow_up_before``: active
    entries whose next follow-up is before that day; ``person_named``: a userid or part of a name;
    ``scope``: a visibility condition (the workbench's viewer)."""
    where = _equal((CareEntry.responsible, responsible), (CareEntry.category, category))
    if status:
        where.append(CareEntry.status.in_([status] if isinstance(status, str) else list(status)))
    if scope is not None:
        where.append(scope)
    if follow_up_before is not None:
        where += [CareEntry.status == CareStatus.ACTIVE, CareEntry.next_follow_up.is_not(None),
                  CareEntry.next_follow_up < follow_up_before]
    if person_named:
        named = select(Person.userid).where(Person.name.contains(person_named, autoescape=True)).scalar_subquery()
        where.append(CareEntry.person.in_(named) | (CareEntry.person == person_named))
    order = (CareEntry.status, CareEntry.next_follow_up, CareEntry.id) if soonest_first else (CareEntry.id,)
    return await page(session, select(CareEntry).where(*where).order_by(*order), limit, offset)


async def visits(session: AsyncSession, *, member: str | None = None, person: str | None = None,
                 day_from: date | None = None, day_to: date | None = None, team: str | None = None,
                 scope: ColumnElement[bool] | None = None, limit: int | None = 50, offset: int = 0) -> Page[Visit]:
    """Visits, newest first; ``day_from``/``day_to`` inclusive on the visit date; ``team``: to its people."""
    where = _equal((Visit.member, member), (Visit.person, person))
    if team:
        where.append(Visit.person.in_(select(Person.userid).where(Person.team == team).scalar_subquery()))
    if day_from is not None:
        where.append(Visit.visited_on >= day_from)
    if day_to is not None:
        where.append(Visit.visited_on <= day_to)
    if scope is not None:
        where.append(scope)
    stmt = select(Visit).where(*where).order_by(Visit.visited_on.desc(), Visit.id.desc())
    return await page(session, stmt, limit, offset)


async def entries_by_id(session: AsyncSession, entry_ids: Sequence[int | None]) -> dict[int, CareEntry]:
    ids = {i for i in entry_ids if i is not None}
    if not ids:
        return {}
    return {e.id: e for e in (await session.execute(select(CareEntry).where(CareEntry.id.in_(ids)))).scalars()}


async def visit_stats(session: AsyncSession, people: Sequence[str]) -> dict[str, tuple[int, date | None]]:
    """person -> (visits so far, the last one's date), for these people only."""
    if not people:
        return {}
    rows = await session.execute(select(Visit.person, func.count(), func.max(Visit.visited_on))
                                 .where(Visit.person.in_(set(people))).group_by(Visit.person))
    return {p: (int(n), last) for p, n, last in rows.all()}


async def timeline(session: AsyncSession, person: str) -> tuple[list[CareEntry], list[Visit], list[VisitTask]]:
    """Everything about one person's care: all their entries (callers show only ``LEDGER`` ones), visits, tasks."""
    ents = await session.execute(select(CareEntry).where(CareEntry.person == person).order_by(CareEntry.created_at))
    vis = await session.execute(select(Visit).where(Visit.person == person).order_by(Visit.visited_on, Visit.id))
    tasks = await session.execute(select(VisitTask).where(VisitTask.person == person).order_by(VisitTask.due_date))
    return list(ents.scalars()), list(vis.scalars()), list(tasks.scalars())


async def sensitive_entry_ids(session: AsyncSession, entry_ids: Sequence[int | None]) -> set[int]:
    """Which of these care entries are sensitive."""
    ids = [i for i in entry_ids if i is not None]
    if not ids:
        return set()
    rows = await session.execute(select(CareEntry.id).where(CareEntry.id.in_(ids), CareEntry.sensitive.is_(True)))
    return set(rows.scalars())


async def open_items_owned(session: AsyncSession, owner: str) -> list[Item]:
    """Items (deeds, incidents) assigned to ``owner`` that are not closed, by number (for /我的)."""
    return list((await scope.execute(session, _open_items_owned, owner=owner)).scalars())


@cache
def _open_items_owned(bound: bool) -> Any:
    stmt = (select(Item).where(Item.owner == bindparam("owner", type_=String),
                               *(Item.status != s.value for s in ITEM_CLOSED))  # no NOT IN to expand per call
            .order_by(Item.number))
    return scope.bound(stmt, Item) if bound else stmt


# --- the workbench's overview: aggregates ------------------------------------------------------


async def follow_ups_by_month(session: AsyncSession, months: Sequence[date],
                              today: date) -> tuple[list[float | None], list[int]]:
    """Follow-ups due per month (up to today) done on time, in %, and how many were due.

    A follow-up is a visit task (not cancelled), on time when a visit to the person recorded after the task
    and dated by its due date exists; or a next visit date a ledger visit set, on time when a later visit
    on or before that date exists.
    """
    later = aliased(Visit)
    task_done = exists().where(later.person == VisitTask.person, later.created_at >= VisitTask.created_at,
                               later.visited_on <= VisitTask.due_date)
    tasks = await per_month(session, months, VisitTask.due_date, [VisitTask.id.is_not(None), task_done],
                            [VisitTask.status != TaskStatus.CANCELLED, VisitTask.due_date <= today], VisitTask)
    next_done = exists().where(later.person == Visit.person, later.id != Visit.id,
                               later.visited_on > Visit.visited_on, later.visited_on <= Visit.next_date)
    visited = await per_month(session, months, Visit.next_date, [Visit.id.is_not(None), next_done],
                              [Visit.entry_id.is_not(None), Visit.next_date <= today], Visit)
    due = [a + b for a, b in zip(tasks[0], visited[0])]
    done = [a + b for a, b in zip(tasks[1], visited[1])]
    return [round(100 * d / n, 1) if n else None for d, n in zip(done, due)], due


async def late_follow_ups(session: AsyncSession, today: date) -> int:
    """Active ledger entries whose next follow-up date has passed."""
    stmt = select(func.count()).select_from(CareEntry).where(
        CareEntry.status == CareStatus.ACTIVE, CareEntry.next_follow_up.is_not(None), CareEntry.next_follow_up < today)
    return int((await session.execute(stmt)).scalar_one())
