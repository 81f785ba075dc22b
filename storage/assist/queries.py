"""Read-side queries of 精准帮扶 for the API, the export, the workbench and the digest."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from storage.assist.lifecycle import ProjectStatus
from storage.assist.models import Project, ProjectUpdate
from storage.paging import Page, page


async def list_projects(session: AsyncSession, *, status: Sequence[str] | None = None, lead: str | None = None,
                        created_from: datetime | None = None, created_to: datetime | None = None,
                        scope: ColumnElement[bool] | None = None, active_first: bool = False,
                        limit: int | None = 50, offset: int = 0) -> Page[Project]:
    """Projects by number (``active_first``: active ones, then the newest first); ``created_to`` is exclusive;
    ``scope`` is a visibility condition (the workbench's viewer)."""
    conditions = [
        Project.status.in_(list(status)) if status else None,
        Project.lead == lead if lead else None,
        Project.created_at >= created_from if created_from is not None else None,
        Project.created_at < created_to if created_to is not None else None,
        scope,
    ]
    order = (Project.status, Project.number.desc()) if active_first else (Project.number,)
    stmt = select(Project).where(*(c for c in conditions if c is not None)).order_by(*order)
    return await page(session, stmt, limit, offset)


async def all_updates(session: AsyncSession) -> list[ProjectUpdate]:
    stmt = select(ProjectUpdate).order_by(ProjectUpdate.project_id, ProjectUpdate.at, ProjectUpdate.id)
    return list((await session.execute(stmt)).scalars())


async def closed_between(session: AsyncSession, start: datetime, end: datetime) -> list[Project]:
    stmt = select(Project).where(Project.status == ProjectStatus.CLOSED, Project.closed_at >= start,
                                 Project.closed_at < end)
    return list((await session.execute(stmt.order_by(Project.number))).scalars())


async def any_projects(session: AsyncSession) -> bool:
    return (await session.execute(select(Project.id).limit(1))).first() is not None
