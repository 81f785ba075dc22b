"""Team scores for the workbench: :func:`storage.teams.ranking` reads the whole month's ledger (seconds for
10,000 people), so pages show a copy at most ``TTL`` old and refresh it in the background.

A page waits for a missing ranking at most ``wait`` seconds and otherwise says it is being computed;
a stale one is shown at once while a fresh one is computed. The computation runs in a worker thread on
its own connection (plain deferred transactions: on SQLite a WAL reader that takes no lock), so pages and
the webhook keep answering meanwhile. The inspection workbook computes its own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine
from sqlalchemy.pool import NullPool

from storage.teams.ranking import Ranking, ranking

TTL = 300.0  # seconds
log = logging.getLogger(__name__)


@dataclass
class RankingCache:
    entries: dict[date, tuple[float, Ranking]] = field(default_factory=dict)
    tasks: dict[date, asyncio.Task[None]] = field(default_factory=dict)

    async def _compute(self, url: str, month: date, now: datetime, tz: ZoneInfo, weights: dict[str, float]) -> None:
        try:
            result = await asyncio.to_thread(_in_thread, url, month, now, tz, weights)
            self.entries[month] = (time.monotonic(), result)
        except Exception:  # noqa: BLE001 - the next page view tries again
            log.exception("team ranking for %s failed", month)
        finally:
            self.tasks.pop(month, None)

    async def get(self, url: str, month: date, now: Callable[[], datetime], tz: ZoneInfo,
                  weights: dict[str, float], *, wait: float) -> Ranking | None:
        """The month's ranking (possibly up to ``TTL`` old), or None when it is not ready within ``wait``."""
        entry = self.entries.get(month)
        if (entry is None or time.monotonic() - entry[0] > TTL) and month not in self.tasks:
            self.tasks[month] = asyncio.create_task(self._compute(url, month, now(), tz, weights),
                                                    name=f"team-ranking-{month}")
        if entry is not None:
            return entry[1]
        try:
            await asyncio.wait_for(asyncio.shield(self.tasks[month]), wait)
        except (TimeoutError, KeyError):
            pass
        found = self.entries.get(month)
        return found[1] if found else None

    async def close(self) -> None:
        for task in list(self.tasks.values()):
            task.cancel()
        await asyncio.gather(*self.tasks.values(), return_exceptions=True)


def _in_thread(url: str, month: date, now: datetime, tz: ZoneInfo, weights: dict[str, float]) -> Ranking:
    async def run() -> Ranking:
        engine = create_async_engine(url, poolclass=NullPool)
        try:
            async with async_sessionmaker(engine)() as session:
                return await ranking(session, month, tz, now=now, weights_=weights)
        finally:
            await engine.dispose()
    return asyncio.run(run())
