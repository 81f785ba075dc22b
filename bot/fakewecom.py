"""A WeCom API simulator on loopback: gettoken and message/send, recording what was sent.

Used by ``sijing demo``, the tests and the benchmarks, through the same client code
as production (only the API base URL differs). It can be told to fail.
"""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web
from yarl import URL

ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40014: "invalid access_token",
    40031: "invalid user list",
    42001: "access_token expired",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    60020: "not allow to access from your ip",
}


@dataclass
class FakeWeCom:
    """State of the simulated WeCom server."""

    corp_id: str
    secret: str
    agent_id: int
    sent: list[dict[str, Any]] = field(default_factory=list)
    token_requests: int = 0
    send_requests: int = 0
    valid_tokens: set[str] = field(default_factory=set)
    expired_tokens: set[str] = field(default_factory=set)
    failures: deque[int] = field(default_factory=deque)
    listeners: list[Callable[[dict[str, Any]], None]] = field(default_factory=list)
    _counter: itertools.count = field(default_factory=lambda: itertools.count(1))  # type: ignore[type-arg]
    _changed: asyncio.Event = field(default_factory=asyncio.Event)

    def fail_next(self, errcode: int, times: int = 1) -> None:
        """The next ``times`` message/send calls answer ``errcode``."""
        self.failures.extend([errcode] * times)

    def expire_tokens(self) -> None:
        """Every token issued so far now answers 42001."""
        self.expired_tokens |= self.valid_tokens
        self.valid_tokens.clear()

    def to(self, userid: str) -> list[dict[str, Any]]:
        return [m for m in self.sent if userid in m.get("touser", "").split("|")]

    def texts(self, userid: str) -> list[str]:
        out = []
        for m in self.to(userid):
            kind = m.get("msgtype", "")
            body = m.get(kind, {})
            out.append(body.get("content") or body.get("description") or str(body))
        return out

    async def wait_for(self, count: int, timeout: float = 5.0) -> None:
        """Wait until at least ``count`` messages were recorded."""
        async def _wait() -> None:
            while len(self.sent) < count:
                self._changed.clear()
                await self._changed.wait()
        await asyncio.wait_for(_wait(), timeout)

    # -- HTTP -------------------------------------------------------------

    async def gettoken(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        if request.query.get("corpid") != self.corp_id or request.query.get("corpsecret") != self.secret:
            return web.json_response({"errcode": 40001, "errmsg": ERRMSG[40001]})
        token = f"fake-token-{next(self._counter)}"
        self.valid_tokens.add(token)
        return web.json_response({"errcode": 0, "errmsg": "ok", "access_token": token, "expires_in": 7200})

    async def send(self, request: web.Request) -> web.Response:
        self.send_requests += 1
        token = request.query.get("access_token", "")
        if token in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": ERRMSG[42001]})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": ERRMSG[40014]})
        if self.failures:
            code = self.failures.popleft()
            return web.json_response({"errcode": code, "errmsg": ERRMSG.get(code, "error")})
        body = await request.json()
        if str(body.get("agentid")) != str(self.agent_id) or not body.get("touser"):
            return web.json_response({"errcode": 40031, "errmsg": ERRMSG[40031]})
        self.sent.append(body)
        self._changed.set()
        for listener in self.listeners:
            listener(body)
        return web.json_response({"errcode": 0, "errmsg": "ok", "invaliduser": "", "msgid": f"m{len(self.sent)}"})

    def make_app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/cgi-bin/gettoken", self.gettoken)
        app.router.add_post("/cgi-bin/message/send", self.send)
        self.add_web_routes(app)
        return app

    # -- web login (OAuth2) and files (media/upload) --------------------------

    @property
    def web(self) -> FakeWeb:
        """OAuth and media state, created on first use."""
        state = self.__dict__.get("_web")
        if state is None:
            state = self.__dict__["_web"] = FakeWeb()
        return state

    def login_as(self, userid: str | None) -> None:
        """Whom the simulated WeCom client is logged in as: the next OAuth2 authorize answers for them."""
        self.web.user = userid

    def _token_error(self, request: web.Request) -> web.Response | None:
        token = request.query.get("access_token", "")
        if token in self.expired_tokens:
            return web.json_response({"errcode": 42001, "errmsg": ERRMSG[42001]})
        if token not in self.valid_tokens:
            return web.json_response({"errcode": 40014, "errmsg": ERRMSG[40014]})
        return None

    async def authorize(self, request: web.Request) -> web.StreamResponse:
        """``open.weixin.qq.com/connect/oauth2/authorize``: straight back to ``redirect_uri`` with a code."""
        q = request.query
        if q.get("appid") != self.corp_id or q.get("scope") != "snsapi_base" or not q.get("redirect_uri"):
            return web.Response(status=400, text="fake wecom: bad authorize request")
        user = q.get("fake_user") or self.web.user
        if user is None:
            return web.Response(status=403, text="fake wecom: nobody is logged in (FakeWeCom.login_as)")
        code = secrets.token_urlsafe(12)
        self.web.codes[code] = (user, time.monotonic())
        target = URL(q["redirect_uri"]).update_query(code=code, state=q.get("state", ""))
        raise web.HTTPFound(str(target))

    async def getuserinfo(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request)) is not None:
            return refused
        found = self.web.codes.pop(request.query.get("code", ""), None)
        if found is None or time.monotonic() - found[1] > self.web.code_ttl:
            return web.json_response({"errcode": 40029, "errmsg": "invalid code"})
        return web.json_response({"errcode": 0, "errmsg": "ok", "userid": found[0], "user_ticket": ""})

    async def upload(self, request: web.Request) -> web.Response:
        if (refused := self._token_error(request)) is not None:
            return refused
        post = await request.post()
        media = post.get("media")
        if not isinstance(media, web.FileField) or request.query.get("type") != "file":
            return web.json_response({"errcode": 40005, "errmsg": "invalid file type"})
        media_id = f"media-{next(self._counter)}"
        self.web.media[media_id] = (media.filename, media.file.read())
        return web.json_response({"errcode": 0, "errmsg": "ok", "type": "file", "media_id": media_id,
                                  "created_at": str(int(time.time()))})

    def add_web_routes(self, app: web.Application) -> None:
        app.router.add_get("/connect/oauth2/authorize", self.authorize)
        app.router.add_get("/cgi-bin/auth/getuserinfo", self.getuserinfo)
        app.router.add_post("/cgi-bin/media/upload", self.upload)


@dataclass
class FakeWeb:
    """The simulated WeCom client's login, issued OAuth2 codes, uploaded files."""

    user: str | None = None
    code_ttl: float = 300.0
    codes: dict[str, tuple[str, float]] = field(default_factory=dict)
    media: dict[str, tuple[str, bytes]] = field(default_factory=dict)


async def serve(fake: FakeWeCom, host: str = "127.0.0.1", port: int = 0) -> tuple[web.AppRunner, str]:
    """Start the simulator; returns the runner and its API base URL."""
    runner = web.AppRunner(fake.make_app(), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    sock = site._server.sockets[0]  # type: ignore[union-attr]
    actual = sock.getsockname()[1]
    return runner, f"http://{host}:{actual}/cgi-bin/"


def oauth_base(api_base: str) -> str:
    """The simulator's stand-in for ``https://open.weixin.qq.com/``, given its API base URL."""
    return str(URL(api_base).with_path("/"))
