"""The outbox: every outgoing message is a row before it is sent, and is sent at most once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxRow


@dataclass(frozen=True)
class Outgoing:
    id: int
    recipient: str
    payload: dict[str, Any]
    attempts: int


async def enqueue(
    session: AsyncSession,
    recipient: str,
    payload: dict[str, Any],
    now: datetime,
    *,
    inbox_id: int | None = None,
    dedupe_key: str | None = None,
    not_before: datetime | None = None,
) -> int | None:
    """Add a message; with ``dedupe_key`` a second enqueue of the same key is ignored (None)."""
    values = dict(
        recipient=recipient,
        msg_type=str(payload.get("msgtype", "")),
        body=json.dumps(payload, ensure_ascii=False),
        status="pending",
        created_at=now,
        next_attempt_at=not_before or now,
        attempts=0,
        inbox_id=inbox_id,
        dedupe_key=dedupe_key,
    )
    if dedupe_key is None:
        row = OutboxRow(**values)
        session.add(row)
        await session.flush()
        return row.id
    maker = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(OutboxRow).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(stmt.returning(OutboxRow.id))
    return result.scalar_one_or_none()


async def candidates(session: AsyncSession, limit: int) -> list[OutboxRow]:
    """Pending rows, oldest first (due or not: a not-yet-due row holds back its recipient)."""
    rows = await session.execute(
        select(OutboxRow).where(OutboxRow.status == "pending").order_by(OutboxRow.id).limit(limit)
    )
    return list(rows.scalars())


async def recent_counts(session: AsyncSession, since: datetime) -> dict[str, int]:
    """Messages per recipient claimed (sent or being sent) since ``since``."""
    rows = await session.execute(
        select(OutboxRow.recipient, func.count())
        .where(OutboxRow.claimed_at >= since, OutboxRow.status.in_(("sending", "sent")))
        .group_by(OutboxRow.recipient)
    )
    return {r: n for r, n in rows}


async def claim(session: AsyncSession, row_id: int, worker: str, now: datetime) -> bool:
    """Compare-and-set pending -> sending; only one worker anywhere wins."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.status == "pending")
        .values(status="sending", claimed_at=now, claimed_by=worker, attempts=OutboxRow.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def settle(
    session: AsyncSession,
    row_id: int,
    status: str,
    now: datetime,
    *,
    error_code: int | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record the outcome of a claimed row: sent, failed, in_doubt, or back to pending."""
    values: dict[str, Any] = dict(status=status, error_code=error_code, error=error)
    if status == "sent":
        values["sent_at"] = now
    if status == "pending":
        values["next_attempt_at"] = retry_at or now
    await session.execute(
        update(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.status == "sending").values(**values)
    )


async def mark_stale_in_doubt(session: AsyncSession, older_than: datetime) -> int:
    """Claims never settled (a process died mid-send) are not repeated: they become in_doubt."""
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.status == "sending", OutboxRow.claimed_at < older_than)
        .values(status="in_doubt", error="outcome unknown: the sending process stopped before recording it")
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
    return {status: n for status, n in rows}


async def next_due(session: AsyncSession) -> datetime | None:
    return (
        await session.execute(select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status == "pending"))
    ).scalar_one_or_none()


def to_outgoing(row: OutboxRow) -> Outgoing:
    return Outgoing(row.id, row.recipient, json.loads(row.body), row.attempts)


HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
