"""A small job queue over APScheduler 3's AsyncIOScheduler: aware times, one trampoline, clean stop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

log = logging.getLogger(__name__)

Job = Callable[[Any], Awaitable[None]]
ErrorHandler = Callable[[str, BaseException], None]


def _log_error(name: str, exc: BaseException) -> None:
    log.error("scheduled job %s failed", name, exc_info=exc)


class JobQueue:
    """Owns one scheduler with an explicit time zone; jobs are plain async functions of a context."""

    def __init__(self, tz: ZoneInfo, context: Any, on_error: ErrorHandler = _log_error) -> None:
        self.tz = tz
        self.context = context
        self._on_error = on_error
        self._scheduler = AsyncIOScheduler(timezone=tz)
        self._running: set[asyncio.Task[None]] = set()

    def _add(self, job: Job, trigger: BaseTrigger, name: str) -> None:
        self._scheduler.add_job(self._trampoline, trigger, args=(job, name), id=name, name=name,
                                coalesce=True, max_instances=1, misfire_grace_time=300, replace_existing=True)

    def run_cron(self, job: Job, *, name: str, jitter: int = 0, **fields: Any) -> None:
        self._add(job, CronTrigger(timezone=self.tz, jitter=jitter or None, **fields), name)

    def run_repeating(self, job: Job, *, name: str, seconds: float, jitter: int = 0) -> None:
        self._add(job, IntervalTrigger(seconds=seconds, timezone=self.tz, jitter=jitter or None), name)

    async def _trampoline(self, job: Job, name: str) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._running.add(task)
        try:
            await job(self.context)
        except Exception as exc:  # noqa: BLE001 - routed to the one error handler
            self._on_error(name, exc)
        finally:
            if task is not None:
                self._running.discard(task)

    def start(self) -> None:
        self._scheduler.start()

    async def stop(self) -> None:
        """Stop scheduling and wait for jobs that are running."""
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        if self._running:
            await asyncio.gather(*list(self._running), return_exceptions=True)
