"""One process runs the sweeps at a time: a PostgreSQL advisory lock, or a lease row on SQLite."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import Lock


@asynccontextmanager
async def sweep_lock(db: Database, name: str, holder: str, lease: timedelta = timedelta(minutes=10)) -> AsyncIterator[bool]:
    """Yields True if this holder got the lock (and holds it for the block), else False at once."""
    if db.dialect == "postgresql":
        key = zlib.crc32(f"sijing:{name}".encode())
        async with db.engine.connect() as conn:
            got = bool(await conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}))
            await conn.commit()
            try:
                yield got
            finally:
                if got:
                    await conn.scalar(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
                    await conn.commit()
        return
    now = datetime.now(timezone.utc)
    async with db.sessions() as session, session.begin():
        stmt = sqlite_insert(Lock).values(name=name, holder=holder, expires_at=now + lease)
        stmt = stmt.on_conflict_do_update(
            index_elements=["name"],
            set_={"holder": holder, "expires_at": now + lease},
            where=(Lock.expires_at < now) | (Lock.holder == holder),
        )
        await session.execute(stmt)
        current = (await session.execute(select(Lock.holder).where(Lock.name == name))).scalar_one()
    got = current == holder
    try:
        yield got
    finally:
        if got:
            async with db.sessions() as session, session.begin():
                await session.execute(delete(Lock).where(Lock.name == name, Lock.holder == holder))
