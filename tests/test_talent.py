"""精英培养 end to end: profiles, trainings, reminders, reserve talent, lecturers, API and export."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from sqlalchemy import select

from bot import keys
from handlers.talent import api as api_talent, export as export_talent
from handlers.gatherings import api as api_gatherings
from schedules import gatherings as sweeps_gatherings
from schedules import talent as sweeps_talent
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage import gatherings
from storage import talent as store
from storage.gatherings import SignupOutcome
from storage.models import AuditEntry, Gathering, ReserveCandidate, ReserveReview
from tests.conftest import Bot

SECRETARY = "wanghaiyan"
TZ = ZoneInfo("Asia/Shanghai")
AUTH = {"Authorization": "Bearer admin-secret"}
NEW_TRAINING = "/培训 新建 电工安全培训 时间=2026-12-03 14:00 地点=三楼会议室 名额=2 讲师=张敏"


def _cards(bot: Bot, user: str) -> list[dict[str, Any]]:
    return [m["template_card"] for m in bot.fake.to(user) if m.get("msgtype") == "template_card"]


async def _trainings(bot: Bot) -> list[Gathering]:
    async with bot.app[keys.DB].sessions() as s:
        return await gatherings.list_gatherings(s, "training")


async def _signed(bot: Bot, n: int) -> list[str]:
    async with bot.app[keys.DB].sessions() as s:
        g = await gatherings.get(s, "training", n)
        assert g is not None
        return [x.userid for x in await gatherings.signups(s, g)]


async def _with_lecturer(bot: Bot) -> None:
    out = await bot.chat(SECRETARY, "/讲师 添加 张敏 继电保护")
    assert "已登记张敏为内训师" in out[0]
    assert any("内训师" in t for t in bot.fake.texts("zhangmin"))


# --- profiles ------------------------------------------------------------------------


async def test_profile_from_statements(bot: Bot) -> None:
    assert "证书" in (await bot.chat("sunpeng", "我考了高压电工证"))[0]
    assert "技能" in (await bot.chat("sunpeng", "我会PLC编程"))[0]
    assert "意愿" in (await bot.chat("sunpeng", "我想往技术岗发展"))[0]
    assert "证书" in (await bot.chat("wutao", "我拿到了电工证"))[0]
    again = await bot.chat("sunpeng", "我考取了高压电工证")
    assert "已经有" in again[0]
    async with bot.app[keys.DB].sessions() as s:
        p = await store.profile(s, "sunpeng")
        assert store.certificates(p) == ["高压电工证"]
        assert store.skills(p) == ["PLC编程"]
        assert [w["text"] for w in store.wishes(p)] == ["往技术岗发展"]
    mine = (await bot.chat("sunpeng", "/我的档案"))[0]
    assert "高压电工证" in mine and "PLC编程" in mine and "往技术岗发展" in mine
    seen = (await bot.chat("liuzhiyong", "/档案 孙鹏"))[0]
    assert "孙鹏" in seen and "PLC编程" in seen
    refused = (await bot.chat("wutao", "/档案 孙鹏"))[0]
    assert "只有党员和支部书记" in refused and "PLC" not in refused
    async with bot.app[keys.DB].sessions() as s:
        audit_rows = list((await s.execute(select(AuditEntry))).scalars())
    for a in audit_rows:
        assert "PLC" not in a.detail and "电工" not in a.detail and "孙鹏" not in a.detail


# --- trainings -----------------------------------------------------------------------


async def test_training_create_validation(bot: Bot) -> None:
    await _with_lecturer(bot)
    assert "只能由支部书记或内训师" in (await bot.chat("sunpeng", NEW_TRAINING))[0]
    past = (await bot.chat(SECRETARY, "/培训 新建 电工培训 时间=2026-11-20 14:00 名额=20 讲师=张敏"))[0]
    assert "已经过去" in past and "没有发布" in past
    unknown = (await bot.chat(SECRETARY, "/培训 新建 电工培训 时间=2026-12-03 14:00 名额=20 讲师=刘志勇"))[0]
    assert "不在内训师名单" in unknown
    nobody = (await bot.chat(SECRETARY, "/培训 新建 电工培训 时间=2026-12-03 14:00 讲师=张三丰"))[0]
    assert "名册里没有" in nobody
    for bad in ("0", "abc", "-3"):
        out = (await bot.chat(SECRETARY, f"/培训 新建 电工培训 时间=2026-12-03 14:00 名额={bad}"))[0]
        assert "名额" in out and "没有发布" in out
    assert "看不懂时间" in (await bot.chat(SECRETARY, "/培训 新建 电工培训 时间=下周三"))[0]
    assert await _trainings(bot) == []
    # A lecturer may announce their own training; they are its lecturer.
    out = (await bot.chat("zhangmin", "/培训 新建 继电保护入门 时间=12-05 09:00 地点=二楼 班组=运行二班"))[0]
    assert "已发布培训1" in out
    [g] = await _trainings(bot)
    assert g.lecturer == "zhangmin" and g.team == "运行二班" and g.capacity == 0
    assert _cards(bot, "zhaoyufei") and not _cards(bot, "sunpeng")
    assert SignupOutcome.NOT_TEAM.label in (await bot.chat("sunpeng", "报名培训1"))[0]


async def test_training_signup_flow(bot: Bot) -> None:
    await _with_lecturer(bot)
    out = await bot.chat(SECRETARY, NEW_TRAINING)
    assert "已发布培训1" in out[0] and "已通知 14 人" in out[0]
    card = _cards(bot, "sunpeng")[-1]
    assert card["button_list"][0]["key"] == "talent:signup:1"
    assert any("回复“报名 培训1”" in t for t in await bot.fallbacks("sunpeng"))
    # A wish offers the matching training; nothing is signed up by it.
    wish = await bot.chat("lixuemei", "我想报名电工培训")
    assert "已记下您的意愿" in wish[0] and any("报名 培训1" in t for t in await bot.fallbacks("lixuemei"))
    generic = await bot.chat("hefang", "我想参加培训")
    assert generic and any("报名 培训1" in t for t in await bot.fallbacks("hefang"))
    assert await _signed(bot, 1) == []
    # Card button, then a second sign-up is refused.
    assert "报名成功" in (await bot.click("sunpeng", "talent:signup:1"))[0]
    assert "不用重复报名" in (await bot.chat("sunpeng", "报名培训1"))[0]
    # By title, when unambiguous.
    assert "报名成功" in (await bot.chat("wutao", "我报名电工培训"))[0]
    full = (await bot.chat("majing", "报名 培训1"))[0]
    assert "名额已满" in full
    assert await _signed(bot, 1) == ["sunpeng", "wutao"]
    listing = (await bot.chat("majing", "/培训"))[0]
    assert "培训1「电工安全培训」" in listing and "剩余 0 个名额" in listing
    roll = (await bot.chat("zhangmin", "/培训 1 名单"))[0]
    assert "孙鹏" in roll and "吴涛" in roll
    assert "只有讲师、党员和支部书记" in (await bot.chat("majing", "/培训 1 名单"))[0]
    # Withdraw, and a place is free again.
    assert "已取消" in (await bot.chat("wutao", "取消报名 培训1"))[0]
    assert "报名成功" in (await bot.chat("majing", "报名培训1"))[0]
    assert "没有找到培训9" in (await bot.chat("majing", "报名培训9"))[0]
    # Attendance: not before the day; not by an employee; then by the lecturer.
    assert "还没到" in (await bot.chat("zhangmin", "/签到 培训1 孙鹏,马静"))[0]
    bot.clock.now = datetime(2026, 12, 3, 16, 0, tzinfo=TZ).astimezone(timezone.utc)
    assert "不能再报名" in (await bot.chat("hefang", "报名培训1"))[0]
    assert "只能由讲师或支部书记" in (await bot.chat("sunpeng", "/签到 培训1 孙鹏"))[0]
    assert "没有登记任何人" in (await bot.chat("zhangmin", "/签到 培训1 孙鹏,张三丰"))[0]
    out = (await bot.chat("zhangmin", "/签到 培训1 孙鹏,马静"))[0]
    assert "新登记 2 人" in out
    assert "培训1「电工安全培训」" in (await bot.chat("sunpeng", "/我的档案"))[0]
    async with bot.app[keys.DB].sessions() as s:
        g = await gatherings.get(s, "training", 1)
        assert g is not None
        assert sorted(await gatherings.attendees(s, g)) == ["majing", "sunpeng"]


async def test_cancelled_training_refuses_signup(bot: Bot) -> None:
    await bot.chat(SECRETARY, "/培训 新建 班组长培训 时间=2026-12-10 09:00 名额=10")
    await bot.chat("sunpeng", "报名培训1")
    out = await bot.chat(SECRETARY, "/培训 取消 1")
    assert "已取消培训1" in out[0]
    assert any("已取消" in t for t in bot.fake.texts("sunpeng")[-1:])
    assert "已取消，不能报名" in (await bot.chat("wutao", "报名培训1"))[0]


@pytest.mark.both_databases
async def test_capacity_under_concurrent_messages(bot: Bot) -> None:
    await bot.chat(SECRETARY, "/培训 新建 消防培训 时间=2026-12-10 09:00 名额=3")
    users = ["sunpeng", "lixuemei", "wutao", "zhaoyufei", "huangqing", "xuxiaodong", "majing"]
    statuses = await asyncio.gather(*(bot.say(u, "报名培训1") for u in users))
    assert set(statuses) == {200}
    await bot.flush()
    assert len(await _signed(bot, 1)) == 3
    answers = [bot.fake.texts(u)[-1] for u in users]
    assert sum("报名成功" in a for a in answers) == 3
    assert sum("名额已满" in a for a in answers) == 4


async def test_reminder_the_day_before(bot: Bot) -> None:
    await _with_lecturer(bot)
    # Saturday training: reminders go on Friday after 08:00.
    await bot.chat(SECRETARY, "/培训 新建 周末技能培训 时间=2026-12-05 09:00 地点=实训室 讲师=张敏")
    await bot.chat("sunpeng", "报名培训1")
    await bot.chat("majing", "报名培训1")

    async def sweep_at(when: datetime) -> list[tuple[str, str]]:
        async with bot.app[keys.DB].sessions() as s, s.begin():
            ctx = SweepContext(s, when, ScheduleConfig())
            await sweeps_gatherings.eve_reminders(ctx)
            return [(x.recipient, x.text) for x in ctx.sent]

    assert await sweep_at(datetime(2026, 12, 3, 10, 0, tzinfo=TZ)) == []
    assert await sweep_at(datetime(2026, 12, 4, 7, 30, tzinfo=TZ)) == []
    sent = await sweep_at(datetime(2026, 12, 4, 9, 0, tzinfo=TZ))
    assert sorted(r for r, _ in sent) == ["majing", "sunpeng", "zhangmin"]
    assert all("明天" in t and "周末技能培训" in t for _, t in sent)
    assert await sweep_at(datetime(2026, 12, 4, 15, 0, tzinfo=TZ)) == []
    assert await sweep_at(datetime(2026, 12, 5, 8, 30, tzinfo=TZ)) == []


async def test_reminder_on_a_day_off_still_goes_after_eight(bot: Bot) -> None:
    # Monday training: the day before is a Sunday (a day off), still reminded, in the daytime.
    await bot.chat(SECRETARY, "/培训 新建 周一早班培训 时间=2026-12-07 08:30 地点=一楼")
    await bot.chat("sunpeng", "报名培训1")

    async def sweep_at(when: datetime) -> list[str]:
        async with bot.app[keys.DB].sessions() as s, s.begin():
            ctx = SweepContext(s, when, ScheduleConfig())
            await sweeps_gatherings.eve_reminders(ctx)
            return [x.recipient for x in ctx.sent]

    assert await sweep_at(datetime(2026, 12, 6, 7, 59, tzinfo=TZ)) == []
    assert await sweep_at(datetime(2026, 12, 6, 10, 0, tzinfo=TZ)) == ["sunpeng"]
    assert await sweep_at(datetime(2026, 12, 6, 22, 0, tzinfo=TZ)) == []
    assert await sweep_at(datetime(2026, 12, 7, 8, 10, tzinfo=TZ)) == []


# --- reserve talent ------------------------------------------------------------------


async def test_reserve_flow_is_confidential(bot: Bot) -> None:
    before = len(bot.fake.texts("sunpeng"))
    out = await bot.chat("liuzhiyong", "推荐孙鹏进后备人才，理由是技术过硬，肯吃苦")
    assert "已登记" in out[0] and "不会告知本人" in out[0]
    assert any("推荐孙鹏" in t for t in bot.fake.texts(SECRETARY))
    # Employees cannot recommend, by command or in words.
    assert "由党员或支部书记推荐" in (await bot.chat("wutao", "/推荐 李雪梅 工作认真"))[0]
    assert "由党员或支部书记推荐" in (await bot.chat("wutao", "推荐李雪梅进后备人才，理由是工作认真"))[0]
    assert "推荐需要写明理由" in (await bot.chat("zhangmin", "/推荐 吴涛"))[0]
    # Two members review.
    assert "共 1 条" in (await bot.chat("zhangmin", "/考察 孙鹏 工作 连续三年班组技术骨干"))[0]
    assert "共 2 条" in (await bot.chat("chenjunjie", "/考察 孙鹏 群众评价 同事都愿意找他请教"))[0]
    assert "考察方面" in (await bot.chat("chenjunjie", "/考察 孙鹏 长相 不错"))[0]
    assert "只有党员和支部书记" in (await bot.chat("wutao", "/考察 孙鹏 工作 不错"))[0]
    board = (await bot.chat(SECRETARY, "/后备"))[0]
    assert "孙鹏：骨干考察中" in board and "考察意见 2 条" in board
    detail = (await bot.chat("zhouli", "/后备 孙鹏"))[0]
    assert "连续三年班组技术骨干" in detail and "同事都愿意找他请教" in detail
    # The candidate learns nothing.
    assert "只有党员和支部书记" in (await bot.chat("sunpeng", "/后备"))[0]
    assert "只有党员和支部书记" in (await bot.chat("sunpeng", "/后备 孙鹏"))[0]
    asked = (await bot.chat("sunpeng", "我是不是后备人才"))[0]
    assert asked == (await bot.chat("wutao", "我是不是后备人才"))[0]
    assert "只有支部书记" in (await bot.chat("zhangmin", "/认定 孙鹏 通过 一致同意"))[0]
    assert "写明说明" in (await bot.chat(SECRETARY, "/认定 孙鹏 通过"))[0]
    out = await bot.chat(SECRETARY, "/认定 孙鹏 通过 考察意见一致，列入后备人才库")
    assert "通过" in out[0] and "考察意见 2 条" in out[0]
    assert any("综合认定：通过" in t for t in bot.fake.texts("liuzhiyong"))
    assert "不能再补充" in (await bot.chat("zhangmin", "/考察 孙鹏 品行 很好"))[0]
    for t in bot.fake.texts("sunpeng")[before:]:
        assert "技术骨干" not in t and "考察" not in t and "认定" not in t and "推荐" not in t
    async with bot.app[keys.DB].sessions() as s:
        [cand] = list((await s.execute(select(ReserveCandidate))).scalars())
        assert cand.status == "approved" and cand.recommended_by == "liuzhiyong"
        assert len(list((await s.execute(select(ReserveReview))).scalars())) == 2
        rows = list((await s.execute(select(AuditEntry).where(AuditEntry.object_type == "reserve_candidate"))).scalars())
    actions = [a.action for a in rows]
    assert {"reserve_recommended", "reserve_reviewed", "reserve_decided", "reserve_viewed"} <= set(actions)
    for a in rows:
        assert "技术" not in a.detail and "孙鹏" not in a.detail


async def test_member_candidate_cannot_see_own_candidacy(bot: Bot) -> None:
    await bot.chat(SECRETARY, "/推荐 周丽 群众基础好，组织协调能力强")
    await bot.chat("zhangmin", "/考察 周丽 品行 作风正派")
    board = (await bot.chat("zhouli", "/后备"))[0]
    assert "周丽" not in board
    own = (await bot.chat("zhouli", "/后备 周丽"))[0]
    assert "作风正派" not in own and "支部推荐" not in own
    assert "作风正派" not in (await bot.chat("zhouli", "/考察 周丽 工作 很好"))[0]
    assert "作风正派" in (await bot.chat("liuzhiyong", "/后备 周丽"))[0]


# --- lecturers -----------------------------------------------------------------------


async def test_lecturers(bot: Bot) -> None:
    assert "还没有登记内训师" in (await bot.chat("sunpeng", "/讲师"))[0]
    assert "只有支部书记" in (await bot.chat("liuzhiyong", "/讲师 添加 张敏 继电保护"))[0]
    await _with_lecturer(bot)
    await bot.chat(SECRETARY, "/讲师 添加 陈俊杰 焊接工艺")
    listing = (await bot.chat("sunpeng", "/讲师"))[0]
    assert "张敏：继电保护" in listing and "陈俊杰：焊接工艺" in listing
    assert "已将陈俊杰移出" in (await bot.chat(SECRETARY, "/讲师 移除 陈俊杰"))[0]
    assert "陈俊杰" not in (await bot.chat("sunpeng", "/讲师"))[0]


# --- digest, API, export -------------------------------------------------------------


async def _seed(bot: Bot) -> None:
    await _with_lecturer(bot)
    await bot.chat(SECRETARY, NEW_TRAINING)
    await bot.chat(SECRETARY, "/培训 新建 安全规程 时间=2026-12-20 09:00 名额=30")
    await bot.chat("sunpeng", "报名培训1")
    await bot.chat("sunpeng", "我会PLC编程")
    await bot.chat("liuzhiyong", "/推荐 孙鹏 技术过硬")
    await bot.chat("zhangmin", "/考察 孙鹏 工作 机密的考察内容")
    bot.clock.now = datetime(2026, 12, 3, 16, 0, tzinfo=TZ).astimezone(timezone.utc)
    await bot.chat("zhangmin", "/签到 培训1 孙鹏")


async def test_digest_lines(bot: Bot) -> None:
    await _seed(bot)
    async with bot.app[keys.DB].sessions() as s:
        lines = await sweeps_talent.digest_lines(s, datetime(2026, 11, 23, tzinfo=TZ),
                                                 datetime(2026, 12, 7, tzinfo=TZ), bot.clock.now.astimezone(TZ))
    text = "\n".join(lines)
    assert "培训1" in text and "到场 1" in text and "后备人才" in text
    assert "机密" not in text and "孙鹏" not in text


async def test_api(bot: Bot, aiohttp_client: Any) -> None:
    await _seed(bot)
    app = web.Application()
    app[keys.DB] = bot.app[keys.DB]
    app[keys.SETTINGS] = bot.settings
    app[keys.CLOCK] = bot.clock
    api_talent.setup(app)
    api_gatherings.setup(app)
    client = await aiohttp_client(app)
    assert (await client.get("/api/talent")).status == 401
    resp = await client.get("/api/talent", headers=AUTH)
    assert resp.status == 200
    body = await resp.json()
    assert "reserve" not in body
    sun = next(p for p in body["items"] if p["userid"] == "sunpeng")
    assert sun["skills"] == ["PLC编程"] and sun["trainings_attended"] == 1
    assert "reserve" not in str(sun)
    body = await (await client.get("/api/talent", headers=AUTH, params={"reserve": "true"})).json()
    [cand] = body["reserve"]
    assert cand["userid"] == "sunpeng" and cand["status"] == "reviewing" and cand["reviews"] == 1
    assert "机密" not in str(body) and "技术过硬" not in str(body)
    assert (await client.get("/api/talent", headers=AUTH, params={"bogus": "1"})).status == 400
    body = await (await client.get("/api/trainings", headers=AUTH)).json()
    assert body["total"] == 2
    first = body["items"][0]
    assert first["number"] == 1 and first["signed_up"] == 1 and first["attended"] == 1
    assert first["lecturer"] == "zhangmin" and first["places_left"] == 1
    body = await (await client.get("/api/trainings", headers=AUTH,
                                   params={"from": "2026-12-10", "to": "2026-12-31"})).json()
    assert [t["number"] for t in body["items"]] == [2]
    body = await (await client.get("/api/trainings", headers=AUTH, params={"limit": "1", "offset": "1"})).json()
    assert body["total"] == 2 and [t["number"] for t in body["items"]] == [2]
    assert (await client.get("/api/trainings", headers=AUTH, params={"status": "nope"})).status == 400


async def test_export(bot: Bot) -> None:
    from openpyxl import Workbook

    await _seed(bot)
    wb = Workbook()
    wb.remove(wb.active)
    async with bot.app[keys.DB].sessions() as s:
        await export_talent.write_sheets(s, wb, TZ)
    assert wb.sheetnames == ["人才档案", "培训记录", "内训师", "后备人才"]
    dump = {name: [[c for c in row] for row in wb[name].iter_rows(values_only=True)] for name in wb.sheetnames}
    assert any("PLC编程" in str(r) for r in dump["人才档案"])
    assert any(r[0] == 1 and "电工安全培训" in r for r in dump["培训记录"][1:])
    assert any("继电保护" in r for r in dump["内训师"][1:])
    reserve = dump["后备人才"]
    assert any("孙鹏" in r and "骨干考察中" in r for r in reserve[1:])
    assert "机密" not in str(dump)


@pytest.mark.parametrize("text", ["我会尽快处理", "我想问一下食堂几点开门", "我想问下培训什么时候"])
def test_statement_patterns_skip_everyday_phrases(text: str) -> None:
    from handlers.talent import chat as h

    m = h.SKILL_RE.match(text)
    assert m is None or h.NOT_SKILL.match(m["what"])
    w = h.WISH_RE.match(text)
    assert w is None or h.NOT_WISH.match(w["what"]) or not h.WISH_HINT.search(w["what"])


# --- the reserve lifecycle's transition table ------------------------------------------------------

RA, RS = store.ReserveAction, store.ReserveStatus


@pytest.mark.parametrize(("action", "status", "to"), [
    (RA.REVIEW, RS.RECOMMENDED, RS.REVIEWING),
    (RA.REVIEW, RS.REVIEWING, RS.REVIEWING),
    (RA.APPROVE, RS.RECOMMENDED, RS.APPROVED),
    (RA.APPROVE, RS.REVIEWING, RS.APPROVED),
    (RA.REJECT, RS.RECOMMENDED, RS.REJECTED),
    (RA.REJECT, RS.REVIEWING, RS.REJECTED),
])
def test_reserve_allowed_transitions(action: store.ReserveAction, status: str, to: str) -> None:
    from storage.talent import lifecycle

    assert lifecycle.check(action, status, "孙鹏") == to


@pytest.mark.parametrize(("action", "status", "why"), [
    (RA.REVIEW, RS.APPROVED, "孙鹏的后备人才认定已完成（已认定），不能再补充考察意见。"),
    (RA.REVIEW, RS.REJECTED, "孙鹏的后备人才认定已完成（未通过），不能再补充考察意见。"),
    (RA.APPROVE, RS.REJECTED, "孙鹏已经认定过了（未通过）。"),
    (RA.REJECT, RS.APPROVED, "孙鹏已经认定过了（已认定）。"),
])
def test_reserve_refused_transitions(action: store.ReserveAction, status: str, why: str) -> None:
    from storage.errors import Refused
    from storage.talent import lifecycle

    with pytest.raises(Refused) as refused:
        lifecycle.check(action, status, "孙鹏")
    assert refused.value.message == why


def test_review_aspects_read_short_words() -> None:
    A = store.ReviewAspect
    assert [A.read(w) for w in ("工作", "工作表现", "品行", "作风", "群众评价", "群众", "其他", "长相")] == \
        [A.WORK, A.WORK, A.CONDUCT, A.CONDUCT, A.COLLEAGUES, A.COLLEAGUES, A.OTHER, None]


async def test_help_lists_the_talent_commands_per_role(bot: Bot) -> None:
    employee = (await bot.chat("wutao", "/没有这个"))[0]
    assert "/我的档案 — 我的技能、证书、培训" in employee and "/培训 — 近期培训（报名：报名 培训N）" in employee
    assert "/后备" not in employee and "发布培训" not in employee
    member = (await bot.chat("liuzhiyong", "/没有这个"))[0]
    assert "/后备 — 后备人才" in member and "/考察 姓名 工作|品行|群众评价 内容 — 后备人才考察意见" in member
    secretary = (await bot.chat(SECRETARY, "/没有这个"))[0]
    for line in ("/培训 新建 标题 时间=… 地点=… 名额=… 讲师=… — 发布培训", "/讲师 — 内训师",
                 "/后备 — 后备人才（/认定 姓名 通过|不通过 说明）", "/活动 新建 标题 时间=… 地点=… 名额=… — 发布活动",
                 "/班组 班组名 — 班组档案", "/排名 — 班组评分"):
        assert line in secretary
