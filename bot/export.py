"""``sijing export --out 台账.xlsx``: the ledgers as one Excel workbook.

Sheets: 办实事清单, 重点关注台账, 走访记录, 责任区覆盖, 事件记录 — Chinese headers, names next to
accounts, Chinese statuses, local dates, frozen header row, auto-filter. Exporting sensitive care
records is audited (actor ``export``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from storage import reports
from storage.coverage import coverage

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from storage.db import Database

ACTOR = "export"
CARE_EXPORTED = ("active", "resolved")  # proposed/declined tips have no consent: not in the ledger
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MIN_WIDTH, MAX_WIDTH = 8, 50

SHEET_DEEDS = "办实事清单"
SHEET_CARE = "重点关注台账"
SHEET_VISITS = "走访记录"
SHEET_COVERAGE = "责任区覆盖"
SHEET_INCIDENTS = "事件记录"

DEED_HEADERS = ("编号", "类别", "标题", "反映内容", "反映人", "反映人账号", "班组", "负责人", "状态", "紧急",
                "提出时间", "首次响应", "办理期限", "办好时间", "办结时间", "满意度", "重办次数", "是否逾期", "销号原因")
CARE_HEADERS = ("序号", "姓名", "账号", "班组", "类别", "责任党员", "状态", "回访周期（天）", "下次回访", "情况摘要",
                "来源", "登记时间", "解除时间")
VISIT_HEADERS = ("走访日期", "走访党员", "走访对象", "对象账号", "对象班组", "情况摘要", "下次走访", "关联台账序号",
                 "登记时间")
COVERAGE_HEADERS = ("党员", "账号", "责任区人数", "近30天已走访", "30天覆盖率", "近90天已走访", "90天覆盖率")
INCIDENT_HEADERS = ("编号", "报告人", "报告人账号", "班组", "内容", "紧急", "状态", "报告时间", "确认人", "确认时间",
                    "响应用时（分钟）")


@dataclass
class _Sheet:
    title: str
    headers: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)
    formats: dict[int, str] = field(default_factory=dict)  # column index (0-based) -> number format
    wrap: tuple[int, ...] = ()  # columns with long text
    tail: list[list[Any]] = field(default_factory=list)  # rows below the filtered table (totals, notes)


def _local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Excel has no time zones: local wall-clock time, minute precision."""
    if value is None:
        return None
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value).split("\n")[0]
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _write(ws: "Worksheet", sheet: _Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.append(list(sheet.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in sheet.rows:
        ws.append(row)
    last_row = ws.max_row
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{max(last_row, 1)}"
    if sheet.tail:
        ws.append([])
        for row in sheet.tail:
            ws.append(row)
    for index in range(len(sheet.headers)):
        letter = get_column_letter(index + 1)
        fmt = sheet.formats.get(index)
        for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=index + 1, max_col=index + 1):
            if fmt and cell.value is not None:
                cell.number_format = fmt
            if index in sheet.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        widest = max([_width(h) + 2 for h in [sheet.headers[index]]]
                     + [_width(r[index]) for r in sheet.rows if index < len(r)])
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))


async def _collect(db: "Database", tz: ZoneInfo, now: datetime) -> list[_Sheet]:
    async with db.sessions() as session, session.begin():
        names = await reports.names(session)
        teams = await reports.teams(session)

        def name(userid: str | None) -> str:
            return names.get(userid, userid) if userid else ""

        deeds = _Sheet(SHEET_DEEDS, DEED_HEADERS, formats={i: DATETIME_FORMAT for i in range(10, 15)},
                       wrap=(3, 18))
        for it in (await reports.items(session, now=now, kind="deed", limit=None)).rows:
            deeds.rows.append([
                it.number, reports.cn(reports.CATEGORY_CN, it.category), it.title, it.text, name(it.requester),
                it.requester, it.team or teams.get(it.requester, ""), name(it.owner),
                reports.cn(reports.ITEM_STATUS_CN, it.status), _yes(it.urgent), _local(it.created_at, tz),
                _local(it.first_response_at, tz), _local(it.due_at, tz), _local(it.resolved_at, tz),
                _local(it.closed_at, tz), reports.cn(reports.SATISFACTION_CN, it.satisfaction), it.reopen_count,
                _yes(reports.is_overdue(it, now)), it.close_reason or "",
            ])

        care = _Sheet(SHEET_CARE, CARE_HEADERS, formats={8: DATE_FORMAT, 11: DATETIME_FORMAT, 12: DATETIME_FORMAT},
                      wrap=(9,))
        entries = [c for c in (await reports.care_entries(session, limit=None)).rows if c.status in CARE_EXPORTED]
        for c in entries:
            care.rows.append([
                c.id, name(c.person), c.person, teams.get(c.person, ""), reports.cn(reports.CATEGORY_CN, c.category),
                name(c.responsible), reports.cn(reports.CARE_STATUS_CN, c.status), c.interval_days,
                c.next_follow_up, c.summary, reports.cn(reports.CARE_SOURCE_CN, c.source),
                _local(c.created_at, tz), _local(c.resolved_at, tz),
            ])
        await reports.record_views(session, now, ACTOR, "care_entry", [c.id for c in entries if c.sensitive],
                                   "via=export")

        visits = _Sheet(SHEET_VISITS, VISIT_HEADERS, formats={0: DATE_FORMAT, 6: DATE_FORMAT, 8: DATETIME_FORMAT},
                        wrap=(5,))
        visit_rows = (await reports.visits(session, limit=None)).rows
        for v in visit_rows:
            visits.rows.append([
                v.visited_on, name(v.member), name(v.person), v.person, teams.get(v.person, ""), v.summary,
                v.next_date, v.entry_id, _local(v.created_at, tz),
            ])
        sensitive = await reports.sensitive_entry_ids(session, [v.entry_id for v in visit_rows])
        await reports.record_views(session, now, ACTOR, "visit",
                                   [v.id for v in visit_rows if v.entry_id in sensitive], "via=export")

        cov = await coverage(session, now.date())
        zones = _Sheet(SHEET_COVERAGE, COVERAGE_HEADERS, formats={4: PERCENT_FORMAT, 6: PERCENT_FORMAT})
        for m in cov.members:
            zones.rows.append([m.name, m.member, m.zone_size, m.visited_30, m.pct_30, m.visited_90, m.pct_90])
        total = cov.zone_total
        zones.tail.append(["合计", "", total, cov.visited_30, cov.visited_30 / total if total else 0.0,
                           cov.visited_90, cov.visited_90 / total if total else 0.0])
        zones.tail.append([f"统计日期：{now.date().isoformat()}"])
        if cov.unassigned:
            zones.tail.append(["未划入责任区：" + "、".join(n for _, n in cov.unassigned)])

        incidents = _Sheet(SHEET_INCIDENTS, INCIDENT_HEADERS, formats={7: DATETIME_FORMAT, 9: DATETIME_FORMAT},
                           wrap=(4,))
        rows = (await reports.items(session, now=now, kind="incident", limit=None)).rows
        acks = await reports.acknowledgements(session, [i.id for i in rows])
        for it in rows:
            ack = acks.get(it.id)
            minutes = round((ack.at - it.created_at).total_seconds() / 60) if ack else None
            incidents.rows.append([
                it.number, name(it.requester), it.requester, it.team, it.text, _yes(it.urgent),
                reports.cn(reports.ITEM_STATUS_CN, it.status), _local(it.created_at, tz),
                name(ack.actor) if ack else "", _local(ack.at, tz) if ack else None, minutes,
            ])
    return [deeds, care, visits, zones, incidents]


async def export_workbook(db: "Database", path: str | Path, tz: ZoneInfo, *, now: datetime | None = None) -> None:
    """Write the workbook to ``path`` (parent folders are created).

    Args:
        db: the database.
        path: the ``.xlsx`` file to write.
        tz: the configured time zone (dates and times are written as local wall-clock time).
        now: the moment the export is as of (default: the current time).
    """
    from openpyxl import Workbook

    now = (now or datetime.now(timezone.utc)).astimezone(tz)
    sheets = await _collect(db, tz, now)
    wb = Workbook()
    wb.remove(wb.active)
    for sheet in sheets:
        _write(wb.create_sheet(sheet.title), sheet)
    await _other_pillars(db, wb, tz, now)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)


async def _other_pillars(db: "Database", wb: "Workbook", tz: ZoneInfo, now: datetime) -> None:
    """Sheets of 精准帮扶, 精英培养, 精益班组 and 征求意见 (imported late: they build on this module)."""
    from bot import export_assist, export_surveys, export_talent, export_teams

    async with db.sessions() as session:
        await export_assist.write_sheets(session, wb, tz)
        await export_talent.write_sheets(session, wb, tz)
        await export_teams.write_sheets(session, wb, tz, now=now)
        await export_surveys.write_sheets(session, wb, tz)
