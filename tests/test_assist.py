"""精准帮扶 end to end: create (one line, guided), progress, milestones, feedback, assessment,
sweeps, digest, API and export."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot import keys
from bot.app import create_app
from bot.fakewecom import FakeWeCom
from bot.fsm import REASK
from bot.nlu import Parser
from handlers.assist import api as api_assist, export as export_assist
from handlers.assist import messages as assist_msg
from handlers.assist.parsing import parse_day
from handlers.assist.states import AssistStates
from handlers.people.importer import import_roster
from schedules import assist as sweeps_assist
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage import audit, assist as projects
from storage.assist import Action, Assessment, MilestoneStatus, ProjectStatus, TargetType, UpdateKind, lifecycle
from storage.errors import Refused
from storage.models import AuditEntry, Milestone, Project, ProjectUpdate
from tests.conftest import SAMPLE_ROSTER, Bot, Clock, make_settings

SECRETARY = "wanghaiyan"
TZ = ZoneInfo("Asia/Shanghai")
AUTH = {"Authorization": "Bearer admin-secret"}
ONE_LINE = ("/帮扶 新建 运行二班班组建设 对象=运行二班 目标=倒班疲劳问题明显改善 成员=张敏,陈俊杰 截止=2026-12-31 "
            "里程碑=12月10日:摸底;12月20日:整改 标准=班组满意度不低于90%")


async def _project(bot: Bot, n: int) -> tuple[Project, list[Milestone], list[ProjectUpdate]]:
    async with bot.app[keys.DB].sessions() as session:
        p = await projects.get_by_number(session, n)
        assert p is not None
        return p, await projects.milestones(session, p.id), await projects.updates(session, p.id)


async def _count(bot: Bot) -> int:
    async with bot.app[keys.DB].sessions() as session:
        return int((await session.execute(select(func.count()).select_from(Project))).scalar_one())


async def _audit(bot: Bot, action: str) -> list[AuditEntry]:
    async with bot.app[keys.DB].sessions() as session:
        return [a for a in await audit.entries(session, object_type="project", limit=1000) if a.action == action]


async def _one_line(bot: Bot) -> None:
    replies = await bot.chat(SECRETARY, ONE_LINE)
    assert len(replies) == 1 and "已新建帮扶1号「运行二班班组建设」" in replies[0], replies


# --- unit: dates ------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-12-31", date(2026, 12, 31)),
    ("2026年12月31日", date(2026, 12, 31)),
    ("12月31日", date(2026, 12, 31)),
    ("12/10", date(2026, 12, 10)),
    ("月底", date(2026, 11, 30)),
    ("11月1日", date(2026, 11, 1)),  # recently past: stays in the past (and is refused)
    ("1月15日", date(2027, 1, 15)),
    ("随便", None),
    ("2026-02-30", None),
])
def test_parse_day(text: str, expected: date | None) -> None:
    assert parse_day(text, date(2026, 11, 25)) == expected


# --- unit: the lifecycle ----------------------------------------------------------------


def _p(status: str, assessment: str | None = None) -> Project:
    return Project(number=3, title="班组建设", status=status, assessment=assessment)


@pytest.mark.parametrize(("action", "status", "after"), [
    (Action.PROGRESS, ProjectStatus.ACTIVE, ProjectStatus.ACTIVE),
    (Action.COMPLETE, ProjectStatus.ACTIVE, ProjectStatus.ACTIVE),
    (Action.FEEDBACK, ProjectStatus.ACTIVE, ProjectStatus.ACTIVE),
    (Action.FEEDBACK, ProjectStatus.CLOSED, ProjectStatus.CLOSED),
    (Action.ASSESS, ProjectStatus.ACTIVE, ProjectStatus.CLOSED),
])
def test_allowed_transitions(action: Action, status: ProjectStatus, after: ProjectStatus) -> None:
    assert lifecycle.check(action, _p(status)) == after


@pytest.mark.parametrize(("action", "assessment", "why"), [
    (Action.PROGRESS, "met", "帮扶3号「班组建设」已经结项，不再记录进展。发“/帮扶 3”可查看全部经过。"),
    (Action.COMPLETE, "met", "帮扶3号「班组建设」已经结项，不再记录进展。发“/帮扶 3”可查看全部经过。"),
    (Action.ASSESS, "partly", "帮扶3号已经结项（评估：部分达成）。"),
    (Action.ASSESS, None, "帮扶3号已经结项（评估：—）。"),
])
def test_refused_transitions(action: Action, assessment: str | None, why: str) -> None:
    with pytest.raises(Refused) as refused:
        lifecycle.check(action, _p(ProjectStatus.CLOSED, assessment))
    assert refused.value.message == why


def test_every_transition_is_allowed_or_explained() -> None:
    for action in Action:
        for status in ProjectStatus:
            if lifecycle.can(action, status):
                assert lifecycle.check(action, _p(status)) in ProjectStatus
            else:
                with pytest.raises(Refused):
                    lifecycle.check(action, _p(status))


def test_milestone_transitions() -> None:
    ms = Milestone(position=1, title="摸底", status=MilestoneStatus.OPEN)
    assert lifecycle.check_milestone(_p(ProjectStatus.ACTIVE), ms) == MilestoneStatus.DONE
    ms.status = MilestoneStatus.DONE
    with pytest.raises(Refused, match="帮扶3号「班组建设」的里程碑1「摸底」已经完成过了。"):
        lifecycle.check_milestone(_p(ProjectStatus.ACTIVE), ms)


def test_one_label_each() -> None:
    for enum in (ProjectStatus, Assessment, TargetType, UpdateKind, MilestoneStatus, Action):
        labels = list(enum.labels().values())
        assert len(set(labels)) == len(labels) and all(labels), enum
    assert (ProjectStatus.ACTIVE.label, ProjectStatus.CLOSED.label) == ("进行中", "已结项")
    assert Assessment.parse("部分达成") is Assessment.PARTLY


# --- creation -----------------------------------------------------------------------------


async def test_create_in_one_line(bot: Bot) -> None:
    await _one_line(bot)
    p, ms, ups = await _project(bot, 1)
    assert (p.target_type, p.target, p.lead, p.status) == ("team", "运行二班", SECRETARY, "active")
    assert projects.members_of(p) == ["zhangmin", "chenjunjie"]
    assert p.deadline == date(2026, 12, 31) and p.goal == "倒班疲劳问题明显改善" and p.criteria == "班组满意度不低于90%"
    assert [(m.position, m.title, m.due, m.status) for m in ms] == [
        (1, "摸底", date(2026, 12, 10), "open"), (2, "整改", date(2026, 12, 20), "open")]
    assert [u.kind for u in ups] == ["created"]
    assert len(await _audit(bot, "project_created")) == 1
    # the responsible members are told
    assert any("帮扶1号" in t and "责任党员" in t for t in bot.fake.texts("zhangmin"))
    assert any("帮扶1号" in t for t in bot.fake.texts("chenjunjie"))
    # numbers go on; another lead; a person as target
    replies = await bot.chat(SECRETARY, "/帮扶 新建 孙鹏技能提升 对象=孙鹏 截止=月底 负责人=刘志勇")
    assert "已新建帮扶2号" in replies[0]
    p2, _, _ = await _project(bot, 2)
    assert (p2.target_type, p2.target, p2.lead, p2.deadline) == ("person", "sunpeng", "liuzhiyong", date(2026, 11, 30))
    assert any("负责人" in t and "帮扶2号" in t for t in bot.fake.texts("liuzhiyong"))


async def test_guided_conversation(bot: Bot) -> None:
    r = await bot.chat(SECRETARY, "/帮扶 新建 检修班技能提升")
    assert "第1步" in r[0]
    r = await bot.chat(SECRETARY, "维修三班")
    assert "名册里没有叫“维修三班”" in r[0] and "第1步" in r[0]
    r = await bot.chat(SECRETARY, "检修班")
    assert "帮扶对象：检修班" in r[0] and "第2步" in r[0]
    r = await bot.chat(SECRETARY, "全班通过中级工技能鉴定")
    assert "第3步" in r[0]
    r = await bot.chat(SECRETARY, "陈俊杰、周丽")
    assert "陈俊杰、周丽" in r[0] and "第4步" in r[0]
    r = await bot.chat(SECRETARY, "2026-11-01")
    assert "已经过去了" in r[0] and "第4步" in r[0]
    r = await bot.chat(SECRETARY, "12月31日")
    assert "2026-12-31" in r[0] and "第5步" in r[0]
    r = await bot.chat(SECRETARY, "12月5日 摸底")
    assert "里程碑1" in r[0]
    r = await bot.chat(SECRETARY, "2027-01-10 考核")
    assert "晚于截止日期" in r[0]
    r = await bot.chat(SECRETARY, "12月20日集中培训")
    assert "里程碑2" in r[0]
    r = await bot.chat(SECRETARY, "完成")
    assert "第6步" in r[0]
    assert await _count(bot) == 0
    r = await bot.chat(SECRETARY, "鉴定通过率100%")
    assert "已新建帮扶1号「检修班技能提升」" in r[0] and "集中培训" in r[0]
    p, ms, _ = await _project(bot, 1)
    assert (p.target_type, p.target, p.lead, p.criteria) == ("team", "检修班", SECRETARY, "鉴定通过率100%")
    assert projects.members_of(p) == ["chenjunjie", "zhouli"]
    assert [m.title for m in ms] == ["摸底", "集中培训"]
    # the conversation is over: a plain message is no longer an answer
    assert await _count(bot) == 1


@pytest.mark.parametrize("word", ["取消", "算了", "退出"])
async def test_guided_conversation_can_be_cancelled(bot: Bot, word: str) -> None:
    await bot.chat(SECRETARY, "/帮扶 新建 临时项目")
    await bot.chat(SECRETARY, "运行一班")
    r = await bot.chat(SECRETARY, word)
    assert r == [assist_msg.CANCELLED]
    assert await _count(bot) == 0
    r = await bot.chat(SECRETARY, "全班通过中级工技能鉴定")  # no longer an answer
    assert "第3步" not in r[0]


async def test_other_questions_interrupt_the_steps(bot: Bot) -> None:
    """A duty query or a slash command in the middle is answered, then the step is asked again."""
    await bot.chat(SECRETARY, "/帮扶 新建 检修班技能提升")
    assert "第2步" in (await bot.chat(SECRETARY, "检修班"))[0]
    r = await bot.chat(SECRETARY, "今天谁值班")
    assert len(r) == 2 and "值班" in r[0]
    assert r[1] == REASK + assist_msg.PROMPTS[AssistStates.goal]
    r = await bot.chat(SECRETARY, "/帮扶")
    assert "目前没有进行中的帮扶项目" in r[0] and r[1] == REASK + assist_msg.PROMPTS[AssistStates.goal]
    r = await bot.chat(SECRETARY, "全班通过中级工技能鉴定")
    assert "目标已记下" in r[0] and "第3步" in r[0]
    for answer in ("无", "12月31日", "完成", "鉴定通过率100%"):
        r = await bot.chat(SECRETARY, answer)
    assert "已新建帮扶1号「检修班技能提升」" in r[0]
    p, _, _ = await _project(bot, 1)
    assert (p.goal, p.criteria, projects.members_of(p)) == ("全班通过中级工技能鉴定", "鉴定通过率100%", [])


@pytest.mark.parametrize(("command", "expected"), [
    ("/帮扶 新建 班组建设 对象=维修三班 截止=2026-12-31", "名册里没有叫“维修三班”"),
    ("/帮扶 新建 班组建设 对象=运行二班 截止=2026-11-01", "已经过去了"),
    ("/帮扶 新建 班组建设 对象=运行二班 截止=2026-12-31 里程碑=2027-01-05:考核", "晚于截止日期"),
    ("/帮扶 新建 班组建设 对象=#99 截止=2026-12-31", "没有找到编号 #99 的事项"),
    ("/帮扶 新建 班组建设 对象=运行二班 截止=2026-12-31 成员=张敏,王小二", "名册里找不到：王小二"),
    ("/帮扶 新建 对象=运行二班 截止=2026-12-31", "请写上项目标题"),
    ("/帮扶 新建", "请写上项目标题"),
    ("/帮扶 新建 班组建设 对象=运行二班", "截止="),
])
async def test_validation_changes_nothing(bot: Bot, command: str, expected: str) -> None:
    r = await bot.chat(SECRETARY, command)
    assert len(r) == 1 and expected in r[0], r
    assert await _count(bot) == 0
    assert not await _audit(bot, "project_created")


async def test_help_lines_per_role(bot: Bot) -> None:
    board, new = "/帮扶 — 帮扶项目", "/帮扶 新建 标题 — 新建帮扶项目（/帮扶 评估 N 达成|部分达成|未达成 说明）"
    employee, member, secretary = [(await bot.chat(u, "/不存在"))[0] for u in ("sunpeng", "zhangmin", SECRETARY)]
    assert board not in employee and new not in employee
    assert board in member and new not in member
    assert board in secretary and new in secretary


async def test_only_the_secretary_creates(bot: Bot) -> None:
    r = await bot.chat("zhangmin", ONE_LINE)
    assert "只有支部书记" in r[0]
    assert await _count(bot) == 0


async def test_item_as_target(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")  # deed #1
    r = await bot.chat(SECRETARY, "/帮扶 新建 晚班热饭 对象=#1 截止=2026-12-31 成员=刘志勇")
    assert "已新建帮扶1号" in r[0]
    # the requester is the affected employee: their feedback reaches the lead
    r = await bot.chat("sunpeng", "对帮扶1号的意见：希望周末也有热饭")
    assert "已记入帮扶1号" in r[0]
    _, _, ups = await _project(bot, 1)
    assert [(u.kind, u.author, u.text) for u in ups][-1] == ("feedback", "sunpeng", "希望周末也有热饭")


# --- progress, milestones, feedback ----------------------------------------------------------


async def test_progress_milestone_feedback(bot: Bot) -> None:
    await _one_line(bot)
    r = await bot.chat("zhangmin", "帮扶1号 已和运行二班全员谈心，收集到意见12条")
    assert "已记录帮扶1号「运行二班班组建设」的进展" in r[0]
    assert any("有新进展（张敏）" in t for t in bot.fake.texts(SECRETARY))
    r = await bot.chat("chenjunjie", "项目1 进展：已对接检修班师傅做技术辅导")
    assert "进展" in r[0]
    r = await bot.chat("zhangmin", "帮扶1号 里程碑1 完成")
    assert "里程碑1「摸底」完成（1/2）" in r[0] and "下一个：12月20日 整改" in r[0]
    r = await bot.chat("zhangmin", "帮扶1号 里程碑1 完成")
    assert "已经完成过了" in r[0]
    r = await bot.chat("zhangmin", "帮扶1号 里程碑5 完成")
    assert "没有这个里程碑" in r[0]
    r = await bot.chat("zhaoyufei", "帮扶1号 进度怎么样了")
    assert f"帮扶1号「运行二班班组建设」— {ProjectStatus.ACTIVE.label}" in r[0] and "1. 12月10日 摸底 ✔" in r[0]
    r = await bot.chat("chenjunjie", "帮扶#1 整改完成了")
    assert "里程碑2「整改」完成（2/2）" in r[0]
    p, ms, ups = await _project(bot, 1)
    assert [m.status for m in ms] == ["done", "done"] and all(m.done_at is not None for m in ms)
    assert [u.kind for u in ups] == ["created", "progress", "progress", "milestone", "milestone"]
    assert ups[1].text == "已和运行二班全员谈心，收集到意见12条" and ups[1].author == "zhangmin"
    assert len(await _audit(bot, "project_milestone_done")) == 2

    # an affected employee (运行二班) gives feedback; the lead is told
    r = await bot.chat("zhaoyufei", "对帮扶1号的意见：夜班结束后的交接还是太慢")
    assert "谢谢您的意见" in r[0] and "王海燕" in r[0]
    assert any("【帮扶意见】" in t and "赵宇飞" in t and "交接还是太慢" in t for t in bot.fake.texts(SECRETARY))
    r = await bot.chat("huangqing", "帮扶1号的整改效果不明显，还是经常加班")
    assert "谢谢您的意见" in r[0]
    # someone unrelated is refused, nothing recorded
    r = await bot.chat("majing", "对帮扶1号的意见：应该多给检修班也搞一搞")
    assert "没有记入项目" in r[0]
    r = await bot.chat("sunpeng", "帮扶1号 已完成摸底")
    assert "没有记入项目" in r[0]
    _, _, ups = await _project(bot, 1)
    feedback = [(u.author, u.text) for u in ups if u.kind == "feedback"]
    assert feedback == [("zhaoyufei", "夜班结束后的交接还是太慢"), ("huangqing", "整改效果不明显，还是经常加班")]
    assert len(await _audit(bot, "project_feedback")) == 2


@pytest.mark.both_databases
async def test_one_milestone_completed_twice_at_once(bot: Bot) -> None:
    """Two members report the same milestone done at the same moment: one is recorded, the other told."""
    await _one_line(bot)
    before = {u: len(bot.fake.texts(u)) for u in ("zhangmin", "chenjunjie")}
    statuses = await asyncio.gather(bot.say("zhangmin", "帮扶1号 里程碑1 完成"),
                                    bot.say("chenjunjie", "帮扶1号 里程碑1 完成"))
    assert set(statuses) == {200}
    await bot.flush()
    said = [t for u, n in before.items() for t in bot.fake.texts(u)[n:]]
    assert sum("里程碑1「摸底」完成（1/2）" in t for t in said) == 1
    assert sum("已经完成过了" in t for t in said) == 1
    _, ms, ups = await _project(bot, 1)
    assert [m.status for m in ms] == [MilestoneStatus.DONE, MilestoneStatus.OPEN]
    assert [u.kind for u in ups] == [UpdateKind.CREATED, UpdateKind.MILESTONE]
    assert len(await _audit(bot, "project_milestone_done")) == 1


async def test_progress_by_title_words(bot: Bot) -> None:
    await _one_line(bot)
    r = await bot.chat("zhangmin", "班组建设这边已经组织了第一次座谈")
    assert "已记录帮扶1号" in r[0], r
    _, _, ups = await _project(bot, 1)
    assert ups[-1].kind == "progress"


async def test_unknown_project_and_deeds_untouched(bot: Bot) -> None:
    r = await bot.chat("zhangmin", "帮扶5号 已完成摸底")
    assert "没有找到帮扶5号项目" in r[0]
    # "#1 …" is still a deed for the deeds router
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    r = await bot.chat("liuzhiyong", "接单 #1")
    assert "#1" in r[0]


# --- viewing ------------------------------------------------------------------------------------


async def test_board_and_history(bot: Bot) -> None:
    await _one_line(bot)
    await bot.chat("zhangmin", "帮扶1号 已和运行二班全员谈心")
    await bot.chat("zhangmin", "帮扶1号 里程碑1 完成")
    await bot.chat("zhaoyufei", "对帮扶1号的意见：交接太慢")
    r = await bot.chat(SECRETARY, "/帮扶")
    assert "进行中的帮扶项目 1 项" in r[0] and "里程碑 1/2" in r[0] and "下一个：12月20日 整改" in r[0]
    r = await bot.chat(SECRETARY, "/帮扶 1")
    assert "经过：" in r[0] and "全员谈心" in r[0] and "交接太慢" in r[0] and "1. 12月10日 摸底 ✔" in r[0]
    # an affected employee sees goal and progress, not others' feedback
    r = await bot.chat("huangqing", "/帮扶 1")
    assert "目标：倒班疲劳问题明显改善" in r[0] and "全员谈心" in r[0] and "交接太慢" not in r[0]
    r = await bot.chat("majing", "/帮扶 1")
    assert "只有项目成员" in r[0]
    assert len(await _audit(bot, "project_view_denied")) == 1
    r = await bot.chat("majing", "/帮扶")
    assert "目前没有进行中的帮扶项目" in r[0]
    # overdue marker
    bot.clock.advance(days=20)
    r = await bot.chat(SECRETARY, "/帮扶")
    assert "【逾期】" not in r[0]  # milestone 1 done, 2 not yet due
    bot.clock.advance(days=6)  # 12月21日
    r = await bot.chat(SECRETARY, "/帮扶")
    assert "【逾期】帮扶1号" in r[0] and "逾期：12月20日 整改" in r[0]


# --- assessment ---------------------------------------------------------------------------------


async def test_assessment_by_the_lead_only(bot: Bot) -> None:
    await _one_line(bot)
    r = await bot.chat("zhangmin", "/帮扶 评估 1 达成 全部完成")
    assert "只能由负责人王海燕" in r[0]
    r = await bot.chat(SECRETARY, "/帮扶 评估 1 达成")
    assert "请写明说明" in r[0]
    p, _, _ = await _project(bot, 1)
    assert p.status == "active"
    r = await bot.chat(SECRETARY, "/帮扶 评估 1 部分达成 疲劳问题缓解，交接仍需改进")
    assert "已评估并结项" in r[0] and "部分达成" in r[0]
    p, _, ups = await _project(bot, 1)
    assert (p.status, p.assessment, p.assessment_note) == ("closed", "partly", "疲劳问题缓解，交接仍需改进")
    assert p.closed_at is not None and ups[-1].kind == "assessment"
    for u in ("zhangmin", "chenjunjie", "zhaoyufei", "huangqing", "xuxiaodong"):
        assert any("帮扶1号" in t and "已结项" in t and "部分达成" in t for t in bot.fake.texts(u)), u
    assert not any("已结项" in t for t in bot.fake.texts("majing"))
    assert len(await _audit(bot, "project_assessed")) == 1
    r = await bot.chat(SECRETARY, "/帮扶 评估 1 达成 再来一次")
    assert "已经结项" in r[0]
    r = await bot.chat("zhangmin", "帮扶1号 又开了一次座谈")
    assert "已经结项" in r[0]
    r = await bot.chat(SECRETARY, "/帮扶 1")
    assert f"{ProjectStatus.CLOSED.label}（评估：{Assessment.PARTLY.label}）" in r[0]
    assert UpdateKind.ASSESSMENT.label in r[0]


# --- sweeps and digest --------------------------------------------------------------------------

SWEEP_PROJECT = ("/帮扶 新建 运行一班安全提升 对象=运行一班 负责人=刘志勇 成员=周丽 截止=2026-12-31 "
                 "里程碑=12月10日:摸底;12月24日:演练")


def _at(y: int, m: int, d: int, hh: int = 10, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=TZ)


async def _sweep(bot: Bot, now: datetime) -> list[tuple[str, str, str]]:
    async with bot.app[keys.DB].sessions() as session:
        ctx = SweepContext(session, now, ScheduleConfig())
        async with session.begin():
            await sweeps_assist.sweep(ctx)
    return [(s.kind, s.recipient, s.text) for s in ctx.sent]


async def test_sweep_milestone_reminders_and_escalation(bot: Bot) -> None:
    assert "已新建帮扶1号" in (await bot.chat(SECRETARY, SWEEP_PROJECT))[0]
    assert await _sweep(bot, _at(2026, 12, 9)) == []
    due = await _sweep(bot, _at(2026, 12, 10))  # Thursday: the day it is due
    assert sorted((k, r) for k, r, _ in due) == [("assist_due", "liuzhiyong"), ("assist_due", "zhouli")]
    assert "今天到期" in due[0][2] and "里程碑1「摸底」" in due[0][2]
    assert await _sweep(bot, _at(2026, 12, 10, 15)) == []  # once
    assert await _sweep(bot, _at(2026, 12, 12)) == []  # Saturday: quiet
    late = await _sweep(bot, _at(2026, 12, 11))  # one working day late
    assert sorted((k, r) for k, r, _ in late) == [("assist_overdue", "liuzhiyong"), ("assist_overdue", "zhouli")]
    assert "已逾期 1 个工作日" in late[0][2]
    assert await _sweep(bot, _at(2026, 12, 14)) == []  # 2 working days: same period
    third = await _sweep(bot, _at(2026, 12, 15))  # 3 working days: repeated, and the secretary is told
    assert sorted((k, r) for k, r, _ in third) == [
        ("assist_escalate", SECRETARY), ("assist_overdue", "liuzhiyong"), ("assist_overdue", "zhouli")]
    assert "负责人 刘志勇" in next(t for k, _, t in third if k == "assist_escalate")
    assert await _sweep(bot, _at(2026, 12, 16)) == []
    # marking it done stops the reminders (the second milestone is not due yet)
    bot.clock.now = _at(2026, 12, 16, 11).astimezone(timezone.utc)
    assert any("完成（1/2）" in t for t in await bot.chat("zhouli", "帮扶1号 摸底已经完成了"))
    assert await _sweep(bot, _at(2026, 12, 17)) == []
    # the reminders reached the outbox and were delivered
    await bot.flush()
    assert any("帮扶逾期提醒" in t for t in bot.fake.texts(SECRETARY))


async def test_sweep_deadline_without_assessment(bot: Bot) -> None:
    await bot.chat(SECRETARY, "/帮扶 新建 小项目 对象=孙鹏 负责人=刘志勇 截止=2026-12-31")
    assert await _sweep(bot, _at(2026, 12, 31)) == []
    sent = await _sweep(bot, _at(2027, 1, 4))
    assert [(k, r) for k, r, _ in sent] == [("assist_deadline", "liuzhiyong")]
    assert "尚未评估" in sent[0][2] and "/帮扶 评估 1" in sent[0][2]
    assert await _sweep(bot, _at(2027, 1, 5)) == []
    bot.clock.now = _at(2027, 1, 5, 11).astimezone(timezone.utc)
    assert any("已评估并结项" in t for t in await bot.chat("liuzhiyong", "/帮扶 评估 1 达成 技能鉴定通过"))
    assert await _sweep(bot, _at(2027, 1, 8)) == []


async def test_digest_lines(bot: Bot) -> None:
    async with bot.app[keys.DB].sessions() as session:
        assert await sweeps_assist.digest_lines(session, _at(2026, 11, 23, 0), _at(2026, 11, 30, 0),
                                                _at(2026, 11, 30)) == []
    await _one_line(bot)
    await bot.chat(SECRETARY, "/帮扶 新建 小项目 对象=孙鹏 负责人=刘志勇 截止=2026-12-31")
    await bot.chat(SECRETARY, "/帮扶 新建 第三个 对象=检修班 负责人=陈俊杰 截止=2026-12-31")
    await bot.chat("liuzhiyong", "/帮扶 评估 2 达成 技能鉴定通过")
    await bot.chat("chenjunjie", "/帮扶 评估 3 未达成 人员变动")
    async with bot.app[keys.DB].sessions() as session:
        lines = await sweeps_assist.digest_lines(session, _at(2026, 11, 23, 0), _at(2026, 11, 30, 0),
                                                 _at(2026, 12, 11))
        assert lines == ["**精准帮扶**：进行中 1 项，逾期里程碑 1 个，本期结项 2 项（达成 1，未达成 1）"]
        lines = await sweeps_assist.digest_lines(session, _at(2026, 11, 30, 0), _at(2026, 12, 7, 0),
                                                 _at(2026, 12, 7))
        assert lines == ["**精准帮扶**：进行中 1 项，逾期里程碑 0 个，本期结项 0 项"]


# --- API and export -----------------------------------------------------------------------------


@pytest.fixture
async def api_bot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
                  parser: Parser) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    api_assist.setup(app)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


async def _seed_api(bot: Bot) -> None:
    await _one_line(bot)
    await bot.chat("zhangmin", "帮扶1号 已和运行二班全员谈心")
    await bot.chat("zhangmin", "帮扶1号 里程碑1 完成")
    await bot.chat("zhaoyufei", "对帮扶1号的意见：交接太慢")
    bot.clock.advance(days=1)
    await bot.chat(SECRETARY, "/帮扶 新建 小项目 对象=孙鹏 负责人=刘志勇 截止=2026-12-31")
    await bot.chat("liuzhiyong", "/帮扶 评估 2 部分达成 还需巩固")


async def test_api_projects(api_bot: Bot) -> None:
    bot = api_bot
    await _seed_api(bot)
    c = bot.client
    assert (await c.get("/api/projects")).status == 401
    assert (await c.get("/api/projects", headers={"Authorization": "Bearer wrong"})).status == 401
    body = await (await c.get("/api/projects", headers=AUTH)).json()
    assert body["total"] == 2 and [p["number"] for p in body["items"]] == [1, 2]
    first = body["items"][0]
    assert first["title"] == "运行二班班组建设" and first["lead_name"] == "王海燕"
    assert first["members"] == [{"userid": "zhangmin", "name": "张敏"}, {"userid": "chenjunjie", "name": "陈俊杰"}]
    assert (first["milestones_done"], first["milestones_total"], first["overdue"]) == (1, 2, False)
    assert first["next_milestone"]["title"] == "整改" and first["deadline"] == "2026-12-31"
    closed = await (await c.get("/api/projects", params={"status": "closed"}, headers=AUTH)).json()
    assert [p["number"] for p in closed["items"]] == [2]
    assert closed["items"][0]["assessment"] == "partly" and closed["items"][0]["assessment_cn"] == Assessment.PARTLY.label
    assert closed["items"][0]["target_name"] == "孙鹏"
    led = await (await c.get("/api/projects", params={"lead": "liuzhiyong"}, headers=AUTH)).json()
    assert [p["number"] for p in led["items"]] == [2]
    day = await (await c.get("/api/projects", params={"from": "2026-11-26", "to": "2026-11-26"}, headers=AUTH)).json()
    assert [p["number"] for p in day["items"]] == [2]
    page = await (await c.get("/api/projects", params={"limit": "1", "offset": "1"}, headers=AUTH)).json()
    assert (page["total"], page["limit"], page["offset"], [p["number"] for p in page["items"]]) == (2, 1, 1, [2])
    for params in ({"status": "open"}, {"owner": "x"}, {"limit": "0"}, {"from": "2026-12-01", "to": "2026-11-01"}):
        resp = await c.get("/api/projects", params=params, headers=AUTH)
        assert resp.status == 400, params
    detail = await (await c.get("/api/projects/1", headers=AUTH)).json()
    assert [(m["position"], m["title"], m["status"]) for m in detail["milestones"]] == [
        (1, "摸底", "done"), (2, "整改", "open")]
    assert [u["kind"] for u in detail["updates"]] == ["created", "progress", "milestone", "feedback"]
    assert detail["updates"][2]["milestone"] == 1 and detail["updates"][3]["author_name"] == "赵宇飞"
    assert (await c.get("/api/projects/9", headers=AUTH)).status == 404
    assert (await c.get("/api/projects/abc", headers=AUTH)).status == 400


async def test_export_sheets(bot: Bot) -> None:
    from openpyxl import Workbook

    await _seed_api(bot)
    wb = Workbook()
    wb.remove(wb.active)
    async with bot.app[keys.DB].sessions() as session:
        await export_assist.write_sheets(session, wb, TZ)
    assert wb.sheetnames == ["帮扶项目", "帮扶进展"]
    ws = wb["帮扶项目"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0] == export_assist.PROJECT_HEADERS and len(rows) == 3
    one = dict(zip(rows[0], rows[1]))
    assert one["编号"] == 1 and one["帮扶对象"] == "运行二班" and one["负责人"] == "王海燕"
    assert one["责任党员"] == "张敏、陈俊杰" and one["里程碑完成"] == "1/2" and one["状态"] == ProjectStatus.ACTIVE.label
    assert f"1. 2026-12-10 摸底（{MilestoneStatus.DONE.label}）" in one["里程碑明细"]
    assert one["截止日期"] == date(2026, 12, 31)
    two = dict(zip(rows[0], rows[2]))
    assert (two["帮扶对象"], two["状态"], two["评估结果"], two["评估说明"]) == (
        "孙鹏", ProjectStatus.CLOSED.label, Assessment.PARTLY.label, "还需巩固")
    assert two["结项时间"] == datetime(2026, 11, 26, 9, 40)
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref
    log = list(wb["帮扶进展"].iter_rows(values_only=True))
    assert log[0] == export_assist.UPDATE_HEADERS
    kinds = [(r[0], r[3]) for r in log[1:]]
    K = UpdateKind
    assert kinds == [(1, K.CREATED.label), (1, K.PROGRESS.label), (1, K.MILESTONE.label), (1, K.FEEDBACK.label),
                     (2, K.CREATED.label), (2, K.ASSESSMENT.label)]
    assert log[3][7] == 1 and log[4][4] == "赵宇飞"
