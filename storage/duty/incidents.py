"""Incidents (突发事件): ``Item`` rows with ``kind='incident'``, numbered ``#N`` from the counter they
share with deeds, with their history and audit lines.

Every change (acknowledge, a progress note, close) locks the row (``SELECT … FOR UPDATE``; SQLite
serialises writers) and goes through :func:`storage.duty.lifecycle.check_action`, then writes its
history row and audit line: of two people acknowledging (or closing) at once, the second is refused
(:class:`storage.errors.Refused`) with who was first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit, people
from storage.deeds import EventKind, ItemKind, get_by_number, next_number
from storage.errors import Refused
from storage.locking import lock_row
from storage.deeds.models import Item, ItemEvent
from storage.duty.lifecycle import IncidentAction, IncidentStatus, check_action
from storage.sqlsets import among

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


async def _check(session: AsyncSession, action: IncidentAction, item: Item, actor: str, now: datetime, seen: str, *,
                 by: str | None = None) -> IncidentStatus:
    """``check_action`` on the locked row; a closed incident's refusal names who closed it and how
    (unless it was ``actor``: they know). ``seen``: the status as the caller read it, before the lock;
    a refusal because it changed meanwhile (the loser of a race) leaves an audit line."""
    closer = outcome = None
    if item.status == IncidentStatus.CLOSED and item.closed_by != actor:
        closer = await people.name_of(session, item.closed_by, default="") or None
        outcome = item.close_reason
    try:
        return check_action(action, item.number, item.status, by=by, closer=closer, outcome=outcome)
    except Refused:
        if seen != item.status:
            await audit.record(session, now, actor, "incident_race_lost", "incident", item.number,
                               f"{action.value}: {seen}->{item.status}")
        raise


async def acknowledge(session: AsyncSession, item: Item, actor: str, now: datetime) -> None:
    """``open`` -> ``acknowledged``, under the row's lock.

    Raises:
        Refused: it is no longer open (someone else acknowledged it first, or it is closed).
    """
    seen = item.status
    await lock_row(session, item)
    before = IncidentStatus(item.status)
    by = None
    if before == IncidentStatus.ACKNOWLEDGED:
        by = await people.name_of(session, await acknowledged_by(session, item), default="") or None
    to = await _check(session, IncidentAction.ACKNOWLEDGE, item, actor, now, seen, by=by)
    item.status = to
    item.updated_at = now
    item.first_response_at = now
    session.add(ItemEvent(item_id=item.id, at=now, actor=actor, kind=EventKind.ACKNOWLEDGED, note="",
                          from_status=before, to_status=to))
    await audit.record(session, now, actor, "acknowledge", "incident", item.number, f"{before}->{to}")
    await session.flush()


async def add_progress(session: AsyncSession, item: Item, actor: str, now: datetime, note: str) -> None:
    """A note of what is being done ("人已送医"); the status stays. Refused once the incident is closed."""
    seen = item.status
    await lock_row(session, item)
    await _check(session, IncidentAction.PROGRESS, item, actor, now, seen)
    item.updated_at = now
    if item.first_response_at is None:
        item.first_response_at = now
    session.add(ItemEvent(item_id=item.id, at=now, actor=actor, kind=EventKind.PROGRESS, note=note.strip(),
                          from_status=None, to_status=None))
    await audit.record(session, now, actor, "progress", "incident", item.number, "")
    await session.flush()


async def close(session: AsyncSession, item: Item, actor: str, now: datetime, outcome: str) -> IncidentStatus:
    """``open``/``acknowledged`` -> ``closed`` with what was done (``outcome``), under the row's lock.

    Returns the status before. Raises ``Refused`` when it is closed already, ``ValueError`` without an outcome.
    """
    if not outcome.strip():
        raise ValueError("closing an incident needs what was done")
    seen = item.status
    await lock_row(session, item)
    before = IncidentStatus(item.status)
    to = await _check(session, IncidentAction.CLOSE, item, actor, now, seen)
    item.status = to
    item.updated_at = now
    item.closed_at = now
    item.closed_by = actor
    item.close_reason = outcome.strip()
    if item.first_response_at is None:
        item.first_response_at = now
    session.add(ItemEvent(item_id=item.id, at=now, actor=actor, kind=EventKind.CLOSED, note=outcome.strip(),
                          from_status=before, to_status=to))
    await audit.record(session, now, actor, "close", "incident", item.number, f"{before}->{to}")
    await session.flush()
    return before


async def acknowledged_by(session: AsyncSession, item: Item) -> str | None:
    """Who acknowledged the incident, from its history."""
    row = await session.execute(
        select(ItemEvent.actor).where(ItemEvent.item_id == item.id, ItemEvent.kind == EventKind.ACKNOWLEDGED)
        .order_by(ItemEvent.id).limit(1))
    return row.scalar_one_or_none()


async def open_incidents(session: AsyncSession, *, team: str | None = None) -> list[Item]:
    """Unacknowledged incidents, oldest first; optionally of one team."""
    return await incidents_in(session, (IncidentStatus.OPEN,), team=team)


async def incidents_in(session: AsyncSession, statuses: Sequence[IncidentStatus], *, team: str | None = None,
                       reporter: str | None = None) -> list[Item]:
    """Incidents in ``statuses``, oldest first; optionally of one team or one reporter."""
    stmt = select(Item).where(Item.kind == KIND, Item.status.in_([str(s) for s in statuses]))
    if team is not None:
        stmt = stmt.where(Item.team == team)
    if reporter is not None:
        stmt = stmt.where(Item.requester == reporter)
    return list((await session.execute(stmt.order_by(Item.number))).scalars())


async def incidents_by_branch(session: AsyncSession, statuses: Sequence[IncidentStatus]) -> dict[int, list[Item]]:
    """branch -> :func:`incidents_in` of that branch, for every branch the session sees, in one query."""
    out: dict[int, list[Item]] = {}
    for inc in await incidents_in(session, statuses):
        out.setdefault(inc.branch_id, []).append(inc)
    return out


async def acknowledgements_by_branch(session: AsyncSession, statuses: Sequence[IncidentStatus]) -> dict[int, dict[int, ItemEvent]]:
    """branch -> item id -> the first ``acknowledged`` event of each incident in ``statuses``
    (:func:`acknowledgements` of :func:`incidents_in`), in one query."""
    rows = await session.execute(
        select(ItemEvent).join(Item, Item.id == ItemEvent.item_id)
        .where(Item.kind == KIND, Item.status.in_([str(s) for s in statuses]), ItemEvent.kind == EventKind.ACKNOWLEDGED)
        .order_by(ItemEvent.id))
    out: dict[int, dict[int, ItemEvent]] = {}
    for e in rows.scalars():
        out.setdefault(e.branch_id, {}).setdefault(e.item_id, e)
    return out


async def reported_by(session: AsyncSession, reporter: str, *, limit: int = 10) -> list[Item]:
    """The incidents ``reporter`` reported, newest first."""
    stmt = (select(Item).where(Item.kind == KIND, Item.requester == reporter)
            .order_by(Item.number.desc()).limit(limit))
    return list((await session.execute(stmt)).scalars())


async def acknowledgements(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, ItemEvent]:
    """item id -> its first ``acknowledged`` event."""
    if not item_ids:
        return {}
    rows = await session.execute(
        select(ItemEvent).where(among(session, ItemEvent.item_id, item_ids), ItemEvent.kind == EventKind.ACKNOWLEDGED)
        .order_by(ItemEvent.id))
    out: dict[int, ItemEvent] = {}
    for e in rows.scalars():
        out.setdefault(e.item_id, e)
    return out
