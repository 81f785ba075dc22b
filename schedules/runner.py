"""Run every sweep as of an instant, under the sweep lock: one transaction per branch for all its sweeps.

A branch's sweeps share one session and one transaction (and what they all read: ``SweepContext.shared``),
so 500 branches cost 500 transactions, not 500 × the number of sweeps. What they read is read for many
branches at once (``schedules.context.RunReads``: one query per kind of read and window of 50 branches, in
the session of the window's first branch) and handed to each branch: 500 branches cost a few hundred
statements, not 9,000. Should one of them fail, that transaction is rolled back, the failing sweep logged,
and the branch's other sweeps run again, each in a transaction of its own with the branch's own reads: as
before, a failing sweep loses only its own work (the next run retries it)."""

from __future__ import annotations

import gc
import logging
import os
import socket
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from schedules.config import ScheduleConfig
from schedules.context import RunReads, Sent, Sweep, SweepContext, is_deployment_wide
from schedules.lock import sweep_lock
from schedules.pushes import Due, Push, deliver
from storage.db import Database
from storage.people import branches

log = logging.getLogger(__name__)

HOLDER = f"{socket.gethostname()}:{os.getpid()}"
# objects made between two collections of the youngest generation while the sweeps run (Python's: 700)
GC_THRESHOLD = 10_000


WRITERS = 2  # parts of a delivery recorded at once on PostgreSQL (schedules.pushes.deliver), each its own transaction


def _part_session(db: Database) -> Callable[[], AbstractAsyncContextManager[AsyncSession]]:
    @asynccontextmanager
    async def part() -> AsyncIterator[AsyncSession]:
        async with db.sessions() as session, session.begin():
            yield session
    return part


class SweepsBusy(Exception):
    """Another process holds the sweep lock right now."""


class Swept(list[Sent]):
    """What a run sent (or, dry, would send): each nudge, and ``pushes``, the messages carrying them;
    ``waiting``: the people who had something due not yet sent (sent now, or held by the cap or the morning)."""

    pushes: list[Push]
    waiting: set[str]


async def run_due(db: Database, now: datetime, sweeps: Sequence[Sweep], *, config: ScheduleConfig | None = None,
                  dry_run: bool = False, holder: str = HOLDER) -> Swept:
    """Run ``sweeps`` (each domain's, in the registry's order) for every branch, as of ``now`` (aware);
    then, once, the deployment-wide ones (``schedules.context.deployment_wide``) with every branch in view.

    Returns what was (or, dry, would be) sent. What the sweeps find due is sent once they all ran,
    merged per person (``schedules.pushes``).

    A failing sweep is logged and rolled back; the others still run, and the next run
    retries it (everything is derived from the ledger).

    Raises:
        SweepsBusy: when another process is sweeping.
    """
    if now.tzinfo is None:
        raise ValueError("run_due needs an aware datetime")
    config = config or ScheduleConfig()
    per_branch = [s for s in sweeps if not is_deployment_wide(s)]
    once = [s for s in sweeps if is_deployment_wide(s)]
    async with sweep_lock(db, "sweeps", holder) as got:
        if not got:
            raise SweepsBusy("another process is running the sweeps")
        with _fewer_collections():
            return await _run_all(db, now, per_branch, once, config, dry_run)


async def _run_all(db: Database, now: datetime, per_branch: Sequence[Sweep], once: Sequence[Sweep],
                   config: ScheduleConfig, dry_run: bool) -> Swept:
    """:func:`run_due`'s work, the lock held: every branch's sweeps, the deployment-wide ones, then delivery."""
    due: list[Due] = []
    async with db.sessions() as session:
        branch_ids = [b.id for b in await branches.all_branches(session)]
    reads = RunReads(branch_ids)  # what the branches' sweeps read, read for many branches at once
    for branch in branch_ids:
        due.extend(await _run_branch(db, per_branch, branch, now, config, dry_run, reads))
    del reads
    for sweep in once:
        due.extend(await _run_one(db, sweep, None, now, config, dry_run))
    apart = db.dialect == "postgresql"  # (SQLite has one writer at a time: one transaction)
    async with db.sessions() as session:
        async with session.begin():
            pushes, waiting = await deliver(session, due, now, config, dry_run=dry_run,
                                            parts=_part_session(db) if apart else None, writers=WRITERS)
            if dry_run:
                await session.rollback()
    del due  # (what was not carried: held by the cap or for the morning)
    swept = Swept(d for p in pushes for d in p.carried)  # each nudge is its own report (Sent is Due)
    swept.pushes, swept.waiting = pushes, waiting
    return swept


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Python's cyclic garbage collector run less often while the sweeps run, then as before.

    A run over an enterprise keeps 300,000 nudges and the reads they come from alive until it delivers: at
    Python's threshold (a collection of the young every 700 objects, of everything every 100th of those) the
    collector walked them again and again, more than half the run's CPU (9 s -> 4 s at 100,000 people).
    Nothing is left uncollected: collections still run, only GC_THRESHOLD objects apart. Runs overlapping
    in one process (none should: the sweep lock) leave it to the first."""
    before = gc.get_threshold()
    if before[0] >= GC_THRESHOLD:
        yield
        return
    gc.set_threshold(GC_THRESHOLD, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def _run_branch(db: Database, sweeps: Sequence[Sweep], branch: int, now: datetime, config: ScheduleConfig,
                      dry_run: bool, reads: RunReads | None = None) -> list[Due]:
    """Every sweep of ``branch`` in one transaction (committed, or dry: rolled back); what they found due.

    Should one fail, the transaction is rolled back, the failure logged, and the other sweeps run again,
    each in a transaction of its own (what one failing sweep cost before: only its own work), reading
    the branch on their own (not ``reads``: what was read in the rolled-back transaction may be gone)."""
    due: list[Due] = []
    shared: dict[str, object] = {}
    running: Sweep | None = None
    async with db.session(branch) as session:
        try:
            async with session.begin():
                for running in sweeps:  # each its own ``due``: as if alone (a repeat across sweeps: deliver's)
                    ctx = SweepContext(session, now, config, dry_run=dry_run, branch=branch, due={}, shared=shared,
                                       run=reads)
                    await running(ctx)
                    due.extend(ctx.due.values() if ctx.due is not None else ())
                running = None  # all ran: a failure from here on is the commit's
                if dry_run:
                    await session.rollback()
            return due
        except Exception:  # noqa: BLE001 - report like a message-handling error, keep going
            name = running.__name__ if running is not None else "(commit)"
            log.exception("sweep %s failed for branch %s at %s", name, branch, now.isoformat())
    return [d for sweep in sweeps if sweep is not running for d in await _run_one(db, sweep, branch, now, config, dry_run)]


async def _run_one(db: Database, sweep: Sweep, branch: int | None, now: datetime, config: ScheduleConfig,
                   dry_run: bool) -> list[Due]:
    """One sweep in its own transaction, for ``branch`` (None: every branch); what it found due, or nothing."""
    async with db.session(branch) as session:  # a sweep sees one branch: its people, records and secretary
        ctx = SweepContext(session, now, config, dry_run=dry_run, branch=branch, due={})
        try:
            async with session.begin():
                await sweep(ctx)
                if dry_run:
                    await session.rollback()
        except Exception:  # noqa: BLE001 - report like a message-handling error, keep going
            log.exception("sweep %s failed for branch %s at %s", sweep.__name__, branch or "(all)", now.isoformat())
            return []
    return list(ctx.due.values()) if ctx.due is not None else []
