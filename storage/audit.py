"""The audit log: every state change and every view of a sensitive record."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


async def record(session: AsyncSession, now: datetime, actor: str, action: str, object_type: str,
                 object_id: str | int, detail: str = "") -> None:
    """Add one line; ``detail`` must not hold health or family details, only what changed."""
    session.add(AuditEntry(at=now, actor=actor, action=action, object_type=object_type,
                           object_id=str(object_id), detail=detail))


async def entries(session: AsyncSession, *, object_type: str | None = None, object_id: str | None = None,
                  actor: str | None = None, since: datetime | None = None, until: datetime | None = None,
                  limit: int = 100, offset: int = 0) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if object_id:
        stmt = stmt.where(AuditEntry.object_id == object_id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if since:
        stmt = stmt.where(AuditEntry.at >= since)
    if until:
        stmt = stmt.where(AuditEntry.at < until)
    return list((await session.execute(stmt.limit(limit).offset(offset))).scalars())
