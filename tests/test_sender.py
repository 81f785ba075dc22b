"""Outbox delivery: error classes, token refresh, rate limit, at-most-once across restarts."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot import keys
from bot.replies import Text
from bot.wecom.token import TokenCache
from storage import outbox
from storage.models import OutboxRow
from tests.conftest import Bot


async def enqueue(bot: Bot, to: str, text: str, n: int = 1) -> None:
    async with bot.app[keys.DB].sessions() as session, session.begin():
        for i in range(n):
            await outbox.enqueue(session, to, Text(content=f"{text}{i}").payload(), bot.clock())


async def rows(bot: Bot) -> list[OutboxRow]:
    async with bot.app[keys.DB].sessions() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


async def test_busy_is_retried_with_backoff_then_sent(bot: Bot) -> None:
    bot.fake.fail_next(-1, times=2)
    await enqueue(bot, "wutao", "hello")
    sender = bot.app[keys.SENDER]
    assert await sender.run_once() == 1
    assert (await rows(bot))[0].status == "pending"
    assert await sender.run_once() == 0  # backing off: not due yet
    bot.clock.advance(seconds=5)
    await sender.run_once()
    bot.clock.advance(seconds=10)
    await sender.run_once()
    [row] = await rows(bot)
    assert row.status == "sent" and row.attempts == 3
    assert len(bot.fake.to("wutao")) == 1


async def test_busy_gives_up_after_three_retries(bot: Bot) -> None:
    bot.fake.fail_next(-1, times=10)
    await enqueue(bot, "wutao", "hello")
    for _ in range(6):
        await bot.app[keys.SENDER].run_once()
        bot.clock.advance(seconds=60)
    [row] = await rows(bot)
    assert row.status == "failed" and row.error_code == -1 and row.attempts == 4
    assert bot.fake.to("wutao") == []


async def test_frequency_limit_backs_off_a_minute(bot: Bot) -> None:
    bot.fake.fail_next(45009)
    await enqueue(bot, "wutao", "hello")
    sender = bot.app[keys.SENDER]
    await sender.run_once()
    bot.clock.advance(seconds=59)
    assert await sender.run_once() == 0
    bot.clock.advance(seconds=40)
    assert await sender.run_once() == 1
    assert (await rows(bot))[0].status == "sent"


async def test_expired_token_is_refreshed_and_message_sent_once(bot: Bot) -> None:
    await enqueue(bot, "wutao", "first")
    await bot.app[keys.SENDER].run_once()
    assert bot.fake.token_requests == 1
    bot.fake.expire_tokens()  # next send answers 42001
    await enqueue(bot, "wutao", "second")
    await bot.app[keys.SENDER].run_once()
    assert bot.fake.token_requests == 2
    assert [r.status for r in await rows(bot)] == ["sent", "sent"]
    assert len(bot.fake.to("wutao")) == 2


async def test_ip_not_trusted_is_permanent_and_recorded(bot: Bot) -> None:
    bot.fake.fail_next(60020)
    await enqueue(bot, "wutao", "hello")
    await bot.app[keys.SENDER].run_once()
    bot.clock.advance(minutes=10)
    assert await bot.app[keys.SENDER].run_once() == 0
    [row] = await rows(bot)
    assert row.status == "failed" and row.error_code == 60020 and "可信 IP" in (row.error or "")
    assert bot.fake.send_requests == 1
    health = await (await bot.client.get("/healthz")).json()
    assert health["status"] == "degraded" and health["outbox"]["failed"] == 1


async def test_per_recipient_limit_holds_the_excess(bot: Bot) -> None:
    await enqueue(bot, "wutao", "m", n=40)
    await enqueue(bot, "sunpeng", "x", n=3)
    sender = bot.app[keys.SENDER]
    for _ in range(5):
        await sender.run_once()
    assert len(bot.fake.to("wutao")) == bot.settings.rate_per_minute < 30
    assert len(bot.fake.to("sunpeng")) == 3  # others are not held up
    bot.clock.advance(seconds=61)
    await sender.run_once()
    texts = bot.fake.texts("wutao")
    assert len(texts) == 40
    assert texts == [f"m{i}" for i in range(40)]  # order kept


async def test_a_claim_left_by_a_dead_process_is_never_resent(bot: Bot) -> None:
    await enqueue(bot, "wutao", "hello")
    async with bot.app[keys.DB].sessions() as session, session.begin():
        [row] = await outbox.candidates(session, 10)
        assert await outbox.claim(session, row.id, "dead-process", bot.clock())
    bot.clock.advance(minutes=5)
    sender = bot.app[keys.SENDER]
    await sender.start()  # a restart
    await sender.stop()
    await sender.run_once()
    [row] = await rows(bot)
    assert row.status == "in_doubt"
    assert bot.fake.to("wutao") == []


async def test_sent_rows_stay_sent_across_restart(bot: Bot) -> None:
    await enqueue(bot, "wutao", "hello")
    sender = bot.app[keys.SENDER]
    await sender.run_once()
    await sender.start()
    await sender.stop()
    await sender.run_once()
    assert len(bot.fake.to("wutao")) == 1


async def test_token_is_shared_between_processes(bot: Bot) -> None:
    """A second process (own cache) finds the first one's token in the database."""
    first = bot.app[keys.TOKENS]
    token = await first.get()
    second = TokenCache(bot.app[keys.DB], first._client, first._name)  # noqa: SLF001
    assert await second.get() == token
    assert bot.fake.token_requests == 1
    assert second.fetches == 0
    # and a rejected token is replaced once, not by everyone
    fresh = await second.get(bad=token)
    assert fresh != token and await first.get(bad=token) == fresh
    assert bot.fake.token_requests == 2


async def test_invalid_user_is_not_retried(bot: Bot) -> None:
    bot.fake.fail_next(40031)
    await enqueue(bot, "ghost", "hello")
    await bot.app[keys.SENDER].run_once()
    bot.clock.advance(minutes=5)
    await bot.app[keys.SENDER].run_once()
    [row] = await rows(bot)
    assert row.status == "failed" and row.error_code == 40031
    assert bot.fake.send_requests == 1
    assert timedelta(0) <= bot.clock() - row.created_at
