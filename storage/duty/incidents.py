"""Incidents (突发事件): ``Item`` rows with ``kind='incident'``, numbered ``#N`` from the counter they
share with deeds, with their history and audit lines.

Every status change locks the row (``SELECT … FOR UPDATE``; SQLite serialises writers) and goes
through :func:`storage.duty.lifecycle.check`: of two people acknowledging at once, the second is
refused (:class:`storage.errors.Refused`) with who was first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, people
from storage.deeds import EventKind, ItemKind, get_by_number, next_number
from storage.locking import lock_row
from storage.deeds.models import Item, ItemEvent
from storage.duty.lifecycle import IncidentStatus, check

KIND = ItemKind.INCIDENT
TITLE_CHARS = 40


def _title(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[: TITLE_CHARS - 1] + "…"


async def create_incident(session: AsyncSession, *, reporter: str, team: str, text: str, urgent: bool,
                          now: datetime, owner: str | None = None, category: str = "safety",
                          alerted: Iterable[str] = ()) -> Item:
    """Log a new incident (``open``) with its own ``#N``, its history and an audit line."""
    number = await next_number(session)
    item = Item(number=number, kind=KIND, category=category, requester=reporter, owner=owner, team=team,
                title=_title(text), text=text, status=IncidentStatus.OPEN, urgent=urgent, created_at=now,
                updated_at=now)
    session.add(item)
    await session.flush()
    session.add(ItemEvent(item_id=item.id, at=now, actor=reporter, kind=EventKind.REPORTED,
                          note="通知：" + ",".join(alerted), from_status=None, to_status=IncidentStatus.OPEN))
    await audit.record(session, now, reporter, "create", "incident", number, f"urgent={int(urgent)}")
    await session.flush()
    return item


async def get_incident(session: AsyncSession, number: int) -> Item | None:
    """The incident numbered ``#number`` (None for a deed or a number not in use)."""
    item = await get_by_number(session, number)
    return item if item is not None and item.kind == KIND else None


async def acknowledge(session: AsyncSession, item: Item, actor: str, now: datetime) -> None:
    """``open`` -> ``acknowledged``, under the row's lock.

    Raises:
        Refused: it is no longer open (someone else acknowledged it first, or it is closed).
    """
    await lock_row(session, item)
    before = IncidentStatus(item.status)
    by = None
    if before == IncidentStatus.ACKNOWLEDGED:
        by = await people.name_of(session, await acknowledged_by(session, item), default="") or None
    to = check(item.number, before, IncidentStatus.ACKNOWLEDGED, by=by)
    item.status = to
    item.updated_at = now
    item.first_response_at = now
    session.add(ItemEvent(item_id=item.id, at=now, actor=actor, kind=EventKind.ACKNOWLEDGED, note="",
                          from_status=before, to_status=to))
    await audit.record(session, now, actor, "acknowledge", "incident", item.number, f"{before}->{to}")
    await session.flush()


async def acknowledged_by(session: AsyncSession, item: Item) -> str | None:
    """Who acknowledged the incident, from its history."""
    row = await session.execute(
        select(ItemEvent.actor).where(ItemEvent.item_id == item.id, ItemEvent.kind == EventKind.ACKNOWLEDGED)
        .order_by(ItemEvent.id).limit(1))
    return row.scalar_one_or_none()


async def open_incidents(session: AsyncSession, *, team: str | None = None) -> list[Item]:
    """Unacknowledged incidents, oldest first; optionally of one team."""
    stmt = select(Item).where(Item.kind == KIND, Item.status == IncidentStatus.OPEN)
    if team is not None:
        stmt = stmt.where(Item.team == team)
    return list((await session.execute(stmt.order_by(Item.number))).scalars())


async def acknowledgements(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, ItemEvent]:
    """item id -> its first ``acknowledged`` event."""
    if not item_ids:
        return {}
    rows = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id.in_(list(item_ids)), ItemEvent.kind == EventKind.ACKNOWLEDGED)
        .order_by(ItemEvent.id))
    out: dict[int, ItemEvent] = {}
    for e in rows.scalars():
        out.setdefault(e.item_id, e)
    return out
