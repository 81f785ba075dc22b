"""Sweeps driven by an explicit clock: working days, quiet hours, exactly-once nudges, escalations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import registry
from handlers.people.importer import import_roster
from schedules import care as sweeps
from schedules.context import SweepContext
from schedules.digest import render_digest
from schedules.quiet import QuietHours, spread
from schedules.runner import SweepsBusy
from schedules.runner import run_due as _run_due
from storage.care import CareCategory
from storage.workdays import add_working_days, is_working_day, working_days_between
from storage.db import Database, create_database
from storage.migrate import upgrade
from storage.models import CareEntry, Item, ItemEvent, Nudge, OutboxRow, Visit, VisitTask
from tests.conftest import SAMPLE_ROSTER

TZ = ZoneInfo("Asia/Shanghai")


def at(y: int, m: int, d: int, hh: int = 9, mm: int = 3) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url)
    await upgrade(database)
    await import_roster(database, SAMPLE_ROSTER, datetime(2026, 1, 1, tzinfo=timezone.utc))
    yield database
    await database.dispose()


async def run_due(db: Database, now: datetime, **kw):  # type: ignore[no-untyped-def]
    """Every domain's sweeps, as the app and the CLI run them."""
    return await _run_due(db, now, registry.sweeps(), **kw)


async def add(db: Database, *rows: object) -> None:
    async with db.session(1) as session, session.begin():
        session.add_all(rows)


def entry(person: str, member: str, due: date, category: str = "illness") -> CareEntry:
    return CareEntry(person=person, category=category, responsible=member, status="active", sensitive=True,
                     interval_days=7, next_follow_up=due, summary="住院", source="self", created_by=person,
                     created_at=datetime(2026, 9, 1, tzinfo=timezone.utc))


def item(number: int, status: str, created: datetime, **kw: object) -> Item:
    values: dict[str, object] = dict(number=number, kind="deed", category="canteen", requester="sunpeng",
                                     owner="liuzhiyong", team="运行一班", title=f"事项{number}", text="食堂",
                                     status=status, urgent=False, created_at=created, updated_at=created)
    values.update(kw)
    return Item(**values)


def kinds(sent: list, recipient: str | None = None) -> list[str]:  # type: ignore[type-arg]
    return [s.kind for s in sent if recipient is None or s.recipient == recipient]


def test_calendar_follows_official_adjustments() -> None:
    assert not is_working_day(date(2026, 10, 1))  # National Day
    assert is_working_day(date(2026, 10, 10))  # Saturday worked in exchange (调休)
    assert is_working_day(date(2026, 9, 20))  # Sunday worked in exchange
    assert not is_working_day(date(2026, 9, 25))  # Mid-autumn, a Friday
    assert add_working_days(date(2026, 9, 30), 1) == date(2026, 10, 8)
    assert working_days_between(date(2026, 9, 26), date(2026, 9, 28)) == 1
    assert not is_working_day(date(2027, 2, 8))  # beyond the official tables: the holidays package


def test_working_days_between_counts_day_by_day_across_years() -> None:
    import random

    rng = random.Random(3)
    for _ in range(200):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(1400))
        end = start + timedelta(days=rng.randrange(-5, 800))
        naive, d = 0, start
        while d < end:
            d += timedelta(days=1)
            naive += is_working_day(d)
        assert working_days_between(start, end) == naive, (start, end)


def test_quiet_hours_release_next_working_morning() -> None:
    quiet = QuietHours()
    assert quiet.is_quiet(at(2026, 11, 25, 22, 0)) and not quiet.is_quiet(at(2026, 11, 25, 8, 0))
    assert quiet.release(at(2026, 11, 25, 22, 0)) == at(2026, 11, 26, 8, 0)
    assert quiet.release(at(2026, 11, 27, 21, 30)) == at(2026, 11, 30, 8, 0)  # Friday night -> Monday
    assert quiet.release(at(2026, 9, 30, 23, 0)) == at(2026, 10, 8, 8, 0)  # across National Day
    for key in ("a", "b", "c", "d", "e", "f"):
        assert spread(at(2026, 11, 25, 8, 29), key).minute not in (0, 30)


async def test_visit_due_on_a_saturday_before_a_holiday(db: Database) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 9, 26)))
    assert kinds(await run_due(db, at(2026, 9, 23)), "liuzhiyong").count("followup_due") == 0
    thursday = await run_due(db, at(2026, 9, 24))  # last working day before it
    assert "followup_due" in kinds(thursday, "liuzhiyong")
    for day in (25, 26, 27):  # holiday and weekend: quiet
        assert await run_due(db, at(2026, 9, day, 10, 3)) == []
    monday = await run_due(db, at(2026, 9, 28))
    assert "followup_overdue" in kinds(monday, "liuzhiyong")
    assert "followup_due" not in kinds(monday)


async def test_working_weekend_gets_the_morning_list(db: Database) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 10, 10)))
    saturday = await run_due(db, at(2026, 10, 10, 8, 13))
    assert "morning" in kinds(saturday, "liuzhiyong") and "followup_due" in kinds(saturday, "liuzhiyong")
    assert await run_due(db, at(2026, 10, 11, 8, 13)) == []  # an ordinary Sunday


async def test_quiet_hours_hold_a_nudge_until_morning(db: Database) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 11, 26)))
    assert await run_due(db, at(2026, 11, 25, 22, 3)) == []
    assert await run_due(db, at(2026, 11, 26, 6, 53)) == []
    morning = await run_due(db, at(2026, 11, 26, 8, 3))
    due = [s for s in morning if s.kind == "followup_due"]
    assert len(due) == 1 and due[0].not_before.hour == 8 and due[0].not_before.minute not in (0, 30)


async def test_urgent_items_are_not_held_by_quiet_hours(db: Database) -> None:
    created = at(2026, 11, 24, 8, 0).astimezone(timezone.utc)  # limit: Wednesday 08:00
    await add(db, item(1, "submitted", created, urgent=True), item(2, "submitted", created))
    night = await run_due(db, at(2026, 11, 25, 3, 13))  # 80% of the limit, at night
    assert [s.key for s in night] == ["item:1:resp80"]  # the later stage alone, not 提醒 plus 再次提醒


async def test_two_sweeps_at_the_same_instant_send_one_nudge(db: Database) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 11, 25)))
    now = at(2026, 11, 25, 9, 13)
    results = await asyncio.gather(run_due(db, now, holder="p1"), run_due(db, now, holder="p2"),
                                   return_exceptions=True)
    sent = [s for r in results if isinstance(r, list) for s in r]
    assert all(isinstance(r, (list, SweepsBusy)) for r in results)
    assert kinds(sent, "liuzhiyong").count("followup_due") == 1
    again = await run_due(db, now, holder="p3")  # and a later one adds nothing
    assert "followup_due" not in kinds(again)
    async with db.session(1) as session:
        rows = (await session.execute(select(func.count()).select_from(OutboxRow)
                                      .where(OutboxRow.recipient == "liuzhiyong"))).scalar_one()
    # what was due for one person in one run went as one message
    assert rows == len([p for r in results if isinstance(r, list) for p in r.pushes if p.recipient == "liuzhiyong"]) == 1


async def test_a_sweep_that_dies_half_way_is_redone_whole(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 11, 25)), entry("wutao", "liuzhiyong", date(2026, 11, 25)))
    calls = 0

    def dying(original):  # type: ignore[no-untyped-def]
        async def send(self: SweepContext, *a: object, **k: object) -> bool:
            nonlocal calls
            calls += 1
            ok = await original(self, *a, **k)
            if calls == 1:
                raise RuntimeError("process killed")
            return ok
        return send

    with monkeypatch.context() as m:  # a plain text (say) or any reply (nudge): the first one sent dies
        m.setattr(SweepContext, "nudge", dying(SweepContext.nudge))
        m.setattr(SweepContext, "say", dying(SweepContext.say))
        only = (sweeps.follow_up_reminders,)
        assert await _run_due(db, at(2026, 11, 25), only) == []  # rolled back: nothing recorded
    assert calls >= 1
    async with db.session(1) as session:
        assert (await session.execute(select(func.count()).select_from(Nudge))).scalar_one() == 0
    redo = await _run_due(db, at(2026, 11, 25), only)
    assert kinds(redo).count("followup_due") == 2


async def test_overdue_follow_up_repeats_then_escalates(db: Database) -> None:
    await add(db, entry("sunpeng", "liuzhiyong", date(2026, 11, 16)))  # Monday
    seen: list[tuple[str, str]] = []
    day = date(2026, 11, 17)
    while day <= date(2026, 11, 24):
        for s in await run_due(db, datetime(day.year, day.month, day.day, 9, 3, tzinfo=TZ)):
            if s.kind.startswith("followup"):
                seen.append((str(day), s.kind))
        day += timedelta(days=1)
    overdue = [d for d, k in seen if k == "followup_overdue"]
    assert overdue == ["2026-11-17", "2026-11-19", "2026-11-23"]  # every 2 working days
    assert [d for d, k in seen if k == "followup_escalate"] == ["2026-11-19"]  # after 3 working days, once


async def test_item_response_and_confirmation_chain(db: Database) -> None:
    created = at(2026, 11, 23, 9, 0).astimezone(timezone.utc)  # Monday 09:00, limit Tuesday 09:00
    resolved = at(2026, 11, 16, 10, 0).astimezone(timezone.utc)
    await add(db, item(1, "submitted", created),
              item(2, "resolved", resolved, first_response_at=resolved, resolved_at=resolved, requester="wutao"))
    assert "item_response" not in kinds(await run_due(db, at(2026, 11, 23, 18, 3)))  # 37%
    r50 = await run_due(db, at(2026, 11, 23, 21, 3))  # 50% but quiet hours: held
    assert "item_response" not in kinds(r50)
    r = await run_due(db, at(2026, 11, 24, 8, 13))  # 97%: one reminder, the later stage, with its real age
    [reminder] = [x for x in r if x.kind == "item_response"]
    assert reminder.key == "item:1:resp80" and "已提交 23 小时，即将超过首次响应时限（11月24日 09:00）" in reminder.text
    breach = await run_due(db, at(2026, 11, 24, 9, 3))
    assert "item_escalate" in kinds(breach, "wanghaiyan")
    async with db.session(1) as session:
        keys = set((await session.execute(select(Nudge.key))).scalars())
    assert {"b1:item:2:confirm_remind", "b1:item:2:confirm_escalate:liuzhiyong",
            "b1:item:2:confirm_escalate:wanghaiyan"} <= keys
    async with db.session(1) as session:
        status = (await session.execute(select(Item.status).where(Item.number == 2))).scalar_one()
    assert status == "resolved"  # never closed without the requester


async def test_retirement_creates_a_visit_task_ahead(db: Database) -> None:
    from pathlib import Path
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "r.csv"
        path.write_text("userid,name,role,team,zone_member,退休日期\nwutao,吴涛,employee,运行一班,liuzhiyong,2026-12-04\n",
                        encoding="utf-8")
        await import_roster(db, path, datetime(2026, 1, 1, tzinfo=timezone.utc))
    await run_due(db, at(2026, 11, 19))  # more than 14 days ahead: no task yet
    async with db.session(1) as session:
        assert (await session.execute(select(func.count()).select_from(VisitTask))).scalar_one() == 0
    await run_due(db, at(2026, 11, 25))
    await run_due(db, at(2026, 11, 26))
    async with db.session(1) as session:
        tasks = list((await session.execute(select(VisitTask))).scalars())
    assert [(t.person, t.member, t.due_date) for t in tasks] == [("wutao", "liuzhiyong", date(2026, 12, 1))]
    due = [s for s in await run_due(db, at(2026, 12, 1)) if s.kind == "followup_due"]
    assert len(due) == 1 and due[0].recipient == "liuzhiyong" and "吴涛" in due[0].text
    assert f"（{CareCategory.RETIREMENT.label}）" in due[0].text


async def test_visit_task_reminders_name_the_category_not_the_stored_reason(db: Database) -> None:
    sick = entry("sunpeng", "liuzhiyong", date(2026, 12, 9))
    await add(db, sick)
    await add(db, VisitTask(person="sunpeng", member="liuzhiyong", entry_id=sick.id, reason="tip",
                            due_date=date(2026, 11, 26), status="open", created_at=at(2026, 11, 25)))
    due = [s for s in await run_due(db, at(2026, 11, 26)) if s.kind == "followup_due"]
    assert len(due) == 1 and f"孙鹏（{CareCategory.ILLNESS.label}）" in due[0].text and "tip" not in due[0].text


async def test_digest_figures_match_the_ledger(db: Database) -> None:
    now = at(2026, 11, 23, 8, 13)  # Monday: the week before is Nov 16–22
    inside = at(2026, 11, 18).astimezone(timezone.utc)
    before = at(2026, 11, 10).astimezone(timezone.utc)
    await add(
        db,
        item(1, "closed", inside, closed_at=inside, resolved_at=inside, satisfaction="satisfied"),
        item(2, "closed", inside, closed_at=inside, resolved_at=inside, satisfaction="satisfied", requester="majing",
             owner="chenjunjie", team="检修班"),
        item(3, "in_progress", before, due_at=before),  # overdue
        item(4, "submitted", inside),
        ItemEvent(item_id=3, at=inside, actor="sunpeng", kind="reopened", from_status="resolved", to_status="reopened"),
        Visit(person="sunpeng", member="liuzhiyong", visited_on=date(2026, 11, 19), summary="看望",
              created_at=inside),
        Visit(person="majing", member="chenjunjie", visited_on=date(2026, 11, 20), summary="看望", created_at=inside),
        Visit(person="wutao", member="liuzhiyong", visited_on=date(2026, 11, 23), summary="看望", created_at=inside),
    )
    async with db.session(1) as session:
        text = await render_digest(session, "weekly", now, registry.digest_sections())
    assert "统计范围：2026年11月16日（周一） 至 2026年11月22日（周日）" in text
    assert "新增 3" in text and "已办结 2" in text and "销号 2" in text and "重新打开 1" in text
    assert "当前逾期 <font color=\"warning\">1</font>" in text
    assert "满意率**：67%" in text  # 2 satisfied, 1 reopened
    assert "完成 2 次" in text  # the Nov 23 visit is outside the week
    assert "近30天走访 3/11" in text
    assert len(text.encode()) <= 2048
    assert text.splitlines()[-1].startswith("处理：/逾期")  # ends with what to do about it
    sent = await run_due(db, now)
    assert "digest" in kinds(sent, "wanghaiyan")
    assert "digest" not in kinds(await run_due(db, now + timedelta(hours=1)))


async def test_week_to_date_digest_and_plain_zeros(db: Database) -> None:
    now = at(2026, 11, 25, 15, 20)  # a Wednesday afternoon
    async with db.session(1) as session:
        text = await render_digest(session, "week_to_date", now, registry.digest_sections())
    assert "四精助手本周至今" in text
    assert "统计范围：2026年11月23日（周一） 0:00 至 2026年11月25日（周三） 15:20" in text
    assert '<font color="warning">0</font>' not in text and "当前逾期 0" in text  # nothing to highlight
