"""How a handler's replies become outbox rows: one message per push (a card or its text, never both), and
quiet hours for everyone but the person who wrote: a non-urgent reply to someone else (a broadcast, a
notice) sent in quiet hours is held to the next working morning, with jitter (the row's not_before)."""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.context import Context
from bot.quiet import QuietHours, spread
from bot.replies import Reply
from storage import outbox
from storage.models import Nudge, OutboxRow

PUSH = "push"  # the nudge ledger's kind for one unasked message (schedules.pushes: the daily cap counts these)
ROUTER = "router"  # ctx.extras: the name of the router that answered (bot.dispatcher)
URGENT_ROUTERS = frozenset({"duty"})  # what these domains send (incidents, duty) goes at any hour
QUIET = QuietHours()


def is_urgent(ctx: Context) -> bool:
    """Whether what answered ``ctx`` goes at any hour: an urgent report, or a domain that is all urgent."""
    return bool(ctx.parse is not None and ctx.parse.urgent) or ctx.extras.get(ROUTER) in URGENT_ROUTERS


def held_until(reply: Reply, to: str, asker: str | None, local_now: datetime, *, urgent: bool = False,
               quiet: QuietHours = QUIET) -> datetime | None:
    """When ``reply`` to ``to`` may go (aware UTC) if it must wait for quiet hours to end; None: now."""
    if to == asker or urgent or reply.urgent or not quiet.is_quiet(local_now):
        return None
    return spread(quiet.release(local_now), f"{to}:quiet").astimezone(timezone.utc)


async def wake(session: AsyncSession, user: str, now: datetime) -> int:
    """``user`` wrote: what was held for them (quiet hours, a sweep's jitter) goes now, before the answer —
    the sender keeps each person's order, so a held row would otherwise hold their answer back too.
    Rows never tried only (``claimed_at`` NULL): a retry's backoff stays. Returns how many were released."""
    result = await session.execute(
        update(OutboxRow).where(OutboxRow.recipient == user, OutboxRow.claimed_at.is_(None),
                                OutboxRow.status == "pending", OutboxRow.next_attempt_at > now)
        .values(next_attempt_at=now).execution_options(synchronize_session=False))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def enqueue_replies(session: AsyncSession, replies: list[tuple[Reply, str, datetime | None, bool]],
                          now: datetime, *, inbox_id: int | None = None) -> list[int]:
    """Queue each ``(reply, to, not_before, unasked)``: a long text as several messages, a card as the card
    alone (its text fallback rides along in the row, sent only if WeCom refuses the card:
    ``bot.cards.fall_back``); ``unasked`` (a non-urgent message to someone who did not write) counts against
    their daily cap. Every row in one ``INSERT … RETURNING`` (ids in the order given: the sender keeps each
    person's order by id)."""
    rows: list[dict[str, object]] = []
    firsts: list[tuple[int, str]] = []  # (index of an unasked reply's first row, its recipient)
    for reply, to, wait, unasked in replies:
        payloads = reply.payloads()
        if unasked and payloads:
            firsts.append((len(rows), to))
        rows.extend(outbox.row_values(to, payload, now, inbox_id=inbox_id, not_before=wait) for payload in payloads)
    ids = await outbox.insert_rows(session, rows)
    if firsts:
        await session.execute(_nudges(), [dict(key=f"{PUSH}:{to}:outbox{ids[index]}", recipient=to, kind=PUSH,
                                               created_at=now) for index, to in firsts])
    return ids


@cache
def _nudges() -> Any:
    return insert(Nudge.__table__)  # built once; one statement however many
