"""Delivers outbox rows through the WeCom API: at most once, in order, within rate limits.

One row per recipient at a time is claimed, in the committed write that marks it handed over,
immediately before its HTTP call: only requests in flight (at most ``concurrency``) can ever be in
doubt. Retryable errors are retried with capped exponential backoff and jitter for ``retry_window``;
a failed gettoken is not a send (nothing is claimed). Configuration errors (bad secret, untrusted IP…)
are kept in :attr:`Sender.problem` (``bot.sendproblems``) for /healthz."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from bot.cards import fall_back
from bot.gate import IdleGate
from bot.logsafe import pseudo
from bot.replies import Text
from bot.sendproblems import Problems
from bot.wecom import client as wc
from bot.wecom.client import TransportError, WeComAPIError, WeComClient
from bot.wecom.errors import Outcome, Policy, Problem, classify, retry
from bot.wecom.token import TokenCache
from storage import outbox
from storage.db import Database
from storage.inbox import is_transient
from storage.models import OutboxRow

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
# Builds the file an outbox row of msgtype "file" names (``bot.replies.Attachment``): (file name, bytes).
Builder = Callable[[dict[str, Any]], Awaitable[tuple[str, bytes]]]

HOST = socket.gethostname()


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def _no_builder() -> tuple[str, bytes]:
    raise LookupError("this sender builds no attachments")


def _pid_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except OSError as exc:
        return isinstance(exc, ProcessLookupError)
    return False


class Sender:
    """Background delivery loop. ``run_once`` delivers what may go now, used directly by tests."""

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
        concurrency: int = 4,
        gate: IdleGate | None = None,
        attachments: Builder | None = None,
        policy: Policy | None = None,
        grace: float = 10.0,
        pause: float = 60.0,
    ) -> None:
        self._db = db
        self._attachments = attachments
        self._builds: dict[int, asyncio.Task[tuple[str, bytes]]] = {}  # row id -> its file being built
        self.build_wait = 2.0  # seconds a delivery pass waits for a file before leaving it to build
        self._gate = gate or IdleGate()
        self._client = client
        self._tokens = tokens
        self.limits = outbox.Limits(per_minute, per_hour)
        self._clock = clock
        self._lease = lease  # a claim older than this is another process's that died
        self._batch = batch
        self.concurrency = concurrency
        self._sem = asyncio.Semaphore(concurrency)
        self.policy = policy or Policy()
        self.grace = grace  # seconds a stop waits for requests in flight
        self.pause = pause  # seconds nothing is tried after a configuration error or a failed gettoken
        self._paused_until: datetime | None = None
        self._token_failures = 0
        self._doubts = 0  # requests in a row whose outcome is unknown
        self._suspect = False
        self._probe = asyncio.Lock()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._chains: dict[str, asyncio.Task[int]] = {}
        self._stopping = False
        self.problems = Problems(db, clock)
        self.worker = f"{HOST}:{os.getpid()}:{id(self):x}"

    @property
    def problem(self) -> Problem | None:
        """The configuration problem WeCom reports, if any (/healthz)."""
        return self.problems.current

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._stopping = False
        released, doubted = await self._recover(lambda row: self._dead(row) or row.claimed_by == self.worker)
        if released or doubted:
            log.warning("outbox rows left sending by a stopped process: %d never handed over (pending again), "
                        "%d in doubt (not resent; `sijing outbox list --in-doubt`)", released, doubted)
        self._task = asyncio.create_task(self._loop(), name="outbox-sender")

    async def stop(self) -> None:
        """Stop claiming; let requests in flight finish within ``grace``; leave nothing ``sending``."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), self.grace)
            except TimeoutError:
                self._task.cancel()
            except Exception:  # noqa: BLE001 - stopping anyway
                log.exception("sender loop ended with an error")
            try:
                await self._task
            except (asyncio.CancelledError, Exception):  # noqa: BLE001
                pass
            self._task = None
        for build in self._builds.values():
            build.cancel()
        self._builds.clear()
        await self.problems.drain()
        released, doubted = await self._recover(lambda row: row.claimed_by == self.worker)
        if doubted:
            log.warning("%d outbox rows were still in flight at stop: in doubt, not resent", doubted)
        self._stopping = False  # (explicit ``run_once`` calls still work, as in tests)

    def _dead(self, row: OutboxRow | outbox.Claim) -> bool:
        """Claimed by a process that is gone: on this host with no such pid, or longer ago than the lease."""
        host, _, rest = (row.claimed_by or "").partition(":")
        pid = rest.partition(":")[0]
        if host == HOST and pid.isdigit() and int(pid) != os.getpid() and _pid_gone(int(pid)):
            return True
        return row.claimed_at is not None and row.claimed_at < self._clock() - self._lease

    async def _recover(self, is_dead: Callable[[OutboxRow], bool]) -> tuple[int, int]:
        async with self._db.sessions() as session, session.begin():
            return await outbox.recover(session, is_dead)

    # -- the loop ---------------------------------------------------------------------------

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                await self._gate.quiet(at_most=2.0)
                if not self._stopping:
                    await self._spawn()
                delay = await self._next_delay()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - keep delivering after a database hiccup
                log.exception("sender pass failed")
                delay = 2.0
            waits: set[asyncio.Future[Any]] = {asyncio.ensure_future(self._wake.wait()), *self._chains.values()}
            try:
                await asyncio.wait(waits, timeout=delay, return_when=asyncio.FIRST_COMPLETED)
            finally:
                for w in waits:
                    if w not in self._chains.values():
                        w.cancel()
            self._wake.clear()
            await asyncio.sleep(0.05)  # let a burst of replies gather (and bound the passes per second)
        if self._chains:
            await asyncio.gather(*self._chains.values(), return_exceptions=True)

    async def _next_delay(self) -> float:
        if self._paused_until is not None:
            return max(0.2, (self._paused_until - self._clock()).total_seconds())
        async with outbox.autocommit(self._db) as conn:  # (reads: one round trip each, no transaction)
            due = await outbox.next_due(conn)
        if due is None:
            return 5.0
        return max(0.2, min(5.0, (due - self._clock()).total_seconds()))

    async def _spawn(self) -> list[asyncio.Task[int]]:
        """Start a delivery chain for each recipient with a sendable row and none running."""
        now = self._clock()
        if self._paused_until is not None and now < self._paused_until:
            return []
        for r, task in list(self._chains.items()):
            if task.done():
                del self._chains[r]
        async with outbox.autocommit(self._db) as conn:  # any claim of another process past its lease?
            lapsed = any(r.claimed_by != self.worker and self._dead(r) for r in await outbox.claims(conn))
        if lapsed:  # (SQLite: one connection, so never two at once)
            await self._recover(lambda r: r.claimed_by != self.worker and self._dead(r))
        async with outbox.autocommit(self._db) as conn:
            rows = await outbox.heads(conn, now, self.limits, self._batch, skip=self._chains)
        started = []
        for row in rows:
            task = asyncio.create_task(self._chain(row), name=f"send-{pseudo(row.recipient)}")
            self._chains[row.recipient] = task
            started.append(task)
        return started

    async def run_once(self) -> int:
        """Deliver everything that may go now; returns how many requests were attempted."""
        started = await self._spawn()
        done = await asyncio.gather(*started)
        return sum(done)

    async def _chain(self, row: outbox.Head | None) -> int:
        """One recipient's rows in order, one at a time, while they may go."""
        attempted = 0
        recipient = row.recipient if row else ""
        while row is not None and not self._stopping:
            async with self._sem:
                if self._stopping:
                    break
                done = await self._send_one(row)
            if done is None:
                break
            attempted += 1
            outcome, row = done  # the next row, read right after "sent" was recorded
            if outcome.status != "sent":
                break
        return attempted

    async def _token(self, bad: str | None = None) -> str | None:
        """A token, or None (nothing is claimed: a failed gettoken is not a send)."""
        try:
            token = await self._tokens.get(bad=bad)
        except WeComAPIError as exc:
            self.problems.set(exc.errcode, wc.CONFIG_ERRORS.get(exc.errcode, f"gettoken 失败 ({exc.errcode}): {exc.errmsg}"))
            self._paused_until = self._clock() + timedelta(seconds=self.pause)
            return None
        except TransportError as exc:
            self._token_failures += 1
            delay = min(self.pause, self.policy.backoff(self._token_failures))
            self._paused_until = self._clock() + timedelta(seconds=delay)
            log.warning("gettoken failed (%s); nothing claimed, next try in %.0f s", exc, delay)
            return None
        self._token_failures = 0
        return token

    async def _send_one(self, row: outbox.Head) -> tuple[Outcome, outbox.Head | None] | None:
        """Claim, send and record one row, and read its recipient's next row if it was sent; None when nothing
        was attempted (it stays pending). After a request whose outcome is unknown (a timeout: the API may
        hang), one at a time until one succeeds, so that a hanging API leaves few rows in doubt."""
        if not self._suspect:
            return await self._attempt(row)
        async with self._probe:
            return await self._attempt(row)

    async def _attempt(self, row: outbox.Head) -> tuple[Outcome, outbox.Head | None] | None:
        if self._paused_until is not None and self._clock() < self._paused_until:
            return None
        token = await self._token()
        if token is None:
            return None
        msg = outbox.to_outgoing(row)
        payload = await self._prepared(msg)
        if payload is None:
            return None  # its file is still being built: the recipient waits
        upload = payload.get("upload")
        if not await outbox.claim_alone(self._db, row.id, row.recipient, self.worker, self._clock(), self.limits,
                                        hand=upload is None):
            return None  # another process took it, it may not go now after all, or the database is away
        try:
            outcome = await self._deliver(token, msg, payload)
        except asyncio.CancelledError:
            raise  # the stop records what was in flight
        except Exception as exc:  # noqa: BLE001 - never leave a row sending because of a bug
            log.exception("outbox row %d could not be delivered", row.id)
            outcome = Outcome("in_doubt", None, f"{type(exc).__name__}: {exc}")
        return outcome, await self._record(row.id, outcome, row)

    async def _deliver(self, token: str, msg: outbox.Outgoing, payload: dict[str, Any]) -> Outcome:
        age = self._clock() - msg.since if msg.since is not None else timedelta(0)
        if "upload" in payload:
            try:
                payload = await self._upload(token, payload["upload"])
            except TransportError as exc:
                return retry(None, f"media/upload: {exc}", msg.attempts + 1, age, self.policy)
            except WeComAPIError as exc:
                return classify(exc, msg.attempts + 1, age, self.policy)
            async with self._db.sessions() as session, session.begin():
                await outbox.hand(session, msg.id, self._clock())
        for refreshed in (False, True):
            try:
                result = await self._client.send(token, msg.recipient, payload)
            except WeComAPIError as exc:
                if exc.errcode in wc.TOKEN_ERRORS and not refreshed:
                    fresh = await self._token(bad=token)  # revoked or expired early: refetch once, resend
                    if fresh is not None:
                        token = fresh
                        continue
                outcome = classify(exc, msg.attempts + 1, age, self.policy)
                if exc.errcode in wc.CONFIG_ERRORS:
                    self.problems.set(exc.errcode, wc.CONFIG_ERRORS[exc.errcode])
                    if outcome.status == "pending":
                        self._paused_until = self._clock() + timedelta(seconds=self.pause)
            except TransportError as exc:
                outcome = classify(exc, msg.attempts + 1, age, self.policy)
                if outcome.status == "in_doubt":
                    self._doubts += 1
                    self._suspect = True
                    delay = min(self.pause, self.policy.backoff(self._doubts))
                    self._paused_until = self._clock() + timedelta(seconds=delay)
            else:
                self.problems.clear()
                self._doubts, self._suspect = 0, False
                if msg.recipient in result.invalid_users:
                    return Outcome("failed", 40031, "接收人无效 (invaliduser)")
                return Outcome("sent")
            if outcome.status in ("failed", "in_doubt"):
                log.error("outbox row %d %s: %s", msg.id, outcome.status, outcome.error)
            return outcome
        raise AssertionError("unreachable")

    async def _prepared(self, msg: outbox.Outgoing) -> dict[str, Any] | None:
        """The payload to send, or ``{"upload": (name, bytes)}`` for a built file, or None while it builds.

        A file row names what to build (``bot.replies.Attachment``); a build taking longer than
        ``build_wait`` goes on in the background while the row waits (pending; only its recipient's later
        rows wait behind it); if building fails the person gets the row's Chinese ``failed`` text instead."""
        spec, payload = msg.payload.get("build"), msg.payload
        if payload.get("msgtype") != "file" or not isinstance(spec, dict):
            return payload
        task = self._builds.get(msg.id)
        if task is None:
            build = self._attachments(spec) if self._attachments else _no_builder()
            task = self._builds[msg.id] = asyncio.create_task(build, name=f"build-{msg.id}")
        await asyncio.wait({task}, timeout=self.build_wait)
        if not task.done():
            return None
        del self._builds[msg.id]
        try:
            name, content = task.result()
            if len(content) > wc.MEDIA_LIMIT:
                raise ValueError(f"{len(content)} bytes: over WeCom's media limit")
        except Exception:  # noqa: BLE001 - whatever went wrong, the person is told in Chinese
            log.exception("building the %s attachment failed", spec.get("kind"))
            return Text(content=str(payload.get("failed") or "文件生成失败，请稍后再试。")).payload()
        return {"upload": (name, content)}

    async def _upload(self, token: str, built: tuple[str, bytes]) -> dict[str, Any]:
        media_id = await self._client.upload_media(token, built[0], built[1])
        return wc.file_payload(media_id)

    async def _record(self, row_id: int, outcome: Outcome, row: outbox.Head | None = None) -> outbox.Head | None:
        """Write a request's outcome; if sent, return the recipient's next row if it may go now (read right
        after, unless none was pending behind ``row``: one queued since goes in the next pass). The outcome
        is known only here: a lost database connection is retried (until the stop or the lease), not left
        "sending", holding the recipient's later rows for the lease (a retry finds the row settled)."""
        delay, given_up = 0.1, time.monotonic() + self._lease.total_seconds()
        failed_once = False
        while True:
            now, following = self._clock(), None
            try:
                if outcome.status == "sent":  # (the common case: two statements, no transaction around them)
                    async with outbox.autocommit(self._db) as conn:
                        await outbox.settle(conn, row_id, "sent", now)
                        if row is not None and row.more and not self._stopping:
                            following = await outbox.head_of(conn, row.recipient, now, self.limits)
                else:
                    async with self._db.sessions() as session, session.begin():
                        if row is not None and outcome.status == "failed":  # a refused card: its text instead
                            await fall_back(session, row, outcome.error_code, now)
                        await outbox.settle(session, row_id, outcome.status, now, error_code=outcome.error_code,
                                            error=outcome.error, retry_at=now + timedelta(seconds=outcome.retry_in))
            except Exception as exc:
                if not is_transient(exc) or self._stopping or time.monotonic() > given_up:
                    raise  # left "sending": the stop (or the lease) records it as in doubt
                if not failed_once:
                    log.warning("outbox row %d: its outcome (%s) could not be recorded (%s); retrying",
                                row_id, outcome.status, type(exc).__name__)
                failed_once = True
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if failed_once:
                log.warning("outbox row %d: outcome recorded after the database came back", row_id)
            return following
