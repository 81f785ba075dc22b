"""The duty rota (值班表): who is on duty on a day and how to reach them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.duty.models import Duty


@dataclass(frozen=True)
class DutyEntry:
    day: date
    userid: str
    phone: str = ""
    note: str = ""


def _entry(d: Duty) -> DutyEntry:
    return DutyEntry(d.day, d.userid, d.phone or "", d.note or "")


async def upsert(session: AsyncSession, day: date, userid: str, *, phone: str | None = None,
                 note: str | None = None) -> bool:
    """Put ``userid`` on duty on ``day``; ``None`` leaves a field as it is. Returns True if created."""
    row = (await session.execute(select(Duty).where(Duty.day == day, Duty.userid == userid))).scalar_one_or_none()
    if row is None:
        session.add(Duty(day=day, userid=userid, phone=phone or "", note=note or ""))
        await session.flush()
        return True
    if phone is not None:
        row.phone = phone
    if note is not None:
        row.note = note
    await session.flush()
    return False


async def put_on_duty(session: AsyncSession, day: date, userid: str, *, actor: str, now: datetime,
                      phone: str | None = None, note: str | None = None) -> bool:
    """The secretary's 排班 (chat or workbench): :func:`upsert`, audited. True if created."""
    created = await upsert(session, day, userid, phone=phone, note=note)
    await audit.record(session, now, actor, "create" if created else "update", "duty", f"{day.isoformat()}:{userid}",
                       "phone" if phone else "")
    return created


async def take_off_duty(session: AsyncSession, day: date, userid: str, *, actor: str, now: datetime) -> bool:
    """Take ``userid`` off duty on ``day``, audited; False when they were not on it."""
    result = await session.execute(delete(Duty).where(Duty.day == day, Duty.userid == userid))
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    await audit.record(session, now, actor, "delete", "duty", f"{day.isoformat()}:{userid}")
    return True


async def upsert_many(session: AsyncSession, entries: Iterable[DutyEntry]) -> tuple[int, int]:
    """Upsert whole rows (phone and note as given); returns ``(created, updated)``."""
    created = updated = 0
    for e in entries:
        if await upsert(session, e.day, e.userid, phone=e.phone, note=e.note):
            created += 1
        else:
            updated += 1
    return created, updated


async def on_day(session: AsyncSession, day: date) -> list[DutyEntry]:
    rows = await session.execute(select(Duty).where(Duty.day == day).order_by(Duty.id))
    return [_entry(d) for d in rows.scalars()]


async def between(session: AsyncSession, first: date, last: date) -> list[DutyEntry]:
    """Duty rows from ``first`` to ``last`` inclusive, by day."""
    rows = await session.execute(
        select(Duty).where(Duty.day >= first, Duty.day <= last).order_by(Duty.day, Duty.id))
    return [_entry(d) for d in rows.scalars()]
