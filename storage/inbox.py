"""The inbox: accepted callbacks, stored with group commit before they are acknowledged."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timezone

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import InboxRow

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
                ids = await self._write([row for row, _ in batch])
            except Exception as exc:  # noqa: BLE001 - each waiter gets the failure
                log.exception("inbox batch of %d failed", len(batch))
                for _row, fut in batch:
                    if not fut.done():
                        fut.set_exception(exc)
                continue
            for (_row, fut), new_id in zip(batch, ids):
                if not fut.done():
                    fut.set_result(new_id)

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
