"""Duty roster, duty questions, duty import and incidents followed to acknowledgement."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from bot import keys
from bot.fsm import REASK
from handlers.duty import messages as msg
from handlers.duty.importer import DutyFileError, import_duty, parse_day
from handlers.duty.states import IncidentCard
from storage import duty
from storage.db import create_database
from storage import migrate
from storage.deeds import EventKind
from storage.duty import IncidentStatus
from storage.duty.lifecycle import TRANSITIONS, can, check
from storage.errors import Refused
from storage.models import AuditEntry, Item, ItemEvent
from storage.people import Role
from tests.conftest import Bot, SAMPLE_ROSTER

NOW = datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)


async def _put_duty(bot: Bot, day: date, userid: str, phone: str = "", note: str = "") -> None:
    async with bot.app[keys.DB].session(1) as session, session.begin():
        await duty.upsert(session, day, userid, phone=phone, note=note)


# --- duty questions -------------------------------------------------------------


async def test_duty_query_today_with_someone_on_duty(bot: Bot) -> None:
    await _put_duty(bot, date(2026, 11, 25), "liuzhiyong", phone="13911112222", note="白班")
    replies = await bot.chat("sunpeng", "今天谁值班")
    assert len(replies) == 1
    assert "今天" in replies[0] and "刘志勇" in replies[0] and "13911112222" in replies[0] and "白班" in replies[0]


async def test_duty_query_uses_roster_phone_without_duty_phone(bot: Bot) -> None:
    await _put_duty(bot, date(2026, 11, 26), "zhangmin")
    replies = await bot.chat("majing", "明天谁值班？")
    assert len(replies) == 1
    assert "明天" in replies[0] and "张敏" in replies[0] and "13800000003" in replies[0]


async def test_duty_query_nobody_on_duty_gives_secretary(bot: Bot) -> None:
    await _put_duty(bot, date(2026, 11, 25), "liuzhiyong")
    replies = await bot.chat("sunpeng", "明天谁值班？")
    assert len(replies) == 1
    assert "没有安排值班" in replies[0] and "王海燕" in replies[0] and "13800000001" in replies[0]
    replies = await bot.chat("sunpeng", "今天值班的是谁")
    assert "刘志勇" in replies[0]


# --- /值班 -----------------------------------------------------------------------


async def test_secretary_sets_duty_and_lists_week(bot: Bot) -> None:
    replies = await bot.chat("wanghaiyan", "/值班 明天 liuzhiyong 13911112222")
    assert len(replies) == 1 and "已排班" in replies[0] and "刘志勇" in replies[0]
    replies = await bot.chat("wanghaiyan", "/值班 11月28日 张敏")
    assert "已排班" in replies[0] and "张敏" in replies[0]
    replies = await bot.chat("wanghaiyan", "/值班 2026-11-28 zhangmin 13700000000")
    assert "已更新" in replies[0]
    week = (await bot.chat("wanghaiyan", "/值班"))[0]
    assert "未来 7 天" in week and week.count("（未排班）") == 5
    assert "明天（11月26日 周四）：刘志勇，电话 13911112222" in week
    assert "11月28日 周六：张敏，电话 13700000000" in week
    assert "刘志勇" in (await bot.chat("sunpeng", "明天谁值班？"))[0]
    async with bot.app[keys.DB].session(1) as session:
        rows = list((await session.execute(select(AuditEntry).where(AuditEntry.object_type == "duty"))).scalars())
    assert [r.action for r in rows] == ["create", "create", "update"]


async def test_duty_command_errors(bot: Bot) -> None:
    assert "看不懂日期" in (await bot.chat("wanghaiyan", "/值班 某天 liuzhiyong"))[0]
    assert "名册中没有" in (await bot.chat("wanghaiyan", "/值班 明天 nobody"))[0]
    assert "格式不对" in (await bot.chat("wanghaiyan", "/值班 明天 liuzhiyong 电话"))[0]
    assert "格式" in (await bot.chat("wanghaiyan", "/值班 明天"))[0]


@pytest.mark.parametrize("text", ["/值班", "/值班 明天 sunpeng"])
async def test_duty_command_refused_for_others(bot: Bot, text: str) -> None:
    replies = await bot.chat("liuzhiyong", text)
    assert len(replies) == 1 and "只有支部书记" in replies[0]
    async with bot.app[keys.DB].session(1) as session:
        assert await duty.between(session, date(2026, 1, 1), date(2027, 1, 1)) == []


# --- duty import -----------------------------------------------------------------


@pytest.fixture
async def db(database_url: str):  # type: ignore[no-untyped-def]
    from handlers.people.importer import import_roster

    database = create_database(database_url)
    await migrate.upgrade(database)
    await import_roster(database, SAMPLE_ROSTER, NOW)
    yield database
    await database.dispose()


def test_parse_day_formats() -> None:
    assert parse_day("2026-11-25") == date(2026, 11, 25)
    assert parse_day("2026/11/5") == date(2026, 11, 5)
    assert parse_day(46351) == date(2026, 11, 25)
    assert parse_day(datetime(2026, 11, 25)) == date(2026, 11, 25)
    assert parse_day("2026-02-30") is None and parse_day("明天") is None


async def test_duty_import_reports_every_bad_row_and_imports_nothing(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "duty.csv"
    path.write_text("日期,账号,电话,备注\n"
                    "2026-11-25,liuzhiyong,13911112222,白班\n"
                    "2026-13-01,zhangmin,,\n"
                    "2026/11/26,nobody,,\n"
                    "2026-11-25,liuzhiyong,,\n"
                    "2026-11-27,chenjunjie,abc,\n", encoding="utf-8")
    with pytest.raises(DutyFileError) as err:
        await import_duty(db, path, NOW)
    rows = [(e.row, e.reason) for e in err.value.errors]
    assert [r for r, _ in rows] == [3, 4, 5, 6]
    assert "日期" in rows[0][1] and "nobody 不在名册中" in rows[1][1]
    assert "与第 2 行重复" in rows[2][1] and "电话" in rows[3][1]
    assert "第 3 行" in str(err.value)
    async with db.session(1) as session:
        assert await duty.between(session, date(2026, 1, 1), date(2027, 1, 1)) == []


async def test_duty_import_csv_and_xlsx_idempotent(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "duty.csv"
    path.write_text("date,userid,phone,note\n2026-11-25,liuzhiyong,13911112222,白班\n"
                    "2026/11/26,zhangmin,,\n\n", encoding="utf-8")
    assert await import_duty(db, path, NOW) == 2
    assert await import_duty(db, path, NOW) == 2
    wb = Workbook()
    ws = wb.active
    ws.append(["日期", "账号", "电话", "备注"])
    ws.append([datetime(2026, 11, 26), "zhangmin", "13700000000", "夜班"])
    ws.append([46352, "chenjunjie", None, None])
    xlsx = tmp_path / "duty.xlsx"
    wb.save(xlsx)
    assert await import_duty(db, xlsx, NOW) == 2
    async with db.session(1) as session:
        got = await duty.between(session, date(2026, 11, 25), date(2026, 11, 30))
    assert [(e.day.day, e.userid, e.phone, e.note) for e in got] == [
        (25, "liuzhiyong", "13911112222", "白班"),
        (26, "zhangmin", "13700000000", "夜班"),
        (26, "chenjunjie", "", ""),
    ]


async def test_duty_import_missing_columns(db, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "duty.csv"
    path.write_text("name,phone\n刘志勇,1\n", encoding="utf-8")
    with pytest.raises(DutyFileError) as err:
        await import_duty(db, path, NOW)
    assert err.value.errors[0].row == 1 and "缺少列" in err.value.errors[0].reason


# --- incidents -------------------------------------------------------------------


def _cards(bot: Bot, user: str) -> list[dict]:  # type: ignore[type-arg]
    return [m["template_card"] for m in bot.fake.to(user) if m.get("msgtype") == "template_card"]


async def test_incident_followed_to_acknowledgement(bot: Bot) -> None:
    replies = await bot.chat("sunpeng", "检修班配电室着火了，快来人")
    assert len(replies) == 1
    told = replies[0]
    assert "#1" in told and f"刘志勇（{msg.GRID_LEADER}）" in told and f"王海燕（{Role.SECRETARY.label}）" in told
    for user in ("liuzhiyong", "wanghaiyan"):
        cards = _cards(bot, user)
        assert len(cards) == 1
        assert cards[0]["button_list"][0]["key"] == "incident:ack:1" and cards[0]["button_list"][0]["text"] == "收到"
        assert IncidentCard.unpack("incident:ack:1") == IncidentCard("ack", 1)
        assert "紧急" in cards[0]["main_title"]["title"]
        assert any("回复“收到 #1”确认" in t for t in await bot.fallbacks(user))
    assert _cards(bot, "zhangmin") == []  # another team's grid leader
    async with bot.app[keys.DB].session(1) as session:
        item = (await session.execute(select(Item))).scalar_one()
        assert (item.kind, item.status, item.number, item.team, item.urgent) == (
            duty.KIND, IncidentStatus.OPEN, 1, "运行一班", True)

    listing = (await bot.chat("wanghaiyan", "/事件"))[0]
    assert "#1" in listing and "孙鹏" in listing
    assert "#1" in (await bot.chat("liuzhiyong", "/事件"))[0]
    assert "没有待确认" in (await bot.chat("zhangmin", "/事件"))[0]  # other team
    assert "只有支部书记和网格长" in (await bot.chat("wutao", "/事件"))[0]

    refused = await bot.click("wutao", IncidentCard("ack", 1).pack())
    assert len(refused) == 1 and "网格长或支部书记确认" in refused[0]
    before = len(bot.fake.texts("sunpeng"))
    acked = await bot.click("liuzhiyong", IncidentCard("ack", 1).pack())
    assert "已确认事件 #1" in acked[0]
    assert bot.fake.texts("sunpeng")[before:] == ["您报告的事件 #1 已由刘志勇（网格长）确认收到，正在处置。"]
    assert "已由刘志勇（网格长）确认" in bot.fake.texts("wanghaiyan")[-1]
    again = await bot.click("wanghaiyan", IncidentCard("ack", 1).pack())
    assert "已由刘志勇确认过了" in again[0]
    listing = (await bot.chat("wanghaiyan", "/事件"))[0]
    assert msg.open_incidents(1) not in listing and msg.unclosed_heading(1) in listing  # acknowledged, not closed
    async with bot.app[keys.DB].session(1) as session:
        item = (await session.execute(select(Item))).scalar_one()
        assert item.status == IncidentStatus.ACKNOWLEDGED and item.first_response_at is not None
        events = [(e.kind, e.actor) for e in (await session.execute(select(ItemEvent).order_by(ItemEvent.id))).scalars()]
        assert events == [(EventKind.REPORTED, "sunpeng"), (EventKind.ACKNOWLEDGED, "liuzhiyong")]
        acts = [(a.action, a.actor) for a in (await session.execute(
            select(AuditEntry).where(AuditEntry.object_type == "incident").order_by(AuditEntry.id))).scalars()]
        assert acts == [("create", "sunpeng"), ("acknowledge", "liuzhiyong")]


async def test_incident_acknowledged_by_text(bot: Bot) -> None:
    await bot.chat("majing", "运行一班3号机组突然跳闸了，现场有烟")
    assert len(_cards(bot, "chenjunjie")) == 1 and len(_cards(bot, "wanghaiyan")) == 1
    refused = await bot.chat("guoqiang", "收到 #1")  # a random employee
    assert len(refused) == 1 and "网格长或支部书记确认" in refused[0]
    refused = await bot.chat("liuzhiyong", "#1 收到")  # grid leader of another team
    assert "网格长或支部书记确认" in refused[0]
    assert "您本人报告" in (await bot.chat("majing", "收到 #1"))[0]
    before = len(bot.fake.texts("majing"))
    acked = await bot.chat("chenjunjie", "#1 收到")
    assert "已确认事件 #1" in acked[0]
    assert bot.fake.texts("majing")[before:] == ["您报告的事件 #1 已由陈俊杰（网格长）确认收到，正在处置。"]
    assert "已由陈俊杰确认过了" in (await bot.chat("wanghaiyan", "收到 #1"))[0]
    missing = (await bot.chat("wanghaiyan", "收到 #9"))[0]
    assert "没有找到" in missing and "#9" in missing


async def test_incident_numbers_share_the_item_counter(bot: Bot) -> None:
    async with bot.app[keys.DB].session(1) as session, session.begin():
        assert await duty.next_number(session) == 1
        assert await duty.next_number(session) == 2
    replies = await bot.chat("huangqing", "运行二班控制室冒烟了，有焦糊味")
    assert "#3" in replies[0], replies


async def test_a_stale_incident_button_is_not_taken(bot: Bot) -> None:
    await bot.chat("sunpeng", "检修班配电室着火了，快来人")
    await bot.click("liuzhiyong", "incident:close:1")  # not a key of ours: nothing changes
    async with bot.app[keys.DB].session(1) as session:
        assert (await session.execute(select(Item))).scalar_one().status == IncidentStatus.OPEN


# --- the incident lifecycle ---------------------------------------------------------


I = IncidentStatus


@pytest.mark.parametrize(("current", "target"), [(c, t) for c, ts in TRANSITIONS.items() for t in sorted(ts)])
def test_allowed_incident_transitions(current: IncidentStatus, target: IncidentStatus) -> None:
    assert can(current, target) and check(7, current, target) == target


@pytest.mark.parametrize(("current", "target", "text"), [
    (I.ACKNOWLEDGED, I.ACKNOWLEDGED, "事件 #7 已由刘志勇确认过了，无需重复确认。"),
    (I.CLOSED, I.ACKNOWLEDGED, "事件 #7 已经处置完毕。"),
    (I.CLOSED, I.CLOSED, "事件 #7 已经处置完毕。"),
    (I.OPEN, I.OPEN, f"事件 #7 当前状态是“{I.OPEN.label}”，不能改为“{I.OPEN.label}”。"),
    (I.ACKNOWLEDGED, I.OPEN, f"事件 #7 当前状态是“{I.ACKNOWLEDGED.label}”，不能改为“{I.OPEN.label}”。"),
])
def test_refused_incident_transitions(current: IncidentStatus, target: IncidentStatus, text: str) -> None:
    assert not can(current, target)
    with pytest.raises(Refused) as refused:
        check(7, current, target, by="刘志勇")
    assert refused.value.message == text


def test_a_second_acknowledgement_without_a_name_says_someone() -> None:
    with pytest.raises(Refused, match="已由他人确认过了"):
        check(7, I.ACKNOWLEDGED, I.ACKNOWLEDGED)


async def test_concurrent_acknowledgements_one_wins(db) -> None:  # type: ignore[no-untyped-def]
    """Two people acknowledging at once, each in their own transaction: one wins, the other is told who."""
    async with db.session(1) as session, session.begin():
        item = await duty.create_incident(session, reporter="sunpeng", team="运行一班", text="配电室着火了",
                                          urgent=True, now=NOW)
        number = item.number

    async def ack(actor: str) -> str:
        async with db.session(1) as session, session.begin():
            incident = await duty.get_incident(session, number)
            assert incident is not None
            await asyncio.sleep(0)
            try:
                await duty.acknowledge(session, incident, actor, NOW)
            except Refused as exc:
                return exc.message
            return "ok"

    results = await asyncio.gather(ack("liuzhiyong"), ack("wanghaiyan"))
    assert results.count("ok") == 1
    winner = "刘志勇" if results[0] == "ok" else "王海燕"
    assert f"已由{winner}确认过了" in [r for r in results if r != "ok"][0]
    async with db.session(1) as session:
        events = list((await session.execute(select(ItemEvent).where(ItemEvent.kind == EventKind.ACKNOWLEDGED))).scalars())
        incident = await duty.get_incident(session, number)
    assert len(events) == 1 and incident is not None and incident.status == IncidentStatus.ACKNOWLEDGED


@pytest.mark.both_databases
async def test_two_acknowledging_at_once_through_the_bot(bot: Bot) -> None:
    await bot.chat("sunpeng", "检修班配电室着火了，快来人")
    statuses = await asyncio.gather(bot.say("liuzhiyong", "收到 #1"), bot.say("wanghaiyan", "#1 收到"))
    assert set(statuses) == {200}
    await bot.flush()
    answers = [bot.fake.texts(u)[-1] for u in ("liuzhiyong", "wanghaiyan")]
    assert sum("已确认事件 #1" in a for a in answers) == 1
    assert sum("确认过了，无需重复确认" in a for a in answers) == 1
    told = [t for t in bot.fake.texts("sunpeng") if "确认收到" in t]
    assert len(told) == 1


# --- interrupts: duty questions and incident reports reach duty while a question is open --------------


async def test_duty_query_and_incident_during_an_open_question(bot: Bot) -> None:
    await _put_duty(bot, date(2026, 11, 25), "liuzhiyong", phone="13911112222")
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    asked = (await bot.chat("sunpeng", "食堂晚班还是没有热饭，希望改善"))[0]
    assert "是否与 #1 是同一件事？" in asked
    replies = await bot.chat("sunpeng", "今天谁值班")
    assert "刘志勇" in replies[0] and "13911112222" in replies[0]
    assert replies[-1].startswith(REASK) and "是否与 #1" in replies[-1]
    replies = await bot.chat("sunpeng", "运行一班配电室着火了，快来人")
    assert "已记录为事件 #2" in replies[0] and replies[-1].startswith(REASK)
    assert "补充到 #1" in (await bot.chat("sunpeng", "是"))[0]
