"""Read-side queries over items for the admin API, the export, the digest and the sweeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.deeds.models import Item, ItemEvent
from storage.deeds.repo import ACCEPT_WITHIN, WORKING
from storage.paging import Page, page
from storage.vocab import cn  # noqa: F401 - re-exported for the API and export

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
}
SATISFACTION_CN = {"satisfied": "满意", "unsatisfied": "不满意"}
ITEM_EVENT_CN = {
    "created": "提交", "reported": "报告", "accepted": "接单", "progress": "进展", "resolved": "办好",
    "confirmed": "确认满意", "reopened": "重新办理", "closed_by_hand": "书记销号", "assigned": "改派",
    "note": "补充", "merged": "补充情况", "urged": "催办", "acknowledged": "确认收到",
}



async def items(session: AsyncSession, *, now: datetime, status: Sequence[str] | None = None,
                owner: str | None = None, category: str | None = None, kind: str | None = None,
                overdue: bool | None = None, created_from: datetime | None = None,
                created_to: datetime | None = None, limit: int | None = 50, offset: int = 0) -> Page[Item]:
    """Items by number; ``created_to`` is exclusive; ``overdue`` uses ``repo.is_overdue``'s rule."""
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
    return await page(session, stmt, limit, offset)


async def item(session: AsyncSession, number: int) -> tuple[Item, list[ItemEvent]] | None:
    """One item by ``#N`` with its history, oldest first."""
    found = (await session.execute(select(Item).where(Item.number == number))).scalar_one_or_none()
    if found is None:
        return None
    events = await session.execute(
        select(ItemEvent).where(ItemEvent.item_id == found.id).order_by(ItemEvent.at, ItemEvent.id))
    return found, list(events.scalars())


async def open_deeds(session: AsyncSession) -> list[Item]:
    """Deeds not closed yet (the owner still works on them, or the requester has to confirm)."""
    rows = await session.execute(
        select(Item).where(Item.kind == "deed", Item.status.in_(WORKING + ("resolved",))).order_by(Item.number)
    )
    return list(rows.scalars())


@dataclass(frozen=True)
class DeedFigures:
    new: int
    resolved: int
    closed: int
    reopened: int
    overdue: int
    satisfied: int
    unsatisfied: int

    @property
    def satisfaction(self) -> float | None:
        total = self.satisfied + self.unsatisfied
        return self.satisfied / total if total else None


async def deed_figures(session: AsyncSession, start: datetime, end: datetime, now: datetime) -> DeedFigures:
    """Deed figures for ``[start, end)``; overdue counts as of ``now``."""
    rows = list((await session.execute(select(Item).where(Item.kind == "deed"))).scalars())
    reopen_events = (await session.execute(
        select(func.count()).select_from(ItemEvent).where(
            ItemEvent.to_status == "reopened", ItemEvent.at >= start, ItemEvent.at < end)
    )).scalar_one()

    def within(t: datetime | None) -> bool:
        return t is not None and start <= t < end

    return DeedFigures(
        new=sum(within(i.created_at) for i in rows),
        resolved=sum(within(i.resolved_at) for i in rows),
        closed=sum(within(i.closed_at) for i in rows),
        reopened=int(reopen_events),
        overdue=sum(1 for i in rows if i.status in WORKING and i.due_at is not None and i.due_at < now),
        satisfied=sum(1 for i in rows if within(i.closed_at) and i.satisfaction == "satisfied"),
        unsatisfied=int(reopen_events),
    )
