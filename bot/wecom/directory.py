"""Reading the WeCom directory (通讯录): the client's directory calls with a token, under WeCom's rules.

``user/list_id`` answers only to the 通讯录同步 Secret (``SIJING_WECOM_CONTACT_SECRET``); without one
the app's Secret is used, which is enough for the fake WeCom and for apps created before mid-2022.
Reads are safe to repeat: busy (-1), concurrency (45033) and transport failures are retried with
backoff, 45009 stops every call for a minute, a rejected token is refetched once; calls are paced
under WeCom's per-API limits (:class:`Pace`). A member WeCom will not show is skipped (and counted);
the rest becomes a :class:`DirectoryError` whose message tells the operator what to do.
"""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, TypeVar

import aiohttp

from bot.wecom import client as wc
from bot.wecom.client import Department, DirectoryUser, TransportError, WeComAPIError, WeComClient
from bot.wecom.token import TokenCache

if TYPE_CHECKING:
    from bot.config import Settings
    from storage.db import Database

T = TypeVar("T")

RETRIES = 4
PAGE = 10000  # user/list_id's largest page
HINTS = {
    60020: "服务器 IP 不在企业微信“企业可信IP”中",
    48002: "没有调用通讯录接口的权限：请把“通讯录同步”的 Secret 配置为 SIJING_WECOM_CONTACT_SECRET",
    48009: "没有调用通讯录接口的权限：请把“通讯录同步”的 Secret 配置为 SIJING_WECOM_CONTACT_SECRET",
    60011: "没有读取该部门或成员的权限：请检查应用可见范围，或配置 SIJING_WECOM_CONTACT_SECRET",
    40001: "Secret 不正确（SIJING_WECOM_CONTACT_SECRET 或 SIJING_WECOM_SECRET）",
    40013: "企业ID 不正确（SIJING_WECOM_CORP_ID）",
}


EVERY_CALL = frozenset({60020, 48002, 48009, 40013, 41001})  # not about one member: stop


class DirectoryError(Exception):
    """The directory could not be read; the message is Chinese, for the operator."""


def _explain(exc: Exception) -> DirectoryError:
    if isinstance(exc, WeComAPIError):
        hint = HINTS.get(exc.errcode, "企业微信拒绝了请求")
        return DirectoryError(f"读取企业微信通讯录失败（{exc.errcode}）：{hint}。{exc.errmsg}")
    return DirectoryError(f"连不上企业微信：{exc}")


class Pace:
    """Calls spread out to stay under WeCom's limits (per API and corp: 10,000 a minute, 150,000 an
    hour): at most ``per_second``, at most ``per_hour`` in any clock hour, and everyone waits a minute
    after a 45009."""

    def __init__(self, per_second: float | None = 150.0, per_hour: int = 140_000) -> None:
        self._interval = 1.0 / per_second if per_second else 0.0
        self._per_hour = per_hour
        self._next = 0.0
        self._hour = (0, 0)  # (hour number, calls in it)
        self._lock = asyncio.Lock()

    async def turn(self) -> None:
        loop = asyncio.get_running_loop()
        async with self._lock:
            now = loop.time()
            hour, used = self._hour
            if int(now // 3600) != hour:
                hour, used = int(now // 3600), 0
            start = max(now, self._next)
            if used >= self._per_hour:
                start, hour, used = max(start, (hour + 1) * 3600.0), hour + 1, 0
            self._next, self._hour = start + self._interval, (hour, used + 1)
        if start > now:
            await asyncio.sleep(start - now)

    def hold(self, seconds: float) -> None:
        """WeCom said 45009: nobody calls for ``seconds``."""
        self._next = max(self._next, asyncio.get_running_loop().time() + seconds)


class DirectoryReader:
    """What the directory sync reads. ``calls`` counts API calls by path (for the report);
    ``unreadable`` holds members WeCom would not show us (userid -> errcode), skipped, not retired."""

    def __init__(self, client: WeComClient, tokens: TokenCache, *, concurrency: int = 8, pause: float = 1.0,
                 pace: Pace | None = None) -> None:
        self._client = client
        self._tokens = tokens
        self._slots = asyncio.Semaphore(concurrency)
        self._pause = pause  # seconds of the first backoff; tests pass 0
        self._pace = pace or Pace()
        self.calls: Counter[str] = Counter()
        self.unreadable: dict[str, int] = {}

    async def _read(self, path: str, call: Callable[[str], Awaitable[T]]) -> T:
        bad: str | None = None
        refreshed = False
        for attempt in range(RETRIES + 1):
            token: str | None = None
            try:
                async with self._slots:
                    await self._pace.turn()
                    token = await self._tokens.get(bad=bad)
                    self.calls[path] += 1
                    return await call(token)
            except WeComAPIError as exc:
                if exc.errcode in wc.TOKEN_ERRORS and not refreshed:
                    bad, refreshed = token, True
                    continue
                if attempt == RETRIES or exc.errcode not in (wc.BUSY, wc.CONCURRENCY_LIMIT, wc.FREQ_LIMIT):
                    raise
                if exc.errcode == wc.FREQ_LIMIT:
                    self._pace.hold(60.0 * self._pause)
                wait = 2.0 ** attempt
            except TransportError as exc:
                if attempt == RETRIES:
                    raise _explain(exc) from None
                wait = 2.0 ** attempt
            await asyncio.sleep(self._pause * (wait + random.uniform(0, 1)))
        raise AssertionError("unreachable")

    async def _checked(self, path: str, call: Callable[[str], Awaitable[T]]) -> T:
        try:
            return await self._read(path, call)
        except WeComAPIError as exc:
            raise _explain(exc) from None

    async def departments(self) -> list[Department]:
        return await self._checked("department/simplelist", self._client.department_simplelist)

    async def department_names(self, ids: Iterable[int]) -> dict[int, str]:
        """Names of these departments; one WeCom no longer has, or will not name, is left out."""
        async def one(dept: int) -> tuple[int, str | None]:
            try:
                return dept, await self._read("department/get", lambda t: self._client.department_get(t, dept))
            except WeComAPIError:
                return dept, None
        found = await asyncio.gather(*(one(d) for d in sorted(set(ids))))
        return {d: name for d, name in found if name}

    async def members(self) -> dict[str, list[int]]:
        """userid -> their departments, every page of ``user/list_id``."""
        out: dict[str, list[int]] = {}
        cursor = ""
        while True:
            after = cursor
            pairs, cursor = await self._checked("user/list_id", lambda t: self._client.user_list_id(t, after, PAGE))
            for userid, dept in pairs:
                out.setdefault(userid, []).append(dept)
            if not cursor:
                return out

    async def user(self, userid: str) -> DirectoryUser | None:
        """The member, or None when WeCom has no such userid (deleted) or will not show this one
        (then in ``unreadable``). An error that stops every call (IP, permission, secret) is raised."""
        try:
            return await self._read("user/get", lambda t: self._client.user_get(t, userid))
        except WeComAPIError as exc:
            if exc.errcode == wc.NO_SUCH_USER:
                return None
            if exc.errcode in EVERY_CALL or exc.errcode in wc.TOKEN_ERRORS:
                raise _explain(exc) from None
            self.unreadable[userid] = exc.errcode
            return None

    async def users(self, userids: Iterable[str]) -> dict[str, DirectoryUser | None]:
        """userid -> the member, or None for one WeCom no longer has; unreadable ones are left out."""
        ids = sorted(set(userids))
        found = await asyncio.gather(*(self.user(u) for u in ids))
        return {u: got for u, got in zip(ids, found) if u not in self.unreadable}


def reader_for(settings: Settings, http: aiohttp.ClientSession, db: Database, *, pause: float = 1.0,
               pace: Pace | None = None) -> DirectoryReader:
    """A reader with the 通讯录同步 Secret when one is configured (its own token), else the app's."""
    secret = settings.wecom_contact_secret or settings.wecom_secret
    client = WeComClient(http, settings.wecom_api_base, settings.wecom_corp_id, secret, settings.wecom_agent_id,
                         timeout=settings.http_timeout)
    name = f"{settings.wecom_corp_id}:contacts" if settings.wecom_contact_secret else \
        f"{settings.wecom_corp_id}:{settings.wecom_agent_id}"
    return DirectoryReader(client, TokenCache(db, client, name), pause=pause, pace=pace)
