"""Quiet hours: nothing but incidents and urgent items between 21:00 and 08:00 or on days off.

Kept by the sweeps (``schedules.context``) and by every reply to someone other than the person who wrote
(``bot.pushes``): a broadcast at 04:33 is held to the next working morning, with jitter."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from storage.workdays import is_working_day, next_working_day


@dataclass(frozen=True)
class QuietHours:
    start: time = time(21, 0)
    end: time = time(8, 0)

    def is_quiet(self, now: datetime) -> bool:
        """``now`` is aware and local."""
        if not is_working_day(now.date()):
            return True
        t = now.timetz().replace(tzinfo=None)
        return t >= self.start or t < self.end

    def release(self, now: datetime) -> datetime:
        """When something held back at ``now`` may go: ``now`` if not quiet, else the next morning."""
        if not self.is_quiet(now):
            return now
        day = now.date()
        if now.timetz().replace(tzinfo=None) >= self.end and is_working_day(day):
            day = day + timedelta(days=1)  # evening: tomorrow morning
        day = next_working_day(day)
        return datetime.combine(day, self.end, tzinfo=now.tzinfo)


def spread(moment: datetime, key: str, window_s: int = 600) -> datetime:
    """Offset ``moment`` by a stable per-key jitter, never landing on :00 or :30."""
    offset = 60 + zlib.crc32(key.encode()) % window_s
    out = moment + timedelta(seconds=offset)
    if out.minute in (0, 30):
        out += timedelta(minutes=1)
    return out
