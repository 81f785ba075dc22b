"""Working days by the Chinese holiday calendar, including adjusted working weekends (调休).

Uses ``chinese_calendar`` (official State Council arrangements) for the years it covers and,
for years not yet published, the ``holidays`` package's China calendar plus weekends.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from functools import lru_cache

import chinese_calendar
import holidays


@lru_cache(maxsize=8)
def _fallback_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.China(years=year).keys())


@lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5 and day not in _fallback_holidays(day.year)


def next_working_day(day: date, *, include: bool = True) -> date:
    """``day`` itself if it is a working day (and ``include``), else the next one."""
    d = day if include else day + timedelta(days=1)
    while not is_working_day(d):
        d += timedelta(days=1)
    return d


def previous_working_day(day: date, *, include: bool = True) -> date:
    """``day`` itself if it is a working day (and ``include``), else the last one before it."""
    d = day if include else day - timedelta(days=1)
    while not is_working_day(d):
        d -= timedelta(days=1)
    return d


def add_working_days(day: date, n: int) -> date:
    """The working day ``n`` working days after ``day`` (``n`` ≥ 0)."""
    d = day
    for _ in range(n):
        d = next_working_day(d, include=False)
    return d


@lru_cache(maxsize=64)
def _year_prefix(year: int) -> tuple[int, ...]:
    """Working days from January 1st of ``year`` through each of its days (index: day of the year - 1)."""
    out, count, d = [], 0, date(year, 1, 1)
    while d.year == year:
        count += is_working_day(d)
        out.append(count)
        d += timedelta(days=1)
    return tuple(out)


def _through(d: date) -> int:
    return _year_prefix(d.year)[d.timetuple().tm_yday - 1]


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 if end ≤ start).

    From per-year running counts (a sweep asks this for every open item, a year back and more).
    """
    if end <= start:
        return 0
    whole_years = sum(_year_prefix(y)[-1] for y in range(start.year, end.year))
    return whole_years + _through(end) - _through(start)


def add_working_time(moment: datetime, days: int) -> datetime:
    """The same local time ``days`` working days later (a deadline measured in working days)."""
    target = add_working_days(moment.date(), days)
    return datetime.combine(target, moment.timetz())


def at(day: date, hour: int, minute: int, tz) -> datetime:  # type: ignore[no-untyped-def]
    return datetime.combine(day, time(hour, minute), tzinfo=tz)


def kept_on(day: date, today: date) -> date:
    """The working day a date promised ``today`` is kept on: ``day`` itself if it is a working day; else the
    working day before it (a promise kept early is kept), unless that is not after ``today``, then the one after."""
    if is_working_day(day):
        return day
    before = previous_working_day(day)
    return before if before > today else next_working_day(day)
