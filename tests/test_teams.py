"""精益班组: monthly team score on a hand-built ledger, /排名, /班组, activities, reminders, digest, API, export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot import keys
from bot.app import create_app
from handlers.teams.export import write_sheets
from bot.fakewecom import FakeWeCom
from bot.nlu import Parser
from handlers.people.importer import import_roster
from schedules import gatherings as sweeps_gatherings
from schedules import teams as sweeps_teams
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage import teams
from storage.gatherings import SignupOutcome
from storage.models import AuditEntry, CareEntry, Gathering, Item, ItemEvent, Signup, Visit, VisitTask
from tests.conftest import SAMPLE_ROSTER, Bot, Clock, make_settings

TZ = ZoneInfo("Asia/Shanghai")
SECRETARY = "wanghaiyan"
AUTH = {"Authorization": "Bearer admin-secret"}
OCT = date(2026, 10, 1)


def at(day: date, h: int = 10, m: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, h, m, tzinfo=TZ)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


async def _ledger(bot: Bot) -> None:
    """October 2026, by hand (see test_score_components for the expected figures)."""
    async with bot.app[keys.DB].session(1) as s, s.begin():
        # visits, 运行一班: sunpeng's task (due 10-15) visited 10-14: on time; lixuemei's (due 10-20) never
        s.add(VisitTask(person="sunpeng", member="liuzhiyong", reason="回访", due_date=d(10, 15), status="done",
                        created_at=at(d(10, 10)), done_at=at(d(10, 14))))
        s.add(VisitTask(person="lixuemei", member="liuzhiyong", reason="回访", due_date=d(10, 20), status="open",
                        created_at=at(d(10, 10))))
        s.add(Visit(person="sunpeng", member="liuzhiyong", visited_on=d(10, 14), summary="", created_at=at(d(10, 14))))
        # wutao's care entry: a visit on 09-30 set the next follow-up for 10-25; visited 10-24: on time
        entry = CareEntry(person="wutao", category="illness", responsible="liuzhiyong", status="active",
                          interval_days=25, next_follow_up=d(11, 23), created_by="liuzhiyong",
                          created_at=at(d(9, 1)))
        s.add(entry)
        await s.flush()
        s.add(Visit(person="wutao", member="liuzhiyong", entry_id=entry.id, visited_on=d(9, 30), summary="",
                    next_date=d(10, 25), created_at=at(d(9, 30))))
        s.add(Visit(person="wutao", member="liuzhiyong", entry_id=entry.id, visited_on=d(10, 24), summary="",
                    next_date=d(11, 23), created_at=at(d(10, 24))))

        def item(n: int, requester: str, *, kind: str = "deed", team: str = "", created: datetime,
                 response: datetime | None, status: str = "closed") -> Item:
            return Item(number=n, kind=kind, requester=requester, owner="liuzhiyong", team=team, title=f"事项{n}",
                        text=f"事项{n}", status=status, created_at=created, updated_at=created,
                        first_response_at=response)

        a = item(1, "sunpeng", team="运行一班", created=at(d(10, 20)), response=at(d(10, 21), 9))
        b = item(2, "lixuemei", team="运行一班", created=at(d(10, 20)), response=at(d(10, 22)))
        c = item(3, "zhaoyufei", team="运行二班", created=at(d(10, 20)), response=at(d(10, 20), 11))
        inc = item(4, "wutao", kind="incident", team="运行一班", created=at(d(10, 20)),
                   response=at(d(10, 20), 10, 20), status="acknowledged")
        s.add_all([a, b, c, inc])
        await s.flush()
        s.add_all([
            ItemEvent(item_id=a.id, at=at(d(10, 21), 15), actor="sunpeng", kind="confirmed", to_status="closed"),
            ItemEvent(item_id=b.id, at=at(d(10, 22), 15), actor="lixuemei", kind="reopened", to_status="reopened"),
            ItemEvent(item_id=b.id, at=at(d(10, 23), 15), actor=SECRETARY, kind="closed_by_hand", to_status="closed"),
            ItemEvent(item_id=c.id, at=at(d(10, 21), 15), actor="zhaoyufei", kind="confirmed", to_status="closed"),
        ])
        # participation: a training (sunpeng) and an activity (liuzhiyong, sunpeng) in October
        tr = Gathering(kind="training", number=1, title="安全培训", starts_at=at(d(10, 15), 14), status="done",
                       created_by=SECRETARY, created_at=at(d(10, 9)))
        ac = Gathering(kind="activity", number=1, title="秋季运动会", category="sports", starts_at=at(d(10, 16), 9),
                       status="done", team="运行一班", created_by="liuzhiyong", created_at=at(d(10, 9)))
        s.add_all([tr, ac])
        await s.flush()
        s.add_all([
            Signup(event_id=tr.id, userid="sunpeng", signed_at=at(d(10, 9)), attended=True),
            Signup(event_id=ac.id, userid="sunpeng", signed_at=at(d(10, 9)), attended=True),
            Signup(event_id=ac.id, userid="liuzhiyong", signed_at=at(d(10, 9)), attended=True),
            Signup(event_id=ac.id, userid="wutao", signed_at=at(d(10, 9)), attended=False),
        ])


async def _ranking(bot: Bot, w: Any = None) -> teams.Ranking:
    async with bot.app[keys.DB].session(1) as s:
        return await teams.ranking(s, OCT, TZ, now=bot.clock().astimezone(TZ), weights_=teams.weights(w))


# --- weights ----------------------------------------------------------------------------------


def test_weights_defaults_override_and_errors() -> None:
    assert teams.weights(None) == teams.DEFAULT_WEIGHTS
    assert teams.weights('{"visits": 0.5}')["visits"] == 0.5
    assert teams.weights({"incidents": 1})["satisfaction"] == 0.25
    with pytest.raises(teams.TeamWeightsError, match="未知的项：speed"):
        teams.weights('{"speed": 1}')
    with pytest.raises(teams.TeamWeightsError, match="不小于 0"):
        teams.weights('{"visits": -1}')
    with pytest.raises(teams.TeamWeightsError, match="全部为 0"):
        teams.weights({k: 0 for k in teams.COMPONENTS})
    with pytest.raises(teams.TeamWeightsError, match="JSON"):
        teams.weights("{visits")


def test_combine_excludes_undefined_components() -> None:
    comps = {"visits": teams.Component("visits", 1, 2), "incidents": teams.Component("incidents", 0, 0)}
    assert teams.combine(comps, teams.DEFAULT_WEIGHTS) == 50.0
    assert teams.combine({"incidents": teams.Component("incidents", 0, 0)}, teams.DEFAULT_WEIGHTS) is None


# --- the score ---------------------------------------------------------------------------------


async def test_score_components_by_hand(bot: Bot) -> None:
    await _ledger(bot)
    r = await _ranking(bot)
    one, two = r.of("运行一班"), r.of("运行二班")
    assert one is not None and two is not None
    got = {k: (c.num, c.den) for k, c in one.components.items()}
    assert got == {"visits": (2, 3), "satisfaction": (1, 3), "response": (1, 2), "incidents": (1, 1),
                   "participation": (2, 4)}
    # 100 × (0.3·2/3 + 0.25·1/3 + 0.2·1/2 + 0.1·1 + 0.15·2/4) = 55.8
    assert one.score == 55.8
    got = {k: (c.num, c.den) for k, c in two.components.items()}
    assert got == {"visits": (0, 0), "satisfaction": (1, 1), "response": (1, 1), "incidents": (0, 0),
                   "participation": (0, 4)}
    # undefined visits/incidents excluded: 100 × (0.25 + 0.2 + 0) / 0.6 = 75.0
    assert two.score == 75.0
    assert [(t.rank, t.team, t.score) for t in r.teams] == [
        (1, "运行二班", 75.0), (2, "运行一班", 55.8), (3, "检修班", 0.0), (3, "综合办公室", 0.0)]
    assert r.excellent() == []  # nobody ≥ 85: nobody is excellent (the top team is not crowned)
    assert [p.name for p in two.leaders] == ["张敏"]

    # configurable weights change the ranking: incidents count 1, satisfaction 0
    r = await _ranking(bot, '{"incidents": 1, "satisfaction": 0}')
    assert [(t.team, t.score) for t in r.teams[:2]] == [("运行一班", 83.3), ("运行二班", 57.1)]


async def test_rank_and_team_commands(bot: Bot) -> None:
    await _ledger(bot)
    out = (await bot.chat("sunpeng", "/排名 2026-10"))[0]
    assert out.startswith("2026年10月班组评分：")
    assert "1. 运行二班 75.0分（网格长 张敏）" in out and "2. 运行一班 55.8分（网格长 刘志勇）" in out
    assert "按时回访67%(2/3)" in out and "满意办结33%(1/3)" in out and "事件处置100%(1/1)" in out
    assert "没有数据的项不计入" in out
    assert (await bot.chat("sunpeng", "/排名 上月"))[0] == out
    now = (await bot.chat("sunpeng", "/排名"))[0]
    assert now.startswith("2026年11月班组评分（截至11月25日）：")
    assert "看不懂月份" in (await bot.chat("sunpeng", "/排名 明年"))[0]

    assert "只有支部书记和网格长" in (await bot.chat("sunpeng", "/班组"))[0]
    assert "只能查看本班组" in (await bot.chat("liuzhiyong", "/班组 运行二班"))[0]
    assert "没有“财务科”这个班组" in (await bot.chat(SECRETARY, "/班组 财务科"))[0]
    own = (await bot.chat("liuzhiyong", "/班组"))[0]
    assert own.startswith("【运行一班】网格长：刘志勇；共 4 人") and "孙鹏" in own
    assert "本月事件 0 件" in own and "本月评分" in own
    sec = (await bot.chat(SECRETARY, "/班组 运行一班"))[0]
    assert sec == own
    async with bot.app[keys.DB].session(1) as s:
        views = (await s.execute(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "team_view"))).scalar_one()
    assert views == 2


# --- activities ---------------------------------------------------------------------------------

CREATE = "/活动 新建 冬季运动会 时间=2026-12-05 09:00 地点=体育馆 名额=2 类型=运动会 班组=运行一班"


def _cards(bot: Bot, user: str) -> list[dict]:
    return [m["template_card"] for m in bot.fake.to(user) if m.get("msgtype") == "template_card"]


async def _count(bot: Bot, model: Any) -> int:
    async with bot.app[keys.DB].session(1) as s:
        return (await s.execute(select(func.count()).select_from(model))).scalar_one()


async def test_bad_activity_input_changes_nothing(bot: Bot) -> None:
    bad = [
        (SECRETARY, CREATE.replace("运行一班", "财务科"), "没有“财务科”这个班组"),
        (SECRETARY, CREATE.replace("2026-12-05", "2026-11-20"), "已经过去了"),
        (SECRETARY, CREATE.replace("名额=2", "名额=两"), "名额“两”不对"),
        (SECRETARY, CREATE.replace("类型=运动会", "类型=聚餐"), "没有“聚餐”这个活动类型"),
        (SECRETARY, CREATE.replace("2026-12-05 09:00", "下周"), "看不懂时间"),
        ("liuzhiyong", CREATE.replace("运行一班", "检修班"), "只能为本班组（运行一班）发布"),
        ("sunpeng", CREATE, "只能由支部书记或网格长发布"),
    ]
    for user, text, why in bad:
        assert why in (await bot.chat(user, text))[0], text
    assert await _count(bot, Gathering) == 0
    assert "没有找到活动9" in (await bot.chat("sunpeng", "报名活动9"))[0]
    assert await _count(bot, Signup) == 0


async def test_activity_signup_full_attendance_and_score(bot: Bot) -> None:
    out = await bot.chat(SECRETARY, CREATE)
    assert "已发布活动1「冬季运动会」（运行一班" in out[0] and "已通知 4 人" in out[0]
    cards = _cards(bot, "sunpeng")
    assert len(cards) == 1 and [b["key"] for b in cards[0]["button_list"]] == ["teams:signup:1"]
    assert any("回复“报名 活动1”" in t for t in await bot.fallbacks("sunpeng"))
    assert _cards(bot, "zhaoyufei") == []  # another team's people are not invited

    assert "报名成功：活动1「冬季运动会」" in (await bot.click("sunpeng", "teams:signup:1"))[0]
    assert "不用重复报名" in (await bot.chat("sunpeng", "报名 活动1"))[0]
    assert "报名成功" in (await bot.chat("lixuemei", "报名活动1"))[0]
    assert SignupOutcome.FULL.label in (await bot.chat("wutao", "报名活动1"))[0]
    assert "不在该班组" in (await bot.chat("zhaoyufei", "报名活动1"))[0]
    assert await _count(bot, Signup) == 2

    listing = (await bot.chat("wutao", "/活动"))[0]
    assert "活动1 冬季运动会（运动会，运行一班）" in listing and "已报名 2/2" in listing

    # attendance: not before the day, only the organiser or the secretary, unknown names change nothing
    assert "还没到" in (await bot.chat(SECRETARY, "/签到 活动1 孙鹏,李雪梅"))[0]
    bot.clock.now = at(d(12, 5), 11).astimezone(bot.clock.now.tzinfo)
    assert "已经开始或结束" in (await bot.chat("wutao", "报名活动1"))[0]
    assert "只能由发布人或支部书记" in (await bot.chat("liuzhiyong", "/签到 活动1 孙鹏"))[0]
    assert "名册里没有：张三" in (await bot.chat(SECRETARY, "/签到 活动1 孙鹏,张三"))[0]
    async with bot.app[keys.DB].session(1) as s:
        assert (await s.execute(select(func.count()).select_from(Signup).where(Signup.attended))).scalar_one() == 0
    out = (await bot.chat(SECRETARY, "/签到 活动1 孙鹏，李雪梅、刘志勇"))[0]
    assert "新登记 3 人（孙鹏、李雪梅、刘志勇）" in out
    assert "已登记过：孙鹏" in (await bot.chat(SECRETARY, "/签到 活动1 孙鹏"))[0]

    async with bot.app[keys.DB].session(1) as s:
        r = await teams.ranking(s, d(12, 1), TZ, now=bot.clock().astimezone(TZ))
        actions = [a.action for a in (await s.execute(select(AuditEntry).where(
            AuditEntry.object_type == "activity").order_by(AuditEntry.id))).scalars()]
    one = r.of("运行一班")
    assert one is not None and (one.components["participation"].num, one.components["participation"].den) == (3, 4)
    assert actions == ["activity_created", "activity_signup", "activity_signup", "activity_attendance"]


async def test_grid_leader_announces_for_own_team_and_cancel(bot: Bot) -> None:
    out = await bot.chat("liuzhiyong", "/活动 新建 参观红色教育基地 时间=2026-12-05 09:00 地点=市展览馆 类型=参观学习")
    assert "已发布活动1「参观红色教育基地」（运行一班" in out[0] and "名额不限" in out[0]
    assert "报名成功" in (await bot.chat("wutao", "报名活动1"))[0]
    assert "已取消" in (await bot.chat("wutao", "取消报名活动1"))[0]
    assert "您没有报名活动1" in (await bot.chat("wutao", "取消报名活动1"))[0]
    assert "报名成功" in (await bot.chat("wutao", "报名活动1"))[0]


async def test_reminder_the_day_before(bot: Bot) -> None:
    await bot.chat(SECRETARY, CREATE)  # Saturday 12-05 09:00
    await bot.chat("sunpeng", "报名活动1")
    await bot.chat("lixuemei", "报名活动1")

    async def run(now: datetime) -> list[Any]:
        async with bot.app[keys.DB].session(1) as s, s.begin():
            ctx = SweepContext(s, now, ScheduleConfig())
            await sweeps_gatherings.eve_reminders(ctx)
            return ctx.sent

    assert await run(at(d(12, 3), 10)) == []
    assert await run(at(d(12, 4), 7, 59)) == []
    sent = await run(at(d(12, 4), 8, 30))
    assert sorted(s.recipient for s in sent) == ["lixuemei", "sunpeng"]
    assert {s.key for s in sent} == {"activity:sunpeng:1:eve", "activity:lixuemei:1:eve"}
    assert "明天" not in sent[0].text and "12月5日（周六）09:00" in sent[0].text
    assert await run(at(d(12, 4), 15)) == []  # once only
    assert sweeps_gatherings.remind_day(d(12, 7)) == d(12, 4)  # Monday's activity: Friday


async def test_digest_names_nobody_excellent_without_the_score_and_the_records(bot: Bot) -> None:
    await _ledger(bot)
    now = at(d(11, 2), 9)
    async with bot.app[keys.DB].session(1) as s:
        lines = await sweeps_teams.digest_lines(s, at(d(10, 1), 0), at(d(11, 1), 0), now)
        assert len(lines) == 1 and "优秀班组" not in lines[0] and "没有班组达到优秀标准" in lines[0]
        assert "1. 运行二班 75.0分" in lines[0]
        # 100 points on one incident alone: not excellence either
        w = teams.weights({"incidents": 5, "satisfaction": 0, "participation": 0, "response": 0, "visits": 0})
        lines = await sweeps_teams.digest_lines(s, at(d(10, 1), 0), at(d(11, 1), 0), now, weights=w)
        assert "1. 运行一班 100.0分" in lines[0] and "没有班组达到优秀标准" in lines[0]


def test_excellent_needs_the_score_and_enough_records() -> None:
    def team(name: str, score: float, **parts: tuple[int, int]) -> teams.TeamScore:
        comps = {k: teams.Component(k, n, den) for k, (n, den) in parts.items()}
        return teams.TeamScore(name, 10, [], comps, score, 1)

    r = teams.Ranking(d(10, 1), at(d(11, 1), 0), dict(teams.DEFAULT_WEIGHTS), [
        team("A", 90.0, visits=(4, 4), satisfaction=(2, 2)),  # 2 components, 6 records: excellent
        team("B", 100.0, incidents=(1, 1)),  # one record
        team("C", 95.0, visits=(2, 2), response=(1, 1)),  # 3 records
        team("D", 84.9, visits=(9, 10), satisfaction=(9, 10)),  # under the score
    ])
    assert [t.team for t in r.excellent()] == ["A"]


# --- API and export -------------------------------------------------------------------------------


@pytest.fixture
async def api_bot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
                  parser: Parser) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


async def test_api_and_export(api_bot: Bot) -> None:
    bot = api_bot
    await _ledger(bot)
    assert "已发布活动2" in (await bot.chat(SECRETARY, CREATE))[0]  # numbers continue after the ledger's
    assert "报名成功" in (await bot.chat("sunpeng", "报名活动2"))[0]

    assert (await bot.client.get("/api/teams")).status == 401
    body = await (await bot.client.get("/api/teams", headers=AUTH, params={"month": "2026-10"})).json()
    assert body["month"] == "2026-10" and body["total"] == 4
    first = body["items"][0]
    assert (first["team"], first["score"], first["rank"], first["size"]) == ("运行二班", 75.0, 1, 4)
    assert first["grid_leaders"] == [{"userid": "zhangmin", "name": "张敏"}]
    assert first["components"]["visits"] == {"name_cn": "按时回访", "ratio": None, "num": 0, "den": 0}
    assert (await bot.client.get("/api/teams", headers=AUTH, params={"month": "2026-13"})).status == 400
    assert (await bot.client.get("/api/teams", headers=AUTH, params={"x": "1"})).status == 400
    cur = await (await bot.client.get("/api/teams", headers=AUTH)).json()
    assert cur["month"] == "2026-11"

    body = await (await bot.client.get("/api/activities", headers=AUTH)).json()
    assert body["total"] == 2
    new = body["items"][0]
    assert (new["number"], new["signed_up"], new["attended"], new["capacity"], new["team"]) == (2, 1, 0, 2, "运行一班")
    old = await (await bot.client.get("/api/activities", headers=AUTH,
                                      params={"to": "2026-10-31", "status": "done"})).json()
    assert [(a["number"], a["signed_up"], a["attended"]) for a in old["items"]] == [(1, 3, 2)]
    page = await (await bot.client.get("/api/activities", headers=AUTH, params={"limit": "1", "offset": "1"})).json()
    assert page["total"] == 2 and len(page["items"]) == 1 and page["items"][0]["number"] == 1
    assert (await bot.client.get("/api/activities", headers=AUTH, params={"status": "nope"})).status == 400

    wb = Workbook()
    wb.remove(wb.active)
    async with bot.app[keys.DB].session(1) as s:
        await write_sheets(s, wb, TZ, now=bot.clock().astimezone(TZ))
    assert wb.sheetnames == ["班组评分", "活动记录"]
    rows = list(wb["班组评分"].iter_rows(values_only=True))
    assert rows[0][:4] == ("月份", "班组", "网格长", "人数") and rows[0][-2:] == ("得分", "排名")
    oct_rows = {r[1]: r for r in rows[1:] if r[0] == "2026-10"}
    assert oct_rows["运行一班"][-2:] == (55.8, 2) and oct_rows["运行二班"][2] == "张敏"
    assert {r[0] for r in rows[1:]} == {"2026-09", "2026-10", "2026-11"}
    acts = list(wb["活动记录"].iter_rows(values_only=True))
    assert acts[1][:4] == (1, "秋季运动会", "运动会", "运行一班") and acts[1][8:11] == (3, 2, "孙鹏、刘志勇")
    assert acts[2][0] == 2 and acts[2][8] == 1


async def test_activity_roster_and_cancel_share_the_training_flow(bot: Bot) -> None:
    await bot.chat("liuzhiyong", "/活动 新建 参观红色教育基地 时间=12-05 09:00 地点=市展览馆 类型=参观学习")
    await bot.chat("sunpeng", "我报名活动1")
    roll = (await bot.chat("liuzhiyong", "/活动 1 名单"))[0]
    assert roll.startswith("活动1「参观红色教育基地」12月5日（周六）09:00，报名中") and "1. 孙鹏" in roll
    assert "只有发布人、党员和支部书记" in (await bot.chat("wutao", "/活动 1 名单"))[0]
    assert "只能由发布人或支部书记取消" in (await bot.chat("wutao", "/活动 取消 1"))[0]
    out = await bot.chat("liuzhiyong", "/活动 取消 1")
    assert "已取消活动1「参观红色教育基地」，已通知 1 位报名的同志" in out[0]
    assert "您报名的活动1「参观红色教育基地」（12月5日（周六）09:00）已取消。" in bot.fake.texts("sunpeng")
    assert "活动1已取消，不能取消。" in (await bot.chat(SECRETARY, "/活动 取消 1"))[0]
    assert SignupOutcome.CANCELLED.label in (await bot.chat("wutao", "报名活动1"))[0]
    assert "这个按钮已失效" in (await bot.click("sunpeng", "teams:join:1"))[0]
