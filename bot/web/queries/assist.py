"""Assistance projects for the workbench, scoped and paged in SQL."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from bot.web.queries import paged
from storage.models import Project


async def projects(session: AsyncSession, scope: ColumnElement[bool] | None, status: str | None,
                   limit: int | None, offset: int) -> tuple[list[Project], int]:
    stmt = select(Project)
    if scope is not None:
        stmt = stmt.where(scope)
    if status:
        stmt = stmt.where(Project.status == status)
    return await paged(session, stmt, Project.status, Project.number.desc(), limit=limit, offset=offset)
