"""The runner sweeps each branch in one transaction: a failing sweep still loses only its own work, and what
each branch's sweeps read once is theirs alone."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.replies import Text
from schedules.context import SweepContext
from schedules.runner import run_due
from storage.db import Database, create_database
from storage.migrate import upgrade
from storage.people import RosterEntry, Role, branches, upsert

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)  # a working Wednesday, not quiet
BRANCHES = 6


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url)
    await upgrade(database)
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    async with database.sessions() as session, session.begin():
        for n in range(1, BRANCHES + 1):
            b = await branches.ensure(session, f"B{n}", f"第{n}支部", at)
            await upsert(session, [RosterEntry(f"sec{n}", f"书记{n}", Role.SECRETARY, branch_id=b.id)], at)
    yield database
    await database.dispose()


async def _ids(db: Database) -> list[int]:
    """The branches made here, B1… in order (the migration's default branch has nobody)."""
    async with db.sessions() as session:
        made = {b.code: b.id for b in await branches.all_branches(session)}
    return [made[f"B{n}"] for n in range(1, BRANCHES + 1)]


async def test_a_failing_sweep_loses_only_its_own_work(db: Database, caplog: pytest.LogCaptureFixture) -> None:
    ids = await _ids(db)
    failing = ids[2]
    reads: list[tuple[int | None, int]] = []

    async def first(ctx: SweepContext) -> None:
        secs = await ctx.secretaries()
        reads.append((ctx.branch, len(secs)))
        for s in secs:
            await ctx.nudge(f"first:{s}", s, Text(content="一"), kind="item_late")

    async def dies(ctx: SweepContext) -> None:
        for s in await ctx.secretaries():
            await ctx.nudge(f"dies:{s}", s, Text(content="二"), kind="item_late")
        if ctx.branch == failing:
            raise RuntimeError("boom")

    async def last(ctx: SweepContext) -> None:
        for s in await ctx.secretaries():  # the secretaries read by ``first`` (or, rerun alone, again)
            await ctx.nudge(f"last:{s}", s, Text(content="三"), kind="item_late")

    with caplog.at_level(logging.ERROR, logger="schedules.runner"):
        sent = await run_due(db, NOW, [first, dies, last], dry_run=True)
    keys = sorted(s.key for s in sent)
    sec = {b: f"sec{n}" for n, b in enumerate(ids, start=1)}
    expected = sorted(f"{what}:{sec[b]}" for b in ids for what in ("first", "dies", "last")
                      if not (b == failing and what == "dies"))
    assert keys == expected  # the failing branch's other sweeps ran; nothing of the failing one stayed
    failures = [r for r in caplog.records if "failed for branch" in r.getMessage()]
    assert len(failures) == 1 and f"branch {failing}" in failures[0].getMessage() and "dies" in failures[0].getMessage()
    # each branch saw its own secretary only (the shared reads are per branch)
    mine = sorted(r for r in reads if r[0] in ids)  # (the migration's default branch too: nobody in it)
    assert mine == sorted([(b, 1) for b in ids] + [(failing, 1)])  # ``first`` ran again, alone


async def test_every_branch_is_swept_once_and_written(db: Database) -> None:
    ids = await _ids(db)

    async def one(ctx: SweepContext) -> None:
        for s in await ctx.secretaries():
            await ctx.nudge(f"once:{s}", s, Text(content=f"支部 {ctx.branch}"), kind="item_late")

    sent = await run_due(db, NOW, [one])
    assert sorted(s.recipient for s in sent) == sorted(f"sec{n}" for n in range(1, len(ids) + 1))
    assert {s.recipient: s.text for s in sent} == {f"sec{n}": f"支部 {b}" for n, b in enumerate(ids, start=1)}
    assert await run_due(db, NOW, [one]) == []  # recorded: never twice
