"""Calendar quarters, as 支部争先 counts them (local time)."""

from __future__ import annotations

import re
from datetime import date, datetime, time, tzinfo

THIS_QUARTER = ("本季度", "本季", "这个季度", "当季")
LAST_QUARTER = ("上季度", "上季", "上个季度")
CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "1": 1, "2": 2, "3": 3, "4": 4}
# 2026Q4, 2026-Q4, 2026年第4季度, 2026年四季度, Q3, 第三季度, 3季度
QUARTER = re.compile(r"^(?:(\d{4})\s*(?:年|-|/)?\s*)?(?:Q|q|第)?([1-4一二三四])(?:季度|季)?$")


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def next_quarter(first: date) -> date:
    return date(first.year + 1, 1, 1) if first.month >= 10 else date(first.year, first.month + 3, 1)


def previous_quarter(first: date) -> date:
    return date(first.year - 1, 10, 1) if first.month <= 3 else date(first.year, first.month - 3, 1)


def quarter_bounds(first: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """Aware local bounds [start, end) of the quarter beginning ``first``."""
    return datetime.combine(first, time(0), tzinfo=tz), datetime.combine(next_quarter(first), time(0), tzinfo=tz)


def quarter_label(first: date) -> str:
    """``2026年第4季度``."""
    return f"{first.year}年第{(first.month - 1) // 3 + 1}季度"


def quarter_arg(arg: str | None, today: date) -> date | None:
    """None / 本季度 -> this quarter; 上季度; 2026Q3 / 2026年第3季度; Q3 / 第三季度 (this year, or last year
    if that quarter is still to come). None when the word names no quarter."""
    this = quarter_start(today)
    word = (arg or "").strip()
    if not word or word in THIS_QUARTER:
        return this
    if word in LAST_QUARTER:
        return previous_quarter(this)
    m = QUARTER.match(word)
    if m is None:
        return None
    q = CN_DIGITS[m[2]]
    if m[1]:
        return date(int(m[1]), 3 * q - 2, 1)
    first = date(today.year, 3 * q - 2, 1)
    return first if first <= this else first.replace(year=today.year - 1)
