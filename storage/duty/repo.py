"""Duty roster (值班) and incidents (突发事件) repository.

Incidents are ``Item`` rows with ``kind='incident'``; they share the ``#N`` numbering
with practical-deed items through the ``counters`` row named ``item``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.deeds import repo as items
from storage.deeds.models import Item, ItemEvent
from storage.duty.models import Duty

COUNTER = "item"
KIND = "incident"
OPEN = "open"
ACKNOWLEDGED = "acknowledged"
CLOSED = "closed"
TITLE_CHARS = 40


# --- numbering -----------------------------------------------------------------


async def next_number(session: AsyncSession) -> int:
    """The next ``#N`` from the counter incidents share with deeds."""
    return await items.next_number(session)


# --- duty ----------------------------------------------------------------------


@dataclass(frozen=True)
class DutyEntry:
    day: date
    userid: str
    phone: str = ""
    note: str = ""


def _entry(d: Duty) -> DutyEntry:
    return DutyEntry(d.day, d.userid, d.phone or "", d.note or "")


async def upsert(session: AsyncSession, day: date, userid: str, *, phone: str | None = None,
                 note: str | None = None) -> bool:
    """Put ``userid`` on duty on ``day``; ``None`` leaves a field as it is. Returns True if created."""
    row = (await session.execute(select(Duty).where(Duty.day == day, Duty.userid == userid))).scalar_one_or_none()
    if row is None:
        session.add(Duty(day=day, userid=userid, phone=phone or "", note=note or ""))
        await session.flush()
        return True
    if phone is not None:
        row.phone = phone
    if note is not None:
        row.note = note
    await session.flush()
    return False


async def upsert_many(session: AsyncSession, entries: Iterable[DutyEntry]) -> tuple[int, int]:
    """Upsert whole rows (phone and note as given); returns ``(created, updated)``."""
    created = updated = 0
    for e in entries:
        if await upsert(session, e.day, e.userid, phone=e.phone, note=e.note):
            created += 1
        else:
            updated += 1
    return created, updated


async def on_day(session: AsyncSession, day: date) -> list[DutyEntry]:
    rows = await session.execute(select(Duty).where(Duty.day == day).order_by(Duty.id))
    return [_entry(d) for d in rows.scalars()]


async def between(session: AsyncSession, first: date, last: date) -> list[DutyEntry]:
    """Duty rows from ``first`` to ``last`` inclusive, by day."""
    rows = await session.execute(
        select(Duty).where(Duty.day >= first, Duty.day <= last).order_by(Duty.day, Duty.id))
    return [_entry(d) for d in rows.scalars()]


# --- incidents -----------------------------------------------------------------


def _title(text: str) -> str:
    one_line = " ".join(text.split())
    return one_line if len(one_line) <= TITLE_CHARS else one_line[: TITLE_CHARS - 1] + "…"


async def create_incident(session: AsyncSession, *, reporter: str, team: str, text: str, urgent: bool,
                          now: datetime, owner: str | None = None, category: str = "safety",
                          alerted: Iterable[str] = ()) -> Item:
    """Log a new incident (status ``open``) with its own ``#N``, its history and an audit line."""
    number = await next_number(session)
    item = Item(number=number, kind=KIND, category=category, requester=reporter, owner=owner, team=team,
                title=_title(text), text=text, status=OPEN, urgent=urgent, created_at=now, updated_at=now)
    session.add(item)
    await session.flush()
    session.add(ItemEvent(item_id=item.id, at=now, actor=reporter, kind="reported",
                          note="通知：" + ",".join(alerted), from_status=None, to_status=OPEN))
    await audit.record(session, now, reporter, "create", "incident", number, f"urgent={int(urgent)}")
    await session.flush()
    return item


async def get_item(session: AsyncSession, number: int) -> Item | None:
    """Any item (deed or incident) by its ``#N``."""
    return (await session.execute(select(Item).where(Item.number == number))).scalar_one_or_none()


async def get_incident(session: AsyncSession, number: int) -> Item | None:
    item = await get_item(session, number)
    return item if item is not None and item.kind == KIND else None


async def acknowledge(session: AsyncSession, item: Item, actor: str, now: datetime) -> bool:
    """``open`` -> ``acknowledged``; False if it was not open (someone was first)."""
    result = await session.execute(
        update(Item).where(Item.id == item.id, Item.status == OPEN)
        .values(status=ACKNOWLEDGED, updated_at=now, first_response_at=now)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        await session.refresh(item)
        return False
    await session.refresh(item)
    session.add(ItemEvent(item_id=item.id, at=now, actor=actor, kind="acknowledged", note="",
                          from_status=OPEN, to_status=ACKNOWLEDGED))
    await audit.record(session, now, actor, "acknowledge", "incident", item.number, f"{OPEN}->{ACKNOWLEDGED}")
    await session.flush()
    return True


async def acknowledged_by(session: AsyncSession, item: Item) -> str | None:
    """Who acknowledged the incident, from its history."""
    row = await session.execute(
        select(ItemEvent.actor).where(ItemEvent.item_id == item.id, ItemEvent.kind == "acknowledged")
        .order_by(ItemEvent.id).limit(1))
    return row.scalar_one_or_none()


async def open_incidents(session: AsyncSession, *, team: str | None = None) -> list[Item]:
    """Unacknowledged incidents, oldest first; optionally of one team."""
    stmt = select(Item).where(Item.kind == KIND, Item.status == OPEN)
    if team is not None:
        stmt = stmt.where(Item.team == team)
    return list((await session.execute(stmt.order_by(Item.number))).scalars())


async def acknowledgements(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, ItemEvent]:
    """item id -> its first ``acknowledged`` event."""
    if not item_ids:
        return {}
    rows = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id.in_(list(item_ids)), ItemEvent.kind == "acknowledged")
        .order_by(ItemEvent.id))
    out: dict[int, ItemEvent] = {}
    for e in rows.scalars():
        out.setdefault(e.item_id, e)
    return out
