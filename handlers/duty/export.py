"""The 事件记录 sheet: incidents and how quickly they were acknowledged."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.export import DATETIME_FORMAT, Sheet, local, write, yes
from storage import duty, people
from storage.deeds import queries as q
from storage.duty.lifecycle import IncidentStatus

if TYPE_CHECKING:
    from openpyxl import Workbook
    from sqlalchemy.ext.asyncio import AsyncSession

SHEET_INCIDENTS = "事件记录"
INCIDENT_HEADERS = ("编号", "报告人", "报告人账号", "班组", "内容", "紧急", "状态", "报告时间", "确认人", "确认时间",
                    "响应用时（分钟）")


async def write_sheets(session: "AsyncSession", wb: "Workbook", tz: ZoneInfo, now: datetime) -> None:
    names = await people.names(session)

    def name(userid: str | None) -> str:
        return names.get(userid, userid) if userid else ""

    incidents = Sheet(SHEET_INCIDENTS, INCIDENT_HEADERS, formats={7: DATETIME_FORMAT, 9: DATETIME_FORMAT}, wrap=(4,))
    rows = (await q.items(session, now=now, kind=duty.KIND, limit=None)).rows
    acks = await duty.acknowledgements(session, [i.id for i in rows])
    for it in rows:
        ack = acks.get(it.id)
        minutes = round((ack.at - it.created_at).total_seconds() / 60) if ack else None
        incidents.rows.append([
            it.number, name(it.requester), it.requester, it.team, it.text, yes(it.urgent),
            IncidentStatus.label_of(it.status), local(it.created_at, tz),
            name(ack.actor) if ack else "", local(ack.at, tz) if ack else None, minutes,
        ])
    write(wb.create_sheet(incidents.title), incidents)
