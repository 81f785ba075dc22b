"""A crash between storing and processing is repaired at the next start."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from sqlalchemy import func, select, text

from bot import keys
from bot.app import create_app
from bot.fakewecom import FakeWeCom
from bot.nlu import Parser
from handlers.people.importer import import_roster
from tests.conftest import SAMPLE_ROSTER, Bot, Clock, make_settings


async def test_crash_between_store_and_process(
    database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock, parser: Parser
) -> None:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)

    first = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(first)
    await import_roster(first[keys.DB], SAMPLE_ROSTER, clock())
    first[keys.PROCESSOR].submit = lambda *_a, **_k: None  # type: ignore[method-assign]  # "crash" before work
    bot = Bot(client, first, fake, settings, clock)
    assert await bot.say("wutao", "第一条") == 200
    assert await bot.say("wutao", "第二条") == 200
    await client.close()  # the process goes away; nothing was processed or sent
    assert fake.sent == []

    second = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client2 = await aiohttp_client(second)  # start-up recovers the stored rows
    bot2 = Bot(client2, second, fake, settings, clock)
    await bot2.flush()
    assert second[keys.PROCESSOR].processed == 2
    assert len(fake.to("wutao")) == 2

    third = create_app(settings, clock=clock, run_sender=False, parser=parser)  # and nothing is done twice
    client3 = await aiohttp_client(third)
    await Bot(client3, third, fake, settings, clock).flush()
    assert third[keys.PROCESSOR].processed == 0
    assert len(fake.to("wutao")) == 2


async def test_handler_error_is_recorded_and_the_user_gets_an_apology(bot: Bot) -> None:
    async def broken(ctx: Any) -> Any:
        raise RuntimeError("boom")

    processor = bot.app[keys.PROCESSOR]
    processor._dispatcher.dispatch = broken  # type: ignore[method-assign]  # noqa: SLF001
    replies = await bot.chat("wutao", "你好")
    assert len(replies) == 1 and "抱歉" in replies[0]
    health = await (await bot.client.get("/healthz")).json()
    assert health["inbox_failed"] == 1


async def test_logs_carry_neither_text_nor_names(bot: Bot, caplog: Any) -> None:
    import logging

    caplog.set_level(logging.INFO)

    async def broken(ctx: Any) -> Any:
        raise RuntimeError("boom")

    bot.app[keys.PROCESSOR]._dispatcher.dispatch = broken  # type: ignore[method-assign]  # noqa: SLF001
    await bot.chat("wutao", "我父亲住院了，心脏不好")
    await bot.chat("nobody", "你好")
    logged = caplog.text  # messages and tracebacks
    for secret in ("父亲", "住院", "wutao", "吴涛", "nobody"):
        assert secret not in logged


def _locked() -> Exception:
    import sqlite3

    from sqlalchemy.exc import OperationalError

    return OperationalError("INSERT ...", {}, sqlite3.OperationalError("database is locked"))


@pytest.mark.both_databases
async def test_a_transient_database_error_is_retried_not_apologised_for(bot: Bot, caplog: Any) -> None:
    """The connection dies under the handler (PostgreSQL: the backend is terminated, a real connection loss;
    SQLite: "database is locked"): the step is rolled back and retried, the person gets the one real answer and
    no apology, the row is done, and the outage is two log lines (start, end with the count), no traceback."""
    caplog.set_level(logging.INFO)
    processor = bot.app[keys.PROCESSOR]
    original = processor._dispatcher.dispatch  # noqa: SLF001
    faults = {"left": 3}

    async def flaky(ctx: Any) -> Any:
        if faults["left"]:
            faults["left"] -= 1
            if bot.app[keys.DB].dialect == "postgresql":
                await ctx.session.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
                await ctx.session.execute(text("SELECT 1"))  # the driver's own error: the connection is gone
                raise AssertionError("the terminated connection answered")
            raise _locked()
        return await original(ctx)

    processor._dispatcher.dispatch = flaky  # type: ignore[method-assign]  # noqa: SLF001
    replies = await bot.chat("wutao", "你好")
    assert faults["left"] == 0
    assert len(replies) == 1 and "抱歉" not in replies[0]
    health = await (await bot.client.get("/healthz")).json()
    assert health["inbox_failed"] == 0 and health["inbox_pending"] == 0
    lines = [r for r in caplog.records if r.name == "bot.processor"]
    assert [r.levelno for r in lines] == [logging.WARNING, logging.WARNING]
    assert "3 failed attempts" in lines[1].getMessage()
    assert not any(r.exc_info for r in caplog.records)


async def test_a_deterministic_error_after_a_transient_one_apologises_once(bot: Bot) -> None:
    calls = {"n": 0}

    async def broken(ctx: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise _locked()
        raise RuntimeError("boom")

    bot.app[keys.PROCESSOR]._dispatcher.dispatch = broken  # type: ignore[method-assign]  # noqa: SLF001
    replies = await bot.chat("wutao", "你好")
    assert calls["n"] == 2
    assert len(replies) == 1 and "抱歉" in replies[0]


async def test_the_periodic_pass_picks_up_rows_nobody_works_on(bot: Bot) -> None:
    """A row whose processing never started (its process died, or the wake-up was lost) is processed by a
    later recovery pass of a running process: no restart needed."""
    processor = bot.app[keys.PROCESSOR]
    processor.submit = lambda *_a, **_k: None  # type: ignore[method-assign]  # the wake-up is lost
    assert await bot.say("wutao", "有人吗") == 200
    await processor.stop()  # the app's passes run every 15 s: run them faster for the test
    processor._stopping = False  # noqa: SLF001
    processor._stopped.clear()  # noqa: SLF001
    processor.start(every=0.05, older_than=0)
    for _ in range(200):
        if processor.processed:
            break
        await asyncio.sleep(0.02)
    assert processor.processed == 1
    await bot.flush()
    assert len(bot.fake.to("wutao")) == 1


async def test_which_database_errors_are_transient() -> None:
    """Errors as the drivers raise them, wrapped as SQLAlchemy wraps them: retry the ones that pass, fail
    the ones that would fail the same way again."""
    import sqlite3

    import asyncpg
    from sqlalchemy import exc as sa_exc

    from storage.inbox import is_transient

    def pg(cls: type[Exception], message: str = "x") -> Exception:
        err = cls(message)
        wrapped = sa_exc.DBAPIError("SELECT 1", {}, err)
        wrapped.__cause__ = err
        return wrapped

    assert is_transient(pg(asyncpg.exceptions.SerializationError))  # 40001
    assert is_transient(pg(asyncpg.exceptions.DeadlockDetectedError))  # 40P01
    assert is_transient(pg(asyncpg.exceptions.AdminShutdownError))  # 57P01, pg_terminate_backend
    assert is_transient(pg(asyncpg.exceptions.CannotConnectNowError))  # 57P03, starting up
    assert is_transient(pg(asyncpg.exceptions.ConnectionDoesNotExistError))  # 08003
    assert is_transient(ConnectionRefusedError(111, "refused"))
    assert is_transient(sa_exc.TimeoutError("QueuePool limit of size 10 overflow 10 reached"))
    assert is_transient(sa_exc.OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked")))
    assert not is_transient(pg(asyncpg.exceptions.UniqueViolationError))  # 23505: the same again
    assert not is_transient(pg(asyncpg.exceptions.UndefinedTableError))
    assert not is_transient(sa_exc.OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")))
    assert not is_transient(RuntimeError("boom"))
    assert not is_transient(KeyError("database is locked"))  # the words alone, outside a database error


@pytest.mark.both_databases
async def test_two_processors_share_one_database_in_order_exactly_once(bot: Bot) -> None:
    """A second processor with its own engine (another process, as far as the database can tell) works
    through the same people at the same time: each row once, each person's rows in arrival order."""
    import random

    from bot.processor import Processor
    from bot.registry import build_dispatcher
    from storage.db import create_database
    from storage.models import InboxRow, OutboxRow

    first = bot.app[keys.PROCESSOR]
    first.submit = lambda *_a, **_k: None  # type: ignore[method-assign]  # store now, process below
    people = ("wutao", "sunpeng", "zhaoyufei")
    for i in range(8):
        for user in people:
            assert await bot.say(user, f"第{i}条") == 200
    other_db = create_database(bot.settings.database_url)
    second = Processor(other_db, build_dispatcher(), bot.settings, clock=bot.clock)
    order: list[int] = []
    for proc in (first, second):
        original = proc._dispatcher.dispatch  # noqa: SLF001

        async def tracking(ctx: Any, original: Any = original) -> Any:
            order.append(ctx.inbox_id)
            await asyncio.sleep(random.uniform(0, 0.01))
            return await original(ctx)

        proc._dispatcher.dispatch = tracking  # type: ignore[method-assign]  # noqa: SLF001
    try:
        # the second (a fresh engine: its first connection takes a while) starts on one person; then both go
        # after everyone: a person one is working through, the other skips for a moment and looks again
        second.wake(people[-1])
        for _ in range(200):
            if second.processed:
                break
            await asyncio.sleep(0.025)
        for user in people:
            first.wake(user)
            second.wake(user)
        await asyncio.gather(first.drain(), second.drain())
    finally:
        await other_db.dispose()
    assert first.processed + second.processed == 24
    if bot.settings.database_url.startswith("postgresql"):  # SQLite has one writer: one may well take all
        assert first.processed and second.processed
    async with bot.app[keys.DB].sessions() as session:
        owners = dict((await session.execute(select(InboxRow.id, InboxRow.from_user))).all())
        per_row = (await session.execute(
            select(OutboxRow.inbox_id, func.count()).group_by(OutboxRow.inbox_id))).all()
    assert sorted(order) == sorted(owners) and len(order) == 24  # each row dispatched once
    assert {n for _row, n in per_row} == {1} and len(per_row) == 24
    for user in people:
        mine = [i for i in order if owners[i] == user]
        assert mine == sorted(mine)


def test_a_recovery_pass_staggers_people_by_blocks_longest_waiting_first() -> None:
    """Two workers reading the same pending list start on different people; nobody waits behind more than a
    block of people who came after them."""
    from bot.processor import STAGGER, staggered

    users = [f"u{i:03d}" for i in range(3 * STAGGER + 5)]
    orders = {tuple(staggered(list(users))) for _ in range(20)}
    assert len(orders) > 1  # shuffled
    for order in orders:
        assert sorted(order) == users  # everyone, once
        for start in range(0, len(users), STAGGER):
            assert set(order[start:start + STAGGER]) == set(users[start:start + STAGGER])
