"""Read-side queries over the ledger and visits for the admin API and the export."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.care.models import CareEntry, Visit
from storage.paging import Page, page
from storage.vocab import cn  # noqa: F401 - re-exported for the API and export

CATEGORY_CN: dict[str, str] = {
    "illness": "住院/疾病", "hardship": "生活困难", "bereavement": "家中丧事", "celebration": "喜事",
    "retirement": "退休", "emotional": "情绪/心理", "other": "其他",
}
CARE_STATUS_CN = {"active": "关注中", "resolved": "已解除"}
CARE_SOURCE_CN = {"self": "本人反映", "tip": "他人反映", "member": "党员登记", "roster": "名册导入"}


async def care_entries(session: AsyncSession, *, status: str | None = None, responsible: str | None = None,
                       category: str | None = None, limit: int | None = 50, offset: int = 0) -> Page[CareEntry]:
    stmt = select(CareEntry).order_by(CareEntry.id)
    if status:
        stmt = stmt.where(CareEntry.status == status)
    if responsible:
        stmt = stmt.where(CareEntry.responsible == responsible)
    if category:
        stmt = stmt.where(CareEntry.category == category)
    return await page(session, stmt, limit, offset)


async def visits(session: AsyncSession, *, member: str | None = None, person: str | None = None,
                 day_from: date | None = None, day_to: date | None = None, limit: int | None = 50,
                 offset: int = 0) -> Page[Visit]:
    """Visits, newest first; ``day_from``/``day_to`` inclusive on the visit date."""
    stmt = select(Visit).order_by(Visit.visited_on.desc(), Visit.id.desc())
    if member:
        stmt = stmt.where(Visit.member == member)
    if person:
        stmt = stmt.where(Visit.person == person)
    if day_from is not None:
        stmt = stmt.where(Visit.visited_on >= day_from)
    if day_to is not None:
        stmt = stmt.where(Visit.visited_on <= day_to)
    return await page(session, stmt, limit, offset)


async def sensitive_entry_ids(session: AsyncSession, entry_ids: Sequence[int | None]) -> set[int]:
    """Which of these care entries are sensitive."""
    ids = [i for i in entry_ids if i is not None]
    if not ids:
        return set()
    rows = await session.execute(select(CareEntry.id).where(CareEntry.id.in_(ids), CareEntry.sensitive.is_(True)))
    return set(rows.scalars())
