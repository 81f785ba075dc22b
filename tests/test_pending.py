"""Short replies in context (``bot.pending``): which kinds a reply may be; what it resolves to."""

from __future__ import annotations

import pytest

from bot.pending import ACCEPT, ACK, CONFIRM, SIGNUP, START, definite, kinds_of
from tests.conftest import Bot


@pytest.mark.parametrize(("text", "kind"), [
    ("接单", ACCEPT), ("好的我接了", ACCEPT), ("收到，我去问问", ACCEPT), ("收到 马上过去", ACK), ("收到！", ACK),
    ("在路上了", ACK), ("报名", SIGNUP), ("给我报个名", SIGNUP), ("算我一个😄", SIGNUP), ("+1", SIGNUP),
    ("开始", START), ("开始吧", START), ("好的 开始答题", START), ("满意", CONFIRM), ("好的", CONFIRM),
    ("非常满意，谢谢！", CONFIRM), ("已解决 👍", CONFIRM),
])
def test_short_reply_may_mean(text: str, kind: str) -> None:
    assert kind in kinds_of(text)


@pytest.mark.parametrize("text", [
    "不满意", "还没解决", "我不参加了", "取消报名", "没收到", "接单 #3", "1", "今天谁值班",
    "食堂晚班没有热饭，夜班的师傅们只能吃泡面，能不能解决一下", "我报名参加下周的电工培训顺便问下地点在哪里啊",
])
def test_not_a_short_reply(text: str) -> None:
    assert kinds_of(text) == frozenset()


@pytest.mark.parametrize(("text", "kind"), [("接单", ACCEPT), ("给我报个名", SIGNUP), ("开始答题", START),
                                            ("满意", None), ("好的", None), ("收到", None)])
def test_only_definite_words_say_nothing_is_waiting(text: str, kind: str | None) -> None:
    assert definite(text, kinds_of(text)) == kind


async def test_accept_in_context_one_several_none(bot: Bot) -> None:
    none = await bot.chat("liuzhiyong", "接单")
    assert none == ["目前没有等您接单的事项。"]
    await bot.chat("sunpeng", "食堂晚班没有热饭，夜班的师傅们只能吃泡面，能不能解决一下")
    [deed] = [t for t in bot.fake.texts("liuzhiyong") if "#1" in t][:1]
    assert "#1" in deed
    took = await bot.chat("liuzhiyong", "好的我接了")
    assert any("#1" in t for t in took)
    assert any("#1" in t for t in bot.fake.texts("sunpeng")[-1:])
    again = await bot.chat("liuzhiyong", "接单")
    assert again == ["目前没有等您接单的事项。"]


async def test_which_list_takes_a_number_or_the_item_number(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，夜班的师傅们只能吃泡面，能不能解决一下")
    await bot.chat("sunpeng", "班车早上老是晚点 七点二十才到厂门口 交接班都迟到")
    asked = await bot.chat("liuzhiyong", "接单")
    assert "1. #1" in asked[-1] and "2. #2" in asked[-1]
    wrong = await bot.chat("liuzhiyong", "5")
    assert wrong == ["请回复 1 到 2 之间的序号。"]
    took = await bot.chat("liuzhiyong", "#2")
    assert any("#2" in t for t in took) and not any("#1" in t for t in took)
