"""Chinese public-holiday dates from maintained calendars.

Festival days come from the ``holidays`` package (lunar festivals computed for
any year); which days are off is the one working-day calendar, ``storage.workdays``.
"""
from __future__ import annotations

import datetime
from functools import lru_cache

import holidays as _holidays

from storage.workdays import next_working_day

# Our key -> English name used by holidays.China.
_NAMES: dict[str, str] = {
    "new_year": "New Year's Day",
    "spring": "Chinese New Year (Spring Festival)",
    "eve": "Chinese New Year's Eve",
    "qingming": "Tomb-Sweeping Day",
    "labor": "Labor Day",
    "dragon": "Dragon Boat Festival",
    "midautumn": "Mid-Autumn Festival",
    "national": "National Day",
}

_ONE_DAY = datetime.timedelta(days=1)


@lru_cache(maxsize=16)
def _year_table(year: int) -> dict[datetime.date, str]:
    return dict(_holidays.China(years=year).items())


def festival_day(key: str, year: int) -> datetime.date | None:
    """Return the (first) day of a festival in a Gregorian year.

    Args:
        key: One of the keys of ``_NAMES``.
        year: Gregorian year.

    Returns:
        The date, or None if unknown.
    """
    if key == "new_year":
        return datetime.date(year, 1, 1)
    name = _NAMES[key]
    days = sorted(d for d, n in _year_table(year).items() if n == name)
    if days:
        return days[0]
    if key == "eve":
        spring = festival_day("spring", year)
        return spring - _ONE_DAY if spring else None
    return None


def first_workday_after(day: datetime.date) -> datetime.date:
    """The first working day after ``day`` (after the day-off block containing it)."""
    return next_working_day(day, include=False)


def next_festival(key: str, today: datetime.date, offset: str = "") -> datetime.date | None:
    """Resolve a festival mention to its next occurrence on or after today.

    Args:
        key: Festival key.
        today: Reference date.
        offset: ``""`` (the day), ``"before"`` (the eve) or ``"after"``
            (first working day after the holiday).

    Returns:
        The resolved date or None.
    """
    for year in (today.year, today.year + 1):
        day = festival_day(key, year)
        if day is None:
            continue
        if offset == "before":
            day = day - _ONE_DAY
        elif offset == "after":
            day = first_workday_after(day)
        if day >= today:
            return day
    return None


def festival_in_year(key: str, year: int, offset: str = "") -> datetime.date | None:
    """Resolve a festival in an explicit year (明年五一)."""
    day = festival_day(key, year)
    if day is None:
        return None
    if offset == "before":
        return day - _ONE_DAY
    if offset == "after":
        return first_workday_after(day)
    return day
