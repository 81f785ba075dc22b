"""The 办实事清单 sheet."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.export import DATETIME_FORMAT, Sheet, local, write, yes
from storage import deeds, people
from storage.deeds import queries as q

if TYPE_CHECKING:
    from openpyxl import Workbook
    from sqlalchemy.ext.asyncio import AsyncSession

SHEET_DEEDS = "办实事清单"
DEED_HEADERS = ("编号", "类别", "标题", "反映内容", "反映人", "反映人账号", "班组", "负责人", "状态", "紧急",
                "提出时间", "首次响应", "办理期限", "办好时间", "办结时间", "满意度", "重办次数", "是否逾期", "销号原因")


async def write_sheets(session: "AsyncSession", wb: "Workbook", tz: ZoneInfo, now: datetime) -> None:
    names = await people.names(session)
    teams = await people.teams(session)

    def name(userid: str | None) -> str:
        return names.get(userid, userid) if userid else ""

    sheet = Sheet(SHEET_DEEDS, DEED_HEADERS, formats={i: DATETIME_FORMAT for i in range(10, 15)}, wrap=(3, 18))
    for it in (await q.items(session, now=now, kind="deed", limit=None)).rows:
        sheet.rows.append([
            it.number, deeds.DeedCategory.label_of(it.category), it.title, it.text, name(it.requester),
            it.requester, it.team or teams.get(it.requester, ""), name(it.owner),
            deeds.DeedStatus.label_of(it.status), yes(it.urgent), local(it.created_at, tz),
            local(it.first_response_at, tz), local(it.due_at, tz), local(it.resolved_at, tz),
            local(it.closed_at, tz), deeds.Satisfaction.label_of(it.satisfaction), it.reopen_count,
            yes(deeds.is_overdue(it, now)), it.close_reason or "",
        ])
    write(wb.create_sheet(sheet.title), sheet)
