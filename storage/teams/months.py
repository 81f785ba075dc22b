"""Calendar months, as the score counts them (local time)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def previous_month(first: date) -> date:
    return (first - timedelta(days=1)).replace(day=1)


def month_bounds(first: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Aware local bounds [start, end) of the month beginning ``first``."""
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(next_month(first), time(0), tzinfo=tz)


def month_label(first: date) -> str:
    return f"{first.year}年{first.month}月"
