"""精准帮扶 sheets for the ledger workbook: 帮扶项目 (one row per project) and 帮扶进展 (updates).

Same style as :mod:`bot.export`: Chinese headers, names next to accounts, Chinese statuses,
local dates, frozen header row, auto-filter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from bot.export import DATE_FORMAT, DATETIME_FORMAT, local, Sheet, write
from storage import assist as projects
from storage import people
from storage.assist import Assessment, MilestoneStatus, ProjectStatus, TargetType, UpdateKind, done_count, queries

if TYPE_CHECKING:
    from datetime import datetime

    from openpyxl import Workbook
    from sqlalchemy.ext.asyncio import AsyncSession

SHEET_PROJECTS = "帮扶项目"
SHEET_UPDATES = "帮扶进展"

PROJECT_HEADERS = ("编号", "标题", "对象类型", "帮扶对象", "目标", "负责人", "负责人账号", "责任党员", "截止日期",
                   "里程碑完成", "里程碑明细", "成效标准", "状态", "评估结果", "评估说明", "创建人", "创建时间",
                   "结项时间")
UPDATE_HEADERS = ("项目编号", "项目标题", "时间", "类型", "填报人", "填报人账号", "内容", "里程碑")


async def write_sheets(session: "AsyncSession", wb: "Workbook", tz: ZoneInfo, now: "datetime | None" = None) -> None:
    """Add the two sheets to ``wb``, reading inside the caller's ``session``."""
    names = await people.names(session)

    def name(userid: str | None) -> str:
        return names.get(userid, userid) if userid else ""

    rows = (await queries.list_projects(session, limit=None)).rows
    by_project = await projects.milestones_for(session, [p.id for p in rows])
    sheet = Sheet(SHEET_PROJECTS, PROJECT_HEADERS, formats={8: DATE_FORMAT, 16: DATETIME_FORMAT, 17: DATETIME_FORMAT},
                   wrap=(4, 10, 11, 14))
    for p in rows:
        ms = by_project.get(p.id, [])
        detail = "\n".join(f"{m.position}. {m.due.isoformat()} {m.title}（{MilestoneStatus.label_of(m.status)}）"
                           for m in ms)
        target = name(p.target) if p.target_type == TargetType.PERSON else (
            f"#{p.target}" if p.target_type == TargetType.ITEM else p.target)
        row: list[Any] = [
            p.number, p.title, TargetType.label_of(p.target_type), target, p.goal, name(p.lead), p.lead,
            "、".join(name(u) for u in projects.members_of(p)), p.deadline, f"{done_count(ms)}/{len(ms)}", detail,
            p.criteria, ProjectStatus.label_of(p.status),
            Assessment.label_of(p.assessment) if p.assessment else "", p.assessment_note or "",
            name(p.created_by), local(p.created_at, tz), local(p.closed_at, tz),
        ]
        sheet.rows.append(row)
    write(wb.create_sheet(SHEET_PROJECTS), sheet)

    by_id = {p.id: p for p in rows}
    positions = {m.id: m.position for ms in by_project.values() for m in ms}
    log = Sheet(SHEET_UPDATES, UPDATE_HEADERS, formats={2: DATETIME_FORMAT}, wrap=(6,))
    for u in await queries.all_updates(session):
        p = by_id.get(u.project_id)
        if p is None:
            continue
        log.rows.append([
            p.number, p.title, local(u.at, tz), UpdateKind.label_of(u.kind), name(u.author), u.author,
            u.text, positions.get(u.milestone_id) if u.milestone_id is not None else None,
        ])
    write(wb.create_sheet(SHEET_UPDATES), log)
