"""Read-side queries over the ledger and visits for the admin API, the export and /我的."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.models import CareEntry, Visit
from storage.deeds.lifecycle import DeedStatus
from storage.deeds.models import Item
from storage.duty.lifecycle import IncidentStatus
from storage.paging import Page, page

ITEM_CLOSED = (DeedStatus.CLOSED, IncidentStatus.CLOSED)


def _equal(*pairs: tuple[Any, Any]) -> list[Any]:
    """``column == value`` for each pair whose value is given (a filter left empty is no filter)."""
    return [column == value for column, value in pairs if value]


async def care_entries(session: AsyncSession, *, status: str | None = None, responsible: str | None = None,
                       category: str | None = None, limit: int | None = 50, offset: int = 0) -> Page[CareEntry]:
    where = _equal((CareEntry.status, status), (CareEntry.responsible, responsible), (CareEntry.category, category))
    return await page(session, select(CareEntry).where(*where).order_by(CareEntry.id), limit, offset)


async def visits(session: AsyncSession, *, member: str | None = None, person: str | None = None,
                 day_from: date | None = None, day_to: date | None = None, limit: int | None = 50,
                 offset: int = 0) -> Page[Visit]:
    """Visits, newest first; ``day_from``/``day_to`` inclusive on the visit date."""
    where = _equal((Visit.member, member), (Visit.person, person))
    if day_from is not None:
        where.append(Visit.visited_on >= day_from)
    if day_to is not None:
        where.append(Visit.visited_on <= day_to)
    stmt = select(Visit).where(*where).order_by(Visit.visited_on.desc(), Visit.id.desc())
    return await page(session, stmt, limit, offset)


async def sensitive_entry_ids(session: AsyncSession, entry_ids: Sequence[int | None]) -> set[int]:
    """Which of these care entries are sensitive."""
    ids = [i for i in entry_ids if i is not None]
    if not ids:
        return set()
    rows = await session.execute(select(CareEntry.id).where(CareEntry.id.in_(ids), CareEntry.sensitive.is_(True)))
    return set(rows.scalars())


async def open_items_owned(session: AsyncSession, owner: str) -> list[Item]:
    """Items (deeds, incidents) assigned to ``owner`` that are not closed, by number (for /我的)."""
    rows = await session.execute(select(Item).where(Item.owner == owner, Item.status.not_in(ITEM_CLOSED))
                                 .order_by(Item.number))
    return list(rows.scalars())
