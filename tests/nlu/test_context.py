"""The sender's context in the parse: role, zone, open items (bot/nlu ParseContext)."""
from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import pytest

from bot.nlu import Intent, Parser, ParseContext, Person

from .conftest import ROSTER

TODAY = dt.date(2027, 3, 10)
TEAM = (
    Person("sec", "韩立新", "secretary", "综合办", None, 1),
    Person("m1", "宋佳", "member", "安检站", None, 1),
    Person("m2", "马骏", "member", "机务部", None, 1),
    Person("e1", "蒋小雨", "employee", "安检站", "m1", 1),
    Person("e2", "卜建军", "employee", "安检站", "m1", 1),
    Person("e3", "覃志刚", "employee", "机务部", "m2", 1),
)


@pytest.fixture(scope="module")
def p(parser: Parser) -> Iterator[Parser]:
    parser.set_roster(TEAM)
    yield parser
    parser.set_roster(ROSTER)


def test_context_from_the_roster(p: Parser) -> None:
    ctx = p.context_of("m1")
    assert ctx.role == "member" and ctx.zone == {"e1", "e2"} and ctx.team == {"e1", "e2"}
    assert ctx.branch == {u.userid for u in TEAM}
    assert p.context_of("e3").zone == frozenset() and p.context_of("nobody") == ParseContext()


@pytest.mark.parametrize("text", ["蒋小雨 走访了", "给蒋小雨打了电话 她爸血压稳住了", "蒋小雨那边电话问了 手术挺顺利的"])
def test_member_on_someone_in_their_zone_is_a_visit(p: Parser, text: str) -> None:
    got = p.parse(text, sender="m1", today=TODAY)
    assert (got.intent, got.persons) == (Intent.VISIT_REPORT, ("e1",))


def test_the_same_words_from_an_employee_are_not_progress(p: Parser) -> None:
    got = p.parse("给蒋小雨打了电话 她爸血压稳住了", sender="e2", today=TODAY)
    assert got.intent != Intent.PROGRESS_REPORT


def test_progress_needs_something_to_follow(p: Parser) -> None:
    text = "#12 已经修好了"
    owner = p.context_of("e2")
    employee = p.parse(text, sender="e2", today=TODAY, context=dataclasses.replace(owner, open_items=0))
    assert employee.intent == Intent.FEEDBACK  # an employee with no open item: feedback
    follows = p.parse(text, sender="e2", today=TODAY, context=dataclasses.replace(owner, open_items=1))
    assert follows.intent == Intent.PROGRESS_REPORT
    assert p.parse(text, sender="m1", today=TODAY).intent == Intent.PROGRESS_REPORT


@pytest.mark.parametrize("text", [
    "下周四我家孩子开家长会 能不能找个人替我一个班",
    "下周二俺娘来看病 能不能找个人给我顶一个班",
    "明天能不能跟卜建军换个班 家里有点事",
])
def test_shift_cover_is_a_rota_request(p: Parser, text: str) -> None:
    got = p.parse(text, sender="e1", today=TODAY)
    assert (got.intent, got.category) == (Intent.DEED_REQUEST, "workload")


@pytest.mark.parametrize("text", ["建议请个专家给我们讲讲颈椎病怎么预防", "能不能组织一次急救知识讲座"])
def test_lecture_suggestion_is_a_request(p: Parser, text: str) -> None:
    got = p.parse(text, sender="e3", today=TODAY)
    assert (got.intent, got.category) == (Intent.DEED_REQUEST, "other")


@pytest.mark.parametrize("text", [
    "十几个同事吃完中午的盒饭都上吐下泻 怀疑食物中毒",
    "夜班吃完食堂的饺子 二十多个人拉肚子 还有吐的",
    "机坪上拖车把一个地勤的脚压了 流了好多血",
    "工地上钢管砸到了一个工人的腿 人站不起来了",
])
def test_outbreak_and_field_injury_are_urgent_incidents(p: Parser, text: str) -> None:
    got = p.parse(text, sender="e3", today=TODAY)
    assert (got.intent, got.urgent) == (Intent.INCIDENT_REPORT, True)


@pytest.mark.parametrize("text", [
    "我被网上刷单骗了两万块 报了警 支部能不能帮我问问 钱还能追回来不",
    "俺在网上被人骗了三万块 说是贷款要交保证金 求支部帮帮忙",
])
def test_scam_victims_plea_is_a_request_not_an_incident(p: Parser, text: str) -> None:
    got = p.parse(text, sender="e2", today=TODAY)
    assert got.intent == Intent.DEED_REQUEST


def test_emoji_tone_is_read(p: Parser) -> None:
    assert p.parse("空调修好了 👍", sender="e2", today=TODAY).intent == Intent.FEEDBACK
