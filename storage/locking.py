"""Row locks for state changes: the check and the write see the same row, whoever acts at the same moment."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

R = TypeVar("R")


async def lock_row(session: AsyncSession, row: R) -> R:
    """``row`` (a mapped object with an ``id``), re-read ``FOR UPDATE`` — the same object, refreshed.

    PostgreSQL holds the lock until the transaction ends; SQLite ignores ``FOR UPDATE`` and
    serialises writers itself.
    """
    model: Any = type(row)
    stmt = select(model).where(model.id == row.id).with_for_update().execution_options(populate_existing=True)
    return (await session.execute(stmt)).scalar_one()  # type: ignore[no-any-return]
