"""The 重点关注台账, 走访记录 and 责任区覆盖 sheets; exporting sensitive records is audited."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.export import ACTOR, DATE_FORMAT, DATETIME_FORMAT, PERCENT_FORMAT, Sheet, local, write
from storage import audit, people
from storage.care import CareCategory, CareSource, CareStatus
from storage.care import queries as q
from storage.care.coverage import coverage

if TYPE_CHECKING:
    from openpyxl import Workbook
    from sqlalchemy.ext.asyncio import AsyncSession

CARE_EXPORTED = (CareStatus.ACTIVE, CareStatus.RESOLVED)  # proposed/declined tips have no consent: not in the ledger
SHEET_CARE = "重点关注台账"
SHEET_VISITS = "走访记录"
SHEET_COVERAGE = "责任区覆盖"
CARE_HEADERS = ("序号", "姓名", "账号", "班组", "类别", "责任党员", "状态", "回访周期（天）", "下次回访", "情况摘要",
                "来源", "登记时间", "解除时间")
VISIT_HEADERS = ("走访日期", "走访党员", "走访对象", "对象账号", "对象班组", "情况摘要", "下次走访", "关联台账序号",
                 "登记时间")
COVERAGE_HEADERS = ("党员", "账号", "责任区人数", "近30天已走访", "30天覆盖率", "近90天已走访", "90天覆盖率")


async def write_sheets(session: "AsyncSession", wb: "Workbook", tz: ZoneInfo, now: datetime) -> None:
    names = await people.names(session)
    teams = await people.teams(session)

    def name(userid: str | None) -> str:
        return names.get(userid, userid) if userid else ""

    care = Sheet(SHEET_CARE, CARE_HEADERS, formats={8: DATE_FORMAT, 11: DATETIME_FORMAT, 12: DATETIME_FORMAT},
                 wrap=(9,))
    entries = [c for c in (await q.care_entries(session, limit=None)).rows if c.status in CARE_EXPORTED]
    for c in entries:
        care.rows.append([
            c.id, name(c.person), c.person, teams.get(c.person, ""), CareCategory.label_of(c.category),
            name(c.responsible), CareStatus.label_of(c.status), c.interval_days,
            c.next_follow_up, c.summary, CareSource.label_of(c.source),
            local(c.created_at, tz), local(c.resolved_at, tz),
        ])
    await audit.record_views(session, now, ACTOR, "care_entry", [c.id for c in entries if c.sensitive], "via=export")

    visits = Sheet(SHEET_VISITS, VISIT_HEADERS, formats={0: DATE_FORMAT, 6: DATE_FORMAT, 8: DATETIME_FORMAT}, wrap=(5,))
    visit_rows = (await q.visits(session, limit=None)).rows
    for v in visit_rows:
        visits.rows.append([
            v.visited_on, name(v.member), name(v.person), v.person, teams.get(v.person, ""), v.summary,
            v.next_date, v.entry_id, local(v.created_at, tz),
        ])
    sensitive = await q.sensitive_entry_ids(session, [v.entry_id for v in visit_rows])
    await audit.record_views(session, now, ACTOR, "visit", [v.id for v in visit_rows if v.entry_id in sensitive],
                             "via=export")

    cov = await coverage(session, now.date())
    zones = Sheet(SHEET_COVERAGE, COVERAGE_HEADERS, formats={4: PERCENT_FORMAT, 6: PERCENT_FORMAT})
    for m in cov.members:
        zones.rows.append([m.name, m.member, m.zone_size, m.visited_30, m.pct_30, m.visited_90, m.pct_90])
    total = cov.zone_total
    zones.tail.append(["合计", "", total, cov.visited_30, cov.visited_30 / total if total else 0.0,
                       cov.visited_90, cov.visited_90 / total if total else 0.0])
    zones.tail.append([f"统计日期：{now.date().isoformat()}"])
    if cov.unassigned:
        zones.tail.append(["未划入责任区：" + "、".join(n for _, n in cov.unassigned)])
    for sheet in (care, visits, zones):
        write(wb.create_sheet(sheet.title), sheet)
