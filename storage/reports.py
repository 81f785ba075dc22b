"""Read-only queries for the admin API and the Excel export (no writes here, except view auditing)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Select

from storage import audit
from storage.models import AuditEntry, CareEntry, Item, ItemEvent, Person, Visit

T = TypeVar("T")

# Mirrors storage.items: the owner still has work to do; not accepted within a day is overdue too.
WORKING = ("submitted", "accepted", "in_progress", "reopened")
ACCEPT_WITHIN = timedelta(days=1)

ITEM_STATUS_CN: dict[str, str] = {
    "submitted": "已受理待接单",
    "accepted": "已接单",
    "in_progress": "办理中",
    "resolved": "已办好待确认",
    "closed": "已办结",
    "reopened": "重新办理",
    "open": "待确认",
    "acknowledged": "已确认",
}
ITEM_KIND_CN = {"deed": "办实事", "incident": "突发事件"}
CATEGORY_CN: dict[str, str] = {
    "canteen": "食堂", "facilities": "设施", "commute": "通勤", "pay_welfare": "薪酬福利", "safety": "安全",
    "housing": "住宿", "workload": "工作量", "other": "其他",
    "illness": "住院/疾病", "hardship": "生活困难", "bereavement": "家中丧事", "celebration": "喜事",
    "retirement": "退休", "emotional": "情绪/心理",
}
CARE_STATUS_CN = {"active": "关注中", "resolved": "已解除"}
CARE_SOURCE_CN = {"self": "本人反映", "tip": "他人反映", "member": "党员登记", "roster": "名册导入"}
SATISFACTION_CN = {"satisfied": "满意", "unsatisfied": "不满意"}
ITEM_EVENT_CN = {
    "created": "提交", "reported": "报告", "accepted": "接单", "progress": "进展", "resolved": "办好",
    "confirmed": "确认满意", "reopened": "重新办理", "closed_by_hand": "书记销号", "assigned": "改派",
    "note": "补充", "merged": "补充情况", "urged": "催办", "acknowledged": "确认收到",
}


def cn(table: dict[str, str], key: str | None) -> str:
    """The Chinese label of ``key``, or ``key`` itself when there is none."""
    if key is None:
        return ""
    return table.get(key, key)


@dataclass(frozen=True)
class Page(Generic[T]):
    rows: list[T]
    total: int


async def _page(session: AsyncSession, stmt: Select[Any], limit: int | None, offset: int) -> Page[Any]:
    total = int((await session.execute(select(func.count()).select_from(stmt.order_by(None).subquery()))).scalar_one())
    if limit is not None:
        stmt = stmt.limit(limit)
    rows = list((await session.execute(stmt.offset(offset))).scalars())
    return Page(rows, total)


async def names(session: AsyncSession) -> dict[str, str]:
    """userid -> name of everyone in the roster."""
    return {u: n for u, n in (await session.execute(select(Person.userid, Person.name))).all()}


async def teams(session: AsyncSession) -> dict[str, str]:
    """userid -> team of everyone in the roster."""
    return {u: t for u, t in (await session.execute(select(Person.userid, Person.team))).all()}


# --- items ---------------------------------------------------------------------


def is_overdue(item: Item, now: datetime) -> bool:
    """Past due while the owner still works on it, or not accepted within a day (deeds only)."""
    if item.kind != "deed" or item.status not in WORKING:
        return False
    if item.due_at is not None and item.due_at < now:
        return True
    return item.status == "submitted" and item.created_at + ACCEPT_WITHIN < now


async def items(session: AsyncSession, *, now: datetime, status: Sequence[str] | None = None,
                owner: str | None = None, category: str | None = None, kind: str | None = None,
                overdue: bool | None = None, created_from: datetime | None = None,
                created_to: datetime | None = None, limit: int | None = 50, offset: int = 0) -> Page[Item]:
    """Items by number; ``created_to`` is exclusive; ``overdue`` uses :func:`is_overdue`'s rule."""
    stmt = select(Item).order_by(Item.number)
    if status:
        stmt = stmt.where(Item.status.in_(list(status)))
    if owner:
        stmt = stmt.where(Item.owner == owner)
    if category:
        stmt = stmt.where(Item.category == category)
    if kind:
        stmt = stmt.where(Item.kind == kind)
    if created_from is not None:
        stmt = stmt.where(Item.created_at >= created_from)
    if created_to is not None:
        stmt = stmt.where(Item.created_at < created_to)
    if overdue is not None:
        late = and_(Item.kind == "deed", Item.status.in_(WORKING), or_(
            and_(Item.due_at.is_not(None), Item.due_at < now),
            and_(Item.status == "submitted", Item.created_at < now - ACCEPT_WITHIN)))
        stmt = stmt.where(late if overdue else ~late)
    return await _page(session, stmt, limit, offset)


async def item(session: AsyncSession, number: int) -> tuple[Item, list[ItemEvent]] | None:
    """One item by ``#N`` with its history, oldest first."""
    found = (await session.execute(select(Item).where(Item.number == number))).scalar_one_or_none()
    if found is None:
        return None
    events = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id == found.id).order_by(ItemEvent.at, ItemEvent.id))
    return found, list(events.scalars())


async def acknowledgements(session: AsyncSession, item_ids: Sequence[int]) -> dict[int, ItemEvent]:
    """item id -> its first ``acknowledged`` event (incidents)."""
    if not item_ids:
        return {}
    rows = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id.in_(list(item_ids)), ItemEvent.kind == "acknowledged")
        .order_by(ItemEvent.id))
    out: dict[int, ItemEvent] = {}
    for e in rows.scalars():
        out.setdefault(e.item_id, e)
    return out


# --- care ----------------------------------------------------------------------


async def care_entries(session: AsyncSession, *, status: str | None = None, responsible: str | None = None,
                       category: str | None = None, limit: int | None = 50, offset: int = 0) -> Page[CareEntry]:
    stmt = select(CareEntry).order_by(CareEntry.id)
    if status:
        stmt = stmt.where(CareEntry.status == status)
    if responsible:
        stmt = stmt.where(CareEntry.responsible == responsible)
    if category:
        stmt = stmt.where(CareEntry.category == category)
    return await _page(session, stmt, limit, offset)


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
    return await _page(session, stmt, limit, offset)


async def sensitive_entry_ids(session: AsyncSession, entry_ids: Sequence[int | None]) -> set[int]:
    """Which of these care entries are sensitive."""
    ids = [i for i in entry_ids if i is not None]
    if not ids:
        return set()
    rows = await session.execute(select(CareEntry.id).where(CareEntry.id.in_(ids), CareEntry.sensitive.is_(True)))
    return set(rows.scalars())


async def record_views(session: AsyncSession, now: datetime, actor: str, object_type: str,
                       object_ids: Sequence[int], detail: str) -> None:
    """One audit line per sensitive record viewed."""
    for object_id in object_ids:
        await audit.record(session, now, actor, "view", object_type, object_id, detail)


# --- audit ---------------------------------------------------------------------


async def audit_entries(session: AsyncSession, *, actor: str | None = None, object_type: str | None = None,
                        since: datetime | None = None, until: datetime | None = None, limit: int | None = 50,
                        offset: int = 0) -> Page[AuditEntry]:
    """Audit lines, oldest first; ``until`` is exclusive."""
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    if actor:
        stmt = stmt.where(AuditEntry.actor == actor)
    if object_type:
        stmt = stmt.where(AuditEntry.object_type == object_type)
    if since is not None:
        stmt = stmt.where(AuditEntry.at >= since)
    if until is not None:
        stmt = stmt.where(AuditEntry.at < until)
    return await _page(session, stmt, limit, offset)
