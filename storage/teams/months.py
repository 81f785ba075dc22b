"""Calendar months, as the score counts them (local time), and how a month is named."""

from __future__ import annotations

from datetime import date

from storage.months import month_bounds, month_start, next_month, previous_month

__all__ = ["month_bounds", "month_label", "month_start", "next_month", "previous_month"]


def month_label(first: date) -> str:
    return f"{first.year}年{first.month}月"
