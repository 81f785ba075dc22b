"""The conversation mechanism: declared states, expiry, cancel, interrupts with re-ask, the lock rule."""

from __future__ import annotations

import os
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


# --- emergencies first, in every declared state --------------------------------------------------

def _domain_states() -> list[State]:
    """Every state the app's routers declare (the test's own ``fsmtest`` states aside)."""
    from bot import registry
    from bot.fsm import declared_states

    names = {r.name for r in registry.routers()}
    return [s for s in declared_states() if s.domain in names]


SLOW = os.environ.get("SIJING_SLOW") == "1"  # the whole state x message matrix

# (label, text, what the grid leader sees, whether the secretary is alerted too)
EMERGENCIES = [
    ("incident", "运行一班集控室着火了 浓烟很大 快来人！！", "突发事件 #1", True),
    ("urgent", "紧急！运行一班走廊的灯全灭了，夜里巡检看不见路", "【紧急】", False),
    ("injury", "有人从梯子上摔下来了 头上流了好多血 在运行一班配电室", "突发事件 #1", True),
    ("cry", "救命啊", "突发事件 #1", True),  # no place, no detail: still never an answer to the open question
    ("trip", "2号机组跳机了", "突发事件 #1", True),
]


def _pairs(kinds: list[Any]) -> list[Any]:
    """Every state with every kind under SIJING_SLOW=1; otherwise every state once, the kinds taken in
    turn (so every state and every kind is tried in each run, the whole matrix in the slow one)."""
    states = _domain_states()
    if SLOW:
        return [pytest.param(s, *k, id=f"{s.name}-{k[0]}") for s in states for k in kinds]
    return [pytest.param(s, *kinds[i % len(kinds)], id=f"{s.name}-{kinds[i % len(kinds)][0]}")
            for i, s in enumerate(states)]


@pytest.mark.parametrize(("state", "label", "text", "alert", "branch"), _pairs(EMERGENCIES))
async def test_an_emergency_gets_through_in_every_declared_state(bot: Bot, state: State, label: str, text: str,
                                                                 alert: str, branch: bool) -> None:
    """Whatever question is open, an incident (or urgent) report reaches the grid leader (and the branch
    secretary) at once, and the open question is asked again after."""
    from bot import keys

    prompt = f"（测试）{state.name} 的问题：请回答"
    async with bot.app[keys.DB].session(1) as session:
        await conversations.put(session, "sunpeng", state.name, {}, bot.clock(), state.ttl, prompt)
        await session.commit()
    replies = await bot.chat("sunpeng", text)
    assert any(alert in t for t in bot.fake.texts("liuzhiyong")), (state.name, bot.fake.texts("liuzhiyong"))
    assert not branch or any(alert in t for t in bot.fake.texts("wanghaiyan")), (state.name, replies)
    assert replies and "#1" in replies[0], (state.name, replies)
    assert replies[-1] == REASK + prompt, (state.name, replies)


@pytest.mark.parametrize(("state", "label", "text"), _pairs([("command", "/我的事项"), ("duty_query", "今天谁值班")]))
async def test_commands_and_duty_queries_are_answered_in_every_declared_state(bot: Bot, state: State, label: str,
                                                                              text: str) -> None:
    """A slash command or a duty query is answered by its own router whatever question is open, and the
    question is asked again after (it is not taken as the answer, nor dropped)."""
    from bot import keys

    prompt = f"（测试）{state.name} 的问题：请回答"
    async with bot.app[keys.DB].session(1) as session:
        await conversations.put(session, "sunpeng", state.name, {}, bot.clock(), state.ttl, prompt)
        await session.commit()
    replies = await bot.chat("sunpeng", text)
    assert len(replies) >= 2 and replies[-1] == REASK + prompt, (state.name, replies)
    async with bot.app[keys.DB].session(1) as session:
        still = await conversations.get(session, "sunpeng", bot.clock())
    assert still is not None and still.kind == state.name
