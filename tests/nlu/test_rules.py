"""The hand rules on top of the model: what each settles, and what it leaves to the model."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.nlu.model import LinearModel, ModelBundle
from bot.nlu.parser import UNSURE_INCIDENT, Parser, _runner_up
from bot.nlu.rules import apply_rules
from bot.nlu.types import ParseContext

EMPLOYEE = ParseContext("employee")
MEMBER = ParseContext("member")
DAY = dt.date(2027, 3, 10)


@pytest.mark.parametrize("text, model, want", [
    # a promise recalled and not kept: feedback, unsatisfied
    ("说好这周修 到今天一个人影都没见着", "deed_request", ("feedback", None, "unsatisfied")),
    ("答应给加的人 到现在一个都没来", "incident_report", ("feedback", None, "unsatisfied")),
    # better than it was, from an employee: feedback, satisfied
    ("食堂这段时间的菜确实好吃多了", "deed_request", ("feedback", None, "satisfied")),
    # done as asked, told by an employee
    ("工资补齐了 一分没少 家里学费交上了", "care_need", ("feedback", None, "satisfied")),
    # nothing changed, or done but not as asked: unsatisfied
    ("门锁那个 钥匙一拧照样锁不上", "deed_request", ("feedback", None, "unsatisfied")),
    ("安全帽是换了 就换了一半 还有一半是破的", "deed_request", ("feedback", None, "unsatisfied")),
    ("修是修了 跟没修一样", "other", ("feedback", None, "unsatisfied")),
    # a plain question on the matter is a status query, a rhetorical one stays feedback
    ("单号33叫号机修好了吗 我看还在死机", "feedback", ("status_query", None, None)),
    ("说好的劳保鞋还发不发", "feedback", ("status_query", None, None)),
    ("修完一用就跳闸 这叫修好了？", "feedback", ("feedback", None, "satisfied")),
    # where to hand something in: a duty question
    ("报销发票交到哪", "other", ("duty_query", None, None)),
    # one's own retirement explained: care, not a lecture
    ("退休金怎么算的 能不能找人给我讲讲", "care_need", ("care_need", "retirement", None)),
    ("能不能请人来给大家讲讲安全用电", "care_need", ("deed_request", "other", None)),
    # at the end of one's tether: care, whatever the work cause
    ("老被领导当着大家的面训 能不能换个班组 太压抑了", "deed_request", ("care_need", "emotional", None)),
    ("这个月连着上了二十八天班 一天没歇 人扛不住了", "deed_request", ("deed_request", "workload", None)),
    # a scam victim's plea is a request whatever the model said
    ("我被冒充教育局的骗子骗了一万多 说是交培训费 能不能帮我跟派出所说说", "talent", ("deed_request", "other", None)),
])
def test_employee_rules(text: str, model: str, want: tuple[str, str | None, str | None]) -> None:
    category = "workload" if model == "deed_request" else "other" if model == "care_need" else None
    polarity = "satisfied" if model == "feedback" else None
    assert apply_rules(text, model, category, polarity, EMPLOYEE) == want


@pytest.mark.parametrize("text, model", [
    ("找谈了心 哭了一场 说出来舒服多了", "visit_report"),  # a member on how someone feels: not feedback
    ("班中餐加肉的事跟食堂说好了 下周一开始", "progress_report"),  # staff telling what was done: progress
    ("宿舍换房的事办妥了 下周一搬", "progress_report"),
])
def test_staff_reports_are_left_alone(text: str, model: str) -> None:
    assert apply_rules(text, model, None, None, MEMBER)[0] == model


def test_done_question_is_not_feedback() -> None:
    assert apply_rules("#3 修好了没", "status_query", None, None, EMPLOYEE)[0] == "status_query"
    assert apply_rules("说好下周答复 这都过去两周了 到底咋回事", "status_query", None, None, EMPLOYEE)[0] == "status_query"


def _tied(parser: Parser, deed: float) -> Parser:
    """A parser whose intent head reads every message as a request, ``deed`` ahead of an incident."""
    heads = {"intent": LinearModel(("deed_request", "incident_report", "other"), {"bias": (deed, 0.0, -2.0)}),
             "deed": LinearModel(("facilities",), {"bias": (1.0,)}),
             "care": LinearModel(("other",), {"bias": (1.0,)}),
             "polarity": LinearModel(("satisfied",), {"bias": (1.0,)})}
    return Parser(parser._seg, ModelBundle(heads))  # noqa: SLF001 - same tokenizer, a model of our own


def test_near_tie_with_an_incident_is_the_incident(parser: Parser) -> None:
    assert _runner_up({"deed_request": 0.45, "incident_report": 0.4, "other": 0.15}) == "incident_report"
    near, clear = _tied(parser, 0.1), _tied(parser, 1.0)  # margins ~0.05 and ~0.45
    assert near.parse("仓库里少了几桶药剂", today=DAY).intent.value == "incident_report"
    assert clear.parse("仓库里少了几桶药剂", today=DAY).intent.value == "deed_request"
    # the sender says it can wait: the request
    assert near.parse("围墙有个缺口 不急 但得补上", today=DAY).intent.value == "deed_request"
    assert UNSURE_INCIDENT > 0.05


def test_near_tie_of_a_lasting_failure_is_the_request(parser: Parser) -> None:
    heads = {"intent": LinearModel(("deed_request", "incident_report", "other"), {"bias": (0.0, 0.1, -2.0)}),
             "deed": LinearModel(("facilities",), {"bias": (1.0,)}),
             "care": LinearModel(("other",), {"bias": (1.0,)}),
             "polarity": LinearModel(("satisfied",), {"bias": (1.0,)})}
    tied = Parser(parser._seg, ModelBundle(heads))  # noqa: SLF001
    assert tied.parse("大厅的查询机黑屏好几天了", today=DAY).intent.value == "deed_request"
    assert tied.parse("大厅的查询机黑屏了", today=DAY).intent.value == "incident_report"
