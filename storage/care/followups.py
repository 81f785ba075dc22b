"""What members owe the people they look after: follow-ups due and visit figures (sweeps and digest)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.lifecycle import CareCategory, CareStatus, TaskStatus, VisitReason, reason_label
from storage.care.models import CareEntry, Visit, VisitTask
from storage.care.tasks import open_tasks
from storage.sqlsets import plain_rows


@dataclass(frozen=True)
class FollowUp:
    """Something a member should do for a person by a date: an entry's follow-up or a visit task."""

    key: str  # "e12" or "t7"
    person: str
    member: str
    due: date
    what: str  # the category (or the task's reason), in Chinese


async def follow_ups(session: AsyncSession) -> list[FollowUp]:
    """Every active entry's next follow-up and every open visit task, soonest first.

    A task for a ledger entry (a life event, an accepted tip) is described by the entry's category; an
    entry's follow-up that a visit's follow-up task already stands for (same member, same day) is listed once.
    """
    entries = {e.id: e for e in (await session.execute(
        select(CareEntry).where(CareEntry.status == CareStatus.ACTIVE))).scalars()}
    return _follow_ups(entries, await open_tasks(session))


class _Entry(NamedTuple):  # what follow-ups need of a CareEntry: plain columns, not 20,000 ORM objects
    id: int
    person: str
    responsible: str
    next_follow_up: date | None
    category: str


class _Task(NamedTuple):  # ... and of an open VisitTask
    id: int
    person: str
    member: str
    entry_id: int | None
    due_date: date
    reason: str


async def follow_ups_by_branch(session: AsyncSession) -> dict[int, list[FollowUp]]:
    """branch -> :func:`follow_ups` of that branch, for every branch the session sees, in two queries."""
    entries: dict[int, dict[int, _Entry]] = {}
    rows = await plain_rows(session, select(CareEntry.branch_id, *(getattr(CareEntry, f) for f in _Entry._fields))
                            .where(CareEntry.status == CareStatus.ACTIVE), CareEntry)
    for r in rows:
        entries.setdefault(r[0], {})[r[1]] = _Entry._make(r[1:])
    tasks: dict[int, list[_Task]] = {}
    rows = await plain_rows(session, select(VisitTask.branch_id, *(getattr(VisitTask, f) for f in _Task._fields))
                            .where(VisitTask.status == TaskStatus.OPEN).order_by(VisitTask.due_date, VisitTask.id),
                            VisitTask)
    for r in rows:
        tasks.setdefault(r[0], []).append(_Task._make(r[1:]))
    return {b: _follow_ups(entries.get(b, {}), tasks.get(b, [])) for b in entries.keys() | tasks.keys()}


def _follow_ups(entries: Mapping[int, CareEntry | _Entry], tasks: Sequence[VisitTask | _Task]) -> list[FollowUp]:
    promised = {(t.entry_id, t.member, t.due_date) for t in tasks if t.reason == VisitReason.FOLLOW_UP}
    out: list[FollowUp] = []
    for e in entries.values():
        if e.next_follow_up is not None and (e.id, e.responsible, e.next_follow_up) not in promised:
            out.append(FollowUp(f"e{e.id}", e.person, e.responsible, e.next_follow_up, CareCategory.label_of(e.category)))
    for t in tasks:
        entry = entries.get(t.entry_id) if t.entry_id is not None else None
        what = CareCategory.label_of(entry.category) if entry is not None else reason_label(t.reason)
        out.append(FollowUp(f"t{t.id}", t.person, t.member, t.due_date, what))
    return sorted(out, key=lambda f: (f.due, f.key))


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
