"""Read-side queries over items for the admin API, the export, the digest and the sweeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from storage.deeds.models import Item, ItemEvent
from storage.deeds.lifecycle import WORKING, DeedStatus, ItemKind
from storage.deeds.repo import ACCEPT_WITHIN
from storage.paging import Page, page


async def items(session: AsyncSession, *, now: datetime, status: Sequence[str] | None = None,
                owner: str | None = None, category: str | None = None, kind: str | None = None,
                overdue: bool | None = None, created_from: datetime | None = None,
                created_to: datetime | None = None, limit: int | None = 50, offset: int = 0) -> Page[Item]:
    """Items by number; ``created_to`` is exclusive; ``overdue`` uses ``repo.is_overdue``'s rule."""
    stmt = select(Item).order_by(Item.number)
    if status:
        stmt = stmt.where(Item.status.in_(list(status)))
    if owner:
        stmt = stmt.where(Item.owner == owner)
    if category:
        stmt = stmt.where(Item.category == category)
    if kind:
        stmt = stmt.where(Item.kind == kind)
    if created_from is not None:
        stmt = stmt.where(Item.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(Item.created_at < created_to)
    if overdue is not None:
        stmt = stmt.where(late(now) if overdue else ~late(now))
    return await page(session, stmt, limit, offset)


def late(now: datetime) -> ColumnElement[bool]:
    """``repo.is_overdue`` as SQL: a deed still being worked on, past due or not accepted within a day."""
    return and_(Item.kind == ItemKind.DEED, Item.status.in_(WORKING), or_(
        and_(Item.due_at.is_not(None), Item.due_at < now),
        and_(Item.status == DeedStatus.SUBMITTED, Item.created_at < now - ACCEPT_WITHIN)))


async def item(session: AsyncSession, number: int) -> tuple[Item, list[ItemEvent]] | None:
    """One item by ``#N`` with its history, oldest first."""
    found = (await session.execute(select(Item).where(Item.number == number))).scalar_one_or_none()
    if found is None:
        return None
    events = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id == found.id).order_by(ItemEvent.at, ItemEvent.id))
    return found, list(events.scalars())


async def open_deeds(session: AsyncSession) -> list[Item]:
    """Deeds not closed yet (the owner still works on them, or the requester has to confirm)."""
    rows = await session.execute(
        select(Item).where(Item.kind == ItemKind.DEED, Item.status.in_((*WORKING, DeedStatus.RESOLVED))).order_by(Item.number)
    )
    return list(rows.scalars())


@dataclass(frozen=True)
class DeedFigures:
    new: int
    resolved: int
    closed: int
    reopened: int
    overdue: int
    satisfied: int
    unsatisfied: int

    @property
    def satisfaction(self) -> float | None:
        total = self.satisfied + self.unsatisfied
        return self.satisfied / total if total else None


async def deed_figures(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> DeedFigures:
    """Deed figures for ``[start, end)``; overdue counts as of ``now``."""
    rows = list((await session.execute(select(Item).where(Item.kind == ItemKind.DEED))).scalars())
    reopen_events = (await session.execute(
        select(func.count()).select_from(ItemEvent).where(
            ItemEvent.to_status == DeedStatus.REOPENED, ItemEvent.at >= start, ItemEvent.at < end)
    )).scalar_one()

    def within(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    return DeedFigures(
        new=sum(within(i.created_at) for i in rows),
        resolved=sum(within(i.resolved_at) for i in rows),
        closed=sum(within(i.closed_at) for i in rows),
        reopened=int(reopen_events),
        overdue=sum(1 for i in rows if i.status in WORKING and i.due_at is not None and i.due_at < now),
        satisfied=sum(1 for i in rows if within(i.closed_at) and i.satisfaction == "satisfied"),
        unsatisfied=int(reopen_events),
    )
