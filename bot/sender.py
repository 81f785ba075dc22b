"""Delivers outbox rows through the WeCom API: at most once, in order, within rate limits."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import socket
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.cards import fall_back
from bot.gate import IdleGate
from bot.replies import Text
from bot.wecom import client as wc
from bot.wecom.client import TransportError, WeComAPIError, WeComClient
from bot.wecom.token import TokenCache
from storage import outbox
from storage.db import Database
from storage.models import OutboxRow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Builds the file an outbox row of msgtype "file" names (``bot.replies.Attachment``): (file name, bytes).
Builder = Callable[[dict[str, Any]], Awaitable[tuple[str, bytes]]]


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Outcome:
    """What to record for a claimed row."""

    status: str  # sent | failed | in_doubt | pending
    error_code: int | None = None
    error: str | None = None
    retry_in: float = 0.0


MAX_BUSY_RETRIES = 3
MAX_LIMIT_RETRIES = 10


def classify(exc: Exception, attempts: int) -> Outcome:
    """Map a send failure to what happens next (see WECOM.md)."""
    if isinstance(exc, TransportError):
        if exc.sent_maybe:
            return Outcome("in_doubt", None, f"outcome unknown: {exc}")
        return Outcome("pending", None, str(exc), retry_in=min(300.0, 2.0 ** attempts))
    if not isinstance(exc, WeComAPIError):
        return Outcome("failed", None, f"{type(exc).__name__}: {exc}")
    code = exc.errcode
    if code in wc.PERMANENT:
        return Outcome("failed", code, f"{wc.PERMANENT[code]}: {exc.errmsg}")
    if code == wc.BUSY:
        if attempts > MAX_BUSY_RETRIES:
            return Outcome("failed", code, f"系统繁忙，重试 {MAX_BUSY_RETRIES} 次仍失败: {exc.errmsg}")
        return Outcome("pending", code, exc.errmsg, retry_in=2.0 ** attempts + random.uniform(0, 1))
    if code == wc.FREQ_LIMIT:
        if attempts > MAX_LIMIT_RETRIES:
            return Outcome("failed", code, f"频率超限，多次退避后仍失败: {exc.errmsg}")
        return Outcome("pending", code, exc.errmsg, retry_in=60.0 + random.uniform(0, 30))
    if code == wc.CONCURRENCY_LIMIT:
        if attempts > MAX_LIMIT_RETRIES:
            return Outcome("failed", code, f"并发超限，多次重试仍失败: {exc.errmsg}")
        return Outcome("pending", code, exc.errmsg, retry_in=random.uniform(1, 5))
    if code in wc.TOKEN_ERRORS:
        return Outcome("pending", code, exc.errmsg, retry_in=5.0)
    return Outcome("failed", code, f"企业微信拒绝 ({code}): {exc.errmsg}")


async def _no_builder() -> tuple[str, bytes]:
    raise LookupError("this sender builds no attachments")


class Sender:
    """Background delivery loop. ``run_once`` is one pass, used directly by tests."""

    def __init__(
        self,
        db: Database,
        client: WeComClient,
        tokens: TokenCache,
        *,
        per_minute: int = 28,
        per_hour: int = 900,
        clock: Clock = utcnow,
        lease: timedelta = timedelta(minutes=2),
        batch: int = 200,
        concurrency: int = 8,
        gate: IdleGate | None = None,
        attachments: Builder | None = None,
    ) -> None:
        self._db = db
        self._attachments = attachments
        self._builds: dict[int, asyncio.Task[tuple[str, bytes]]] = {}  # row id -> its file being built
        self.build_wait = 2.0  # seconds a delivery pass waits for a file before leaving it to build
        self._gate = gate or IdleGate()
        self._client = client
        self._tokens = tokens
        self._per_minute = per_minute
        self._per_hour = per_hour
        self._clock = clock
        self._lease = lease
        self._batch = batch
        self._sem = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.worker = f"{socket.gethostname()}:{os.getpid()}:{id(self):x}"

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        async with self._db.sessions() as session, session.begin():
            stale = await outbox.mark_stale_in_doubt(session, self._clock() - self._lease)
        if stale:
            log.warning("%d outbox rows were being sent when a process stopped; marked in_doubt, not resent", stale)
        self._task = asyncio.create_task(self._loop(), name="outbox-sender")

    async def stop(self) -> None:
        for build in self._builds.values():
            build.cancel()
        self._builds.clear()
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _loop(self) -> None:
        while True:
            try:
                await self._gate.quiet(at_most=2.0)
                await self.run_once()
                delay = await self._next_delay()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep delivering after a database hiccup
                log.exception("sender pass failed")
                delay = 2.0
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=delay)
            except TimeoutError:
                pass
            self._wake.clear()
            await asyncio.sleep(0.02)  # let a burst of replies gather into one pass

    async def _next_delay(self) -> float:
        async with self._db.sessions() as session:
            due = await outbox.next_due(session)
        if due is None:
            return 5.0
        return max(0.2, min(5.0, (due - self._clock()).total_seconds()))

    async def run_once(self) -> int:
        """Claim what may go now and deliver it; returns how many rows were attempted."""
        now = self._clock()
        claimed: dict[str, list[OutboxRow]] = defaultdict(list)
        async with self._db.sessions() as session, session.begin():
            await outbox.mark_stale_in_doubt(session, now - self._lease)
            rows = await outbox.candidates(session, self._batch)
            if not rows:
                return 0
            minute = await outbox.recent_counts(session, now - outbox.MINUTE)
            hour = await outbox.recent_counts(session, now - outbox.HOUR)
            blocked: set[str] = set()
            for row in rows:
                r = row.recipient
                if r in blocked:
                    continue
                if row.next_attempt_at > now or minute.get(r, 0) >= self._per_minute or hour.get(r, 0) >= self._per_hour:
                    blocked.add(r)  # keep this recipient's order: nothing later overtakes
                    continue
                if await outbox.claim(session, row.id, self.worker, now):
                    row.attempts += 1
                    claimed[r].append(row)
                    minute[r] = minute.get(r, 0) + 1
                    hour[r] = hour.get(r, 0) + 1
        await asyncio.gather(*(self._deliver_in_order(rs) for rs in claimed.values()))
        return sum(len(rs) for rs in claimed.values())

    async def _deliver_in_order(self, rows: list[OutboxRow]) -> None:
        for i, row in enumerate(rows):
            async with self._sem:
                outcome = await self._deliver(outbox.to_outgoing(row))
            await self._record(row.id, outcome, row)
            if outcome.status == "pending":
                # Hand the rest back so they keep their order behind this one.
                for later in rows[i + 1:]:
                    await self._record(later.id, Outcome("pending", retry_in=outcome.retry_in + 0.001))
                return

    async def _deliver(self, msg: outbox.Outgoing) -> Outcome:
        token: str | None = None
        for refreshed in (False, True):
            try:
                token = await self._tokens.get(bad=token if refreshed else None)
                result = await self._client.send(token, msg.recipient, await self._attached(token, msg))
            except WeComAPIError as exc:
                if exc.errcode in wc.TOKEN_ERRORS and not refreshed and token is not None:
                    continue  # the token was revoked or expired early: refetch once, resend
                outcome = classify(exc, msg.attempts)
            except TransportError as exc:
                outcome = classify(exc, msg.attempts)
            else:
                if msg.recipient in result.invalid_users:
                    return Outcome("failed", 40031, "接收人无效 (invaliduser)")
                return Outcome("sent")
            if outcome.status in ("failed", "in_doubt"):
                log.error("outbox row %d %s: %s", msg.id, outcome.status, outcome.error)
            return outcome
        raise AssertionError("unreachable")

    async def _attached(self, token: str, msg: outbox.Outgoing) -> dict[str, Any]:
        """A file row names what to build (``bot.replies.Attachment``): build it, upload it, send it as a
        file message. A build taking longer than ``build_wait`` goes on in the background while the row
        waits (pending; only its recipient's later rows wait behind it); if building fails the person gets
        the row's Chinese ``failed`` text instead; an upload failure is retried like a send."""
        spec, payload = msg.payload.get("build"), msg.payload
        if payload.get("msgtype") != "file" or not isinstance(spec, dict):
            return payload
        task = self._builds.get(msg.id)
        if task is None:
            build = self._attachments(spec) if self._attachments else _no_builder()
            task = self._builds[msg.id] = asyncio.create_task(build, name=f"build-{msg.id}")
        await asyncio.wait({task}, timeout=self.build_wait)
        if not task.done():
            raise TransportError("the file is still being built", sent_maybe=False)  # back to pending
        del self._builds[msg.id]
        try:
            name, content = task.result()
            if len(content) > wc.MEDIA_LIMIT:
                raise ValueError(f"{len(content)} bytes: over WeCom's media limit")
        except Exception:  # noqa: BLE001 - whatever went wrong, the person is told in Chinese
            log.exception("building the %s attachment failed", spec.get("kind"))
            return Text(content=str(payload.get("failed") or "文件生成失败，请稍后再试。")).payload()
        try:
            media_id = await self._client.upload_media(token, name, content)
        except TransportError as exc:
            raise TransportError(f"media/upload: {exc}", sent_maybe=False) from None  # no message went out
        return wc.file_payload(media_id)

    async def _record(self, row_id: int, outcome: Outcome, row: OutboxRow | None = None) -> None:
        now = self._clock()
        async with self._db.sessions() as session, session.begin():
            if row is not None and outcome.status == "failed":
                await fall_back(session, row, outcome.error_code, now)  # a refused card: its text instead
            await outbox.settle(
                session,
                row_id,
                outcome.status,
                now,
                error_code=outcome.error_code,
                error=outcome.error,
                retry_at=now + timedelta(seconds=outcome.retry_in),
            )
