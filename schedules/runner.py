"""Run every sweep as of an instant, under the sweep lock, each sweep in its own transaction."""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Sequence
from datetime import datetime

from schedules.config import ScheduleConfig
from schedules.context import Sent, Sweep, SweepContext
from schedules.lock import sweep_lock
from storage.db import Database

log = logging.getLogger(__name__)

HOLDER = f"{socket.gethostname()}:{os.getpid()}"


class SweepsBusy(Exception):
    """Another process holds the sweep lock right now."""


async def run_due(db: Database, now: datetime, sweeps: Sequence[Sweep], *, config: ScheduleConfig | None = None,
                  dry_run: bool = False, holder: str = HOLDER) -> list[Sent]:
    """Run ``sweeps`` (each domain's, in the registry's order) as of ``now`` (aware).

    Returns what was (or, dry, would be) sent.

    A failing sweep is logged and rolled back; the others still run, and the next run
    retries it (everything is derived from the ledger).

    Raises:
        SweepsBusy: when another process is sweeping.
    """
    if now.tzinfo is None:
        raise ValueError("run_due needs an aware datetime")
    config = config or ScheduleConfig()
    sent: list[Sent] = []
    async with sweep_lock(db, "sweeps", holder) as got:
        if not got:
            raise SweepsBusy("another process is running the sweeps")
        for sweep in sweeps:
            async with db.sessions() as session:
                ctx = SweepContext(session, now, config, dry_run=dry_run)
                try:
                    async with session.begin():
                        await sweep(ctx)
                        if dry_run:
                            await session.rollback()
                except Exception:  # noqa: BLE001 - report like a message-handling error, keep going
                    log.exception("sweep %s failed at %s", sweep.__name__, now.isoformat())
                    continue
                sent.extend(ctx.sent)
    return sent
