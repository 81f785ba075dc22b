"""Processes stored callbacks: per person strictly in arrival order, people in parallel, exactly once.

Each step takes one person's oldest unprocessed row (``storage.inbox.oldest_pending``) under that
person's lock (``storage.inbox.lock_person``: an advisory lock on PostgreSQL, so any number of
processes may share the work) and handles it in one transaction with its outbox rows. A transient
database error rolls the step back and retries it with backoff; only a handler's own error fails a
row, and then the person gets the apology once. A periodic pass picks up rows nobody is working on
(a process died, an outage outlasted a step), so an outage heals without a restart.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.config import Settings
from bot.dispatcher import Context, Dispatcher
from bot.events import build_event, parse_fields
from bot.fsm import Conversation
from bot.gate import IdleGate
from bot.logsafe import pseudo
from bot.pushes import enqueue_replies, held_until, is_urgent, wake
from bot.replies import Reply, Text
from bot.sender import Clock, utcnow
from bot.wecom.crypto import CallbackError
from storage import inbox, outbox, people
from storage.db import Database
from storage.inbox import Outage, is_transient
from storage.people import RosterEntry
from storage.scope import set_branch

log = logging.getLogger(__name__)

APOLOGY = "抱歉，处理您的消息时出了点问题，已经记录下来。请稍后再试，急事请直接联系值班人员或支部书记。"

QUIET_WAIT = 0.25  # seconds a step may defer to callbacks in flight (bounded: never starves)
BACKOFF = (0.1, 10.0)  # first and longest wait after a transient database error, seconds
RECOVERY_EVERY = 15.0  # seconds between recovery passes
RECOVERY_AGE = 10.0  # a pending row this old (seconds) that nobody here works on is picked up
BACKLOG_ROWS = 1000  # /healthz says "backlogged" beyond this many unprocessed rows…
BACKLOG_AGE = 120.0  # …or when the oldest has waited this long (seconds)

# (ctx) -> None, run before dispatch (e.g. parse the text)
Enricher = Callable[[Context], Awaitable[None]]

_RETRY = object()  # a step hit a transient error
_BUSY = object()  # another worker (another process, most often) holds the person's lock
BUSY_WAIT = 0.2  # seconds before looking again at a person someone else is working through…
BUSY_LOOKS = 25  # …this many times (then their rows are that worker's, and the recovery passes' if it died)



STAGGER = 16  # people per block of a recovery pass's list, shuffled within it


def staggered(users: list[str]) -> list[str]:
    """``users`` (the longest waiting first) by blocks of STAGGER, each block shuffled: two workers that read
    the same list start on different people instead of each finding the other holding the same ones (every
    such look a round trip and a wait), and nobody waits behind more than a block of later arrivals."""
    out: list[str] = []
    for i in range(0, len(users), STAGGER):
        block = users[i:i + STAGGER]
        random.shuffle(block)
        out.extend(block)
    return out

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
        active: bool = True,
    ) -> None:
        self._db = db
        self._gate = gate or IdleGate()
        # A few steps at a time: a backlog must not take every database connection
        # from the webhook, which stores new callbacks.
        self._slots = asyncio.Semaphore(concurrency)
        self._dispatcher = dispatcher
        self._settings = settings
        self._on_outbox = on_outbox
        self._enrichers = enrichers
        self._clock = clock
        self.active = active  # False: another process (``sijing worker``) processes; submit does nothing
        self._draining: dict[str, asyncio.Task[None]] = {}
        self._again: set[str] = set()
        self._passes: asyncio.Task[None] | None = None
        self._stopping = False
        self._stopped = asyncio.Event()  # cuts a backoff short at shutdown
        self.outage = Outage(log, "processing")
        self.processed = 0
        self.failed = 0
        self.busy = 0  # looks at a person whose lock another worker held
        self.backlog_rows = BACKLOG_ROWS
        self.backlog_age = BACKLOG_AGE

    # -- intake ---------------------------------------------------------------

    def submit(self, inbox_id: int, user: str) -> None:
        """A row of ``user`` was stored: make sure their rows are being worked through."""
        if self.active:
            self.wake(user)

    def wake(self, user: str) -> None:
        if self._stopping:
            return
        if user in self._draining:
            self._again.add(user)  # the running drain looks once more before it ends
            return
        task = asyncio.create_task(self._drain(user), name=f"inbox-{pseudo(user)}")
        self._draining[user] = task

    async def recover(self, *, older_than: float = 0.0, quiet: bool = False) -> int:
        """Wake everyone with unprocessed rows (at start-up: every one; later: rows left alone a while)."""
        async with self._db.sessions() as session:
            users = await inbox.pending_people(session, older_than=older_than)
        fresh = staggered([u for u in users if u not in self._draining])
        for user in fresh:
            self.wake(user)
        if fresh and not quiet:
            log.info("recovering unprocessed inbox rows of %d people", len(fresh))
        return len(fresh)

    def start(self, *, every: float = RECOVERY_EVERY, older_than: float = RECOVERY_AGE) -> None:
        """Run recovery passes in the background (a worker polls with ``every`` small and ``older_than`` 0)."""
        self._passes = asyncio.create_task(self._recovery_passes(every, older_than), name="inbox-recovery")

    async def _recovery_passes(self, every: float, older_than: float) -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await self.recover(older_than=older_than, quiet=not older_than)
            except Exception as exc:  # noqa: BLE001 - the next pass tries again
                if not is_transient(exc):
                    log.exception("inbox recovery pass failed")

    async def stop(self) -> None:
        """Stop taking work, let running steps finish; what is left stays pending for the next start."""
        self._stopping = True
        self._stopped.set()
        if self._passes is not None:
            self._passes.cancel()
            await asyncio.gather(self._passes, return_exceptions=True)
            self._passes = None
        await self.drain()

    async def drain(self) -> None:
        """Wait until nobody's rows are being worked through (shutdown, tests)."""
        while self._draining:
            await asyncio.gather(*list(self._draining.values()), return_exceptions=True)

    @property
    def backlog(self) -> int:
        """People whose rows are being worked through in this process."""
        return len(self._draining)

    # -- one person -------------------------------------------------------------

    async def _drain(self, user: str) -> None:
        delay = BACKOFF[0]
        busy = 0
        try:
            while not self._stopping:
                async with self._slots:
                    await self._gate.quiet(at_most=QUIET_WAIT)
                    try:
                        result = await self.process_next(user, wait=False)
                    except Exception as exc:  # noqa: BLE001 - a crash here must not kill the loop
                        if not is_transient(exc):
                            log.exception("inbox rows of %s could not be processed", pseudo(user))
                            return
                        self.outage.failed(exc)
                        result = _RETRY
                if result is _BUSY:  # free the slot for someone nobody works on; look again in a moment
                    self.busy += 1
                    busy += 1
                    if busy > BUSY_LOOKS:
                        return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._stopped.wait(), BUSY_WAIT * random.uniform(0.5, 1.5))
                    continue
                busy = 0
                if result is _RETRY:
                    with contextlib.suppress(TimeoutError):  # the row stays pending for the next start
                        await asyncio.wait_for(self._stopped.wait(), delay * random.uniform(0.5, 1.0))
                    delay = min(delay * 2, BACKOFF[1])
                    continue
                self.outage.ok()
                delay = BACKOFF[0]
                if result is None:
                    if user not in self._again:
                        return
                    self._again.discard(user)
        finally:
            self._again.discard(user)
            del self._draining[user]

    async def process_next(self, user: str, *, wait: bool = True) -> Any:
        """Process ``user``'s oldest unprocessed row; its id, or None when there is none (``wait=False``:
        ``_BUSY`` at once when another worker holds their lock, instead of waiting for it: two processes
        work through different people rather than queue for the same ones).

        Raises:
            Exception: a transient database error (``storage.inbox.is_transient``): nothing was written.
        """
        row_id: int | None = None
        now = self._clock()
        async with self._db.sessions() as session:
            try:
                async with session.begin():
                    if wait:
                        await inbox.lock_person(session, user)
                    elif not await inbox.try_lock_person(session, user):
                        return _BUSY
                    now = self._clock()  # after the wait for the lock: processed_at follows the order of work
                    claimed = await inbox.claim_next(session, user, now)
                    if claimed is None:
                        return None
                    row_id = claimed.id
                    await self._handle(session, claimed, user, now)
            except Exception as exc:  # noqa: BLE001 - the user gets an apology, we get the trace
                if row_id is None or is_transient(exc):
                    raise
                log.exception("handler failed for inbox row %d", row_id)
                await self._fail(user, row_id, exc, now)
                return row_id
        self.processed += 1
        self._on_outbox()
        return row_id

    async def _handle(self, session: Any, row: inbox.Claimed, user: str, now: datetime) -> None:
        """One row: its sender, open question and roster version came with it (``inbox.claim_next``)."""
        event = build_event(parse_fields(row.payload))
        read: tuple[Any, bool] | None = (row.conversation, row.offered)
        held: bool = row.held
        if event.user == user:  # the row's sender, as always from WeCom: read with the row
            sender: RosterEntry | None = None if row.person is None else people.entry(row.person)
            people.remember_version(session, row.roster_version)
        else:  # the payload names someone else than the row's sender (never from WeCom): read them
            sender, read, held = await people.get(session, event.user), None, True
        if sender is not None:
            set_branch(session, sender.branch_id)  # from here on the session sees their branch
        ctx = Context(event, sender, session, now.astimezone(self._settings.tz), self._settings, inbox_id=row.id)
        if sender is not None:
            ctx.fsm = await Conversation.load(session, event.user, now, read=read)
        for enrich in self._enrichers:
            await enrich(ctx)
        replies = await self._dispatcher.dispatch(ctx)
        await self._enqueue(session, replies, event.user, row.id, now, urgent=is_urgent(ctx), held=held)
        if not row.finished and not await inbox.finish(session, row.id, now):
            raise RuntimeError(f"inbox row {row.id} was finished by someone else under its person's lock")

    async def _enqueue(self, session: Any, replies: list[Reply], user: str, inbox_id: int, now: datetime, *,
                       urgent: bool = False, held: bool = True) -> None:
        """The replies, in order, in one write (``held``: messages are held for ``user``, released now if they
        get an answer)."""
        local = now.astimezone(self._settings.tz)
        if held and any(reply.addressed(user) == user for reply in replies):
            await wake(session, user, now)  # they are awake: what waited for them goes with the answer
        batch = []
        for reply in replies:
            to = reply.addressed(user)
            wait = held_until(reply, to, user, local, urgent=urgent)  # quiet hours for everyone else
            unasked = to != user and not (urgent or reply.urgent)
            batch.append((reply, to, wait, unasked))
        await enqueue_replies(session, batch, now, inbox_id=inbox_id)

    async def _fail(self, user: str, inbox_id: int, exc: Exception, now: datetime) -> None:
        """Record a deterministic failure and apologise, once (a transient error here is raised: the step,
        handler included, is retried, and fails the same way again)."""
        reason = f"{type(exc).__name__}: {exc}"[:2000]
        async with self._db.sessions() as session, session.begin():
            await inbox.lock_person(session, user)
            if not await inbox.finish(session, inbox_id, now, error=reason):
                return
            if not isinstance(exc, CallbackError):
                await outbox.enqueue(session, user, Text(content=APOLOGY).payload(), now, inbox_id=inbox_id)
        self.failed += 1
        self._on_outbox()
