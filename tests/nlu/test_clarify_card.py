"""The clarification card is updated in place once a choice is pressed (bot/clarify.py, bot/dispatcher.py)."""
from __future__ import annotations

import pytest

from bot.cardkeys import result_of
from bot.clarify import OPTIONS, ClarifyCard
from bot.fakecards import cards_of
from bot.nlu import Parser
from tests.conftest import Bot


@pytest.fixture(scope="module")
def parser() -> Parser:
    """The bot's own parser: not tests/nlu's shared one, whose small roster the bot would replace."""
    return Parser.load()


def test_every_option_says_what_was_chosen() -> None:
    for o in OPTIONS:
        assert result_of(ClarifyCard(o.key).pack()) == f"已选：{o.label}"


async def test_a_pressed_choice_replaces_the_buttons(bot: Bot) -> None:
    first = await bot.chat("sunpeng", "那啥 我再琢磨琢磨")
    assert any("您是想" in t for t in first)
    answer = await bot.click("sunpeng", "clarify:deed")
    assert any("已受理" in t for t in answer)
    cards = cards_of(bot.fake)
    assert cards.replaced("sunpeng") == ["已选：反映问题/提建议 · 11-25 09:40"]
    # an older copy of the card pressed again: explained, shown stale, nothing registered twice
    again = await bot.click("sunpeng", "clarify:care")
    assert len(again) == 1 and "过期" in again[0]
    assert cards.replaced("sunpeng")[-1] == "已失效 · 11-25 09:40"


async def test_none_of_these_is_shown_too(bot: Bot) -> None:
    await bot.chat("sunpeng", "那啥 我再琢磨琢磨")
    answer = await bot.click("sunpeng", "clarify:none")
    assert any("直接用一句话告诉我" in t for t in answer)
    assert cards_of(bot.fake).replaced("sunpeng") == ["已选：都不是 · 11-25 09:40"]
