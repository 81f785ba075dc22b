"""Pushes people are glad to get: one message per push, cards updated in place, coalescing, quiet hours."""

from __future__ import annotations

import json

from sqlalchemy import select

from bot import keys
from bot.fakecards import cards_of
from storage.models import OutboxRow
from tests.conftest import Bot


async def _rows(bot: Bot, user: str) -> list[OutboxRow]:
    async with bot.app[keys.DB].sessions() as session:
        return list((await session.execute(select(OutboxRow).where(OutboxRow.recipient == user)
                                           .order_by(OutboxRow.id))).scalars())


# --- one message per push ---------------------------------------------------------------------------


async def test_a_card_goes_alone_and_its_text_only_if_wecom_refuses_it(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    assert [m["msgtype"] for m in bot.fake.to("liuzhiyong")] == ["template_card"]
    assert all("fallback" not in m for m in bot.fake.sent)  # the text fallback never reaches WeCom with the card

    cards_of(bot.fake).refuse_next()  # WeCom refuses the next card (e.g. a client that cannot take it)
    await bot.chat("sunpeng", "宿舍热水器坏了好几天了")
    got = bot.fake.to("liuzhiyong")
    assert [m["msgtype"] for m in got] == ["template_card", "text"]
    assert "接单 #2" in got[-1]["text"]["content"]
    refused, fallback = (await _rows(bot, "liuzhiyong"))[-2:]
    assert (refused.status, refused.error_code, fallback.dedupe_key) == ("failed", 40058, f"fallback:{refused.id}")


# --- cards updated in place -----------------------------------------------------------------------


async def test_a_pressed_card_shows_what_it_did_and_cannot_be_pressed_again(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    answer = await bot.click("liuzhiyong", "deed:accept:1")
    assert len(answer) == 1 and "#1" in answer[0]
    cards = cards_of(bot.fake)
    assert cards.replaced("liuzhiyong") == ["已接单 · 11-25 09:40"]
    [update] = cards.updates
    assert update["response_code"].startswith("rc") and update["userids"] == ["liuzhiyong"]
    # the answer went first, then the update
    rows = await _rows(bot, "liuzhiyong")
    assert [r.msg_type for r in rows][-2:] == ["text", "update_template_card"]
    assert all(r.status == "sent" for r in rows)

    # pressing 查看 changes nothing: the card stays as it is
    await bot.click("liuzhiyong", "deed:view:1")
    assert len(cards.updates) == 1

    # an old button of another version: a short explanation, the card shows it is stale
    stale = await bot.click("liuzhiyong", "deed:frobnicate:1")
    assert len(stale) == 1 and "失效" in stale[0]
    assert cards.replaced("liuzhiyong")[-1] == "已失效 · 11-25 09:40"
    assert json.loads((await _rows(bot, "liuzhiyong"))[-1].body)["button"]["replace_name"].startswith("已失效")
