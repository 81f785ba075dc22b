"""Shared access-token row, so several processes refresh the token once."""

from __future__ import annotations

import zlib
from datetime import datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WeComToken


async def read(session: AsyncSession, name: str) -> tuple[str, datetime] | None:
    row = await session.get(WeComToken, name, populate_existing=True)
    return (row.token, row.expires_at) if row else None


async def write(session: AsyncSession, name: str, token: str, expires_at: datetime) -> None:
    row = await session.get(WeComToken, name)
    if row is None:
        session.add(WeComToken(name=name, token=token, expires_at=expires_at))
    else:
        row.token, row.expires_at = token, expires_at
    await session.flush()


async def lock(session: AsyncSession, name: str) -> None:
    """Serialise refreshes across processes for this transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction
    already starts with BEGIN IMMEDIATE, which holds the database write lock.
    """
    if session.bind.dialect.name == "postgresql":
        await session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": zlib.crc32(name.encode())})
