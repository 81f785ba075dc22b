"""The secretary's boards in chat (/待办, /逾期): counts in SQL, then one page of items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import Integer, and_, bindparam, case, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import scope
from storage.deeds.lifecycle import ACTIVE, ItemKind
from storage.deeds.models import Item
from storage.deeds.queries import overdue_clause
from storage.deeds.repo import ACCEPT_WITHIN


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
    rows = (await scope.execute(session, _counts, now=now, accept_before=now - ACCEPT_WITHIN)).all()
    return BoardCounts({str(s): int(n) for s, n, _, _ in rows}, sum(int(o or 0) for _, _, o, _ in rows),
                       sum(int(u or 0) for _, _, _, u in rows))


async def board_page(session: AsyncSession, now: datetime, *, overdue: bool, limit: int, offset: int) -> list[Item]:
    """One page of the open deeds (``overdue``: only those overdue), oldest number first (their total is
    :func:`board_counts`': no second count)."""
    params = dict(limit=limit, offset=offset, now=now, accept_before=now - ACCEPT_WITHIN) if overdue else \
        dict(limit=limit, offset=offset)
    return list((await scope.execute(session, _page, overdue, **params)).scalars())


# The statements, built once (the instants and the page are bound parameters): the secretary's /待办 runs both.
def _overdue() -> Any:
    return overdue_clause(bindparam("now", type_=Item.due_at.type), bindparam("accept_before", type_=Item.created_at.type))


def _open_deed() -> Any:
    return and_(Item.kind == ItemKind.DEED.value, or_(*(Item.status == s.value for s in ACTIVE)))  # no IN to expand


@cache
def _counts(bound: bool) -> Any:
    stmt = (select(Item.status, func.count(), func.sum(case((_overdue(), 1), else_=0)),
                   func.sum(case((Item.urgent.is_(True), 1), else_=0)))
            .where(_open_deed()).group_by(Item.status))
    return scope.bound(stmt, Item) if bound else stmt


@cache
def _page(bound: bool, overdue: bool) -> Any:
    stmt = (select(Item).where(_overdue() if overdue else _open_deed()).order_by(Item.number)
            .limit(bindparam("limit", type_=Integer)).offset(bindparam("offset", type_=Integer)))
    return scope.bound(stmt, Item) if bound else stmt
