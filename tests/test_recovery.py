"""A crash between storing and processing is repaired at the next start."""

from __future__ import annotations

from typing import Any

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
