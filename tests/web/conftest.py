"""Workbench fixtures: the real app with its fake WeCom, logged in through the fake's OAuth2 flow."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bot import keys
from bot.app import create_app
from bot.fakewecom import oauth_base
from bot.roster import import_roster
from tests.conftest import SAMPLE_ROSTER, Bot, make_settings

SECRETARY, MEMBER, EMPLOYEE, STRANGER = "wanghaiyan", "liuzhiyong", "sunpeng", "outsider01"


@pytest.fixture
async def web(database_url: str, fake_wecom: Any, aiohttp_client: Any, clock: Any, parser: Any) -> Bot:
    """Like ``bot``, with the OAuth2 authorize URL pointing at the fake WeCom."""
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base, wecom_oauth_base=oauth_base(api_base))
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


async def login(bot: Bot, userid: str, next_path: str = "/web/") -> Any:
    """Log the test client in as ``userid`` the WeCom way; returns the final response."""
    bot.client.session.cookie_jar.clear()
    bot.fake.login_as(userid)
    return await bot.client.get("/web/oauth/start", params={"next": next_path})


def csrf_of(html: str) -> str:
    m = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)
