"""``/后台`` in chat: the one-time desktop link, asked for the way people ask, through the real webhook."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot import keys
from bot.app import create_app
from handlers.people.importer import import_roster
from tests.conftest import SAMPLE_ROSTER, Bot, make_settings
from tests.web.conftest import EMPLOYEE, SECRETARY


@pytest.fixture
async def linked(database_url: str, fake_wecom: Any, aiohttp_client: Any, clock: Any, parser: Any) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base, public_url="http://sijing.example.com/")
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


def path_of(reply: str) -> str:
    m = re.search(r"http://sijing\.example\.com(/web/login/link/\S+)", reply)
    assert m, reply
    return m.group(1)


async def test_secretary_gets_a_link_that_logs_in_once(linked: Bot) -> None:
    [reply] = await linked.chat(SECRETARY, "/后台")
    assert "10 分钟" in reply and "一次" in reply
    path = path_of(reply)
    assert (await linked.client.post(path, allow_redirects=False)).status == 303
    assert (await linked.client.get("/web/overview", allow_redirects=False)).status == 200
    linked.client.session.cookie_jar.clear()
    again = await linked.client.post(path, allow_redirects=False)
    assert again.status == 403 and "/后台" in await again.text()


async def test_employee_link_expires_after_ten_minutes(linked: Bot) -> None:
    [reply] = await linked.chat(EMPLOYEE, "／后台")
    linked.clock.advance(minutes=11)
    assert (await linked.client.post(path_of(reply), allow_redirects=False)).status == 403


async def test_without_a_public_address_says_so(bot: Bot) -> None:
    [reply] = await bot.chat(SECRETARY, "/后台")
    assert "SIJING_PUBLIC_URL" in reply and "http" not in reply
