"""How dates, times and durations are written in Chinese replies (one way everywhere)."""

from __future__ import annotations

from datetime import date, datetime, tzinfo

WEEKDAYS = "一二三四五六日"
RELATIVE_DAYS = {-1: "昨天", 0: "今天", 1: "明天", 2: "后天"}


def weekday(day: date) -> str:
    """``周三``."""
    return f"周{WEEKDAYS[day.weekday()]}"


def fmt_day(day: date) -> str:
    """``2026-12-01（周二）``."""
    return f"{day.isoformat()}（{weekday(day)}）"


def month_day(day: date) -> str:
    """``12月1日（周二）``."""
    return f"{day.month}月{day.day}日（{weekday(day)}）"


def relative_day(day: date, today: date) -> str | None:
    """``昨天`` / ``今天`` / ``明天`` / ``后天``; None for any other day."""
    return RELATIVE_DAYS.get((day - today).days)


def local(dt: datetime | None, tz: tzinfo, fmt: str = "%m-%d %H:%M") -> str:
    """An aware moment as local wall-clock text; "—" for none."""
    return dt.astimezone(tz).strftime(fmt) if dt else "—"


def age(now: datetime, since: datetime) -> str:
    """How long ago, roughly: ``3天`` or ``5小时``."""
    delta = now - since
    if delta.days >= 1:
        return f"{delta.days}天"
    return f"{max(int(delta.total_seconds() // 3600), 0)}小时"


def moment(dt: datetime, tz: tzinfo) -> str:
    """``12月3日（周四）14:00`` — when a training or an activity takes place."""
    t = dt.astimezone(tz)
    return f"{month_day(t.date())}{t:%H:%M}"
