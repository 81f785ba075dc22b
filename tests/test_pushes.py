"""Pushes people are glad to get: one message per push, cards updated in place, coalescing, quiet hours."""

from __future__ import annotations

import json
from datetime import date, timezone

from sqlalchemy import select

from bot import keys
from bot.fakecards import cards_of
from schedules.config import ScheduleConfig
from storage.db import Database
from storage.models import Item, OutboxRow
from tests.conftest import Bot
from tests.test_schedules import add, at, db, entry, item, run_due

__all__ = ["db"]  # the fixture, shared with tests/test_schedules.py


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


# --- coalescing -----------------------------------------------------------------------------------


async def _outbox(db: Database, user: str) -> list[OutboxRow]:
    async with db.sessions() as session:
        return list((await session.execute(select(OutboxRow).where(OutboxRow.recipient == user)
                                           .order_by(OutboxRow.id))).scalars())


def _content(row: OutboxRow) -> str:
    body = json.loads(row.body)
    return str(body[body["msgtype"]]["content"])


async def test_forty_due_reminders_for_one_member_are_one_message(db: Database) -> None:
    await add(db, *[entry(p, "liuzhiyong", date(2026, 11, 25)) for p in ["sunpeng", "wutao"] * 20])
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    assert sum(1 for s in swept if s.recipient == "liuzhiyong") == 41  # 40 follow-ups and the morning list
    [row] = await _outbox(db, "liuzhiyong")
    text = _content(row)
    assert text.startswith("今天有 41 件事需要您：\n· 回访提醒：今天应回访")
    assert "……还有" in text and "发“/待办”查看全部。" in text and len(text.encode()) <= 2048
    [push] = [p for p in swept.pushes if p.recipient == "liuzhiyong"]
    assert (push.label, len(push.carried), push.urgent) == ("合并提醒", 41, False)
    assert await run_due(db, at(2026, 11, 25, 9, 23)) == []  # all 41 recorded as sent


async def test_the_secretarys_escalations_become_one_list(db: Database) -> None:
    created = at(2026, 11, 19, 9, 0).astimezone(timezone.utc)  # a week ago, never answered
    await add(db, *[item(n, "submitted", created) for n in range(1, 13)])
    await add(db, *[Item(number=100 + n, kind="incident", category="other", requester="sunpeng", owner="",
                         team="运行一班", title=f"事件{n}", text="着火", status="open", urgent=True,
                         created_at=created, updated_at=created) for n in range(1, 4)])
    swept = await run_due(db, at(2026, 11, 25, 9, 13))
    rows = await _outbox(db, "wanghaiyan")
    urgent, listed = [_content(r) for r in rows]
    assert urgent.startswith("紧急：有 3 件事需要您马上处理：") and urgent.count("事件 #") == 3
    # the twelve escalations as one list, then her own morning list
    assert listed.startswith("今天有 13 件事需要您：\n【需要您关注】\n· 超时未响应：#1 事项1")
    assert listed.count("超时未响应") == 12 and "【您的待办】\n王海燕，早上好！" in listed
    assert [p.urgent for p in swept.pushes if p.recipient == "wanghaiyan"] == [True, False]
    first, second = rows
    assert first.next_attempt_at <= second.next_attempt_at  # incidents at once, the list with jitter
    assert len(await _outbox(db, "liuzhiyong")) == 1  # the owner's 24 reminders: one message too


async def test_no_one_gets_more_than_the_daily_cap(db: Database) -> None:
    config = ScheduleConfig(daily_pushes=2)
    for i, hour in enumerate((9, 11, 14)):
        await add(db, entry(f"p{i}", "liuzhiyong", date(2026, 11, 25)))
        await run_due(db, at(2026, 11, 25, hour, 3), config=config)
    assert len(await _outbox(db, "liuzhiyong")) == 2  # the third waits for tomorrow
    await run_due(db, at(2026, 11, 26, 9, 3), config=config)
    rows = await _outbox(db, "liuzhiyong")
    assert len(rows) == 3 and "p2" in _content(rows[-1])


async def test_a_survey_reminder_alone_waits_for_the_morning_list(db: Database) -> None:
    from storage.models import Survey, SurveyRecipient
    opened = at(2026, 11, 20, 10, 0).astimezone(timezone.utc)
    await add(db, Survey(id=1, number=1, title="食堂意见", status="open", created_by="wanghaiyan",
                         created_at=opened, opened_at=opened))
    await add(db, SurveyRecipient(survey_id=1, userid="hefang", status="pending"))
    assert [s for s in await run_due(db, at(2026, 11, 25, 14, 3)) if s.recipient == "hefang"] == []  # it waits
    swept = await run_due(db, at(2026, 11, 26, 8, 13))
    assert [s.kind for s in swept if s.recipient == "hefang"] == ["survey_remind"]
