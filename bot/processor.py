"""Processes stored callbacks in background tasks: per person in order, people in parallel."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.dispatcher import Context, Dispatcher
from bot.gate import IdleGate
from bot.events import build_event, parse_fields
from bot.fsm import Conversation
from bot.logsafe import pseudo
from bot.pushes import enqueue_reply, held_until, is_urgent, wake
from bot.replies import Reply, Text
from bot.sender import Clock, utcnow
from bot.wecom.crypto import CallbackError
from storage import inbox, outbox, people
from storage.db import Database
from storage.scope import set_branch

log = logging.getLogger(__name__)

APOLOGY = "抱歉，处理您的消息时出了点问题，已经记录下来。请稍后再试，急事请直接联系值班人员或支部书记。"

QUIET_WAIT = 2.0  # seconds processing may defer to incoming callbacks

# (ctx) -> None, run before dispatch (e.g. parse the text)
Enricher = Callable[[Context], Awaitable[None]]


class UserLocks:
    """One asyncio.Lock per person, dropped when nobody holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def hold(self, user: str) -> _Held:
        return _Held(self, user)

    def _acquire_ref(self, user: str) -> asyncio.Lock:
        lock, refs = self._locks.get(user, (asyncio.Lock(), 0))
        self._locks[user] = (lock, refs + 1)
        return lock

    def _release_ref(self, user: str) -> None:
        lock, refs = self._locks[user]
        if refs <= 1:
            del self._locks[user]
        else:
            self._locks[user] = (lock, refs - 1)

    def __len__(self) -> int:
        return len(self._locks)


class _Held:
    def __init__(self, locks: UserLocks, user: str) -> None:
        self._locks = locks
        self._user = user
        self._lock: asyncio.Lock | None = None

    async def __aenter__(self) -> None:
        self._lock = self._locks._acquire_ref(self._user)
        try:
            await self._lock.acquire()
        except BaseException:
            self._locks._release_ref(self._user)
            raise

    async def __aexit__(self, *exc: Any) -> None:
        assert self._lock is not None
        self._lock.release()
        self._locks._release_ref(self._user)


class Processor:
    """Turns inbox rows into handler work and outbox rows, exactly once per row."""

    def __init__(
        self,
        db: Database,
        dispatcher: Dispatcher,
        settings: Settings,
        *,
        on_outbox: Callable[[], None] = lambda: None,
        enrichers: tuple[Enricher, ...] = (),
        clock: Clock = utcnow,
        gate: IdleGate | None = None,
        concurrency: int = 4,
    ) -> None:
        self._db = db
        self._gate = gate or IdleGate()
        # A few events at a time: a backlog must not take every database connection
        # from the webhook, which stores new callbacks.
        self._slots = asyncio.Semaphore(concurrency)
        self._dispatcher = dispatcher
        self._settings = settings
        self._on_outbox = on_outbox
        self._enrichers = enrichers
        self._clock = clock
        self.locks = UserLocks()
        self._tasks: set[asyncio.Task[None]] = set()
        self.processed = 0

    def submit(self, inbox_id: int, user: str) -> None:
        """Start processing in the background; the task is kept until it finishes.

        The lock is requested synchronously here, so one person's messages are
        handled in the order they were submitted.
        """
        held = self.locks.hold(user)
        task = asyncio.create_task(self._run(inbox_id, user, held), name=f"inbox-{inbox_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _run(self, inbox_id: int, user: str, held: _Held) -> None:
        try:
            async with held, self._slots:
                await self._gate.quiet(at_most=QUIET_WAIT)
                await self.process(inbox_id)
        except Exception:  # noqa: BLE001 - a crash here must not kill the loop
            log.exception("inbox row %d from %s could not be processed", inbox_id, pseudo(user))

    async def recover(self) -> int:
        """Process rows stored but never processed (the previous run stopped in between)."""
        async with self._db.sessions() as session:
            rows = await inbox.pending_ids(session)
        for inbox_id, user in rows:
            self.submit(inbox_id, user)
        if rows:
            log.info("recovering %d unprocessed inbox rows", len(rows))
        return len(rows)

    async def drain(self) -> None:
        """Wait until every submitted row is processed (shutdown, tests)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)

    @property
    def backlog(self) -> int:
        return len(self._tasks)

    async def process(self, inbox_id: int) -> None:
        now = self._clock()
        local_now = now.astimezone(self._settings.tz)
        async with self._db.sessions() as session:
            try:
                async with session.begin():
                    row = await inbox.get(session, inbox_id)
                    if row is None or row.status != "pending":
                        return
                    event = build_event(parse_fields(row.payload))
                    sender = await people.get(session, event.user)
                    if sender is not None:
                        set_branch(session, sender.branch_id)  # from here on the session sees their branch
                    ctx = Context(event, sender, session, local_now, self._settings, inbox_id=inbox_id)
                    if sender is not None:
                        ctx.fsm = await Conversation.load(session, event.user, now)
                    for enrich in self._enrichers:
                        await enrich(ctx)
                    replies = await self._dispatcher.dispatch(ctx)
                    await self._enqueue(session, replies, event.user, inbox_id, now, urgent=is_urgent(ctx))
                    if not await inbox.finish(session, inbox_id, now):
                        await session.rollback()
                        return
            except Exception as exc:  # noqa: BLE001 - the user gets an apology, we get the trace
                log.exception("handler failed for inbox row %d", inbox_id)
                await self._fail(inbox_id, exc, now)
                return
        self.processed += 1
        self._on_outbox()

    async def _enqueue(self, session: Any, replies: list[Reply], user: str, inbox_id: int, now: datetime, *,
                       urgent: bool = False) -> None:
        local = now.astimezone(self._settings.tz)
        if any(reply.addressed(user) == user for reply in replies):
            await wake(session, user, now)  # they are awake: what waited for them goes with the answer
        for reply in replies:
            to = reply.addressed(user)
            wait = held_until(reply, to, user, local, urgent=urgent)  # quiet hours for everyone else
            unasked = to != user and not (urgent or reply.urgent)
            await enqueue_reply(session, reply, to, now, inbox_id=inbox_id, not_before=wait, unasked=unasked)

    async def _fail(self, inbox_id: int, exc: Exception, now: datetime) -> None:
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        async with self._db.sessions() as session, session.begin():
            row = await inbox.get(session, inbox_id)
            if row is None or row.status != "pending":
                return
            user = row.from_user
            if not await inbox.finish(session, inbox_id, now, error=reason):
                return
            if not isinstance(exc, CallbackError):
                await outbox.enqueue(session, user, Text(content=APOLOGY).payload(), now, inbox_id=inbox_id)
        self._on_outbox()
