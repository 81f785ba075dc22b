"""The runner's reads of many branches at once (``schedules.context.RunReads``) give each branch exactly what
its own reads give: a run over an enterprise (bench/orgbuild.py's, small) finds the same nudges, word for word,
whatever the window; a failing bulk read loses only the work of the sweep that needed it."""

from __future__ import annotations

import gc
import logging
from collections.abc import AsyncIterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bench.orgbuild import NOW as BUILT, Scale, generate
from bot import registry
from schedules import runner
from bot.replies import Text
from schedules.config import ScheduleConfig
from schedules.context import RunReads, SweepContext, deployment_wide
from schedules.pushes import Due
from storage.db import Database, create_database
from storage.deeds import queries as deed_queries
from storage.people.models import Person
from storage.scope import branch_range, every_branch
from storage.sqlsets import plain_rows

SCALE = Scale(people=1400, branches=7)
NOW = BUILT.astimezone(ZoneInfo("Asia/Shanghai"))  # Wednesday 09:40: the morning lists are due


@pytest.fixture
async def org(database_url: str) -> AsyncIterator[Database]:
    db = create_database(database_url)
    await generate(db, SCALE, now=BUILT)
    yield db
    await db.dispose()


def _what(sent: runner.Swept) -> list[tuple[str, str, str, str]]:
    return sorted((s.stored, s.recipient, s.kind, s.text) for s in sent)


async def _alone(db: Database, monkeypatch: pytest.MonkeyPatch) -> runner.Swept:
    """The run with every branch reading on its own (what the runner did before it read in bulk)."""
    with monkeypatch.context() as m:
        m.setattr(runner, "RunReads", lambda _ids: None)
        return await runner.run_due(db, NOW, registry.sweeps(), dry_run=True)


@pytest.mark.parametrize("window", [1, 3, 50])
async def test_bulk_reads_find_what_each_branch_finds_alone(org: Database, monkeypatch: pytest.MonkeyPatch,
                                                          window: int) -> None:
    alone = await _alone(org, monkeypatch)
    kinds = {s.kind for s in alone}
    assert {"item_late", "item_escalate", "morning", "survey_remind", "followup_overdue"} <= kinds  # a real test
    monkeypatch.setattr(runner, "RunReads", lambda ids: RunReads(ids, window=window))
    bulk = await runner.run_due(org, NOW, registry.sweeps(), dry_run=True)
    assert _what(bulk) == _what(alone)
    assert [(p.recipient, p.kind, p.text) for p in bulk.pushes] == [(p.recipient, p.kind, p.text) for p in alone.pushes]
    assert bulk.waiting == alone.waiting


async def test_a_failing_bulk_read_loses_only_its_sweeps_work(org: Database, monkeypatch: pytest.MonkeyPatch,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    alone = await _alone(org, monkeypatch)
    calls = 0

    async def broken(_session: object) -> dict[int, list[deed_queries.OpenDeed]]:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    monkeypatch.setattr(deed_queries, "open_deeds_by_branch", broken)
    with caplog.at_level(logging.ERROR, logger="schedules.runner"):
        sent = await runner.run_due(org, NOW, registry.sweeps(), dry_run=True)
    assert calls == 1  # tried once for the whole window, not once per branch
    failed = [r for r in caplog.records if "failed for branch" in r.getMessage()]
    assert len(failed) == SCALE.branches and all("item_deadlines" in r.getMessage() for r in failed)
    # item_deadlines (the first to need the open deeds) lost its work in every branch; member_morning,
    # rerun on its own with the branch's own reads, and every other sweep found all they find alone
    deeds = {"item_response", "item_late", "item_escalate", "item_confirm", "item_confirm_escalate"}
    assert _what(sent) == [w for w in _what(alone) if w[2] not in deeds]
    assert any(w[2] == "morning" for w in _what(sent))


def _due_fields(d: Due) -> tuple[object, ...]:
    return (d.stored, d.recipient, d.kind, d.urgent, d.text, d.covers, d.reply.payloads(), d.given is None)


@pytest.mark.parametrize("content,urgent,covers", [
    ("#12 修路 已超过办结时限，请抓紧办理并及时反馈进度。", False, ()),
    ("超时未响应：#3 路灯", True, ("item:3:resp50",)),
    ("长" * 700, False, ()),  # over what is kept as it is: clipped like a Text's payload
    ("", False, ()),
])
async def test_say_is_nudge_with_a_text(content: str, urgent: bool, covers: tuple[str, ...]) -> None:
    said = SweepContext(None, NOW, ScheduleConfig(), branch=4, due={})  # type: ignore[arg-type]
    nudged = SweepContext(None, NOW, ScheduleConfig(), branch=4, due={})  # type: ignore[arg-type]
    key = "item:12:late" + "x" * 300  # clipped to the ledger's key length alike
    assert await said.say(key, "u1", content, kind="item_late", urgent=urgent, covers=covers)
    assert await nudged.nudge(key, "u1", Text(content=content), kind="item_late", urgent=urgent, covers=covers)
    assert said.due is not None and nudged.due is not None
    assert [_due_fields(d) for d in said.due.values()] == [_due_fields(d) for d in nudged.due.values()]
    assert not await said.say(key, "u1", "again", kind="item_late")  # a repeat in the run is not due twice


async def test_say_keeps_quiet_hours() -> None:
    night = NOW.replace(hour=23)
    ctx = SweepContext(None, night, ScheduleConfig(), branch=1, due={})  # type: ignore[arg-type]
    assert not await ctx.say("a", "u1", "提醒", kind="item_late")
    assert await ctx.say("b", "u1", "紧急", kind="item_late", urgent=True)
    assert ctx.due is not None and list(ctx.due) == ["b1:b"]


async def test_the_collector_runs_less_often_during_a_run_then_as_before(database_url: str) -> None:
    seen: list[int] = []

    @deployment_wide
    async def look(_ctx: SweepContext) -> None:
        seen.append(gc.get_threshold()[0])

    before = gc.get_threshold()
    db = create_database(database_url)
    try:
        await runner.run_due(db, NOW, [look], dry_run=True)
    finally:
        await db.dispose()
    assert seen == [runner.GC_THRESHOLD] and before[0] < runner.GC_THRESHOLD
    assert gc.get_threshold() == before


async def test_plain_rows_see_what_the_sessions_reads_see(org: Database) -> None:
    stmt = select(Person.branch_id, Person.userid).order_by(Person.userid)
    async with org.session(2) as session:
        orm = (await session.execute(stmt)).all()
        plain = await plain_rows(session, stmt, Person)
        assert {b for b, _ in orm} == {2} and [tuple(r) for r in plain] == [tuple(r) for r in orm]
        with branch_range(session, 3, 5):
            orm = (await session.execute(stmt)).all()
            plain = await plain_rows(session, stmt, Person)
        assert {b for b, _ in orm} == {3, 4, 5} and [tuple(r) for r in plain] == [tuple(r) for r in orm]
        with every_branch(session):
            orm = (await session.execute(stmt)).all()
            plain = await plain_rows(session, stmt, Person)
        assert len({b for b, _ in orm}) == SCALE.branches and [tuple(r) for r in plain] == [tuple(r) for r in orm]
