"""征求意见 end to end: build by chat, publish, answer (pause, expire, resume), results, anonymity,
reminders, digest, API and export."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from bot import keys
from bot.app import create_app
from bot.fakewecom import FakeWeCom
from bot.fsm import REASK
from bot.nlu import Parser
from handlers.people.importer import import_roster
from handlers.surveys import api as api_surveys
from handlers.surveys.export import write_sheets
from handlers.surveys.messages import chunks
from handlers.surveys.parsing import AnswerError, parse_choice, parse_question
from schedules import surveys as sweeps_surveys
from schedules.config import ScheduleConfig
from schedules.context import SweepContext
from storage.errors import Refused
from storage.models import AuditEntry, InboxRow, Item, OutboxRow, Survey, SurveyAnswer, SurveyRecipient
from storage.surveys import Action, AudienceRole, QuestionKind, RecipientStatus, SurveyRecipient as Rec, SurveyStatus
from storage.surveys import audience_label, lifecycle
from tests.conftest import SAMPLE_ROSTER, Bot, Clock, make_settings

SECRETARY = "wanghaiyan"
TZ = ZoneInfo("Asia/Shanghai")
AUTH = {"Authorization": "Bearer admin-secret"}
OPTS = ["满意", "一般", "不满意"]


# --- unit: parsing -----------------------------------------------------------------------


def test_parse_question() -> None:
    q = parse_question("单选 食堂满意度如何？ 满意/一般/不满意")
    assert (q.kind, q.text, q.options) == ("single", "食堂满意度如何？", ("满意", "一般", "不满意"))
    q = parse_question("多选 希望增加哪些活动？读书会／球赛／参观")
    assert (q.kind, q.text, q.options) == ("multi", "希望增加哪些活动？", ("读书会", "球赛", "参观"))
    assert parse_question("问答 还有什么建议？").kind == "text"
    for bad, why in [("单选 食堂满意度如何？ 满意", "至少需要两个选项"), ("多选 想去哪？", "至少需要两个选项"),
                     ("单选 重复吗？ 是/是", "重复"), ("问答", "需要写上题目"), ("食堂满意度如何", "没看懂")]:
        with pytest.raises(ValueError, match=why):
            parse_question(bad)


@pytest.mark.parametrize(("text", "multi", "want"), [
    ("2", False, [1]), ("一般", False, [1]), ("２。", False, [1]), ("第3个", False, [2]), ("三", False, [2]),
    ("1 3", True, [0, 2]), ("1、3", True, [0, 2]), ("13", True, [0, 2]), ("3,1,1", True, [0, 2]),
    ("满意、不满意", True, [0, 2]), ("2", True, [1]),
])
def test_parse_choice(text: str, multi: bool, want: list[int]) -> None:
    assert parse_choice(text, OPTS, multi=multi) == want


@pytest.mark.parametrize(("text", "options", "multi", "why"), [
    ("4", OPTS, False, "1 到 3"), ("1 3", OPTS, False, "单选"), ("挺好的", OPTS, False, "单选"),
    ("14", OPTS, True, "1 到 3"), ("1 好", OPTS, True, "不是选项"),
    ("12", [f"选项{i}" for i in range(12)], True, "隔开"),  # the 12th option or 1 and 2
])
def test_parse_choice_refuses(text: str, options: list[str], multi: bool, why: str) -> None:
    with pytest.raises(AnswerError, match=why):
        parse_choice(text, options, multi=multi)


def test_chunks_respect_byte_limit() -> None:
    lines = [f"第{i}条意见：" + "食堂" * 40 for i in range(60)]
    out = chunks(lines)
    assert len(out) > 1 and all(len(c.encode()) <= 2048 for c in out)
    assert "\n".join(out).split("\n") == lines


# --- unit: the lifecycle ---------------------------------------------------------------------


def _s(status: str) -> Survey:
    return Survey(number=4, title="食堂意见征求", status=status)


@pytest.mark.parametrize(("action", "status", "after"), [
    (Action.EDIT, SurveyStatus.DRAFT, SurveyStatus.DRAFT),
    (Action.PUBLISH, SurveyStatus.DRAFT, SurveyStatus.OPEN),
    (Action.CLOSE, SurveyStatus.OPEN, SurveyStatus.CLOSED),
    (Action.START, SurveyStatus.OPEN, SurveyStatus.OPEN),
    (Action.ANSWER, SurveyStatus.OPEN, SurveyStatus.OPEN),
])
def test_allowed_transitions(action: Action, status: SurveyStatus, after: SurveyStatus) -> None:
    assert lifecycle.check(action, _s(status)) == after


@pytest.mark.parametrize(("action", "status", "why"), [
    (Action.EDIT, SurveyStatus.OPEN, "问卷 #4《食堂意见征求》 已经发布，不能再改题目。"),
    (Action.PUBLISH, SurveyStatus.OPEN, "问卷 #4《食堂意见征求》 已经发布了，正在征求意见，不能重复发布。"),
    (Action.PUBLISH, SurveyStatus.CLOSED, "问卷 #4《食堂意见征求》 已经结束，不能再发布。"),
    (Action.CLOSE, SurveyStatus.DRAFT, "问卷 #4《食堂意见征求》 还没有发布，不用关闭。"),
    (Action.CLOSE, SurveyStatus.CLOSED, "问卷 #4《食堂意见征求》 已经关闭了。"),
    (Action.START, SurveyStatus.DRAFT, "没有编号 #4 的问卷。"),
    (Action.START, SurveyStatus.CLOSED, "问卷#4《食堂意见征求》已经结束，不再接收答案。谢谢关注！"),
    (Action.ANSWER, SurveyStatus.CLOSED, "问卷#4《食堂意见征求》已经结束，不再接收答案。您的这条回复没有记录，谢谢关注！"),
])
def test_refused_transitions(action: Action, status: SurveyStatus, why: str) -> None:
    with pytest.raises(Refused) as refused:
        lifecycle.check(action, _s(status))
    assert refused.value.message == why


def test_every_transition_is_allowed_or_explained() -> None:
    for action in Action:
        for status in SurveyStatus:
            if lifecycle.can(action, status):
                assert lifecycle.check(action, _s(status)) in SurveyStatus
            else:
                with pytest.raises(Refused):
                    lifecycle.check(action, _s(status))


def test_recipient_transitions() -> None:
    survey = _s(SurveyStatus.OPEN)
    for action in (Action.START, Action.ANSWER):
        for status in (RecipientStatus.PENDING, RecipientStatus.ANSWERING):
            assert lifecycle.check_recipient(action, survey, Rec(status=status)) == RecipientStatus.ANSWERING
    done = Rec(status=RecipientStatus.DONE)
    with pytest.raises(Refused, match="答案已提交，不能重复作答"):
        lifecycle.check_recipient(Action.START, survey, done)
    with pytest.raises(Refused, match="答案已提交，不能修改"):
        lifecycle.check_recipient(Action.ANSWER, survey, done)
    with pytest.raises(Refused, match="已经结束，不再接收答案"):  # the survey is checked first
        lifecycle.check_recipient(Action.ANSWER, _s(SurveyStatus.CLOSED), done)
    assert lifecycle.answered(2, 3) == RecipientStatus.ANSWERING and lifecycle.answered(3, 3) == RecipientStatus.DONE


def test_labels() -> None:
    for enum in (SurveyStatus, RecipientStatus, QuestionKind, AudienceRole, Action):
        labels = list(enum.labels().values())
        assert len(set(labels)) == len(labels) and all(labels), enum
    assert [s.label for s in SurveyStatus] == ["草稿", "征求中", "已结束"]
    assert [audience_label(a) for a in ("all", "team:运行一班", "role:member")] == ["全体", "班组“运行一班”", "党员"]
    assert AudienceRole.MEMBER.roster_roles == ("member", "secretary")


# --- helpers -----------------------------------------------------------------------------


async def _build(bot: Bot, title: str, questions: list[str], *, anonymous: bool = False) -> int:
    replies = await bot.chat(SECRETARY, f"/问卷 新建 {title}" + (" 匿名" if anonymous else ""))
    assert "已新建问卷 #" in replies[0]
    n = int(replies[0].split("#", 1)[1].split("《", 1)[0])
    for i, q in enumerate(questions, 1):
        assert f"已添加第{i}题" in (await bot.chat(SECRETARY, q))[0]
    assert f"共 {len(questions)} 题" in (await bot.chat(SECRETARY, "完成"))[0]
    return n


QUESTIONS = ["单选 食堂满意度如何？ 满意/一般/不满意", "多选 希望增加哪些活动？ 读书会/球赛/参观", "问答 还有什么建议？"]


async def _rows(bot: Bot, model: Any, *where: Any) -> list[Any]:
    async with bot.app[keys.DB].session(1) as session:
        return list((await session.execute(select(model).where(*where))).scalars())


def _cards(bot: Bot, user: str) -> list[dict]:
    return [m["template_card"] for m in bot.fake.to(user) if m.get("msgtype") == "template_card"]


# --- end to end --------------------------------------------------------------------------


async def test_build_validate_and_publish(bot: Bot) -> None:
    assert "不能为空" in (await bot.chat(SECRETARY, "/问卷 新建"))[0]
    assert "只有支部书记" in (await bot.chat("sunpeng", "/问卷 新建 我的问卷"))[0]
    replies = await bot.chat(SECRETARY, "/问卷 新建 食堂意见征求")
    assert "已新建问卷 #1《食堂意见征求》，实名问卷" in replies[0]
    assert "已添加第1题【单选】食堂满意度如何？" in (await bot.chat(SECRETARY, QUESTIONS[0]))[0]
    assert "至少需要两个选项" in (await bot.chat(SECRETARY, "单选 要不要加餐？ 要"))[0]
    assert "已添加第2题" in (await bot.chat(SECRETARY, QUESTIONS[1]))[0]
    assert "已添加第3题" in (await bot.chat(SECRETARY, "问答 写错了"))[0]
    assert "已删除第3题" in (await bot.chat(SECRETARY, "撤销"))[0]
    # another command in the middle of building still works, the build goes on afterwards
    assert "还没有问卷" not in (await bot.chat(SECRETARY, "/问卷"))[0]
    assert "已添加第3题【问答】还有什么建议？" in (await bot.chat(SECRETARY, QUESTIONS[2]))[0]
    assert "共 3 题（草稿" in (await bot.chat(SECRETARY, "完成"))[0]

    empty = (await bot.chat(SECRETARY, "/问卷 新建 空问卷"))[0]
    assert "#2" in empty
    assert "还没有题目" in (await bot.chat(SECRETARY, "完成"))[0]
    assert "还没有题目，不能发布" in (await bot.chat(SECRETARY, "/问卷 发布 2 全体"))[0]
    assert "没有班组“运行九班”" in (await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行九班"))[0]
    assert "没有角色“局长”" in (await bot.chat(SECRETARY, "/问卷 发布 1 角色=局长"))[0]
    assert "用法" in (await bot.chat(SECRETARY, "/问卷 发布 1"))[0]
    assert "没有编号 #9" in (await bot.chat(SECRETARY, "/问卷 发布 9 全体"))[0]
    assert [s.status for s in await _rows(bot, Survey)] == [SurveyStatus.DRAFT, SurveyStatus.DRAFT]
    assert await _rows(bot, SurveyRecipient) == []

    replies = await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行一班")
    assert "发给班组“运行一班”共 4 人" in replies[0]
    card = _cards(bot, "sunpeng")[-1]
    assert [b["key"] for b in card["button_list"]] == ["surveys:start:1"]
    assert "支部征求意见：《食堂意见征求》共 3 题，回复“开始”作答" in await bot.fallbacks("sunpeng")
    assert not _cards(bot, "zhaoyufei")
    assert "已经发布了" in (await bot.chat(SECRETARY, "/问卷 发布 1 全体"))[0]
    assert len(await _rows(bot, SurveyRecipient)) == 4

    # 党员 includes the secretary
    await bot.chat(SECRETARY, "/问卷 编辑 2")
    await bot.chat(SECRETARY, "问答 对支部有什么建议？")
    await bot.chat(SECRETARY, "完成")
    assert "发给党员共 5 人" in (await bot.chat(SECRETARY, "/问卷 发布 2 角色=党员"))[0]
    audits = await _rows(bot, AuditEntry, AuditEntry.object_type == "survey")
    assert {"survey_created", "survey_question_added", "survey_question_removed",
            "survey_published"} <= {a.action for a in audits}


async def test_help_lines_per_role(bot: Bot) -> None:
    mine = "/问卷 — 待填写的问卷（继续作答：继续问卷）"
    new = "/问卷 新建 标题 [匿名] — 征求意见（/问卷 发布 N 全体|班组=…|角色=…，/问卷 结果 N）"
    employee, member, secretary = [(await bot.chat(u, "/不存在"))[0] for u in ("sunpeng", "zhangmin", SECRETARY)]
    assert mine in employee and mine in member and new not in employee and new not in member
    assert new in secretary and mine not in secretary


async def test_answer_pause_expire_resume_results_close(bot: Bot) -> None:
    await _build(bot, "食堂意见征求", QUESTIONS)
    await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行一班")

    # sunpeng answers in one go, with an invalid answer re-asked on the way
    replies = await bot.chat("sunpeng", "开始")
    assert "共 3 题" in replies[0] and "第1/3题（单选）：食堂满意度如何？" in replies[0] and "2. 一般" in replies[0]
    replies = await bot.chat("sunpeng", "4")
    assert "1 到 3" in replies[0] and "第1/3题" in replies[0]
    replies = await bot.chat("sunpeng", "一般")
    assert "已记录" in replies[0] and "第2/3题（多选）" in replies[0]
    assert "第2/3题" in (await bot.chat("sunpeng", "随便"))[0]
    assert "第3/3题（问答）" in (await bot.chat("sunpeng", "1、3"))[0]
    replies = await bot.chat("sunpeng", "食堂的菜太咸了")  # looks like a request: it is an answer
    assert "已全部答完" in replies[0]
    assert await _rows(bot, Item) == []
    assert "已经答完" in (await bot.chat("sunpeng", "开始 1"))[0]
    assert "已经答完" in (await bot.click("sunpeng", "surveys:start:1"))[0]

    # lixuemei starts from the card, stops replying; the question expires; she resumes later
    assert "第1/3题" in (await bot.click("lixuemei", "surveys:start:1"))[0]
    assert "第2/3题" in (await bot.chat("lixuemei", "满意"))[0]
    bot.clock.advance(hours=3)
    assert "超时" in (await bot.chat("lixuemei", "2"))[0]  # a bare number after expiry is not taken as an answer
    replies = await bot.chat("lixuemei", "继续问卷")
    assert "已答 1/3 题" in replies[0] and "第2/3题" in replies[0]
    assert "第3/3题" in (await bot.chat("lixuemei", "13"))[0]
    assert "已全部答完" in (await bot.chat("lixuemei", "多组织几次读书会"))[0]

    # wutao pauses, uses another command while answering, resumes
    await bot.chat("wutao", "开始")
    assert "已保存进度（已答 0/3 题）" in (await bot.chat("wutao", "暂停"))[0]
    assert "第1/3题" in (await bot.chat("wutao", "/问卷 继续"))[0]
    assert "您还没有反映过事项" in (await bot.chat("wutao", "/我的事项"))[0]
    assert "第2/3题" in (await bot.chat("wutao", "3"))[0]

    recs = {r.userid: r for r in await _rows(bot, SurveyRecipient)}
    assert {u: (r.status, r.position) for u, r in recs.items()} == {
        "sunpeng": ("done", 3), "lixuemei": ("done", 3), "wutao": ("answering", 1), "liuzhiyong": ("pending", 0)}
    answers = await _rows(bot, SurveyAnswer)
    assert sorted(a.answer for a in answers if a.respondent == "sunpeng") == sorted(
        ["[1]", "[0, 2]", json.dumps("食堂的菜太咸了", ensure_ascii=False)])

    replies = await bot.chat(SECRETARY, "/问卷 结果 1")
    text = "\n".join(replies)
    assert "回收率：2/4（50%），作答中 1 人" in text
    assert "1. 食堂满意度如何？（单选，3 人作答）" in text
    assert "满意：1 人（33%）" in text and "一般：1 人（33%）" in text and "不满意：1 人（33%）" in text
    assert "读书会：2 人（100%）" in text and "球赛：0 人（0%）" in text and "参观：2 人（100%）" in text
    assert "孙鹏：食堂的菜太咸了" in text and "李雪梅：多组织几次读书会" in text
    assert "只有支部书记" in (await bot.chat("sunpeng", "/问卷 结果 1"))[0]
    listing = (await bot.chat(SECRETARY, "/问卷"))[0]
    assert "#1《食堂意见征求》征求中，3 题，班组“运行一班”，回收 2/4（50%）" in listing
    assert "#1《食堂意见征求》已答 1/3 题" in (await bot.chat("wutao", "/问卷"))[0]

    assert "已关闭问卷 #1" in (await bot.chat(SECRETARY, "/问卷 关闭 1"))[0]
    assert "已经关闭了" in (await bot.chat(SECRETARY, "/问卷 关闭 1"))[0]
    before = len(await _rows(bot, SurveyAnswer))
    assert "已经结束，不再接收答案" in (await bot.chat("wutao", "1 2"))[0]  # still in the answer state
    assert "已经结束" in (await bot.chat("liuzhiyong", "开始 1"))[0]
    assert "目前没有需要您填写的问卷" in (await bot.chat("liuzhiyong", "继续问卷"))[0]
    assert len(await _rows(bot, SurveyAnswer)) == before
    assert SurveyStatus.CLOSED.label in (await bot.chat(SECRETARY, "/问卷"))[0]
    actions = [(a.actor, a.action) for a in await _rows(bot, AuditEntry, AuditEntry.object_type == "survey")]
    assert ("sunpeng", "survey_answer") in actions and ("sunpeng", "survey_finished") in actions
    assert (SECRETARY, "survey_closed") in actions and (SECRETARY, "survey_results_view") in actions


async def test_anonymous_survey_leaves_no_link(bot: Bot) -> None:
    n = await _build(bot, "支部工作评议", ["单选 对支部工作满意吗？ 满意/不满意", "问答 意见建议？"], anonymous=True)
    await bot.chat(SECRETARY, f"/问卷 发布 {n} 班组=运行二班")
    assert "匿名" in bot.fake.texts("zhaoyufei")[-1]
    secret = {"zhaoyufei": "希望多组织户外活动", "huangqing": "食堂的菜太咸了"}
    await bot.chat("zhaoyufei", "开始")
    bot.clock.advance(minutes=5)
    await bot.chat("zhaoyufei", "1")
    await bot.chat("huangqing", "开始")
    await bot.chat("huangqing", "不满意")
    bot.clock.advance(minutes=5)
    assert "已全部答完" in (await bot.chat("huangqing", secret["huangqing"]))[0]
    assert "已全部答完" in (await bot.chat("zhaoyufei", secret["zhaoyufei"]))[0]
    assert await _rows(bot, Item) == []

    survey = (await _rows(bot, Survey))[0]
    answers = await _rows(bot, SurveyAnswer)
    assert len(answers) == 4
    assert all(a.respondent is None and a.at == survey.opened_at for a in answers)
    recs = await _rows(bot, SurveyRecipient, SurveyRecipient.status == "done")
    assert sorted(r.userid for r in recs) == ["huangqing", "zhaoyufei"]  # who finished, for reminders only
    audits = await _rows(bot, AuditEntry)
    answered = [a for a in audits if a.action == "survey_answer"]
    assert len(answered) == 4 and {(a.actor, a.detail) for a in answered} == {("anonymous", f"an answer to survey {n}")}
    for a in audits:
        assert all(t not in a.detail for t in secret.values())
    async with bot.app[keys.DB].session(1) as session:
        inbox = [r.payload for r in (await session.execute(select(InboxRow))).scalars()]
        outbox = [(r.recipient, r.body) for r in (await session.execute(select(OutboxRow))).scalars()]
    assert not any(t in p for p in inbox for t in secret.values())
    assert not any(t in body for _, body in outbox for t in secret.values())

    text = "\n".join(await bot.chat(SECRETARY, f"/问卷 结果 {n}"))
    assert f"（匿名，{SurveyStatus.OPEN.label}）" in text and "回收率：2/4（50%）" in text
    assert f"· {secret['huangqing']}" in text and f"· {secret['zhaoyufei']}" in text
    assert "赵宇飞" not in text and "黄青" not in text
    assert "满意：1 人（50%）" in text and "不满意：1 人（50%）" in text


async def test_other_questions_interrupt_answering_and_building(bot: Bot) -> None:
    """A duty query, a slash command or a card click is answered, then the open question is asked again."""
    await _build(bot, "食堂意见征求", QUESTIONS)
    await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行一班")
    first = f"第1/3题（{QuestionKind.SINGLE.label}）：食堂满意度如何？"
    assert first in (await bot.chat("sunpeng", "开始"))[0]
    replies = await bot.chat("sunpeng", "今天谁值班")
    assert len(replies) == 2 and "值班" in replies[0] and replies[1].startswith(REASK + first)
    replies = await bot.chat("sunpeng", "/我的事项")
    assert "您还没有反映过事项" in replies[0] and replies[1].startswith(REASK + first)
    assert "第2/3题" in (await bot.chat("sunpeng", "2"))[0]
    # 取消 pauses, like 暂停 (the progress is kept)
    assert "已保存进度（已答 1/3 题）" in (await bot.chat("sunpeng", "取消"))[0]
    assert "第2/3题" in (await bot.chat("sunpeng", "继续问卷"))[0]

    await bot.chat(SECRETARY, "/问卷 新建 班车时间")
    replies = await bot.chat(SECRETARY, "今天谁值班")
    assert replies[1] == REASK + "问卷 #2《班车时间》 还在编辑：请继续发题目，发“撤销”删除上一题，发“完成”结束。"
    assert "已添加第1题" in (await bot.chat(SECRETARY, "单选 班车几点合适？ 7点/7点半"))[0]
    assert "共 1 题" in (await bot.chat(SECRETARY, "取消"))[0]  # 取消 ends the editing, the draft is kept
    recs = {r.userid: (r.status, r.position) for r in await _rows(bot, SurveyRecipient)}
    assert recs["sunpeng"] == (RecipientStatus.ANSWERING, 1)


@pytest.mark.both_databases
async def test_anonymous_answers_at_once(bot: Bot) -> None:
    """Many answer the same anonymous question at the same moment, after some answered it already:
    every answer is kept, once (the reshuffle of a question's answers is one at a time)."""
    n = await _build(bot, "支部工作评议", ["单选 对支部工作满意吗？ 满意/不满意", "问答 意见建议？"], anonymous=True)
    await bot.chat(SECRETARY, f"/问卷 发布 {n} 全体")
    early, together = ["sunpeng", "lixuemei"], ["wutao", "liuzhiyong", "zhaoyufei", "huangqing", "majing", "guoqiang"]
    for u in early + together:
        await bot.chat(u, "开始")
    for u in early:
        await bot.chat(u, "1")
    statuses = await asyncio.gather(*(bot.say(u, "2") for u in together))
    assert set(statuses) == {200}
    await bot.flush()
    answers = await _rows(bot, SurveyAnswer)
    assert sorted(a.answer for a in answers) == ["[0]"] * len(early) + ["[1]"] * len(together)
    assert all(a.respondent is None for a in answers)
    positions = {r.userid: r.position for r in await _rows(bot, SurveyRecipient) if r.userid in early + together}
    assert positions == dict.fromkeys(early + together, 1)


async def test_reminder_sweep(bot: Bot) -> None:
    await _build(bot, "食堂意见征求", QUESTIONS)
    await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行一班")  # Wednesday 09:40
    await bot.chat("sunpeng", "开始")
    for text in ("1", "2", "没有"):
        await bot.chat("sunpeng", text)
    await bot.chat("wutao", "开始")
    await bot.chat("wutao", "2")

    async def run(now: datetime) -> list[Any]:
        async with bot.app[keys.DB].session(1) as session, session.begin():
            ctx = SweepContext(session, now, ScheduleConfig())
            await sweeps_surveys.sweep(ctx)
            return ctx.sent

    assert await run(datetime(2026, 11, 26, 10, 0, tzinfo=TZ)) == []  # Thursday: one working day
    assert await run(datetime(2026, 11, 27, 22, 0, tzinfo=TZ)) == []  # Friday night: quiet hours
    assert await run(datetime(2026, 11, 28, 10, 0, tzinfo=TZ)) == []  # Saturday: a day off
    sent = await run(datetime(2026, 11, 30, 9, 0, tzinfo=TZ))  # Monday
    assert sorted(s.recipient for s in sent) == ["liuzhiyong", "lixuemei", "wutao"]
    assert {s.kind for s in sent} == {"survey_remind"}
    wutao = next(s for s in sent if s.recipient == "wutao")
    assert "已答 1/3 题" in wutao.text and "继续问卷" in wutao.text
    assert await run(datetime(2026, 11, 30, 11, 0, tzinfo=TZ)) == []  # once only
    async with bot.app[keys.DB].session(1) as session:
        queued = (await session.execute(select(func.count()).select_from(OutboxRow)
                                        .where(OutboxRow.dedupe_key.like("nudge:b1:survey:%")))).scalar_one()
    assert queued == 3


async def test_digest_lines(bot: Bot) -> None:
    await _build(bot, "食堂意见征求", QUESTIONS)
    await _build(bot, "班车时间", ["单选 班车几点合适？ 7点/7点半"])
    await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行一班")
    await bot.chat(SECRETARY, "/问卷 发布 2 班组=检修班")
    for user, pick in (("majing", "2"), ("guoqiang", "2"), ("hefang", "1")):
        await bot.chat(user, "开始")
        await bot.chat(user, pick)
    await bot.chat(SECRETARY, "/问卷 关闭 2")
    now = bot.clock().astimezone(TZ)
    async with bot.app[keys.DB].session(1) as session:
        lines = await sweeps_surveys.digest_lines(session, now - timedelta(days=7), now + timedelta(minutes=1), now)
    assert lines[0] == "**征求意见** #1《食堂意见征求》征求中：回收 0/4（0%）"
    assert lines[1].startswith("**征求意见** #2《班车时间》已结束：回收 3/4（75%）")
    assert "班车几点合适？ 最多选“7点半”（2/3）" in lines[1]


# --- API and export ------------------------------------------------------------------------


@pytest.fixture
async def api_bot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
                  parser: Parser) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    api_surveys.setup(app)
    client = await aiohttp_client(app)
    await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


async def test_api_and_export(api_bot: Bot) -> None:
    bot = api_bot
    await _build(bot, "食堂意见征求", QUESTIONS)
    await _build(bot, "支部工作评议", ["单选 对支部工作满意吗？ 满意/不满意", "问答 意见建议？"], anonymous=True)
    await _build(bot, "草稿", ["问答 随便说说？"])
    await bot.chat(SECRETARY, "/问卷 发布 1 班组=运行一班")
    await bot.chat(SECRETARY, "/问卷 发布 2 班组=运行二班")
    for text in ("开始", "2", "1 2", "食堂的菜太咸了"):
        await bot.chat("sunpeng", text)
    for text in ("开始", "1", "希望多组织户外活动"):
        await bot.chat("zhaoyufei", text)

    assert (await bot.client.get("/api/surveys")).status == 401
    assert (await bot.client.get("/api/surveys/1", headers={"Authorization": "Bearer nope"})).status == 401
    resp = await bot.client.get("/api/surveys", headers=AUTH, params={"status": "open"})
    body = await resp.json()
    assert resp.status == 200 and body["total"] == 2
    by_n = {s["number"]: s for s in body["items"]}
    assert (by_n[1]["recipients"], by_n[1]["finished"], by_n[1]["response_rate"]) == (4, 1, 0.25)
    assert by_n[2]["anonymous"] is True and by_n[2]["questions"] == 2
    assert (await bot.client.get("/api/surveys", headers=AUTH, params={"status": "nope"})).status == 400
    assert (await bot.client.get("/api/surveys", headers=AUTH, params={"x": "1"})).status == 400
    assert (await bot.client.get("/api/surveys/99", headers=AUTH)).status == 404
    assert (await bot.client.get("/api/surveys/abc", headers=AUTH)).status == 400

    named = await (await bot.client.get("/api/surveys/1", headers=AUTH)).json()
    q1, q2, q3 = named["results"]
    assert [o["count"] for o in q1["options"]] == [0, 1, 0] and q1["options"][1]["share"] == 1.0
    assert [o["count"] for o in q2["options"]] == [1, 1, 0]
    assert q3["answers"] == [{"text": "食堂的菜太咸了", "respondent": "sunpeng", "respondent_name": "孙鹏"}]
    resp = await bot.client.get("/api/surveys/2", headers=AUTH)
    raw = await resp.text()
    anon = json.loads(raw)
    assert anon["results"][1]["answers"] == [{"text": "希望多组织户外活动"}]
    assert "zhaoyufei" not in raw and "赵宇飞" not in raw
    assert anon["finished"] == 1

    wb = Workbook()
    wb.remove(wb.active)
    async with bot.app[keys.DB].session(1) as session:
        await write_sheets(session, wb, TZ)
    assert wb.sheetnames == ["问卷结果", "问卷意见"]
    rows = list(wb["问卷结果"].iter_rows(values_only=True))
    assert rows[0][:3] == ("问卷编号", "问卷标题", "状态")
    assert (1, "食堂意见征求", SurveyStatus.OPEN.label, "否") == rows[1][:4]
    assert [r[11:14] for r in rows[1:4]] == [("满意", 0, 0.0), ("一般", 1, 1.0), ("不满意", 0, 0.0)]
    assert all(r[0] != 3 for r in rows[1:])  # drafts are not exported
    opinions = list(wb["问卷意见"].iter_rows(values_only=True))
    assert opinions[0] == ("问卷编号", "问卷标题", "匿名", "题号", "题目", "答卷人", "答卷人账号", "意见")
    assert (1, "食堂意见征求", "否", 3, "还有什么建议？", "孙鹏", "sunpeng", "食堂的菜太咸了") in opinions
    assert (2, "支部工作评议", "是", 2, "意见建议？", None, None, "希望多组织户外活动") in opinions
