"""Calendar months and days in local time, and monthly series counted in one SQL pass."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def day_start(day: date, tz: tzinfo) -> datetime:
    """Local midnight at the start of ``day`` (aware)."""
    return datetime.combine(day, time(0), tzinfo=tz)


def month_bounds(first: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Aware local bounds [start, end) of the month beginning ``first``."""
    return day_start(first, tz), day_start(next_month(first), tz)


def months_back(today: date, n: int) -> list[date]:
    """The first days of the last ``n`` months, oldest first, this month last."""
    out = [month_start(today)]
    while len(out) < n:
        out.insert(0, previous_month(out[0]))
    return out


async def per_month(session: AsyncSession, months: Sequence[date], column: Any,
                    conditions: Sequence[ColumnElement[bool]], where: Sequence[ColumnElement[bool]], source: Any,
                    tz: tzinfo | None = None) -> list[list[int]]:
    """For each condition, how many rows of ``source`` (matching ``where``) per month ``column`` falls in;
    ``tz``: ``column`` is a datetime (months are local), else a date.

    One pass: each row gets its month's index (one CASE) and a 0/1 per condition, summed per month.
    """
    bounds = [month_bounds(m, tz) if tz else (m, next_month(m)) for m in months]
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
