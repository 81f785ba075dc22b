"""The deployment's configuration problem as the sender meets it (bad secret, untrusted IP…): kept in
memory and in the database (every process's /healthz reports it, the web process's included when a
worker sends), logged once per change, told to the branch secretaries once per error and day."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Any

from bot.replies import Text
from bot.wecom.errors import Problem
from storage import outbox, people
from storage.db import Database

log = logging.getLogger("bot.sender")

NOTICE = "【四精助手】企业微信拒绝了发送请求：{reason}。请管理员检查应用配置（/healthz 显示详情）。"


class Problems:
    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock
        self.current: Problem | None = None
        self._notices: set[asyncio.Task[None]] = set()
        self._stored_checked = False  # a row left by a process that stopped with a problem: cleared once
        self._order = asyncio.Lock()  # stored in the order met (a set, then its clear)

    def set(self, code: int, reason: str) -> None:
        if self.current is not None and self.current.code == code:
            return
        self.current = Problem(code, reason, self._clock())
        log.error("WeCom refuses this deployment's requests: %s; /healthz reports error until it is fixed", reason)
        self._stored_checked = True
        self._later(self._publish(self.current))

    def clear(self) -> None:
        """A request went through (called on every success: does nothing most of the time)."""
        if self.current is not None:
            log.warning("WeCom accepts requests again (was: %s)", self.current.reason)
            self.current = None
        elif self._stored_checked:
            return
        self._stored_checked = True
        self._later(self._unpublish())

    def _later(self, work: Coroutine[Any, Any, None]) -> None:
        async def in_order() -> None:
            async with self._order:
                await work
        task = asyncio.get_running_loop().create_task(in_order(), name="sender-problem")
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    async def _unpublish(self) -> None:
        try:
            async with self._db.sessions() as session, session.begin():
                await outbox.clear_problem(session)
        except Exception:  # noqa: BLE001 - tried again after the next problem
            log.exception("could not clear the stored configuration problem")

    async def drain(self) -> None:
        """Wait for the notices being queued (at a stop)."""
        if self._notices:
            await asyncio.gather(*self._notices, return_exceptions=True)

    async def _publish(self, problem: Problem) -> None:
        """Stored for /healthz; told once per error and day across processes (a dedupe key): the notice
        goes out once sending works again."""
        try:
            async with self._db.sessions() as session, session.begin():
                await outbox.set_problem(session, problem.code, problem.reason, problem.since)
                for sec in await people.by_role(session, "secretary"):
                    key = f"sender-problem:{problem.code}:{problem.since:%Y%m%d}:{sec.userid}"
                    await outbox.enqueue(session, sec.userid, Text(content=NOTICE.format(reason=problem.reason)).payload(),
                                         problem.since, dedupe_key=key)
        except Exception:  # noqa: BLE001 - the health check still reports it
            log.exception("could not queue the configuration notice")
