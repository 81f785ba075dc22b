"""A tip about a team-mate named by nickname reaches that person's member, through the real webhook.

The shared roster (tests/data/roster.csv): 吴涛 and 孙鹏 are in 运行一班 (zone of 刘志勇); 赵宇飞 is in
运行二班 (zone of 张敏). The test clock starts on 2026-11-25.
"""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from bot import keys
from bot.nlu import Parser
from storage.models import CareEntry
from tests.conftest import Bot


@pytest.fixture(scope="module")
def parser() -> Parser:
    """The bot's own parser: the bot loads its roster into it (not the NLU tests' shared one)."""
    return Parser.load()


async def _entries(bot: Bot) -> list[Any]:
    async with bot.app[keys.DB].session(1) as session:
        return list((await session.execute(select(CareEntry).order_by(CareEntry.id))).scalars())


async def test_nickname_tip_is_about_the_team_mate_not_the_teller(bot: Bot) -> None:
    thanks = await bot.chat("wutao", "我们班小孙家里出事了 他爸住院了 😟")
    assert thanks and "谢谢" in thanks[0]
    [tip] = await _entries(bot)
    assert (tip.person, tip.responsible, tip.created_by, tip.source) == ("sunpeng", "liuzhiyong", "wutao", "tip")
    assert bot.fake.to("liuzhiyong"), "the zone member of 孙鹏 is asked"


async def test_given_name_tip_is_about_that_person(bot: Bot) -> None:
    await bot.chat("huangqing", "宇飞说他妈住院了 心脏搭桥")
    [tip] = await _entries(bot)
    assert (tip.person, tip.responsible, tip.created_by) == ("zhaoyufei", "zhangmin", "huangqing")


async def test_nickname_of_nobody_is_asked_not_recorded_against_the_teller(bot: Bot) -> None:
    answer = await bot.chat("wutao", "我们班老钱他妈住院了 挺严重的")
    assert answer and "老钱" in answer[0] and "全名" in answer[0]
    assert await _entries(bot) == []  # nothing about 吴涛 himself
