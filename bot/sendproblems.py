"""The deployment's configuration problem as the sender meets it (bad secret, untrusted IP…): kept for
/healthz, logged once per change, told to the branch secretaries once per error and day."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime

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

    def set(self, code: int, reason: str) -> None:
        if self.current is not None and self.current.code == code:
            return
        self.current = Problem(code, reason, self._clock())
        log.error("WeCom refuses this deployment's requests: %s; /healthz reports error until it is fixed", reason)
        task = asyncio.get_running_loop().create_task(self._tell_secretaries(self.current), name="sender-notice")
        self._notices.add(task)
        task.add_done_callback(self._notices.discard)

    def clear(self) -> None:
        if self.current is not None:
            log.warning("WeCom accepts requests again (was: %s)", self.current.reason)
            self.current = None

    async def drain(self) -> None:
        """Wait for the notices being queued (at a stop)."""
        if self._notices:
            await asyncio.gather(*self._notices, return_exceptions=True)

    async def _tell_secretaries(self, problem: Problem) -> None:
        """Once per error and day across processes (a dedupe key); it goes out once sending works again."""
        try:
            async with self._db.sessions() as session, session.begin():
                for sec in await people.by_role(session, "secretary"):
                    key = f"sender-problem:{problem.code}:{problem.since:%Y%m%d}:{sec.userid}"
                    await outbox.enqueue(session, sec.userid, Text(content=NOTICE.format(reason=problem.reason)).payload(),
                                         problem.since, dedupe_key=key)
        except Exception:  # noqa: BLE001 - the health check still reports it
            log.exception("could not queue the configuration notice")
