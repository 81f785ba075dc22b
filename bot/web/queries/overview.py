"""The overview's figures, each one SQL aggregate (monthly series: one query with a CASE per month)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased
from sqlalchemy.sql.elements import ColumnElement

from bot.web.queries.deeds import next_month, overdue_clause, start_of
from storage.models import CareEntry, Item, ItemEvent, Visit, VisitTask


def months_back(today: date, n: int) -> list[date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    out = [date(today.year, today.month, 1)]
    while len(out) < n:
        first = out[0]
        out.insert(0, date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1))
    return out


async def _per_month(session: AsyncSession, months: Sequence[date], tz: ZoneInfo | None, column: Any,
                     conditions: Sequence[ColumnElement[bool]], where: Sequence[ColumnElement[bool]],
                     source: Any) -> list[list[int]]:
    """For each condition, how many rows of ``source`` per month (``column`` falls in it); tz: a datetime column.

    One pass: each row gets its month's index (one CASE) and a 0/1 per condition, summed per month.
    """
    bounds = [(start_of(m, tz), start_of(next_month(m), tz)) if tz else (m, next_month(m)) for m in months]
    bucket = case(*[(column < hi, i) for i, (_, hi) in enumerate(bounds)], else_=len(bounds))
    flags = [case((cond, 1), else_=0).label(f"c{i}") for i, cond in enumerate(conditions)]
    rows = (select(bucket.label("b"), *flags).select_from(source)
            .where(*where, column >= bounds[0][0], column < bounds[-1][1]).subquery())
    stmt = select(rows.c.b, *[func.sum(rows.c[f"c{i}"]) for i in range(len(conditions))]).group_by(rows.c.b)
    out = [[0] * len(months) for _ in conditions]
    for b, *sums in await session.execute(stmt):
        if 0 <= b < len(months):
            for i, n in enumerate(sums):
                out[i][b] = int(n or 0)
    return out


@dataclass(frozen=True)
class ItemCounts:
    active: int
    overdue: int
    closed_month: int
    incidents_month: int
    incidents_open: int


async def item_counts(session: AsyncSession, now: datetime, tz: ZoneInfo) -> ItemCounts:
    month = start_of(date(now.year, now.month, 1), tz)
    deed, incident = Item.kind == "deed", Item.kind == "incident"
    stmt = select(
        func.sum(case((and_(deed, Item.status != "closed"), 1), else_=0)),
        func.sum(case((overdue_clause(now), 1), else_=0)),
        func.sum(case((and_(deed, Item.closed_at >= month), 1), else_=0)),
        func.sum(case((and_(incident, Item.created_at >= month), 1), else_=0)),
        func.sum(case((and_(incident, Item.status != "closed"), 1), else_=0)))
    return ItemCounts(*(int(v or 0) for v in (await session.execute(stmt)).one()))


async def satisfaction(session: AsyncSession, months: Sequence[date], tz: ZoneInfo) -> list[float | None]:
    """Satisfied closes / (closes + reopens) per month, from the items' history (as the team score)."""
    sat, closed, reopened = await _per_month(
        session, months, tz, ItemEvent.at,
        [ItemEvent.kind == "confirmed", ItemEvent.kind == "closed_by_hand", ItemEvent.kind == "reopened"],
        [ItemEvent.kind.in_(("confirmed", "closed_by_hand", "reopened"))], ItemEvent)
    return [round(100 * s / (s + c + r), 1) if s + c + r else None for s, c, r in zip(sat, closed, reopened)]


async def follow_ups(session: AsyncSession, months: Sequence[date], today: date) -> tuple[list[float | None], list[int]]:
    """Follow-ups due per month (up to today) done on time, in %, and how many were due.

    A follow-up is a visit task (not cancelled), on time when a visit to the person recorded after the task
    and dated by its due date exists; or a next visit date a ledger visit set, on time when a later visit
    on or before that date exists.
    """
    later = aliased(Visit)
    task_done = exists().where(later.person == VisitTask.person, later.created_at >= VisitTask.created_at,
                               later.visited_on <= VisitTask.due_date)
    tasks = await _per_month(session, months, None, VisitTask.due_date, [VisitTask.id.is_not(None), task_done],
                             [VisitTask.status != "cancelled", VisitTask.due_date <= today], VisitTask)
    next_done = exists().where(later.person == Visit.person, later.id != Visit.id,
                               later.visited_on > Visit.visited_on, later.visited_on <= Visit.next_date)
    visits = await _per_month(session, months, None, Visit.next_date, [Visit.id.is_not(None), next_done],
                              [Visit.entry_id.is_not(None), Visit.next_date <= today], Visit)
    due = [a + b for a, b in zip(tasks[0], visits[0])]
    done = [a + b for a, b in zip(tasks[1], visits[1])]
    return [round(100 * d / n, 1) if n else None for d, n in zip(done, due)], due


async def incidents(session: AsyncSession, months: Sequence[date], tz: ZoneInfo) -> list[int]:
    (counts,) = await _per_month(session, months, tz, Item.created_at, [Item.id.is_not(None)],
                                 [Item.kind == "incident"], Item)
    return counts


async def late_follow_ups(session: AsyncSession, today: date) -> int:
    """Active ledger entries whose next follow-up date has passed."""
    stmt = select(func.count()).select_from(CareEntry).where(
        CareEntry.status == "active", CareEntry.next_follow_up.is_not(None), CareEntry.next_follow_up < today)
    return int((await session.execute(stmt)).scalar_one())
