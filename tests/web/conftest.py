"""Workbench fixtures: the real app with its fake WeCom, logged in through the fake's OAuth2 flow."""

from __future__ import annotations

import base64
import re
from typing import Any

import pytest

from bot import keys
from bot.app import create_app
from bot.fakewecom import oauth_base
from storage.db import Database
from tests.conftest import Bot, make_settings, prefill, with_roster

SECRETARY, MEMBER, EMPLOYEE, STRANGER = "wanghaiyan", "liuzhiyong", "sunpeng", "outsider01"


async def _web(database_url: str, fake_wecom: Any, aiohttp_client: Any, clock: Any, parser: Any, *,
               seeded: bool) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base, wecom_oauth_base=oauth_base(api_base))
    at = clock()

    async def build(db: Database) -> None:
        await with_roster(at)(db)
        if seeded:
            from tests.web.seed import seed

            await seed(db, at.astimezone(settings.tz))

    # written once per test process (and instant), copied for each test: see tests.conftest.prefill
    await prefill(database_url, f"{'roster+seed' if seeded else 'roster'}@{at.isoformat()}", build)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    return Bot(client, app, fake, settings, clock)


@pytest.fixture
async def web(database_url: str, fake_wecom: Any, aiohttp_client: Any, clock: Any, parser: Any) -> Bot:
    """Like ``bot``, with the OAuth2 authorize URL pointing at the fake WeCom."""
    return await _web(database_url, fake_wecom, aiohttp_client, clock, parser, seeded=False)


async def login(bot: Bot, userid: str, next_path: str = "/web/") -> Any:
    """Log the test client in as ``userid`` the WeCom way; returns the final response."""
    bot.client.session.cookie_jar.clear()
    bot.fake.login_as(userid)
    return await bot.client.get("/web/oauth/start", params={"next": next_path})


def csrf_of(html: str) -> str:
    m = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert m, "no CSRF token on the page"
    return m.group(1)


@pytest.fixture
async def seeded(database_url: str, fake_wecom: Any, aiohttp_client: Any, clock: Any, parser: Any) -> Bot:
    """``web`` with a year of ledger data (sensitive texts carry ``seed.MARKER``)."""
    return await _web(database_url, fake_wecom, aiohttp_client, clock, parser, seeded=True)


async def deed(bot: Bot, requester: str, owner: str | None, text: str = "三楼会议室投影仪坏了") -> int:
    """A new deed raised by ``requester`` for ``owner``; returns its number."""
    from storage import deeds

    async with bot.app[keys.DB].session(1) as session, session.begin():
        item = await deeds.create(session, now=bot.clock().astimezone(bot.settings.tz), requester=requester,
                                  owner=owner, text=text, category="facilities")
        return item.number


def forge_session(bot: Bot, uid: str, **extra: Any) -> None:
    """Put a validly encrypted session for ``uid`` into the client's cookie jar (no login)."""
    import json
    import time

    from cryptography.fernet import Fernet
    from yarl import URL

    from bot.web.auth import COOKIE, session_key

    now = bot.clock().timestamp()
    data = {"uid": uid, "at": now, "seen": now, "csrf": "forged-csrf", **extra}
    key = Fernet(base64.urlsafe_b64encode(session_key(bot.settings)))
    value = key.encrypt(json.dumps({"created": int(time.time()), "session": data}).encode()).decode()
    bot.client.session.cookie_jar.clear()
    bot.client.session.cookie_jar.update_cookies({COOKIE: value}, response_url=URL(str(bot.client.make_url("/web/"))))


async def page_text(bot: Bot, path: str) -> tuple[int, str]:
    r = await bot.client.get(path, allow_redirects=False)
    body = await r.read()
    return r.status, body.decode("utf-8", errors="replace") if r.content_type == "text/html" else ""
