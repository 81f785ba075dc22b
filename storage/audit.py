"""The audit log: every state change and every view of a sensitive record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry
from storage.paging import Page, page
from storage.scope import branch_of


async def record(session: AsyncSession, now: datetime, actor: str, action: str, object_type: str,
                 object_id: str | int, detail: str = "") -> None:
    """Add one line; ``detail`` must not hold health or family details, only what changed."""
    session.add(AuditEntry(at=now, actor=actor, action=action, object_type=object_type,
                           object_id=str(object_id), detail=detail, branch_id=branch_of(session)))


async def write(session: AsyncSession, now: datetime, actor: str, action: str, object_type: str,
                object_id: str | int, detail: str = "") -> None:
    """:func:`record`, written at once by a statement built once rather than by the next flush (a new item's
    line: no flush of its own). What the session holds is flushed first, so the lines keep their order."""
    await session.flush()
    await (await session.connection()).execute(_insert(), dict(
        at=now, actor=actor, action=action, object_type=object_type, object_id=str(object_id), detail=detail,
        branch_id=branch_of(session)))


@cache
def _insert() -> Any:
    return insert(AuditEntry.__table__)


async def record_views(session: AsyncSession, now: datetime, actor: str, object_type: str,
                       object_ids: Sequence[int], detail: str) -> None:
    """One ``view`` line per sensitive record seen."""
    for object_id in object_ids:
        await record(session, now, actor, "view", object_type, object_id, detail)


async def page_of(session: AsyncSession, *, actor: str | None = None, action: str | None = None,
                  object_type: str | None = None, object_id: str | None = None, since: datetime | None = None,
                  until: datetime | None = None, newest_first: bool = False, limit: int | None = 50,
                  offset: int = 0) -> Page[AuditEntry]:
    """Audit lines of the session's branch (all, unscoped), oldest (or newest) first, and how many match;
    ``until`` is exclusive."""
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc() if newest_first else AuditEntry.id)
    if (branch := branch_of(session)) is not None:
        stmt = stmt.where(AuditEntry.branch_id == branch)
    for column, value in ((AuditEntry.actor, actor), (AuditEntry.action, action),
                          (AuditEntry.object_type, object_type), (AuditEntry.object_id, object_id)):
        if value:
            stmt = stmt.where(column == value)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    return await page(session, stmt, limit, offset)


async def entries(session: AsyncSession, *, limit: int | None = 100, offset: int = 0,
                  **where: str | datetime | None) -> list[AuditEntry]:
    """Audit lines, oldest first (the filters of :func:`page_of`)."""
    return (await page_of(session, limit=limit, offset=offset, **where)).rows  # type: ignore[arg-type]


async def kinds(session: AsyncSession) -> tuple[list[str], list[str]]:
    """The actions and the object types that occur (for filter menus)."""
    actions = await session.execute(select(AuditEntry.action).distinct().order_by(AuditEntry.action))
    types = await session.execute(select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type))
    return list(actions.scalars()), list(types.scalars())
