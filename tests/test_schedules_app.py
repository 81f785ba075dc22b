"""The in-process scheduler's job goes through the same outbox and sender as replies."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bot import keys
from bot.app import sweep_job
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
