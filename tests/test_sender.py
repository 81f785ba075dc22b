"""Outbox delivery: error classes, token refresh, rate limit, at-most-once across restarts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot import keys
from bot.replies import Text
from bot.wecom.errors import Policy
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


async def test_busy_is_retried_for_the_whole_window_then_fails(bot: Bot) -> None:
    bot.fake.fail_next(-1, times=10_000)
    await enqueue(bot, "wutao", "hello")
    sender = bot.app[keys.SENDER]
    sender.policy = Policy(cap=1800)  # the default 24 h window, fewer steps
    tries = 0
    for _ in range(400):
        tries += await sender.run_once()
        [row] = await rows(bot)
        if row.status != "pending":
            break
        assert row.next_attempt_at - bot.clock() <= timedelta(seconds=sender.policy.cap * 1.25)
        bot.clock.advance(seconds=sender.policy.cap * 1.25 + 1)
    assert row.status == "failed" and row.error_code == -1 and "24 小时" in (row.error or "")
    assert bot.clock() - row.created_at >= timedelta(hours=23)  # not four tries in 33 seconds
    assert 15 < tries == row.attempts == bot.fake.send_requests
    assert bot.fake.to("wutao") == []


async def test_wecom_busy_for_a_while_loses_nothing(bot: Bot) -> None:
    bot.fake.fail_next(-1, times=12)
    await enqueue(bot, "wutao", "a", n=3)
    await enqueue(bot, "sunpeng", "b", n=3)
    sender = bot.app[keys.SENDER]
    for _ in range(40):
        await sender.run_once()
        bot.clock.advance(seconds=5)
    assert [r.status for r in await rows(bot)] == ["sent"] * 6
    assert bot.fake.texts("wutao") == ["a0", "a1", "a2"] and bot.fake.texts("sunpeng") == ["b0", "b1", "b2"]


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


async def test_ip_not_trusted_is_a_configuration_error_that_loses_nothing(bot: Bot) -> None:
    bot.fake.fail_next(60020, times=3)
    await enqueue(bot, "wutao", "hello")
    await enqueue(bot, "sunpeng", "hi")
    sender = bot.app[keys.SENDER]
    await sender.run_once()
    assert bot.fake.send_requests <= sender.concurrency  # paused after the first refusals, not hammering
    await sender.run_once()
    assert bot.fake.send_requests <= sender.concurrency
    health = await (await bot.client.get("/healthz")).json()
    assert health["status"] == "error" and "可信 IP" in health["sender_error"]
    assert [(r.recipient, r.status) for r in await rows(bot)] == [
        ("wutao", "pending"), ("sunpeng", "pending"), ("wanghaiyan", "pending")]  # the secretary is told
    for _ in range(4):
        bot.clock.advance(seconds=sender.policy.cap * 1.25 + 1)
        await sender.run_once()
    assert bot.fake.texts("wutao") == ["hello0"] and bot.fake.texts("sunpeng") == ["hi0"]
    [notice] = bot.fake.texts("wanghaiyan")
    assert "可信 IP" in notice
    health = await (await bot.client.get("/healthz")).json()
    assert health["status"] == "ok" and "sender_error" not in health


@pytest.mark.both_databases
async def test_per_recipient_limit_holds_the_excess(bot: Bot) -> None:
    await enqueue(bot, "wutao", "m", n=40)
    await enqueue(bot, "sunpeng", "x", n=3)
    sender = bot.app[keys.SENDER]
    for _ in range(5):
        await sender.run_once()
        bot.clock.advance(seconds=1)
    assert len(bot.fake.to("wutao")) == bot.settings.rate_per_minute < 30
    assert len(bot.fake.to("sunpeng")) == 3  # others are not held up
    bot.clock.advance(seconds=54)
    await sender.run_once()
    assert len(bot.fake.to("wutao")) == bot.settings.rate_per_minute  # 60 s after the first hand-off, not the pass
    bot.clock.advance(seconds=5)
    await sender.run_once()
    texts = bot.fake.texts("wutao")
    assert len(texts) == 40
    assert texts == [f"m{i}" for i in range(40)]  # order kept


async def claim_as(bot: Bot, worker: str, *, hand: bool = True) -> None:
    sender = bot.app[keys.SENDER]
    async with bot.app[keys.DB].sessions() as session, session.begin():
        [row] = await outbox.heads(session, bot.clock(), sender.limits, 10)
        assert await outbox.claim(session, row.id, row.recipient, worker, bot.clock(), sender.limits, hand=hand)


@pytest.mark.both_databases
async def test_a_claim_left_by_a_dead_process_is_never_resent(bot: Bot) -> None:
    await enqueue(bot, "wutao", "hello")
    await claim_as(bot, "elsewhere:1:dead")
    sender = bot.app[keys.SENDER]
    await sender.run_once()  # another process's claim: within its lease, left alone
    assert [r.status for r in await rows(bot)] == ["sending"]
    bot.clock.advance(minutes=5)
    await sender.start()  # a restart
    await sender.stop()
    await sender.run_once()
    [row] = await rows(bot)
    assert row.status == "in_doubt"
    assert bot.fake.to("wutao") == []


@pytest.mark.both_databases
async def test_a_claim_never_handed_over_goes_back_to_pending(bot: Bot) -> None:
    await enqueue(bot, "wutao", "hello")
    await claim_as(bot, "elsewhere:1:dead", hand=False)  # e.g. killed while uploading its file
    bot.clock.advance(minutes=5)
    await bot.app[keys.SENDER].run_once()
    [row] = await rows(bot)
    assert row.status == "sent" and row.attempts == 1
    assert bot.fake.texts("wutao") == ["hello0"]


async def test_a_dead_local_process_is_recognised_at_once(bot: Bot) -> None:
    """A claim of a process on this host that no longer exists needs no lease to run out."""
    import asyncio
    import socket

    proc = await asyncio.create_subprocess_exec("true")
    await proc.wait()
    await enqueue(bot, "wutao", "hello", n=2)
    await claim_as(bot, f"{socket.gethostname()}:{proc.pid}:x")
    sender = bot.app[keys.SENDER]
    await sender.start()
    await sender.stop()
    assert [r.status for r in await rows(bot)] == ["in_doubt", "pending"]
    await sender.run_once()
    assert [r.status for r in await rows(bot)] == ["in_doubt", "sent"]
    health = await (await bot.client.get("/healthz")).json()
    assert [r["id"] for r in health["in_doubt"]] == [(await rows(bot))[0].id]


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
    [row, notice] = await rows(bot)
    assert row.status == "failed" and row.error_code == 40031
    assert notice.recipient == "wanghaiyan" and notice.status == "sent"  # told once
    assert bot.fake.send_requests == 2
    assert timedelta(0) <= bot.clock() - row.created_at


@pytest.mark.both_databases
async def test_outbox_command_lists_resends_and_drops_in_doubt_rows_audited(
        bot: Bot, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import asyncio

    from bot.cli import main
    from storage import audit

    await enqueue(bot, "wutao", "hello")
    await enqueue(bot, "sunpeng", "hi")
    sender = bot.app[keys.SENDER]
    async with bot.app[keys.DB].sessions() as session, session.begin():
        for row in await outbox.heads(session, bot.clock(), sender.limits, 10):
            assert await outbox.claim(session, row.id, row.recipient, "elsewhere:1:dead", bot.clock(), sender.limits)
    bot.clock.advance(minutes=5)
    await sender.run_once()  # the lease ran out: both in doubt, neither resent
    wutao, sunpeng = await rows(bot)
    assert (wutao.status, sunpeng.status) == ("in_doubt", "in_doubt") and bot.fake.send_requests == 0
    monkeypatch.setenv("SIJING_DATABASE_URL", database_url)

    async def sijing(*argv: str) -> tuple[int, str]:
        code = await asyncio.to_thread(main, list(argv))
        return code, capsys.readouterr().out

    code, out = await sijing("outbox", "list", "--in-doubt")
    assert code == 0 and f"#{wutao.id}\tin_doubt\twutao" in out and f"#{sunpeng.id}\tin_doubt" in out and "hello0" in out
    assert (await sijing("outbox", "resend", str(wutao.id)))[0] == 0
    assert (await sijing("outbox", "drop", str(sunpeng.id)))[0] == 0
    assert (await sijing("outbox", "resend", str(sunpeng.id)))[0] == 1  # dropped: not resent
    bot.clock.now = datetime.now(timezone.utc) + timedelta(seconds=1)  # the command runs on the real clock
    await sender.run_once()
    assert [r.status for r in await rows(bot)] == ["sent", "dropped"]
    assert bot.fake.texts("wutao") == ["hello0"] and bot.fake.texts("sunpeng") == []
    async with bot.app[keys.DB].sessions() as session:
        lines = await audit.entries(session, object_type="outbox")
    assert [(e.action, e.object_id) for e in lines] == [("outbox_resend", str(wutao.id)), ("outbox_drop", str(sunpeng.id))]
    code, out = await sijing("outbox", "list", "--in-doubt")
    assert "没有待确认" in out


async def test_log_pseudonyms_are_keyed_per_deployment(bot: Bot) -> None:
    import hashlib

    from bot import logsafe

    db = bot.app[keys.DB]
    await logsafe.load_key(db, None)  # already generated at start-up: the same key again
    first = logsafe.pseudo("wutao")
    assert first != "u" + hashlib.sha256(b"wutao").hexdigest()[:10]  # not reversible against the roster
    logsafe.configure(b"another deployment")
    assert logsafe.pseudo("wutao") != first
    await logsafe.load_key(db, None)
    assert logsafe.pseudo("wutao") == first  # stored once, reused by every process and restart
    await logsafe.load_key(db, "from-the-settings")
    assert logsafe.pseudo("wutao") not in (first, "-") and logsafe.pseudo("wutao") == logsafe.pseudo("wutao")


def test_repeated_identical_errors_become_one_line_with_a_count() -> None:
    import logging

    from bot.logsafe import Repeats

    lines: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            lines.append(record.getMessage())

    handler = Collect()
    now = [0.0]
    handler.addFilter(Repeats(handler, window=60, clock=lambda: now[0]))
    log = logging.getLogger("test.repeats")
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    log.propagate = False
    try:
        for i in range(500):
            try:
                raise ConnectionRefusedError("database down")
            except OSError:
                log.exception("inbox row %d could not be processed", i)
        log.error("something else")
        log.info("info is never collapsed")
        log.info("info is never collapsed")
        now[0] = 61.0
        log.error("inbox row %d could not be processed", 7)  # after the window, no exception: a new key
    finally:
        log.removeHandler(handler)
    assert lines[:4] == ["inbox row 0 could not be processed", "something else", "info is never collapsed",
                         "info is never collapsed"]
    assert lines[4] == "inbox row 499 could not be processed [and 499 more like it in 60 s]"
    assert lines[5] == "inbox row 7 could not be processed" and len(lines) == 6


async def test_gateway_5xx_is_retried_but_a_wecom_answer_in_a_5xx_is_read(bot: Bot) -> None:
    bot.fake.faults.fail_send(http=502, times=2)  # the gateway's page: WeCom never saw the request
    await enqueue(bot, "wutao", "a")
    sender = bot.app[keys.SENDER]
    for _ in range(3):
        await sender.run_once()
        bot.clock.advance(seconds=10)
    [row] = await rows(bot)
    assert row.status == "sent" and row.attempts == 3 and bot.fake.texts("wutao") == ["a0"]


async def test_a_failed_gettoken_claims_nothing(bot: Bot) -> None:
    bot.fake.faults.fail_token(http=500, times=1)
    await enqueue(bot, "wutao", "a")
    sender = bot.app[keys.SENDER]
    assert await sender.run_once() == 0
    [row] = await rows(bot)
    assert row.status == "pending" and row.attempts == 0 and row.handed_at is None and bot.fake.send_requests == 0
    bot.clock.advance(seconds=sender.pause + 1)
    bot.app[keys.TOKENS].cooldown = 0
    await sender.run_once()
    assert [r.status for r in await rows(bot)] == ["sent"]


async def test_stop_lets_requests_in_flight_finish_and_leaves_nothing_sending(bot: Bot) -> None:
    import asyncio

    bot.fake.faults.delay = 0.3
    await enqueue(bot, "wutao", "a", n=3)
    await enqueue(bot, "sunpeng", "b", n=3)
    sender = bot.app[keys.SENDER]
    await sender.start()
    sender.wake()
    for _ in range(200):
        if [r for r in await rows(bot) if r.status == "sending"]:
            break
        await asyncio.sleep(0.02)
    await sender.stop()
    statuses = [r.status for r in await rows(bot)]
    assert "sending" not in statuses and "in_doubt" not in statuses
    assert statuses.count("sent") == len(bot.fake.sent) >= 1 and "pending" in statuses  # stopped claiming


@pytest.mark.both_databases
async def test_two_senders_share_one_rate_limit_and_never_send_twice(bot: Bot) -> None:
    """Two processes' senders (own workers, own token caches) on one database, at the same moment."""
    import asyncio

    from bot.sender import Sender

    first = bot.app[keys.SENDER]
    tokens = TokenCache(bot.app[keys.DB], first._client, first._tokens._name)  # noqa: SLF001
    second = Sender(bot.app[keys.DB], first._client, tokens, clock=bot.clock)  # noqa: SLF001
    await enqueue(bot, "wutao", "m", n=40)
    await enqueue(bot, "sunpeng", "x", n=5)
    for _ in range(4):
        await asyncio.gather(first.run_once(), second.run_once())
    texts = bot.fake.texts("wutao")
    assert texts == [f"m{i}" for i in range(first.limits.per_minute)]  # once each, in order, 28 in the minute
    assert bot.fake.texts("sunpeng") == [f"x{i}" for i in range(5)]
    bot.clock.advance(seconds=61)
    for _ in range(2):
        await asyncio.gather(first.run_once(), second.run_once())
    assert bot.fake.texts("wutao") == [f"m{i}" for i in range(40)]


async def test_a_hanging_api_leaves_only_the_requests_in_flight_in_doubt(bot: Bot) -> None:
    import aiohttp

    sender = bot.app[keys.SENDER]
    sender._client._timeout = aiohttp.ClientTimeout(total=0.5)  # noqa: SLF001 - SIJING_HTTP_TIMEOUT
    bot.fake.faults.delay = 2.0  # every request hangs past the timeout (and WeCom may still act on it)
    people = [f"p{i}" for i in range(10)]
    for p in people:
        await enqueue(bot, p, "hello")
    await sender.run_once()
    statuses = [r.status for r in await rows(bot)]
    assert statuses.count("in_doubt") == sender.concurrency and statuses.count("pending") == 10 - sender.concurrency
    health = await (await bot.client.get("/healthz")).json()
    assert len(health["in_doubt"]) == sender.concurrency
    bot.fake.faults.delay = 0.0
    for _ in range(3):
        bot.clock.advance(seconds=sender.pause + 1)
        await sender.run_once()
    statuses = [r.status for r in await rows(bot)]
    assert statuses.count("sent") == 10 - sender.concurrency and "pending" not in statuses


async def test_an_outcome_the_database_refused_to_record_is_recorded_when_it_comes_back(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reply reached WeCom but the connection died before "sent" was written: the sender retries
    the write, so the row is sent (not left "sending", holding the person's later replies for the
    two-minute lease and then counted in doubt) and the next reply follows at once."""
    real, refused = outbox.settle, []

    async def flaky(session, row_id, status, *args, **kwargs):  # type: ignore[no-untyped-def]
        if len(refused) < 2:
            refused.append(row_id)
            raise ConnectionResetError("connection was closed in the middle of operation")
        return await real(session, row_id, status, *args, **kwargs)

    monkeypatch.setattr(outbox, "settle", flaky)
    await enqueue(bot, "wutao", "hello", n=2)
    assert await bot.app[keys.SENDER].run_once() == 2
    assert [r.status for r in await rows(bot)] == ["sent", "sent"]
    assert bot.fake.texts("wutao") == ["hello0", "hello1"] and len(refused) == 2


async def test_a_problem_met_by_a_worker_shows_on_the_web_processs_healthz(bot: Bot) -> None:
    """`sijing serve` on PostgreSQL sends from a worker process: the web process's /healthz reads the
    problem from the database, and it is gone there too once a request goes through."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.app import WEB, create_app
    web_app = create_app(bot.settings, clock=bot.clock, run_sender=False, role=WEB)
    async with TestClient(TestServer(web_app)) as web_client:
        bot.fake.fail_next(40001, times=2)  # the secret is wrong
        await enqueue(bot, "wutao", "hello")
        sender = bot.app[keys.SENDER]
        await sender.run_once()
        await sender.problems.drain()
        health = await (await web_client.get("/healthz")).json()
        assert health["status"] == "error" and "Secret" in health["sender_error"], health
        for _ in range(4):
            bot.clock.advance(seconds=sender.policy.cap * 1.25 + 1)
            await sender.run_once()
        await sender.problems.drain()
        assert bot.fake.texts("wutao") == ["hello0"]
        health = await (await web_client.get("/healthz")).json()
        assert health["status"] == "ok" and "sender_error" not in health, health


async def test_a_connection_lent_to_autocommit_is_transactional_again_in_the_pool(database_url: str) -> None:
    """The sender's claim and "sent" commit statement by statement (``outbox.autocommit``); the pool's
    connection it used goes back with transactions on: a later session's rollback still undoes its write."""
    from storage.db import create_database

    db = create_database(database_url, pool_size=1, max_overflow=0)  # one connection: the same one again
    now = datetime(2026, 11, 25, 2, 0, tzinfo=timezone.utc)
    try:
        async with outbox.autocommit(db) as conn:
            await conn.execute(select(1))
        async with db.sessions() as session:
            await outbox.enqueue(session, "wutao", Text(content="x").payload(), now)
            await session.rollback()
        async with db.sessions() as session:
            assert await outbox.count_by_status(session) == {}
    finally:
        await db.dispose()


async def test_a_card_wecom_refuses_is_replaced_by_its_text_fallback(bot: Bot) -> None:
    card = {"msgtype": "template_card", "template_card": {"card_type": "text_notice", "main_title": {"title": "卡片"}},
            "fallback": Text(content="卡片的文字版").payload()}
    async with bot.app[keys.DB].sessions() as session, session.begin():
        await outbox.enqueue(session, "wutao", card, bot.clock())
    bot.fake.fail_next(40058)  # a parameter WeCom does not accept: not retried
    sender = bot.app[keys.SENDER]
    await sender.run_once()
    await sender.run_once()
    assert [r.status for r in await rows(bot)] == ["failed", "sent"]
    assert bot.fake.texts("wutao") == ["卡片的文字版"]
