"""The conversation mechanism: declared states, expiry, cancel, interrupts with re-ask, the lock rule."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from bot.cardkeys import STALE_EXPLAINED
from bot.context import Context
from bot.dispatcher import Dispatcher, Replies, Router
from bot.events import AppEvent, TextMessage
from bot.fsm import CANCELLED, KEEP, REASK, Conversation, State, StatesGroup
from bot.replies import Text
from handlers.deeds.states import DeedStates
from storage import conversations
from storage.db import Database, create_database
from storage.errors import Refused
from storage.people import RosterEntry
from tests.conftest import Bot, make_settings

T0 = datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)
ME = RosterEntry("sunpeng", "孙鹏", "employee", "运行一班", "liuzhiyong")


class Pet(StatesGroup, domain="fsmtest"):
    name = State()  # DROP by default
    colour = State(unanswered=KEEP, ttl=timedelta(minutes=5))
    strict = State(cancellable=False)


quiz = Router("fsmtest")
other = Router("other")


@quiz.message(state=Pet.name, regex=r"^叫(\w+)$")
async def named(ctx: Context) -> Replies:
    await ctx.fsm.clear()
    assert ctx.match is not None
    return Text(content=f"好名字：{ctx.match.group(1)}")


@quiz.message(state=Pet.colour, regex=r"^(红|白)色?$")
async def coloured(ctx: Context) -> Replies:
    await ctx.fsm.clear()
    return Text(content="记下了颜色")


@quiz.command("/宠物", summary="养一只宠物")
async def start(ctx: Context) -> Replies:
    return await ctx.fsm.ask(Pet.name, "它叫什么名字？")


@quiz.command("/颜色")
async def colour(ctx: Context) -> Replies:
    return await ctx.fsm.ask(Pet.colour, "它是什么颜色？")


@quiz.command("/坏")
async def bad(ctx: Context) -> Replies:
    raise Refused("这个不行")


@other.command("/别的")
async def elsewhere(ctx: Context) -> Replies:
    return Text(content="别的命令的回答")


@other.message()
async def anything(ctx: Context) -> Replies:
    return Text(content=f"普通回答：{ctx.text}")


DISPATCHER = Dispatcher([quiz, other])


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url)
    yield database
    await database.dispose()


async def say(db: Database, text: str, now: datetime = T0, *, event: Any = None) -> list[str]:
    """One event through the dispatcher, in its own transaction, as the processor runs it."""
    ev = event or TextMessage(user=ME.userid, created=now, agent_id="1", raw={}, msg_id="m", content=text)
    async with db.sessions() as session, session.begin():
        ctx = Context(ev, ME, session, now, make_settings("sqlite://", "http://127.0.0.1:1/"))
        ctx.fsm = await Conversation.load(session, ME.userid, now)
        replies = await DISPATCHER.dispatch(ctx)
    return [r.content for r in replies if isinstance(r, Text)]


async def test_a_declared_state_routes_the_answer_then_closes(db: Database) -> None:
    assert await say(db, "/宠物") == ["它叫什么名字？"]
    assert await say(db, "叫旺财") == ["好名字：旺财"]
    assert await say(db, "叫旺财") == ["普通回答：叫旺财"]  # closed: routed as any message


async def test_drop_closes_the_question_and_routes_the_message(db: Database) -> None:
    await say(db, "/宠物")
    assert await say(db, "今天天气不错") == ["普通回答：今天天气不错"]
    assert await say(db, "叫旺财") == ["普通回答：叫旺财"]


async def test_keep_leaves_the_question_open(db: Database) -> None:
    await say(db, "/颜色")
    assert await say(db, "今天天气不错") == ["普通回答：今天天气不错"]
    assert await say(db, "红色") == ["记下了颜色"]


async def test_an_interrupt_reaches_its_router_and_the_question_is_reasked(db: Database) -> None:
    await say(db, "/宠物")
    assert await say(db, "/别的") == ["别的命令的回答", REASK + "它叫什么名字？"]
    assert await say(db, "叫旺财") == ["好名字：旺财"]  # the question survived the interrupt


async def test_a_card_click_is_an_interrupt_too(db: Database) -> None:
    await say(db, "/宠物")
    click = AppEvent(user=ME.userid, created=T0, agent_id="1", raw={}, event="template_card_event",
                     event_key="nobody:1", task_id="t", response_code="rc")
    # nobody answered: a stale button, explained; the question is not re-asked after it
    assert await say(db, "", event=click) == [STALE_EXPLAINED]
    assert await say(db, "叫旺财") == ["好名字：旺财"]


async def test_an_interrupt_that_opens_a_new_question_is_not_followed_by_the_old_one(db: Database) -> None:
    await say(db, "/宠物")
    assert await say(db, "/颜色") == ["它是什么颜色？"]
    assert await say(db, "白") == ["记下了颜色"]


async def test_cancel_words_close_a_cancellable_question(db: Database) -> None:
    await say(db, "/宠物")
    assert await say(db, "取消") == [CANCELLED]
    assert await say(db, "叫旺财") == ["普通回答：叫旺财"]


async def test_expiry_is_told_once(db: Database) -> None:
    await say(db, "/颜色")  # 5-minute question
    later = T0 + timedelta(minutes=6)
    async with db.sessions() as session, session.begin():
        fsm = await Conversation.load(session, ME.userid, later)
        assert fsm.expired and not fsm.is_open and fsm.expired_kind == "fsmtest.colour"
    async with db.sessions() as session, session.begin():
        fsm = await Conversation.load(session, ME.userid, later)
        assert not fsm.expired and not fsm.is_open


async def test_refused_is_answered_in_chinese(db: Database) -> None:
    assert await say(db, "/坏") == ["这个不行"]


async def test_a_question_for_someone_else_is_queued_not_written_into_their_row(db: Database) -> None:
    async with db.sessions() as session, session.begin():
        mine = Conversation(session, ME.userid, T0)
        await mine.offer("liuzhiyong", Pet.name, {"x": 1}, prompt="它叫什么名字？")
        assert await conversations.get(session, "liuzhiyong", T0) is None  # their row untouched
        assert await conversations.queued(session, "liuzhiyong") == ["fsmtest.name"]
    async with db.sessions() as session, session.begin():  # their next event, under their lock
        theirs = await Conversation.load(session, "liuzhiyong", T0 + timedelta(minutes=1))
        assert theirs.in_state(Pet.name) and theirs.data == {"x": 1} and theirs.prompt == "它叫什么名字？"
        assert await conversations.queued(session, "liuzhiyong") == []


async def test_a_queued_question_waits_while_another_is_open(db: Database) -> None:
    await say(db, "/颜色")
    async with db.sessions() as session, session.begin():
        await Conversation(session, "someone", T0).offer(ME.userid, Pet.name, prompt="它叫什么名字？")
    assert await say(db, "白") == ["记下了颜色"]  # the open one is answered first
    assert await say(db, "叫小白") == ["好名字：小白"]  # then the queued one is open


def test_state_names_are_domain_dot_attribute() -> None:
    assert Pet.name.name == "fsmtest.name" and Pet.colour.domain == "fsmtest"
    assert DeedStates.dup.name == "deeds.dup"
    with pytest.raises(ValueError):
        class Again(StatesGroup, domain="fsmtest"):  # noqa: F841 - declaring it is the test
            name = State()


# --- the same, end to end through the webhook, with a real domain's question ---------------


async def test_interrupting_the_duplicate_question_with_a_command_and_a_duty_query(bot: Bot) -> None:
    await bot.chat("sunpeng", "食堂晚班没有热饭，希望能解决")
    asked = await bot.chat("sunpeng", "食堂晚班还是没有热饭，希望改善")
    assert "是否与 #1 是同一件事" in asked[0]
    mine = await bot.chat("sunpeng", "/我的事项")
    assert "#1" in mine[0] and mine[-1].startswith(REASK) and "是否与 #1 是同一件事" in mine[-1]
    duty = await bot.chat("sunpeng", "今天谁值班")
    assert duty[-1].startswith(REASK)
    assert "已把这次的情况补充到 #1" in (await bot.chat("sunpeng", "是"))[0]
