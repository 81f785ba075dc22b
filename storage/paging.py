"""One page of rows and the total they were cut from."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int


async def page(session: AsyncSession, stmt: Select[Any], limit: int | None, offset: int, *,
               scalars: bool = True) -> Page[Any]:
    """Run ``stmt`` for one page (``limit=None``: all rows) and count what it matches (one COUNT over the
    same filter); ``scalars=False`` gives each row as a tuple (a statement selecting several things)."""
    result = await session.execute(stmt.limit(limit).offset(offset) if limit is not None else stmt.offset(offset))
    rows = list(result.scalars()) if scalars else [tuple(r) for r in result.all()]
    if (limit is None or len(rows) < limit) and (offset == 0 or rows):
        return Page(rows, offset + len(rows))  # the whole match is here: no COUNT needed
    total = int((await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one())
    return Page(rows, total)
