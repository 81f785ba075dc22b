"""The audit log, newest first, filtered and paged in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.web.queries import paged
from bot.web.queries.deeds import start_of
from storage.models import AuditEntry


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    object_type: str | None = None
    since: date | None = None
    until: date | None = None


async def entries(session: AsyncSession, f: AuditFilter, tz: ZoneInfo, limit: int | None,
                  offset: int) -> tuple[list[AuditEntry], int]:
    stmt = select(AuditEntry)
    for column, value in ((AuditEntry.actor, f.actor), (AuditEntry.action, f.action),
                          (AuditEntry.object_type, f.object_type)):
        if value:
            stmt = stmt.where(column == value)
    if f.since is not None:
        stmt = stmt.where(AuditEntry.at >= start_of(f.since, tz))
    if f.until is not None:
        stmt = stmt.where(AuditEntry.at < start_of(f.until + timedelta(days=1), tz))
    return await paged(session, stmt, AuditEntry.id.desc(), limit=limit, offset=offset)


async def kinds(session: AsyncSession) -> tuple[list[str], list[str]]:
    """The actions and object types that occur (for the filter menus)."""
    actions = await session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = await session.execute(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type))
    return list(actions.scalars()), list(types.scalars())
