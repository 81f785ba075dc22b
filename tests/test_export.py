"""The Excel export: sheets, headers, rows, local dates, audited care rows."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot import registry
from bot.export import export_workbook
from handlers.people.importer import import_roster
from storage import duty, migrate
from storage.care import CareCategory, CareStatus
from storage.db import Database, create_database
from storage.models import AuditEntry, CareEntry, Item, Visit
from tests.conftest import SAMPLE_ROSTER

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)  # 09:40 local


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url)
    await migrate.upgrade(database)
    await import_roster(database, SAMPLE_ROSTER, T0)
    yield database
    await database.dispose()


async def _seed(db: Database) -> None:
    async with db.session(1) as session, session.begin():
        n = await duty.next_number(session)
        session.add(Item(number=n, kind="deed", category="canteen", requester="sunpeng", owner="liuzhiyong",
                         team="运行一班", title="食堂晚班没有热饭", text="食堂晚班没有热饭，夜班同事吃不上", status="in_progress",
                         urgent=False, created_at=T0 - timedelta(days=3), updated_at=T0,
                         due_at=T0 - timedelta(days=1)))
        n = await duty.next_number(session)
        session.add(Item(number=n, kind="deed", category="commute", requester="linyang", owner="zhouli",
                         team="综合办公室", title="班车太早", text="班车太早", status="closed", urgent=False,
                         created_at=T0 - timedelta(days=10), updated_at=T0, closed_at=T0 - timedelta(days=2),
                         satisfaction="satisfied"))
        incident = await duty.create_incident(session, reporter="guoqiang", team="检修班", text="配电室冒烟",
                                              urgent=True, now=T0, owner="chenjunjie")
        await duty.acknowledge(session, incident, "chenjunjie", T0 + timedelta(minutes=5))
        await duty.create_incident(session, reporter="wutao", team="运行一班", text="主控室漏水", urgent=False,
                                   now=T0 + timedelta(hours=1), owner="liuzhiyong")
        session.add_all([
            CareEntry(person="sunpeng", category="illness", responsible="liuzhiyong", status="active", sensitive=True,
                      interval_days=7, next_follow_up=date(2026, 12, 2), summary="父亲住院", source="self",
                      created_by="sunpeng", created_at=T0),
            CareEntry(person="majing", category="celebration", responsible="chenjunjie", status="resolved",
                      sensitive=False, interval_days=30, summary="结婚", source="member", created_by="chenjunjie",
                      created_at=T0, resolved_at=T0),
            CareEntry(person="wutao", category="hardship", responsible="liuzhiyong", status="declined",
                      sensitive=True, interval_days=14, summary="不愿登记", source="tip", created_by="lixuemei",
                      created_at=T0),
        ])
        await session.flush()
        session.add_all([
            Visit(person="sunpeng", member="liuzhiyong", entry_id=1, visited_on=date(2026, 11, 20),
                  summary="医院探望", next_date=date(2026, 11, 27), created_at=T0),
            Visit(person="majing", member="chenjunjie", visited_on=date(2026, 11, 24), summary="谈心", created_at=T0),
        ])


def _table(ws) -> list[list[object]]:  # type: ignore[no-untyped-def]
    return [list(r) for r in ws.iter_rows(values_only=True)]


async def test_export_workbook(db: Database, tmp_path: Path) -> None:
    await _seed(db)
    out = tmp_path / "out" / "台账.xlsx"
    await export_workbook(db, out, TZ, registry.sheet_writers(), now=T0)
    wb = load_workbook(out)
    assert wb.sheetnames == ALL_SHEETS
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:")
        assert all(ws.column_dimensions[c].width >= 8 for c in "ABC")

    deeds = _table(wb["办实事清单"])
    assert deeds[0][:10] == ["编号", "类别", "标题", "反映内容", "反映人", "反映人账号", "班组", "负责人", "状态", "紧急"]
    assert len(deeds) == 3
    d1 = dict(zip(deeds[0], deeds[1]))
    assert (d1["编号"], d1["类别"], d1["反映人"], d1["负责人"], d1["状态"], d1["是否逾期"]) == (
        1, "食堂", "孙鹏", "刘志勇", "办理中", "是")
    assert d1["提出时间"] == datetime(2026, 11, 22, 9, 40)  # local wall-clock time
    d2 = dict(zip(deeds[0], deeds[2]))
    assert (d2["状态"], d2["满意度"], d2["是否逾期"]) == ("已办结", "满意", "否")
    assert wb["办实事清单"].auto_filter.ref == "A1:S3"

    care = _table(wb["重点关注台账"])
    assert care[0][:7] == ["序号", "姓名", "账号", "班组", "类别", "责任党员", "状态"]
    assert [(r[1], r[4], r[5], r[6]) for r in care[1:]] == [
        ("孙鹏", CareCategory.ILLNESS.label, "刘志勇", CareStatus.ACTIVE.label),
        ("马静", CareCategory.CELEBRATION.label, "陈俊杰", CareStatus.RESOLVED.label)]  # declined tip left out
    assert care[1][8] == datetime(2026, 12, 2)

    visits = _table(wb["走访记录"])
    assert visits[0][:3] == ["走访日期", "走访党员", "走访对象"]
    assert [(r[1], r[2], r[5]) for r in visits[1:]] == [("陈俊杰", "马静", "谈心"), ("刘志勇", "孙鹏", "医院探望")]

    zones = wb["责任区覆盖"]
    rows = _table(zones)
    assert rows[0] == ["党员", "账号", "责任区人数", "近30天已走访", "30天覆盖率", "近90天已走访", "90天覆盖率"]
    by = {r[1]: r for r in rows[1:] if r[1]}
    assert by["liuzhiyong"][2:5] == [3, 1, pytest.approx(1 / 3)]
    assert by["chenjunjie"][2:4] == [3, 1]
    total = next(r for r in rows if r[0] == "合计")
    assert total[2:4] == [11, 2]
    assert zones.cell(row=2, column=5).number_format == "0.0%"

    incidents = _table(wb["事件记录"])
    assert incidents[0] == ["编号", "报告人", "报告人账号", "班组", "内容", "紧急", "状态", "报告时间", "确认人", "确认时间",
                            "响应用时（分钟）"]
    assert [r[:2] + r[5:7] + [r[8], r[10]] for r in incidents[1:]] == [
        [3, "郭强", "是", duty.IncidentStatus.ACKNOWLEDGED.label, "陈俊杰", 5],
        [4, "吴涛", "否", duty.IncidentStatus.OPEN.label, None, None]]
    assert incidents[1][7] == datetime(2026, 11, 25, 9, 40)

    async with db.session(1) as session:
        views = list((await session.execute(
            select(AuditEntry).where(AuditEntry.actor == "export").order_by(AuditEntry.id))).scalars())
    assert [(v.object_type, v.object_id) for v in views] == [("care_entry", "1"), ("visit", "1")]


ALL_SHEETS = ["办实事清单", "重点关注台账", "走访记录", "责任区覆盖", "事件记录", "帮扶项目", "帮扶进展",
              "人才档案", "培训记录", "内训师", "后备人才", "班组评分", "活动记录", "问卷结果", "问卷意见"]


async def test_export_of_empty_database(db: Database, tmp_path: Path) -> None:
    out = tmp_path / "empty.xlsx"
    await export_workbook(db, out, TZ, registry.sheet_writers())
    wb = load_workbook(out)
    assert wb.sheetnames == ALL_SHEETS
    assert _table(wb["事件记录"])[0][0] == "编号" and wb["事件记录"].max_row == 1
