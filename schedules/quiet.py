"""Quiet hours for the sweeps (``bot.quiet``: the rule every non-urgent push keeps, replies included), and
deadlines counted from the next working moment so that none lands in quiet hours."""

from __future__ import annotations

from datetime import datetime

from bot.quiet import QuietHours, spread
from storage.workdays import add_working_time

__all__ = ["QuietHours", "spread", "working_deadline"]


def working_deadline(moment: datetime, days: int, quiet: QuietHours | None = None) -> datetime:
    """``days`` working days after ``moment``, counted from when quiet hours end if ``moment`` is in them
    (an item sent at 04:27 on Wednesday is due Thursday 08:00, not Thursday 04:27)."""
    return add_working_time((quiet or QuietHours()).release(moment), days)
