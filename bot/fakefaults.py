"""Fault knobs for the fake WeCom (``bot.fakewecom``): errors, HTTP failures and slowness, for a number
of requests or for a while, on ``message/send`` and on ``gettoken``. Used by the fault-injection suite."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass, field

from aiohttp import web

ERRMSG = {
    -1: "system busy",
    40001: "invalid credential",
    40014: "invalid access_token",
    40031: "invalid user list",
    42001: "access_token expired",
    45009: "api freq out of limit",
    45033: "api concurrent out of limit",
    40007: "invalid media_id",
    60020: "not allow to access from your ip",
}


@dataclass
class Fault:
    """Answer ``errcode`` (a WeCom error, HTTP 200) or ``http`` (a gateway error page), for ``times``
    requests or until ``until`` (monotonic), whichever is set."""

    errcode: int = 0
    http: int = 0
    times: int | None = None
    until: float | None = None

    def active(self) -> bool:
        if self.until is not None:
            return time.monotonic() < self.until
        return self.times is None or self.times > 0

    def answer(self) -> web.Response:
        if self.times is not None:
            self.times -= 1
        if self.http:
            return web.Response(status=self.http, text="<html><body>502 Bad Gateway</body></html>",
                                content_type="text/html")
        return web.json_response({"errcode": self.errcode, "errmsg": ERRMSG.get(self.errcode, "error")})


@dataclass
class FakeFaults:
    send: list[Fault] = field(default_factory=list)
    token: list[Fault] = field(default_factory=list)
    delay: float = 0.0  # seconds every message/send waits before it is handled
    injected: int = 0

    def fail_send(self, *, errcode: int = 0, http: int = 0, times: int | None = None,
                  seconds: float | None = None) -> None:
        self.send.append(Fault(errcode, http, times, time.monotonic() + seconds if seconds is not None else None))

    def fail_token(self, *, errcode: int = 0, http: int = 0, times: int | None = None,
                   seconds: float | None = None) -> None:
        self.token.append(Fault(errcode, http, times, time.monotonic() + seconds if seconds is not None else None))

    def clear(self) -> None:
        self.send.clear()
        self.token.clear()
        self.delay = 0.0

    async def on_send(self) -> web.Response | None:
        if self.delay:
            await asyncio.sleep(self.delay)
        return self._pick(self.send)

    async def on_token(self) -> web.Response | None:
        return self._pick(self.token)

    def _pick(self, faults: list[Fault]) -> web.Response | None:
        faults[:] = [f for f in faults if f.active()]
        if not faults:
            return None
        self.injected += 1
        return faults[0].answer()
