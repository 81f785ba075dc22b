"""Time arithmetic inside SQL, the same on SQLite and PostgreSQL, for the committee's aggregates.

The figures are counted in the database (one query per figure for every branch), so the few time rules
the team score applies in Python are written here as SQL: a moment's local date, seconds since the epoch,
and the working-day response deadline as a ``CASE`` over the period's local days.

SQLite has no time zones: a local date there uses the zone's UTC offset at the given instant (exact for
zones without daylight saving time, such as Asia/Shanghai); PostgreSQL uses the zone itself.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import Date, Float, case, cast, func, literal
from sqlalchemy.sql import ColumnElement

from storage.base import UTCDateTime
from storage.workdays import add_working_days

UNIX_JULIAN_DAY = 2440587.5
DAY_SECONDS = 86400


def epoch(column: Any, dialect: str) -> ColumnElement[float]:
    """Seconds since 1970-01-01 UTC of a ``UTCDateTime`` column."""
    if dialect == "postgresql":
        return cast(func.extract("epoch", column), Float)
    return (func.julianday(column) - UNIX_JULIAN_DAY) * DAY_SECONDS


def local_date(column: Any, tz: tzinfo, dialect: str, at: datetime) -> ColumnElement[date]:
    """The local calendar date of a ``UTCDateTime`` column (SQLite: at ``tz``'s offset at ``at``)."""
    key = getattr(tz, "key", None)
    if dialect == "postgresql" and key:
        return cast(func.timezone(key, column), Date)
    offset = int((at.astimezone(tz).utcoffset() or timedelta(0)).total_seconds())
    if dialect == "postgresql":
        return cast(func.timezone("UTC", column) + literal(timedelta(seconds=offset)), Date)
    return func.date(column, f"{offset:+d} seconds", type_=Date)


def deadline_days(column: Any, start: datetime, end: datetime, days: int) -> ColumnElement[int]:
    """How many calendar days ``add_working_time(column, days)`` adds, for a moment in ``[start, end)``.

    The deadline of something created on local day *d* is the same wall-clock time on
    ``add_working_days(d, days)``; consecutive days that add the same number are one ``WHEN``.
    """
    tz = start.tzinfo
    first, last = start.date(), (end - timedelta(microseconds=1)).astimezone(tz).date()
    runs: list[tuple[date, int]] = []  # (the day after the run, calendar days it adds)
    day = first
    while day <= last:
        add = (add_working_days(day, days) - day).days
        if runs and runs[-1][1] == add:
            runs[-1] = (day + timedelta(days=1), add)
        else:
            runs.append((day + timedelta(days=1), add))
        day += timedelta(days=1)
    if not runs:
        return literal(days)
    whens = [(column < literal(datetime.combine(until, time(0), tzinfo=tz), UTCDateTime()), add)
             for until, add in runs[:-1]]
    return case(*whens, else_=runs[-1][1]) if whens else literal(runs[-1][1])
