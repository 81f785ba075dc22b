"""Items (办实事 and incidents) for the workbench: filtered, scoped, paged in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select
from sqlalchemy.sql.elements import ColumnElement

from bot.web.queries import paged
from storage.models import Item, ItemEvent
from storage.reports import ACCEPT_WITHIN, WORKING


def start_of(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def overdue_clause(now: datetime) -> ColumnElement[bool]:
    """As ``storage.reports.is_overdue``: a deed past due while worked on, or not accepted within a day."""
    return and_(Item.kind == "deed", Item.status.in_(WORKING), or_(
        and_(Item.due_at.is_not(None), Item.due_at < now),
        and_(Item.status == "submitted", Item.created_at < now - ACCEPT_WITHIN)))


@dataclass(frozen=True)
class ItemFilter:
    status: str | None = None  # a status, or "open" meaning not closed (deeds and incidents)
    owner: str | None = None
    category: str | None = None
    kind: str | None = None
    overdue: bool | None = None
    since: date | None = None  # created on or after
    until: date | None = None  # created on or before
    closed_in: date | None = None  # first day of the month it was closed in
    satisfaction: str | None = None
    text: str | None = None  # "#12" / "12" or words of the title or text


def _filtered(f: ItemFilter, scope: ColumnElement[bool] | None, now: datetime, tz: ZoneInfo) -> Select[tuple[Item]]:
    stmt = select(Item)
    if scope is not None:
        stmt = stmt.where(scope)
    if f.status == "active":
        stmt = stmt.where(Item.status != "closed")
    elif f.status:
        stmt = stmt.where(Item.status == f.status)
    for column, value in ((Item.owner, f.owner), (Item.category, f.category), (Item.kind, f.kind),
                          (Item.satisfaction, f.satisfaction)):
        if value:
            stmt = stmt.where(column == value)
    if f.overdue is not None:
        late = overdue_clause(now)
        stmt = stmt.where(late if f.overdue else ~late)
    if f.since is not None:
        stmt = stmt.where(Item.created_at >= start_of(f.since, tz))
    if f.until is not None:
        stmt = stmt.where(Item.created_at < start_of(f.until + timedelta(days=1), tz))
    if f.closed_in is not None:
        stmt = stmt.where(Item.closed_at >= start_of(f.closed_in, tz),
                          Item.closed_at < start_of(next_month(f.closed_in), tz))
    if f.text:
        number = f.text.lstrip("#＃").strip()
        words = or_(Item.title.contains(f.text, autoescape=True), Item.text.contains(f.text, autoescape=True))
        stmt = stmt.where(or_(Item.number == int(number), words) if number.isdigit() and len(number) < 9 else words)
    return stmt


async def items(session: AsyncSession, f: ItemFilter, scope: ColumnElement[bool] | None, now: datetime,
                tz: ZoneInfo, limit: int | None, offset: int) -> tuple[list[Item], int]:
    """Items matching ``f`` within ``scope``, newest first, and how many there are in all."""
    return await paged(session, _filtered(f, scope, now, tz), Item.number.desc(), limit=limit, offset=offset)


async def history(session: AsyncSession, item_id: int) -> list[ItemEvent]:
    stmt = select(ItemEvent).where(ItemEvent.item_id == item_id).order_by(ItemEvent.at, ItemEvent.id)
    return list((await session.execute(stmt)).scalars())
