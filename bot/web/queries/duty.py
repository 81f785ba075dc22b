"""Duty rows the workbench needs beyond ``storage.duty``: removing one."""

from __future__ import annotations

from datetime import date

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Duty


async def remove(session: AsyncSession, day: date, userid: str) -> bool:
    """Take ``userid`` off duty on ``day``; False when they were not on it."""
    result = await session.execute(delete(Duty).where(Duty.day == day, Duty.userid == userid))
    return bool(result.rowcount)  # type: ignore[attr-defined]
