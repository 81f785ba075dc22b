"""The pieces under "understood in context": long texts split (never cut), the note for other languages,
a promised date kept on a working day, the incident actions and the words of people handling one."""

from __future__ import annotations

from datetime import date

import pytest

from bot.fallback import not_chinese
from bot.replies import TEXT_LIMIT, Markdown, Text, split_bytes
from handlers.care.asking import _last_clause
from handlers.duty import words
from storage.duty.lifecycle import IncidentAction, IncidentStatus, can_do, check_action
from storage.errors import Refused
from storage.workdays import kept_on

# --- long texts -------------------------------------------------------------------------


def test_a_short_text_is_one_message() -> None:
    assert Text(content="收到").payloads() == [{"msgtype": "text", "text": {"content": "收到"}}]


def test_a_long_text_is_split_at_line_ends_and_nothing_is_lost() -> None:
    lines = [f"第{i}条：请回复“接单 #{i}”确认跟进，办好后回复“#{i} 已解决”。" for i in range(80)]
    parts = split_bytes("\n".join(lines))
    assert len(parts) > 1 and all(len(p.encode()) <= TEXT_LIMIT for p in parts)
    assert "\n".join(parts).split("\n") == lines  # every line whole, in order


def test_one_long_line_is_split_at_sentence_ends_then_commas() -> None:
    sentence = "现场已经断电，人员已经撤离。" * 120
    parts = split_bytes(sentence)
    assert "".join(parts) == sentence and all(p.endswith("。") for p in parts[:-1])
    clauses = "先关阀门，" * 300
    parts = split_bytes(clauses)
    assert "".join(parts) == clauses and all(p.endswith("，") for p in parts[:-1])


def test_an_unbroken_run_is_split_on_character_boundaries() -> None:
    run = "啊" * 1500
    parts = split_bytes(run)
    assert "".join(parts) == run and all(len(p.encode()) <= TEXT_LIMIT for p in parts)


def test_markdown_is_split_too() -> None:
    payloads = Markdown(content="\n".join(["**回访**：完成 3 次"] * 200)).payloads()
    assert len(payloads) > 1 and all(p["msgtype"] == "markdown" for p in payloads)


# --- other languages ----------------------------------------------------------------------


@pytest.mark.parametrize(("text", "foreign"), [
    ("Hello, the canteen has no hot food", True), ("Привет, помогите", True), ("こんにちは、質問があります", True),
    ("안녕하세요", True), ("食堂 ok", False), ("ok", False), ("#12", False), ("👍", False), ("１２３", False),
])
def test_not_chinese(text: str, foreign: bool) -> None:
    assert not_chinese(text) is foreign


# --- promised dates -------------------------------------------------------------------------


@pytest.mark.parametrize(("day", "today", "kept"), [
    (date(2026, 12, 2), date(2026, 11, 25), date(2026, 12, 2)),  # a working day stays
    (date(2026, 12, 5), date(2026, 11, 25), date(2026, 12, 4)),  # a Saturday: the Friday before
    (date(2027, 1, 1), date(2026, 12, 28), date(2026, 12, 31)),  # 元旦: the day before
    (date(2026, 11, 28), date(2026, 11, 27), date(2026, 11, 30)),  # tomorrow is Saturday: the Friday is today
    (date(2026, 10, 3), date(2026, 9, 30), date(2026, 10, 8)),  # National Day week: the first working day after
])
def test_a_promised_date_is_kept_on_a_working_day(day: date, today: date, kept: date) -> None:
    assert kept_on(day, today) == kept


# --- incident actions ------------------------------------------------------------------------

I, A = IncidentStatus, IncidentAction


@pytest.mark.parametrize(("action", "current", "target"), [
    (A.ACKNOWLEDGE, I.OPEN, I.ACKNOWLEDGED), (A.PROGRESS, I.OPEN, I.OPEN),
    (A.PROGRESS, I.ACKNOWLEDGED, I.ACKNOWLEDGED), (A.CLOSE, I.OPEN, I.CLOSED), (A.CLOSE, I.ACKNOWLEDGED, I.CLOSED),
])
def test_allowed_incident_actions(action: IncidentAction, current: IncidentStatus, target: IncidentStatus) -> None:
    assert can_do(action, current) and check_action(action, 4, current) == target


@pytest.mark.parametrize(("action", "current", "text"), [
    (A.PROGRESS, I.CLOSED, "事件 #4 已经处置完毕，不能再记录进展。"),
    (A.CLOSE, I.CLOSED, "事件 #4 已经处置完毕。"),
    (A.ACKNOWLEDGE, I.CLOSED, "事件 #4 已经处置完毕。"),
    (A.ACKNOWLEDGE, I.ACKNOWLEDGED, "事件 #4 已由他人确认过了，无需重复确认。"),
])
def test_refused_incident_actions(action: IncidentAction, current: IncidentStatus, text: str) -> None:
    assert not can_do(action, current)
    with pytest.raises(Refused) as refused:
        check_action(action, 4, current)
    assert refused.value.message.startswith(text)


def test_every_action_has_one_label() -> None:
    assert len({a.label for a in IncidentAction}) == len(IncidentAction)


# --- how people talk about an incident ------------------------------------------------------------


@pytest.mark.parametrize(("text", "acks"), [
    ("收到 马上过去", True), ("好的我去看看", True), ("收到！我马上过去🏃", True), ("好嘞我这就过去", True),
    ("ok马上到", True), ("收到收到 在路上了", True), ("收到", True), ("好的", False), ("没收到", False),
    ("收到 #3", False), ("收到，3号机组又跳闸了，现场有烟，请赶快派人过来", False),
])
def test_acknowledging_words(text: str, acks: bool) -> None:
    assert words.acknowledges(text) is acks


@pytest.mark.parametrize(("text", "done", "progress"), [
    ("火已扑灭，没有人员受伤", True, True), ("已处理，设备恢复正常", True, True), ("处理好了", True, True),
    ("人已送医", False, True), ("已到现场，正在抢修", False, True), ("还没处理完", False, False),
    ("气体已经关闭了，维修师傅在处理", False, True), ("我正在开会", False, False),
])
def test_done_and_progress_words(text: str, done: bool, progress: bool) -> None:
    assert words.is_done(text) is done and words.is_progress(text) is progress


def test_the_note_without_its_number() -> None:
    assert words.without_number("#3 已处理，设备已恢复", 3) == "已处理，设备已恢复"
    assert words.without_number("＃３：人已送医", 3) == "人已送医"


def test_a_question_is_read_from_the_last_clause() -> None:
    assert _last_clause("孙鹏最近情绪不好，是不是家里有事？你们关心一下") == "你们关心一下"
    assert _last_clause("听说孙鹏住院了？") == "听说孙鹏住院了？"
