"""The outbox: every outgoing message is a row before it is sent, and is sent at most once.

A row is claimed one per recipient at a time, in the same committed write that marks it handed over
(``handed_at``), immediately before its request goes out: only requests actually in flight can ever be
in doubt. The per-recipient rate limit counts those hand-off instants, across processes.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, exists, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Row
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.db import Database
from storage.inbox import is_transient
from storage.models import OutboxRow, SenderProblemRow

HOUR = timedelta(hours=1)
MINUTE = timedelta(minutes=1)
STATUSES = ("pending", "sending", "sent", "failed", "in_doubt", "dropped")
# A sendable row (:func:`heads`, :func:`head_of`): the outbox table's columns (not an ORM object), and ``more``:
# whether its recipient had later rows pending when it was read.
Head = Row[Any]
Claim = Row[Any]  # a row in flight (:func:`claims`): ``claimed_by``, ``claimed_at``


@dataclass(frozen=True)
class Outgoing:
    id: int
    recipient: str
    payload: dict[str, Any]
    attempts: int
    since: datetime | None = None  # when its retry window began


@dataclass(frozen=True)
class Limits:
    """Requests per recipient WeCom accepts (30/min, 1000/h), minus a safety margin."""

    per_minute: int = 28
    per_hour: int = 900


def row_values(recipient: str, payload: dict[str, Any], now: datetime, *, inbox_id: int | None = None,
               dedupe_key: str | None = None, not_before: datetime | None = None) -> dict[str, Any]:
    """The columns of a new outbox row (one place: :func:`enqueue` and bulk writers such as the sweeps')."""
    return dict(recipient=recipient, msg_type=str(payload.get("msgtype", "")),
                body=json.dumps(payload, ensure_ascii=False), status="pending", created_at=now,
                next_attempt_at=not_before or now, attempts=0, inbox_id=inbox_id, dedupe_key=dedupe_key)


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
    values = row_values(recipient, payload, now, inbox_id=inbox_id, dedupe_key=dedupe_key, not_before=not_before)
    if dedupe_key is None:
        return (await insert_rows(session, [values]))[0]
    maker = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    stmt = maker(OutboxRow).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    result = await session.execute(stmt.returning(OutboxRow.id))
    return result.scalar_one_or_none()


@cache
def _insert() -> Any:
    table = OutboxRow.__table__
    return insert(table).returning(table.c.id, sort_by_parameter_order=True)


async def insert_rows(session: AsyncSession, rows: list[dict[str, Any]]) -> list[int]:
    """Write rows of :func:`row_values` in one ``INSERT … RETURNING`` (a Core statement built once, not the
    ORM's unit of work); their ids in the order given (the sender keeps each person's order by id)."""
    if not rows:
        return []
    result = await session.execute(_insert(), rows)
    return [int(i) for i in result.scalars()]


def _sendable() -> list[Any]:
    """Conditions for an outbox row to go now: pending, due, its recipient's oldest pending row, nothing
    of its recipient in flight, its recipient under both rate limits. The instants and limits are bound
    parameters (:func:`_params`), so each statement below is built and compiled once, not per row."""
    table = OutboxRow.__table__  # Core: the claim below is a plain UPDATE, not one through the ORM
    other, older, recent = table.alias("other"), table.alias("older"), table.alias("recent")

    def handed_since(since: str) -> Any:
        return (select(func.count()).select_from(recent)
                .where(recent.c.recipient == table.c.recipient, recent.c.handed_at >= bindparam(since))
                .scalar_subquery())

    return [
        table.c.status == "pending",
        table.c.next_attempt_at <= bindparam("at_now"),
        # two lookups on (status, recipient, id), not one OR (which PostgreSQL runs as a nested loop)
        ~exists().where(other.c.status == "sending", other.c.recipient == table.c.recipient),
        ~exists().where(older.c.status == "pending", older.c.recipient == table.c.recipient,
                        older.c.id < table.c.id),
        handed_since("minute_ago") < bindparam("per_minute"),
        handed_since("hour_ago") < bindparam("per_hour"),
    ]


def _params(now: datetime, limits: Limits, **more: Any) -> dict[str, Any]:
    return dict(at_now=now, minute_ago=now - MINUTE, hour_ago=now - HOUR, per_minute=limits.per_minute,
                per_hour=limits.per_hour, **more)


@cache
def _statements() -> dict[str, Any]:
    table = OutboxRow.__table__
    first = (select(func.min(OutboxRow.id)).where(OutboxRow.status == "pending")
             .group_by(OutboxRow.recipient))  # each recipient's oldest pending row, from the index
    later = table.alias("later")
    head = select(table, exists().where(later.c.status == "pending", later.c.recipient == table.c.recipient,
                                        later.c.id > table.c.id).label("more"))  # :data:`Head`'s ``more``
    return {
        "heads": (head
                  .where(table.c.id.in_(first), *_sendable(),
                         table.c.recipient.not_in(bindparam("skip", expanding=True)))
                  .order_by(table.c.id).limit(bindparam("row_limit"))),
        "head_of": (head.where(table.c.recipient == bindparam("of_recipient"), *_sendable())
                    .order_by(table.c.id).limit(1)),
        "claim": (update(table)
                  .where(table.c.id == bindparam("row_id"), table.c.recipient == bindparam("of_recipient"),
                         *_sendable())
                  .values(status="sending", claimed_at=bindparam("at_now"), claimed_by=bindparam("worker"),
                          attempts=table.c.attempts + 1, handed_at=bindparam("hand_at"))),
    }


async def heads(session: AsyncSession | AsyncConnection, now: datetime, limits: Limits, limit: int,
                skip: Iterable[str] = ()) -> list[Head]:
    """The next sendable row of each recipient, at most one per recipient, oldest first: a recipient
    held back (not due, over its rate, a row in flight) never takes a place from anyone else."""
    params = _params(now, limits, skip=list(skip), row_limit=limit)
    return list(await session.execute(_statements()["heads"], params))


async def head_of(session: AsyncSession | AsyncConnection, recipient: str, now: datetime,
                  limits: Limits) -> Head | None:
    """``recipient``'s next sendable row, if it may go now."""
    params = _params(now, limits, of_recipient=recipient)
    return (await session.execute(_statements()["head_of"], params)).first()


@asynccontextmanager
async def autocommit(db: Database) -> AsyncIterator[AsyncConnection]:
    """A connection whose statements commit one by one, for the sender's one-statement writes (its claim,
    its "sent"): on PostgreSQL no BEGIN and COMMIT round trips around them (a statement alone is a READ
    COMMITTED transaction of its own, with the same row locks and re-checks); SQLite keeps a transaction
    (its ``BEGIN IMMEDIATE`` serialises the writers)."""
    if db.dialect == "postgresql":
        async with db.engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            yield conn
    else:
        async with db.engine.begin() as conn:
            yield conn


async def claim(session: AsyncSession | AsyncConnection, row_id: int, recipient: str, worker: str, now: datetime,
                limits: Limits, *, hand: bool = True) -> bool:
    """Compare-and-set pending -> sending, if the row may still go now; only one worker anywhere wins,
    and a recipient never has two rows in flight. ``hand``: the request leaves right after this commit
    (``handed_at``); a file row is claimed first and handed after its upload (:func:`hand`).

    One statement, no lock of the recipient first: only the recipient's oldest pending row may be claimed,
    and only while none of theirs is sending, so two claimers of one recipient aim at the same row; the
    UPDATE's row lock lets one win, the other re-reads it (PostgreSQL's READ COMMITTED re-check), finds it
    no longer pending and claims nothing. A claimer that sees the older row settled sees its hand-off too
    (settled after it, in a later commit): the rate limits count every request before it (SQLite:
    ``BEGIN IMMEDIATE`` serialises writers anyway)."""
    params = _params(now, limits, row_id=row_id, of_recipient=recipient, worker=worker,
                     hand_at=now if hand else None)
    result = await session.execute(_statements()["claim"], params)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim_alone(db: Database, row_id: int, recipient: str, worker: str, now: datetime, limits: Limits, *,
                      hand: bool = True) -> bool:
    """:func:`claim` in a transaction of its own, committed before the request leaves; False also when the
    database could not be reached (a lost connection: nothing was committed, the row stays pending for the
    sender's next pass)."""
    try:
        async with autocommit(db) as conn:
            return await claim(conn, row_id, recipient, worker, now, limits, hand=hand)
    except Exception as exc:
        if not is_transient(exc):
            raise
        return False


async def hand(session: AsyncSession, row_id: int, now: datetime) -> None:
    """The claimed row's request is about to leave."""
    await session.execute(update(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.status == "sending")
                          .values(handed_at=now))


async def recent_counts(session: AsyncSession, since: datetime) -> dict[str, int]:
    """Requests handed over per recipient since ``since``."""
    rows = await session.execute(
        select(OutboxRow.recipient, func.count()).where(OutboxRow.handed_at >= since).group_by(OutboxRow.recipient)
    )
    return {r: n for r, n in rows}


async def settle(
    session: AsyncSession | AsyncConnection,
    row_id: int,
    status: str,
    now: datetime,
    *,
    error_code: int | None = None,
    error: str | None = None,
    retry_at: datetime | None = None,
) -> None:
    """Record the outcome of a claimed row: sent, failed, in_doubt, or back to pending."""
    params: dict[str, Any] = dict(row_id=row_id, status=status, error_code=error_code, error=error)
    if status == "sent":
        params["sent_at"] = now
    if status == "pending":
        params["next_attempt_at"] = retry_at or now
    await session.execute(_settle(status), params)


@cache
def _settle(status: str) -> Any:
    """:func:`settle`'s statement for one outcome, built once (it runs once per delivered row)."""
    table = OutboxRow.__table__
    values: dict[str, Any] = dict(status=bindparam("status", type_=table.c.status.type),
                                  error_code=bindparam("error_code", type_=table.c.error_code.type),
                                  error=bindparam("error", type_=table.c.error.type))
    if status == "sent":
        values["sent_at"] = bindparam("sent_at", type_=table.c.sent_at.type)
    if status == "pending":
        values["next_attempt_at"] = bindparam("next_attempt_at", type_=table.c.next_attempt_at.type)
    return update(table).where(table.c.id == bindparam("row_id", type_=table.c.id.type),
                               table.c.status == "sending").values(**values)


async def release(session: AsyncSession, row_id: int, retry_at: datetime, note: str | None = None) -> None:
    """A claimed row whose request never left goes back to pending (the attempt is not counted)."""
    await session.execute(
        update(OutboxRow).where(OutboxRow.id == row_id, OutboxRow.status == "sending")
        .values(status="pending", next_attempt_at=retry_at, attempts=OutboxRow.attempts - 1, handed_at=None,
                error=note)
    )


async def recover(session: AsyncSession, is_dead: Callable[[OutboxRow], bool]) -> tuple[int, int]:
    """Claims never settled by a process that is gone: a row never handed over goes back to pending;
    one handed over may have been sent and becomes in_doubt (never repeated by itself).
    Returns ``(released, in_doubt)``."""
    stuck = (await session.execute(select(OutboxRow).where(OutboxRow.status == "sending"))).scalars()
    released = doubted = 0
    for row in [r for r in stuck if is_dead(r)]:
        if row.handed_at is None:
            values: dict[str, Any] = dict(status="pending", attempts=max(0, row.attempts - 1))
            released += 1
        else:
            values = dict(status="in_doubt", error="outcome unknown: the sending process stopped before recording it")
            doubted += 1
        await session.execute(update(OutboxRow).where(OutboxRow.id == row.id, OutboxRow.status == "sending")
                              .values(**values))
    return released, doubted


async def mark_stale_in_doubt(session: AsyncSession, older_than: datetime) -> int:
    """Claims older than ``older_than`` (a process died mid-send): see :func:`recover`."""
    released, doubted = await recover(session, lambda r: r.claimed_at is not None and r.claimed_at < older_than)
    return released + doubted


async def claims(session: AsyncSession | AsyncConnection) -> list[Claim]:
    """Who claimed each row being sent, and when (the sender's cheap check before :func:`recover`)."""
    table = OutboxRow.__table__
    stmt = select(table.c.claimed_by, table.c.claimed_at).where(table.c.status == "sending")
    return list(await session.execute(stmt))


async def count_by_status(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(OutboxRow.status, func.count()).group_by(OutboxRow.status))
    return {status: n for status, n in rows}


async def next_due(session: AsyncSession | AsyncConnection) -> datetime | None:
    return (
        await session.execute(select(func.min(OutboxRow.next_attempt_at)).where(OutboxRow.status == "pending"))
    ).scalar_one_or_none()


# -- the operator's view (``sijing outbox``, /healthz) -------------------------------------------------


async def listed(session: AsyncSession, statuses: Sequence[str], limit: int | None = 100) -> list[OutboxRow]:
    """Rows in these statuses, oldest first."""
    stmt = select(OutboxRow).where(OutboxRow.status.in_(list(statuses))).order_by(OutboxRow.id)
    return list((await session.execute(stmt.limit(limit))).scalars())


async def resend(session: AsyncSession, ids: Sequence[int], now: datetime) -> list[int]:
    """In-doubt or failed rows go out again (a fresh retry window); returns the ids changed."""
    return await _change(session, ids, ("in_doubt", "failed"),
                         dict(status="pending", next_attempt_at=now, retry_since=now, error=None, error_code=None))


async def drop(session: AsyncSession, ids: Sequence[int]) -> list[int]:
    """Rows that will never be sent (in doubt, failed or still pending); returns the ids changed."""
    return await _change(session, ids, ("in_doubt", "failed", "pending"), dict(status="dropped"))


async def _change(session: AsyncSession, ids: Sequence[int], allowed: tuple[str, ...], values: dict[str, Any]) -> list[int]:
    result = await session.execute(
        update(OutboxRow).where(OutboxRow.id.in_(list(ids)), OutboxRow.status.in_(allowed))
        .values(**values).returning(OutboxRow.id)
    )
    return sorted(result.scalars())


async def set_problem(session: AsyncSession, code: int, reason: str, since: datetime) -> None:
    """WeCom refuses the deployment's requests (one row, whichever sender met it last)."""
    row = await session.get(SenderProblemRow, "sender")
    if row is None:
        session.add(SenderProblemRow(name="sender", code=code, reason=reason, since=since))
    else:
        row.code, row.reason, row.since = code, reason, since


async def clear_problem(session: AsyncSession) -> None:
    await session.execute(delete(SenderProblemRow).where(SenderProblemRow.name == "sender"))


async def problem(session: AsyncSession) -> tuple[int, str, datetime] | None:
    row = await session.get(SenderProblemRow, "sender")
    return (row.code, row.reason, row.since) if row is not None else None


def to_outgoing(row: OutboxRow | Head) -> Outgoing:
    return Outgoing(row.id, row.recipient, json.loads(row.body), row.attempts, row.retry_since or row.created_at)
