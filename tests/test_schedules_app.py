"""The in-process scheduler's job goes through the same outbox and sender as replies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone

import pytest

from bot import keys
from bot.app import _SWEEPS_APART, _sweep_apart, owns_process, sweep_job
from storage.models import CareEntry
from tests.conftest import Bot


async def test_sweep_job_delivers_a_due_reminder(bot: Bot) -> None:
    async with bot.app[keys.DB].session(1) as session, session.begin():
        session.add(CareEntry(person="sunpeng", category="illness", responsible="liuzhiyong", status="active",
                              sensitive=True, interval_days=7, next_follow_up=date(2026, 11, 25), summary="住院",
                              source="self", created_by="sunpeng", created_at=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    await sweep_job(bot.app)  # the clock says 2026-11-25 09:40 in Shanghai
    bot.clock.advance(minutes=15)  # nudges are spread over a few minutes
    await bot.flush()
    texts = bot.fake.texts("liuzhiyong")
    assert any("孙鹏" in t and "回访" in t for t in texts)
    await sweep_job(bot.app)
    bot.clock.advance(minutes=15)
    await bot.flush()
    assert bot.fake.texts("liuzhiyong") == texts  # never twice


async def test_sweeps_run_apart_in_a_child_process_queue_the_same_and_only_once(bot: Bot) -> None:
    """What ``sijing serve``/``worker`` do on PostgreSQL (``bot.sweeprun``): the child reads the parent's settings
    and clock, queues what is due; the parent's sender delivers it."""
    async with bot.app[keys.DB].session(1) as session, session.begin():
        session.add(CareEntry(person="sunpeng", category="illness", responsible="liuzhiyong", status="active",
                              sensitive=True, interval_days=7, next_follow_up=date(2026, 11, 25), summary="住院",
                              source="self", created_by="sunpeng", created_at=datetime(2026, 11, 1, tzinfo=timezone.utc)))
    now = bot.clock().astimezone(bot.app[keys.SETTINGS].tz)
    queued = await _sweep_apart(bot.app[keys.SETTINGS], now)
    assert queued >= 2  # the follow-up and the member's morning list (one message)
    bot.clock.advance(minutes=15)
    await bot.flush()
    texts = bot.fake.texts("liuzhiyong")
    assert any("孙鹏" in t and "回访" in t for t in texts)
    assert await _sweep_apart(bot.app[keys.SETTINGS], now) == 0  # recorded: never twice


async def test_a_failing_child_run_is_logged_and_counts_nothing(bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    broken = replace(bot.app[keys.SETTINGS], database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none")
    assert await _sweep_apart(broken, bot.clock().astimezone(broken.tz)) == 0
    assert "the sweeps' run as of" in caplog.text and "failed" in caplog.text


def test_an_app_that_owns_its_process_sweeps_apart() -> None:
    from aiohttp import web

    app = web.Application()
    assert not app.get(_SWEEPS_APART)
    assert owns_process(app)[_SWEEPS_APART] is True
