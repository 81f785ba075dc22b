"""Export sheets for 精益班组: 班组评分 (every month since the first activity on the ledger) and 活动记录."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.export import DATETIME_FORMAT, PERCENT_FORMAT, local, Sheet, write
from storage import gatherings, people
from storage import teams as store
from storage.gatherings import ActivityCategory, GatheringKind, GatheringStatus
from storage.care.models import Visit
from storage.deeds.models import Item

if TYPE_CHECKING:
    from openpyxl import Workbook

SHEET_SCORES = "班组评分"
SHEET_ACTIVITIES = "活动记录"
SCORE_HEADERS = ("月份", "班组", "网格长", "人数", *(k.label for k in store.COMPONENTS), "得分", "排名")
ACTIVITY_HEADERS = ("编号", "标题", "类型", "班组", "时间", "地点", "名额", "状态", "报名人数", "到场人数", "到场人员",
                    "发布人", "发布时间")
MAX_MONTHS = 24
ALL = 100000


async def _first_month(session: AsyncSession, tz: ZoneInfo, now: datetime):  # type: ignore[no-untyped-def]
    first = (await session.execute(select(func.min(Item.created_at)))).scalar_one_or_none()
    visit = (await session.execute(select(func.min(Visit.visited_on)))).scalar_one_or_none()
    days = [now.date()]
    if first is not None:
        days.append(first.astimezone(tz).date())
    if visit is not None:
        days.append(visit)
    acts = await gatherings.list_gatherings(session, GatheringKind.ACTIVITY, until=now, limit=1)
    days += [g.starts_at.astimezone(tz).date() for g in acts]
    return store.month_start(min(days))


async def write_sheets(session: AsyncSession, wb: "Workbook", tz: ZoneInfo, now: datetime | None = None, *,
                       weights: dict[str, float] | None = None) -> None:
    """Add 班组评分 (one row per team and month, oldest month first) and 活动记录 to ``wb``."""
    now = (now or datetime.now(timezone.utc)).astimezone(tz)
    w = weights if weights is not None else store.weights_from_env()
    scores = Sheet(SHEET_SCORES, SCORE_HEADERS, formats={4 + i: PERCENT_FORMAT for i in range(len(store.COMPONENTS))})
    month = await _first_month(session, tz, now)
    last = store.month_start(now.date())
    months = []
    while month <= last:
        months.append(month)
        month = store.next_month(month)
    for m in months[-MAX_MONTHS:]:
        r = await store.ranking(session, m, tz, now=now, weights_=w)
        for t in r.teams:
            scores.rows.append([f"{m:%Y-%m}", t.team, "、".join(p.name for p in t.leaders), t.size,
                                *(t.components[k].ratio for k in store.COMPONENTS), t.score, t.rank or None])
    names = await people.names(session)
    acts = Sheet(SHEET_ACTIVITIES, ACTIVITY_HEADERS, formats={4: DATETIME_FORMAT, 12: DATETIME_FORMAT}, wrap=(10,))
    rows = await gatherings.list_gatherings(session, GatheringKind.ACTIVITY, limit=ALL)
    cnt = await gatherings.counts(session, [g.id for g in rows])
    for g in sorted(rows, key=lambda g: g.number):
        came = [names.get(u, u) for u in await gatherings.attendees(session, g)]
        signed, attended = cnt[g.id]
        acts.rows.append([g.number, g.title, ActivityCategory.label_of(g.category), g.team or "全支部",
                          local(g.starts_at, tz), g.place, g.capacity or "不限", GatheringStatus.label_of(g.status),
                          signed, attended, "、".join(came), names.get(g.created_by, g.created_by),
                          local(g.created_at, tz)])
    write(wb.create_sheet(SHEET_SCORES), scores)
    write(wb.create_sheet(SHEET_ACTIVITIES), acts)
