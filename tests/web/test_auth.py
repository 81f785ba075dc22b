"""Logging in: WeCom OAuth2 through the fake, one-time links, sessions, idle expiry, CSRF, logout."""

from __future__ import annotations

import asyncio

from bot import keys
from bot.web.auth import COOKIE, create_login_link
from storage.models import AuditEntry
from sqlalchemy import select
from tests.web.conftest import EMPLOYEE, SECRETARY, STRANGER, csrf_of, deed, forge_session, login, page_text

PAGES = ("/web/", "/web/overview", "/web/items", "/web/care", "/web/zone", "/web/duty", "/web/audit", "/web/inspection")


async def test_no_session_goes_to_login(web):
    for path in PAGES:
        r = await web.client.get(path, allow_redirects=False)
        assert r.status == 303, path
        assert r.headers["Location"].startswith("/web/login?next=")
    r = await web.client.post("/web/items/1/close", data={"reason": "x"}, allow_redirects=False)
    assert r.status == 401
    assert "请先登录" in await r.text()
    status, body = await page_text(web, "/web/login")
    assert status == 200 and "/后台" in body and 'id="oauth"' in body


async def test_oauth_login_lands_on_the_page_asked_for(web):
    r = await login(web, SECRETARY, "/web/items")
    assert r.status == 200 and str(r.url).endswith("/web/items")
    cookie = r.history[-1].cookies[COOKIE] if r.history and COOKIE in r.history[-1].cookies else None
    assert cookie is not None and cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/web/"
    async with web.app[keys.DB].session(1) as session:
        logins = (await session.execute(select(AuditEntry).where(AuditEntry.action == "login"))).scalars().all()
    assert [(a.actor, a.detail) for a in logins] == [(SECRETARY, "via=oauth")]


async def test_wecom_browser_goes_straight_to_oauth(web):
    r = await web.client.get("/web/login", headers={"User-Agent": "Mozilla/5.0 wxwork/4.1.0"}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"].startswith("/web/oauth/start")


async def test_oauth_refuses_bad_state_reused_codes_and_strangers(web):
    web.fake.login_as(SECRETARY)
    start = await web.client.get("/web/oauth/start", allow_redirects=False)
    authorize = await web.client.session.get(start.headers["Location"], allow_redirects=False)
    callback = authorize.headers["Location"]
    callback = callback[callback.index("/web/"):]
    assert "code=" in callback
    forged = callback.split("state=")[0] + "state=forged"
    status, body = await page_text(web, forged)
    assert status == 400 and "登录请求已失效" in body
    code = await _code(web)
    web.client.session.cookie_jar.clear()
    state = await _state(web)
    assert (await web.client.get(f"/web/oauth/callback?code={code}&state={state}", allow_redirects=False)).status == 303
    web.client.session.cookie_jar.clear()
    state = await _state(web)  # the same code again, with a valid state: WeCom codes are single-use
    r = await web.client.get(f"/web/oauth/callback?code={code}&state={state}", allow_redirects=False)
    assert r.status == 403 and "登录码无效" in await r.text()
    r = await login(web, STRANGER)
    assert r.status == 403 and "不在本支部的名册中" in await r.text()
    assert (await web.client.get("/web/items", allow_redirects=False)).status == 303  # no session was made
    web.fake.web.code_ttl = -1  # codes are valid 5 minutes
    r = await login(web, SECRETARY)
    assert r.status == 403 and "登录码无效" in await r.text()


async def _state(web):
    start = await web.client.get("/web/oauth/start", allow_redirects=False)
    return start.headers["Location"].split("state=")[1].split("&")[0]


async def _code(web):
    authorize = f"{web.settings.wecom_oauth_base}connect/oauth2/authorize"
    r = await web.client.session.get(authorize, params={"appid": web.settings.wecom_corp_id, "scope": "snsapi_base",
                                                         "redirect_uri": "http://x/", "state": "s"},
                                     allow_redirects=False)
    return r.headers["Location"].split("code=")[1].split("&")[0]


async def test_unknown_userid_session_is_refused_everywhere(web):
    forge_session(web, STRANGER)
    for path in PAGES[1:]:
        status, body = await page_text(web, path)
        assert status == 403, path
        assert "不在本支部的名册中" in body


async def test_idle_session_expires(web):
    await login(web, EMPLOYEE)
    assert (await web.client.get("/web/items", allow_redirects=False)).status == 200
    web.clock.advance(minutes=20)
    assert (await web.client.get("/web/items", allow_redirects=False)).status == 200  # activity keeps it alive
    web.clock.advance(minutes=31)
    r = await web.client.get("/web/items", allow_redirects=False)
    assert r.status == 303 and "expired=1" in r.headers["Location"]
    r = await web.client.post("/web/logout", data={"_csrf": "x"}, allow_redirects=False)
    assert r.status == 401


async def test_every_post_needs_the_csrf_token(web):
    n = await deed(web, EMPLOYEE, "liuzhiyong")
    await login(web, SECRETARY)
    token = csrf_of(await (await web.client.get(f"/web/items/{n}")).text())
    for data, headers in (({"reason": "已当面沟通"}, {}), ({"reason": "已当面沟通", "_csrf": "wrong"}, {}),
                          ({"reason": "已当面沟通", "_csrf": token}, {"Origin": "https://evil.example"})):
        r = await web.client.post(f"/web/items/{n}/close", data=data, headers=headers, allow_redirects=False)
        assert r.status == 403
        assert "操作没有执行" in await r.text()
    status, body = await page_text(web, f"/web/items/{n}")
    assert "已受理待接单" in body
    r = await web.client.post(f"/web/items/{n}/close", data={"reason": "已当面沟通", "_csrf": token},
                              allow_redirects=False)
    assert r.status == 303


async def test_logout(web):
    await login(web, SECRETARY)
    token = csrf_of(await (await web.client.get("/web/items")).text())
    r = await web.client.post("/web/logout", data={"_csrf": token}, allow_redirects=False)
    assert r.status == 303 and r.headers["Location"] == "/web/login?bye=1"
    assert (await web.client.get("/web/items", allow_redirects=False)).status == 303


async def test_one_time_link_logs_in_once_within_ten_minutes(web):
    s = web.settings.replace(public_url=str(web.client.make_url("/")))
    now = web.clock().astimezone(s.tz)
    async with web.app[keys.DB].session(1) as session, session.begin():
        link = await create_login_link(session, SECRETARY, now, s)
        stale = await create_login_link(session, SECRETARY, now, s)
    path = link[link.index("/web/"):]
    status, body = await page_text(web, path)  # opening (or a link preview) does not use it up
    assert status == 200 and 'id="enter"' in body
    first, second = await asyncio.gather(web.client.post(path, allow_redirects=False),
                                         web.client.post(path, allow_redirects=False))
    assert sorted([first.status, second.status]) == [303, 403]
    assert (await web.client.get("/web/overview", allow_redirects=False)).status == 200
    web.client.session.cookie_jar.clear()
    r = await web.client.post(path, allow_redirects=False)
    assert r.status == 403 and "/后台" in await r.text()
    web.clock.advance(minutes=11)
    r = await web.client.post(stale[stale.index("/web/"):], allow_redirects=False)
    assert r.status == 403
    r = await web.client.post(path, headers={"Origin": "https://evil.example"}, allow_redirects=False)
    assert r.status == 403


async def test_login_link_needs_a_public_url(web):
    async with web.app[keys.DB].session(1) as session, session.begin():
        try:
            await create_login_link(session, SECRETARY, web.clock(), web.settings)
        except ValueError as exc:
            assert "SIJING_PUBLIC_URL" in str(exc)
        else:
            raise AssertionError("a link without public_url")


async def test_security_headers_and_static_files(web):
    await login(web, SECRETARY)
    r = await web.client.get("/web/items")
    assert "script-src 'self'" in r.headers["Content-Security-Policy"]
    assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Referrer-Policy"] == "same-origin"
    assert r.headers["Cache-Control"] == "no-store"
    js = await web.client.get("/web/static/vendor/echarts.min.js", headers={"Accept-Encoding": "gzip"})
    assert js.status == 200 and js.headers.get("Content-Encoding") == "gzip"
    assert len(await js.read()) > 1_000_000  # decompressed by the client
    web.client.session.cookie_jar.clear()
    assert (await web.client.get("/web/static/app.js")).status == 200  # no session needed
    assert (await web.client.get("/web/static/../../bot/config.py")).status in (403, 404)


async def test_login_link_in_chat_needs_a_public_url(bot):
    from handlers.people import messages

    assert await bot.chat(SECRETARY, "/后台") == [messages.NO_PUBLIC_URL]
