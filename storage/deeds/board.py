"""The secretary's boards in chat (/待办, /逾期): counts in SQL, then one page of items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deeds.lifecycle import ACTIVE, ItemKind
from storage.deeds.models import Item
from storage.deeds.queries import overdue_clause


@dataclass(frozen=True)
class BoardCounts:
    by_status: dict[str, int]  # the open deeds per status (those with none left out)
    overdue: int
    urgent: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


async def board_counts(session: AsyncSession, now: datetime) -> BoardCounts:
    """The branch's open deeds per status, and how many of them are overdue or urgent: one statement."""
    open_deed = and_(Item.kind == ItemKind.DEED, Item.status.in_(ACTIVE))
    stmt = (select(Item.status, func.count(),
                   func.sum(case((overdue_clause(now), 1), else_=0)),
                   func.sum(case((Item.urgent.is_(True), 1), else_=0)))
            .where(open_deed).group_by(Item.status))
    rows = (await session.execute(stmt)).all()
    return BoardCounts({str(s): int(n) for s, n, _, _ in rows}, sum(int(o or 0) for _, _, o, _ in rows),
                       sum(int(u or 0) for _, _, _, u in rows))


async def board_page(session: AsyncSession, now: datetime, *, overdue: bool, limit: int, offset: int) -> list[Item]:
    """One page of the open deeds (``overdue``: only those overdue), oldest number first (their total is
    :func:`board_counts`': no second count)."""
    stmt = select(Item).where(overdue_clause(now) if overdue else and_(Item.kind == ItemKind.DEED,
                                                                         Item.status.in_(ACTIVE)))
    return list((await session.execute(stmt.order_by(Item.number).limit(limit).offset(offset))).scalars())
