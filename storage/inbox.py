"""The inbox: accepted callbacks, stored with group commit before they are acknowledged."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import exc as sa_exc
from sqlalchemy import bindparam, func, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Conversation, ConversationOffer, InboxRow, OutboxRow
from storage.deeds.repo import open_count_column, remember_open_count  # (after storage.models: it loads the domains)
from storage.people.version import subquery as roster_version_subquery
from storage.people.models import Person
from storage.scope import every_branch

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewInbound:
    dedupe_key: str
    from_user: str
    msg_type: str
    payload: str


def _insert_ignore(dialect: str):  # type: ignore[no-untyped-def]
    """INSERT .. ON CONFLICT DO NOTHING RETURNING id, dedupe_key (compiled once, run as executemany)."""
    table = InboxRow.__table__
    maker = pg_insert if dialect == "postgresql" else sqlite_insert
    return maker(table).on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(table.c.id, table.c.dedupe_key)


class InboxWriter:
    """Stores callbacks durably, many per transaction (group commit).

    Concurrent requests each wait for the commit that holds their row, so every
    acknowledged callback is on disk, while the database sees one commit per
    batch instead of one per request.
    """

    def __init__(self, db: Database, max_batch: int = 256) -> None:
        self._db = db
        self._max_batch = max_batch
        self._queue: asyncio.Queue[tuple[NewInbound, asyncio.Future[int | None]]] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._stmt = _insert_ignore(db.dialect)
        self.outage = Outage(log, "storing callbacks")

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="inbox-writer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None
        while not self._queue.empty():
            _row, fut = self._queue.get_nowait()
            if not fut.done():
                fut.set_exception(RuntimeError("inbox writer stopped"))

    async def store(self, row: NewInbound) -> int | None:
        """Persist ``row``; returns its id, or ``None`` if the same key was stored before."""
        if self._task is None:
            raise RuntimeError("inbox writer not started")
        fut: asyncio.Future[int | None] = asyncio.get_running_loop().create_future()
        await self._queue.put((row, fut))
        return await fut

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                ids = await self._write_retrying([row for row, _ in batch])
            except Exception as exc:  # noqa: BLE001 - each waiter gets the failure
                if is_transient(exc):
                    self.outage.failed(exc, len(batch))
                else:
                    log.exception("inbox batch of %d failed", len(batch))
                for _row, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            self.outage.ok()
            for (_row, fut), new_id in zip(batch, ids):
                if not fut.done():
                    fut.set_result(new_id)

    async def _write_retrying(self, rows: list[NewInbound]) -> list[int | None]:
        """:meth:`_write`, once more at once if the connection turned out dead (the pool pings only connections
        idle a while, ``storage.db``; the pool has dropped the dead ones by now). A batch whose commit went
        through before the connection died finds its keys stored: they count as duplicates, and the
        processor's recovery pass takes the rows."""
        try:
            return await self._write(rows)
        except sa_exc.DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            return await self._write(rows)

    async def _write(self, rows: list[NewInbound]) -> list[int | None]:
        """Insert a batch in one statement and one commit.

        A key repeated inside the batch (concurrent duplicates) is new only for
        its first occurrence; a key already in the table is new for nobody.
        """
        first: dict[str, NewInbound] = {}
        for row in rows:
            first.setdefault(row.dedupe_key, row)
        async with self._db.engine.begin() as conn:
            now = datetime.now(timezone.utc)
            params = [
                dict(dedupe_key=r.dedupe_key, from_user=r.from_user, msg_type=r.msg_type, payload=r.payload,
                     received_at=now, status="pending", attempts=0)
                for r in first.values()
            ]
            result = await conn.execute(self._stmt, params)
            ids = {key: new_id for new_id, key in result}
        out: list[int | None] = []
        for row in rows:
            is_first = first.get(row.dedupe_key) is row
            out.append(ids.get(row.dedupe_key) if is_first else None)
        return out


async def pending_ids(session: AsyncSession) -> list[tuple[int, str]]:
    """Unprocessed rows, oldest first, as ``(id, from_user)``."""
    rows = await session.execute(
        select(InboxRow.id, InboxRow.from_user).where(InboxRow.status == "pending").order_by(InboxRow.id)
    )
    return [(r.id, r.from_user) for r in rows]


async def pending_people(session: AsyncSession, *, older_than: float = 0.0, limit: int = 1000) -> list[str]:
    """People with unprocessed rows, the longest waiting first; only rows received at least
    ``older_than`` seconds ago count (a recovery pass leaves fresh rows to the process that took them)."""
    query = select(InboxRow.from_user, func.min(InboxRow.id).label("first_id")).where(InboxRow.status == "pending")
    if older_than > 0:
        query = query.where(InboxRow.received_at <= datetime.now(timezone.utc) - timedelta(seconds=older_than))
    rows = await session.execute(query.group_by(InboxRow.from_user).order_by(text("first_id")).limit(limit))
    return [r.from_user for r in rows]


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """How many rows wait to be processed, and when the oldest of them arrived."""
    row = (await session.execute(
        select(func.count(), func.min(InboxRow.received_at)).where(InboxRow.status == "pending"))).one()
    oldest = row[1]
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=timezone.utc)
    return int(row[0]), oldest


# The first key of PostgreSQL's two-key advisory locks held for one person's processing.
PERSON_LOCK = 0x51C1


_LOCK = text("SELECT pg_advisory_xact_lock(:ns, hashtext(:user))")  # built once: no statement to build per message
_TRY_LOCK = text("SELECT pg_try_advisory_xact_lock(:ns, hashtext(:user))")


async def lock_person(session: AsyncSession, user: str) -> None:
    """Hold ``user``'s processing lock until the transaction ends (PostgreSQL: an advisory lock, so any
    number of processes take one person's rows one at a time; SQLite: ``BEGIN IMMEDIATE`` already
    serialises every writer). Call it first in the transaction: the statements after it see what the
    previous holder committed."""
    if session.get_bind().dialect.name == "postgresql":  # on the connection: nothing of the ORM's to do for it
        await (await session.connection()).execute(_LOCK, {"ns": PERSON_LOCK, "user": user})


async def try_lock_person(session: AsyncSession, user: str) -> bool:
    """:func:`lock_person` unless another transaction holds it (False: someone, in this process or another,
    is working through ``user``'s rows right now; SQLite: always True, ``BEGIN IMMEDIATE`` serialises)."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool((await (await session.connection()).execute(_TRY_LOCK, {"ns": PERSON_LOCK, "user": user})).scalar())


async def oldest_pending(session: AsyncSession, user: str) -> InboxRow | None:
    """``user``'s oldest unprocessed row: the only one that may be processed next (arrival order)."""
    return (await session.execute(
        select(InboxRow).where(InboxRow.status == "pending", InboxRow.from_user == user)
        .order_by(InboxRow.id).limit(1)
    )).scalar_one_or_none()


async def get(session: AsyncSession, inbox_id: int) -> InboxRow | None:
    return await session.get(InboxRow, inbox_id)


async def finish(session: AsyncSession, inbox_id: int, now: datetime, *, error: str | None = None) -> bool:
    """Mark a pending row done (or failed); False if another worker got there first."""
    result = await session.execute(
        update(InboxRow)
        .where(InboxRow.id == inbox_id, InboxRow.status == "pending")
        .values(
            status="failed" if error else "done",
            processed_at=now,
            attempts=InboxRow.attempts + 1,
            error=error,
        )
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def last_processed_at(session: AsyncSession) -> datetime | None:
    return (await session.execute(select(func.max(InboxRow.processed_at)))).scalar_one_or_none()


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(InboxRow.status, func.count()).group_by(InboxRow.status))
    return {status: n for status, n in rows}


# SQLSTATEs that say "try again": connection exceptions, serialization failure, deadlock, the server
# shutting down or starting, too many connections, lock not available.
_TRANSIENT_STATES = ("08", "40001", "40P01", "57P01", "57P02", "57P03", "53300", "55P03")
_TRANSIENT_TEXT = ("database is locked", "connection is closed", "connection was closed",
                   "server closed the connection", "terminating connection", "the database system is",
                   "not currently accepting connections")


def is_transient(exc: BaseException) -> bool:
    """Whether a database error is worth retrying as it is (the same work may succeed in a moment):
    a lost or refused connection, a serialization failure or deadlock, "database is locked", a
    timeout waiting for the pool. Looks through the chain of causes (SQLAlchemy wraps the driver's)."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        err = todo.pop()
        if err is None or id(err) in seen:
            continue
        seen.add(id(err))
        if isinstance(err, sa_exc.DBAPIError) and err.connection_invalidated:
            return True
        if isinstance(err, (sa_exc.TimeoutError, sa_exc.DisconnectionError, ConnectionError, TimeoutError)):
            return True
        if isinstance(err, OSError) and not isinstance(err, (FileNotFoundError, PermissionError)):
            return True
        state = getattr(err, "sqlstate", None) or getattr(err, "pgcode", None)
        if isinstance(state, str) and state.startswith(_TRANSIENT_STATES):
            return True
        if isinstance(err, (sa_exc.DBAPIError, sa_exc.InterfaceError)) or type(err).__module__.startswith(
                ("asyncpg", "sqlite3", "aiosqlite")):
            message = str(err).lower()
            if any(part in message for part in _TRANSIENT_TEXT):
                return True
        todo.extend((err.__cause__, err.__context__, getattr(err, "orig", None)))
    return False


class Outage:
    """A run of transient database errors, logged as one line when it starts and one, with the count,
    when it ends (a reminder with the count so far every ``remind`` seconds), never once per attempt."""

    def __init__(self, logger: logging.Logger, what: str, *, remind: float = 60.0) -> None:
        self._log = logger
        self._what = what
        self._remind = remind
        self.since: float | None = None
        self.count = 0
        self._told = 0.0

    @property
    def active(self) -> bool:
        return self.since is not None

    def failed(self, exc: BaseException, n: int = 1) -> None:
        now = time.monotonic()
        self.count += n
        if self.since is None:
            self.since = self._told = now
            self._log.warning("database unavailable while %s (%s); waiting and retrying", self._what,
                              type(exc).__name__)
        elif now - self._told >= self._remind:
            self._told = now
            self._log.warning("database still unavailable while %s: %d failed attempts in %.0f s", self._what,
                              self.count, now - self.since)

    def ok(self) -> None:
        if self.since is None:
            return
        self._log.warning("database back for %s after %.1f s: %d failed attempts retried", self._what,
                          time.monotonic() - self.since, self.count)
        self.since = None
        self.count = 0


@dataclass
class Claimed:
    """A person's next row with what processing it needs first, read in one statement (``claim_next``).

    ``person``/``conversation``: the sender's roster row and open question (ORM objects, now in the session's
    identity map), None when there is none; ``offered``: questions are queued for them; ``held``: rows are
    held back for them in the outbox (quiet hours, a sweep's jitter). ``finished``: the row is marked done
    already (PostgreSQL: in the same statement), else :func:`finish` it after handling.
    """

    id: int
    payload: str
    person: Any
    roster_version: int
    conversation: Any
    offered: bool
    held: bool
    finished: bool


@cache
def _claim_statement(pg: bool) -> Any:
    """:func:`claim_next`'s statement, built and compiled once per dialect (``user`` and ``now`` bound): building
    it per message cost more CPU than running it."""
    table = InboxRow.__table__
    user, now = bindparam("user", type_=table.c.from_user.type), bindparam("now", type_=table.c.processed_at.type)
    oldest = (select(table.c.id).where(table.c.status == "pending", table.c.from_user == user)
              .order_by(table.c.id).limit(1).scalar_subquery())
    if pg:
        source: Any = (update(table).where(table.c.id == oldest, table.c.status == "pending")
                       .values(status="done", processed_at=now, attempts=table.c.attempts + 1, error=None)
                       .returning(table.c.id, table.c.payload).cte("claimed"))
    else:
        source = select(table.c.id, table.c.payload).where(table.c.id == oldest).subquery("claimed")
    offered = select(ConversationOffer.id).where(ConversationOffer.userid == user).exists()
    held = select(OutboxRow.id).where(OutboxRow.recipient == user, OutboxRow.claimed_at.is_(None),
                                      OutboxRow.status == "pending", OutboxRow.next_attempt_at > now).exists()
    return (select(source.c.id, source.c.payload, Person, roster_version_subquery(), Conversation, offered, held,
                   open_count_column(user, Person.branch_id))
            .select_from(source).outerjoin(Person, Person.userid == user)
            .outerjoin(Conversation, Conversation.userid == user)
            .execution_options(populate_existing=True))


async def claim_next(session: AsyncSession, user: str, now: datetime) -> Claimed | None:
    """``user``'s oldest unprocessed row, with their roster entry, the roster's version, their open question,
    whether questions or held messages wait for them and their open items (the parse's): one statement, not seven. Call it under
    :func:`lock_person`. On PostgreSQL the row is marked done in the same statement (rolled back with the
    transaction if handling fails), so no ``finish`` follows."""
    pg = session.get_bind().dialect.name == "postgresql"
    with every_branch(session):
        row = (await session.execute(_claim_statement(pg), {"user": user, "now": now})).first()
    if row is None:
        return None
    if row[2] is not None:  # what the parse asks of most messages (storage.deeds.open_count), read along
        remember_open_count(session, row[2].branch_id, user, int(row[7] or 0))
    return Claimed(row[0], row[1], row[2], int(row[3] or 0), row[4], bool(row[5]), bool(row[6]), finished=pg)
