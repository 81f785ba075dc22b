"""SQL the workbench's pages need beyond the storage modules: aggregates and paged queries, per domain."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select


async def paged(session: AsyncSession, stmt: Select[Any], *order: Any, limit: int | None, offset: int,
                scalars: bool = True) -> tuple[list[Any], int]:
    """One page of ``stmt`` in ``order`` and the number of rows in all (one COUNT over the same filter)."""
    total = int((await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one())
    stmt = stmt.order_by(*order).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    result = await session.execute(stmt)
    return (list(result.scalars()) if scalars else [tuple(r) for r in result.all()]), total
