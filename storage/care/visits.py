"""Visits: a member's visit closes their open tasks for the person, moves the entry's next follow-up and
leaves a follow-up task for the next visit (on the ledger or not: the reminder comes either way)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Integer, String, any_, bindparam, func, select, union
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, scope
from storage.care.entries import active_entries_of, set_follow_up
from storage.care.lifecycle import NO_ENTRY_INTERVAL, NOT_VISITED_DAYS, CareStatus, TaskAction, TaskStatus, VisitReason
from storage.care.models import CareEntry, Visit, VisitTask
from storage.people.bulk import Named
from storage.people.models import Person
from storage.people.repo import _COLUMNS, RosterEntry, _entries
from storage.care.tasks import add_task, finish_task, open_tasks
from storage.sqlsets import plain_rows
from storage.workdays import kept_on


async def record_visit(session: AsyncSession, now: datetime, *, member: str, person: str, visited_on: date,
                       summary: str, next_date: date | None) -> tuple[Visit, CareEntry | None, date]:
    """Store a visit; close this member's open tasks for the person; move the entry's next follow-up; add a
    follow-up task for the next visit, due that day.

    ``next_date`` wins when given; otherwise today + the entry's interval (30 days without an entry); a day
    off (a weekend, a holiday) becomes the working day it is kept on (``storage.workdays.kept_on``).
    Returns the visit, the entry it belongs to (the person's latest active one, if any) and the next
    follow-up date, as told.
    """
    entries = await active_entries_of(session, person)
    entry = entries[-1] if entries else None
    if next_date is None:
        days = entry.interval_days if entry is not None else NO_ENTRY_INTERVAL
        next_date = now.date() + timedelta(days=days)
    next_date = kept_on(next_date, now.date())
    visit = Visit(person=person, member=member, entry_id=entry.id if entry else None, visited_on=visited_on,
                  summary=summary, next_date=next_date, created_at=now)
    session.add(visit)
    await session.flush()
    await audit.record(session, now, member, "visit_recorded", "visit", visit.id,
                       f"entry={entry.id if entry else '-'}")
    for task in await open_tasks(session, person=person, member=member, lock=True):
        await finish_task(session, now, task, member, TaskAction.DONE)
    if entry is not None:
        await set_follow_up(session, now, entry, member, next_date)
    await add_task(session, now, person=person, member=member, entry_id=entry.id if entry else None,
                   reason=VisitReason.FOLLOW_UP, due_date=next_date, dedupe_key=f"visit:{visit.id}:next", actor=member)
    return visit, entry, next_date


async def visitable(session: AsyncSession, member: str) -> set[str]:
    """Whom ``member`` may record visits for: the active people of their zone, the people of their open visit
    tasks and of the ledger entries in their care (one statement, not three: every visit report asks)."""
    return set((await scope.execute(session, _visitable, member=member)).scalars())


@cache
def _visitable(bound: bool) -> Any:
    member = bindparam("member", type_=String)
    parts = [(select(Person.userid).where(Person.zone_member == member, Person.active.is_(True)), Person),
             (select(VisitTask.person).where(VisitTask.status == TaskStatus.OPEN.value, VisitTask.member == member),
              VisitTask),
             (select(CareEntry.person).where(CareEntry.status == CareStatus.ACTIVE.value,
                                             CareEntry.responsible == member), CareEntry)]
    if not bound:
        return union(*(stmt for stmt, _ in parts))
    branch = bindparam("branch", type_=Integer)
    return union(*(stmt.where(model.branch_id == branch) for stmt, model in parts)).execution_options(
        **{scope.BOUND: True})


async def last_visits(session: AsyncSession, userids: Sequence[str] | None = None) -> dict[str, date]:
    """The latest visit date per person (of ``userids``, or everyone); people never visited are missing."""
    if userids is None:
        stmt = select(Visit.person, func.max(Visit.visited_on)).group_by(Visit.person)
        return {person: day for person, day in (await session.execute(stmt)).all()}
    if not userids:
        return {}
    pg = session.get_bind().dialect.name == "postgresql"
    rows = await scope.execute(session, _last_visits, pg, userids=list(set(userids)))
    return {person: day for person, day in rows.all()}


@cache
def _last_visits(bound: bool, pg: bool) -> Any:
    """:func:`last_visits` of some people (/我的 reads it), built once: PostgreSQL gets the userids as one array
    (``storage.sqlsets.among``), SQLite an ``IN`` expanded per call."""
    if pg:
        among_them = Visit.person == any_(bindparam("userids", type_=ARRAY(Visit.person.type)))
    else:
        among_them = Visit.person.in_(bindparam("userids", expanding=True))
    stmt = select(Visit.person, func.max(Visit.visited_on)).where(among_them).group_by(Visit.person)
    return scope.bound(stmt, Visit) if bound else stmt


async def stale_zones_by_branch(session: AsyncSession, before: date) -> dict[int, dict[str, list[Named]]]:
    """branch -> member -> the active people of their zone not visited (in that branch) since ``before``,
    by userid: ``people.zones`` less those whose :func:`last_visits` is ``before`` or later, in one query."""
    recent = select(Visit.id).where(Visit.person == Person.userid, Visit.branch_id == Person.branch_id,
                                    Visit.visited_on >= before).exists()
    rows = await plain_rows(session, select(Person.branch_id, Person.zone_member, Person.userid, Person.name)
                            .where(Person.zone_member.is_not(None), Person.active.is_(True), ~recent)
                            .order_by(Person.userid), Person)  # (the visits: those of each person's branch)
    out: dict[int, dict[str, list[Named]]] = {}
    for b, zone, u, n in rows:
        out.setdefault(b, {}).setdefault(zone, []).append(Named(u, n))
    return out


async def zone_not_visited(session: AsyncSession, member: str, today: date,
                           days: int = NOT_VISITED_DAYS) -> tuple[list[RosterEntry], list[str]]:
    """The active people of ``member``'s zone (``people.zone``) and those of them :func:`not_visited` in the
    last ``days`` days, in one statement (/我的 asks both)."""
    rows = (await scope.execute(session, _zone_last_visits, member=member)).all()
    zone = _entries(row[:-1] for row in rows)
    cutoff = today - timedelta(days=days)
    return zone, [p.userid for p, row in zip(zone, rows) if row[-1] is None or row[-1] < cutoff]


@cache
def _zone_last_visits(bound: bool) -> Any:
    """``people.zone``'s columns and each one's latest visit (of the branch, as :func:`last_visits` sees them)."""
    last = select(func.max(Visit.visited_on)).where(Visit.person == Person.userid)
    if bound:
        last = last.where(Visit.branch_id == bindparam("branch", type_=Integer))
    stmt = (select(*_COLUMNS, last.scalar_subquery())
            .where(Person.zone_member == bindparam("member", type_=String), Person.active.is_(True))
            .order_by(Person.userid))
    return scope.bound(stmt, Person) if bound else stmt


async def not_visited(session: AsyncSession, userids: Sequence[str], today: date,
                      days: int = NOT_VISITED_DAYS) -> list[str]:
    """Those of ``userids`` not visited in the last ``days`` days."""
    last = await last_visits(session, userids)
    cutoff = today - timedelta(days=days)
    return [u for u in userids if u not in last or last[u] < cutoff]
