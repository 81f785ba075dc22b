"""Ledger races through the real webhook and processor: two people act on one record at the same moment.

Each trial posts both messages at once; the processor handles the two people in parallel, each in
its own transaction. On PostgreSQL a barrier (:class:`LockBarrier`) holds every caller of
``lock_row`` until both transactions have got there, so both have read the row (the handlers'
reads, before the lock) before either locks it: the worst interleaving, every trial. On SQLite the
writers are serialised (one connection, ``BEGIN IMMEDIATE``); the same trials there prove the
checks against the state the other one left.
"""

from __future__ import annotations

import asyncio
import os
from datetime import timedelta
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot import keys
from storage import audit, deeds, duty, gatherings, locking, surveys
from storage.duty import IncidentStatus
from storage.deeds import DeedStatus, EventKind
from storage.models import Item, ItemEvent, SurveyAnswer, SurveyRecipient
from tests.conftest import Bot

TRIALS = 8 if os.environ.get("SIJING_SLOW") == "1" else 3  # the barrier forces the worst order each time
SECRETARY, OWNER, REQUESTER, OTHER = "wanghaiyan", "liuzhiyong", "sunpeng", "zhouli"

# Modules that bound ``lock_row`` at import time: the barrier patches each.
LOCKING_MODULES = ("storage.deeds.actions", "storage.duty.incidents", "storage.assist.actions",
                   "storage.gatherings.actions", "storage.surveys.actions", "storage.talent.reserve",
                   "storage.care.entries")


class LockBarrier:
    """Every ``lock_row`` call waits (up to ``wait`` seconds) until ``parties`` transactions (sessions)
    have called it."""

    def __init__(self, parties: int = 2, wait: float = 2.0) -> None:
        self.parties = parties
        self.wait = wait
        self._sessions: set[int] = set()
        self._all_here = asyncio.Event()

    @property
    def arrived(self) -> int:
        return len(self._sessions)

    def reset(self) -> None:
        self._sessions = set()
        self._all_here = asyncio.Event()

    async def lock_row(self, session: Any, row: Any) -> Any:
        self._sessions.add(id(session))
        if self.arrived >= self.parties:
            self._all_here.set()
        try:
            await asyncio.wait_for(self._all_here.wait(), self.wait)
        except TimeoutError:
            pass  # only one transaction locks this time: nothing to hold back for
        return await _REAL_LOCK(session, row)


_REAL_LOCK = locking.lock_row


@pytest.fixture
def barrier(bot: Bot, monkeypatch: pytest.MonkeyPatch) -> Iterator[LockBarrier | None]:
    """The barrier on PostgreSQL; None on SQLite, whose one connection cannot interleave transactions."""
    if bot.app[keys.DB].dialect != "postgresql":
        yield None
        return
    gate = LockBarrier()
    import importlib
    for name in LOCKING_MODULES:
        module = importlib.import_module(name)
        if hasattr(module, "lock_row"):
            monkeypatch.setattr(module, "lock_row", gate.lock_row)
    yield gate


async def _race(bot: Bot, barrier: LockBarrier | None, *said: tuple[str, str]) -> dict[str, list[str]]:
    """Post every (user, text) at once, process and deliver; the texts each user got because of it."""
    if barrier is not None:
        barrier.reset()
    users = {u for u, _ in said} | {REQUESTER, OWNER, OTHER, SECRETARY}
    before = {u: len(bot.fake.to(u)) for u in users}
    statuses = await asyncio.gather(*(bot.say(u, t) for u, t in said))
    assert set(statuses) == {200}
    await bot.flush()
    return {u: bot.fake.texts(u)[before[u]:] for u in users}


async def _new_item(bot: Bot, status: DeedStatus, trial: int) -> int:
    """A deed of REQUESTER owned by OWNER, brought to ``status`` by the storage actions."""
    now = bot.clock()
    async with bot.app[keys.DB].session(1) as session, session.begin():
        item = await deeds.create(session, now=now, requester=REQUESTER, owner=OWNER,
                                  text=f"第{trial}件：车间照明坏了", category="facilities")
        if status in (DeedStatus.ACCEPTED, DeedStatus.RESOLVED):
            await deeds.accept(session, item, now=now, actor=OWNER)
        if status == DeedStatus.RESOLVED:
            await deeds.resolve(session, item, now=now, actor=OWNER, note="已修好")
        return item.number


async def _state(bot: Bot, n: int) -> tuple[Item, list[ItemEvent]]:
    async with bot.app[keys.DB].session(1) as session:
        item = await deeds.get_by_number(session, n)
        assert item is not None
        events = list((await session.execute(
            select(ItemEvent).where(ItemEvent.item_id == item.id).order_by(ItemEvent.id))).scalars())
        return item, events


async def _race_lost(bot: Bot, barrier: LockBarrier | None, item: Item, *, loser: bool) -> None:
    """The loser's refusal is on the audit trail as a lost race when it read the row before the winner
    wrote it (always, behind the barrier); with SQLite's serialised writers it read the winner's result."""
    async with bot.app[keys.DB].session(1) as session:
        rows = [a for action, key in (("item_race_lost", item.id), ("incident_race_lost", item.number))
                for a in await audit.entries(session, action=action, limit=None) if a.object_id == str(key)]
    expected = 1 if loser and barrier is not None else 0
    assert len(rows) == expected, [(a.action, a.detail) for a in rows]


def _kinds(events: list[ItemEvent]) -> list[str]:
    return [e.kind for e in events]


async def _trials(bot: Bot, barrier: LockBarrier | None, run: Callable[[int], Awaitable[str]]) -> dict[str, int]:
    """Run ``run(trial)`` TRIALS times; count which side won."""
    wins: dict[str, int] = {}
    for trial in range(TRIALS):
        bot.clock.advance(minutes=2)  # past the sender's per-person rate limit (30 a minute)
        winner = await run(trial)
        wins[winner] = wins.get(winner, 0) + 1
        if barrier is not None:
            assert barrier.arrived >= 2, "both transactions should have reached the row lock"
    return wins


@pytest.mark.both_databases
async def test_confirm_races_manual_close(bot: Bot, barrier: LockBarrier | None) -> None:
    """"#N 满意" and "/关闭 #N" at once: one close, the requester told once, the loser told who was first."""

    async def run(trial: int) -> str:
        n = await _new_item(bot, DeedStatus.RESOLVED, trial)
        got = await _race(bot, barrier, (REQUESTER, f"#{n} 满意"), (SECRETARY, f"/关闭 #{n} 已与本人当面核实"))
        item, events = await _state(bot, n)
        closing = [k for k in _kinds(events) if k in (EventKind.CONFIRMED, EventKind.CLOSED_BY_HAND)]
        assert item.status == DeedStatus.CLOSED and len(closing) == 1, (item.status, _kinds(events))
        told = [t for t in got[REQUESTER] if "已办结销号" in t or "已由支部书记销号" in t]
        assert len(told) == 1, got[REQUESTER]
        owner_told = [t for t in got[OWNER] if f"#{n}" in t]
        assert len(owner_told) == 1, got[OWNER]
        await _race_lost(bot, barrier, item, loser=True)
        if closing[0] == EventKind.CONFIRMED:
            assert item.satisfaction == "satisfied" and item.close_reason is None
            assert got[SECRETARY] == [f"#{n} 已由反映人确认满意办结，不用再销号。"], got[SECRETARY]
            return "requester"
        assert item.closed_by == SECRETARY and item.close_reason == "已与本人当面核实" and item.satisfaction is None
        assert got[SECRETARY] == [f"已销号 #{n}，原因已记录：已与本人当面核实"]
        assert any("已由支部书记销号" in t for t in got[REQUESTER]), got[REQUESTER]
        assert f"#{n} 已经办结了，谢谢您的认可！" in got[REQUESTER] or len(got[REQUESTER]) == 1
        return "secretary"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


@pytest.mark.both_databases
async def test_resolve_races_manual_close(bot: Bot, barrier: LockBarrier | None) -> None:
    """"#N 已解决" and "/关闭 #N" at once: never a lost close (resolved with a close reason)."""

    async def run(trial: int) -> str:
        n = await _new_item(bot, DeedStatus.ACCEPTED, trial)
        got = await _race(bot, barrier, (OWNER, f"#{n} 已解决，换了灯管"), (SECRETARY, f"/关闭 #{n} 并入全厂照明改造"))
        item, events = await _state(bot, n)
        assert not (item.status != DeedStatus.CLOSED and item.close_reason), (item.status, item.close_reason)
        kinds = _kinds(events)
        said_closed = got[SECRETARY] == [f"已销号 #{n}，原因已记录：并入全厂照明改造"]
        if said_closed:  # the secretary was told it is closed: it is, by her
            assert item.status == DeedStatus.CLOSED and item.closed_by == SECRETARY
            assert kinds.count(EventKind.CLOSED_BY_HAND) == 1
        else:
            assert item.status == DeedStatus.RESOLVED and EventKind.CLOSED_BY_HAND not in kinds
            assert len(got[SECRETARY]) == 1 and f"#{n}" in got[SECRETARY][0], got[SECRETARY]
        if kinds.count(EventKind.RESOLVED) == 2:  # the owner's resolve landed (one from _new_item? no: accepted)
            raise AssertionError(kinds)
        await _race_lost(bot, barrier, item, loser=EventKind.RESOLVED not in kinds)
        if EventKind.RESOLVED in kinds:
            assert any(f"已记录 #{n} 办好" in t for t in got[OWNER]), got[OWNER]
            return "owner first"
        assert got[OWNER] and not any("已记录" in t for t in got[OWNER]), got[OWNER]
        assert any("已由支部书记销号" in t for t in got[OWNER]), got[OWNER]
        return "secretary first"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


@pytest.mark.both_databases
async def test_accept_races_reassign(bot: Bot, barrier: LockBarrier | None) -> None:
    """"接单 #N" by the owner and "/指派 #N" at once: never accepted by the old owner but owned by the new."""

    async def run(trial: int) -> str:
        n = await _new_item(bot, DeedStatus.SUBMITTED, trial)
        got = await _race(bot, barrier, (OWNER, f"接单 #{n}"), (SECRETARY, f"/指派 #{n} {OTHER}"))
        item, events = await _state(bot, n)
        assert item.owner == OTHER
        assert item.status == DeedStatus.SUBMITTED, (item.status, _kinds(events))  # the new owner accepts anew
        assert got[SECRETARY][0].startswith(f"已将 #{n} 改派给周丽"), got[SECRETARY]
        kinds = _kinds(events)
        await _race_lost(bot, barrier, item, loser=EventKind.ACCEPTED not in kinds)
        if EventKind.ACCEPTED in kinds:
            assert kinds.index(EventKind.ACCEPTED) < kinds.index(EventKind.ASSIGNED)
            assert any(f"已接单 #{n}" in t for t in got[OWNER]) and any("改派给周丽" in t for t in got[OWNER])
            return "owner first"
        assert not any(f"已接单 #{n}" in t for t in got[OWNER]), got[OWNER]
        assert any("周丽" in t for t in got[OWNER]), got[OWNER]
        return "secretary first"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


async def test_reassign_resets_acceptance(bot: Bot) -> None:
    """Not racing: an accepted item given to someone else waits for them to accept it."""
    n = await _new_item(bot, DeedStatus.ACCEPTED, 0)
    await bot.chat(SECRETARY, f"/指派 #{n} {OTHER}")
    item, events = await _state(bot, n)
    assert (item.owner, item.status) == (OTHER, DeedStatus.SUBMITTED)
    assert "只有负责人可以接单" in (await bot.chat(OWNER, f"接单 #{n}"))[0]
    assert f"已接单 #{n}" in (await bot.chat(OTHER, f"接单 #{n}"))[0]
    assert (await _state(bot, n))[0].status == DeedStatus.ACCEPTED


# --- incidents ------------------------------------------------------------------------------


async def _new_incident(bot: Bot, trial: int, *, acknowledged_by: str | None = None) -> int:
    """An incident of REQUESTER's team (运行一班, whose grid leader is OWNER), open or acknowledged."""
    now = bot.clock()
    async with bot.app[keys.DB].session(1) as session, session.begin():
        item = await duty.create_incident(session, reporter=REQUESTER, team="运行一班", text=f"第{trial}起：配电室冒烟",
                                          urgent=True, now=now, owner=OWNER, alerted=[OWNER, SECRETARY])
        if acknowledged_by:
            await duty.acknowledge(session, item, acknowledged_by, now)
        return item.number


@pytest.mark.both_databases
async def test_incident_progress_races_acknowledgement(bot: Bot, barrier: LockBarrier | None) -> None:
    """A grid leader's "#N 已通知电工" (progress, acknowledging an open incident) and the secretary's
    "收到 #N" at once: acknowledged once, and the grid leader's note is never lost."""

    async def run(trial: int) -> str:
        n = await _new_incident(bot, trial)
        got = await _race(bot, barrier, (OWNER, f"#{n} 已通知电工到现场"), (SECRETARY, f"收到 #{n}"))
        item, events = await _state(bot, n)
        kinds = _kinds(events)
        assert item.status == IncidentStatus.ACKNOWLEDGED
        assert kinds.count(EventKind.ACKNOWLEDGED) == 1, kinds
        assert [e.note for e in events if e.kind == EventKind.PROGRESS] == ["已通知电工到现场"], kinds
        assert any(f"已记录事件 #{n} 的进展" in t for t in got[OWNER]), got[OWNER]
        ack = next(e for e in events if e.kind == EventKind.ACKNOWLEDGED)
        if ack.actor == SECRETARY:
            assert any(f"已确认事件 #{n}" in t for t in got[SECRETARY]), got[SECRETARY]
            return "secretary first"
        assert any(f"事件 #{n} 已由刘志勇确认过了" in t for t in got[SECRETARY]), got[SECRETARY]
        return "grid leader first"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


@pytest.mark.both_databases
async def test_incident_close_races_close(bot: Bot, barrier: LockBarrier | None) -> None:
    """The grid leader's "#N 已处理完毕" and the secretary's "/关闭 #N" at once: closed once, the reporter
    told once, the loser told who closed it."""

    async def run(trial: int) -> str:
        n = await _new_incident(bot, trial, acknowledged_by=OWNER)
        got = await _race(bot, barrier, (OWNER, f"#{n} 已处理完毕，线路已恢复"), (SECRETARY, f"/关闭 #{n} 经核实为误报"))
        item, events = await _state(bot, n)
        kinds = _kinds(events)
        assert item.status == IncidentStatus.CLOSED and kinds.count(EventKind.CLOSED) == 1, kinds
        told = [t for t in got[REQUESTER] if "处置完毕" in t]
        assert len(told) == 1, got[REQUESTER]
        await _race_lost(bot, barrier, item, loser=True)
        if item.closed_by == SECRETARY:
            assert item.close_reason == "经核实为误报"
            assert got[OWNER] and any(f"事件 #{n} 已由王海燕处置完毕" in t for t in got[OWNER]), got[OWNER]
            assert not any("处置情况已记录" in t for t in got[OWNER]), got[OWNER]
            return "secretary first"
        assert item.close_reason == "已处理完毕，线路已恢复"
        assert any(f"事件 #{n} 已由刘志勇处置完毕" in t for t in got[SECRETARY]), got[SECRETARY]
        assert not any("处置情况已记录" in t for t in got[SECRETARY]), got[SECRETARY]
        return "grid leader first"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


# --- sign-ups and surveys ---------------------------------------------------------------------


@pytest.mark.both_databases
async def test_signup_races_cancelling_the_training(bot: Bot, barrier: LockBarrier | None) -> None:
    """"报名 培训N" and "/培训 取消 N" at once: whoever is signed up for the cancelled training is told."""

    async def run(trial: int) -> str:
        now = bot.clock()
        async with bot.app[keys.DB].session(1) as session, session.begin():
            g = await gatherings.create(session, kind="training", title=f"第{trial}期电工培训",
                                        starts_at=now + timedelta(days=3), place="三楼会议室", capacity=10,
                                        created_by=SECRETARY, now=now)
            n = g.number
        got = await _race(bot, barrier, (REQUESTER, f"报名 培训{n}"), (SECRETARY, f"/培训 取消 {n}"))
        async with bot.app[keys.DB].session(1) as session:
            g2 = await gatherings.get(session, "training", n)
            assert g2 is not None and g2.status == gatherings.GatheringStatus.CANCELLED
            signed = [s.userid for s in await gatherings.signups(session, g2)]
        if signed:
            assert signed == [REQUESTER]
            assert any("已取消" in t and f"第{trial}期电工培训" in t for t in got[REQUESTER]), got[REQUESTER]
            assert "已通知 1 位报名的同志" in got[SECRETARY][0], got[SECRETARY]
            return "sign-up first"
        assert "已通知 0 位" in got[SECRETARY][0], got[SECRETARY]
        assert len(got[REQUESTER]) == 1 and "取消" in got[REQUESTER][0], got[REQUESTER]
        return "cancel first"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


@pytest.mark.both_databases
async def test_last_answer_races_closing_the_survey(bot: Bot, barrier: LockBarrier | None) -> None:
    """The last answer and "/问卷 关闭 N" at once: the answer is kept and the person finished, or refused
    with a clear word and not kept; never kept for a person told it was closed."""

    async def run(trial: int) -> str:
        first = await bot.chat(SECRETARY, f"/问卷 新建 第{trial}次食堂意见")
        assert first and "已新建问卷 #" in first[0], (first, bot.fake.texts(SECRETARY)[-3:])
        n = int(first[0].split("#", 1)[1].split("《", 1)[0])
        await bot.chat(SECRETARY, "单选 食堂满意度如何？ 满意/一般/不满意")
        await bot.chat(SECRETARY, "完成")
        await bot.chat(SECRETARY, f"/问卷 发布 {n} 班组=运行一班")
        started = await bot.chat(REQUESTER, f"开始 {n}")
        assert started and f"第1/1题" in started[-1], (trial, started)
        got = await _race(bot, barrier, (REQUESTER, "1"), (SECRETARY, f"/问卷 关闭 {n}"))
        async with bot.app[keys.DB].session(1) as session:
            survey = await surveys.get(session, n)
            assert survey is not None and survey.status == surveys.SurveyStatus.CLOSED
            answers = list((await session.execute(
                select(SurveyAnswer).where(SurveyAnswer.survey_id == survey.id))).scalars())
            rec = (await session.execute(select(SurveyRecipient).where(
                SurveyRecipient.survey_id == survey.id, SurveyRecipient.userid == REQUESTER))).scalar_one()
        assert len(answers) <= 1
        if answers:
            assert rec.status == surveys.RecipientStatus.DONE
            assert not any("已关闭" in t or "已结束" in t for t in got[REQUESTER][:1]), got[REQUESTER]
            return "answer first"
        assert rec.status != surveys.RecipientStatus.DONE
        assert got[REQUESTER] and any("结束" in t or "关闭" in t for t in got[REQUESTER]), got[REQUESTER]
        return "close first"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS


@pytest.mark.both_databases
async def test_not_solved_races_manual_close(bot: Bot, barrier: LockBarrier | None) -> None:
    """"#N 还没解决" from the requester and "/关闭 #N" at once: closed with the reason, or reopened without
    one (the secretary then hears of the reopening); never reopened with a close reason."""

    async def run(trial: int) -> str:
        n = await _new_item(bot, DeedStatus.RESOLVED, trial)
        got = await _race(bot, barrier, (REQUESTER, f"#{n} 还没解决，灯还是不亮"), (SECRETARY, f"/关闭 #{n} 已安排统一更换"))
        item, events = await _state(bot, n)
        kinds = _kinds(events)
        assert kinds.count(EventKind.REOPENED) == 1 and kinds.count(EventKind.CLOSED_BY_HAND) == 1, kinds
        closed = got[SECRETARY].index(f"已销号 #{n}，原因已记录：已安排统一更换")
        reopened = next(i for i, t in enumerate(got[SECRETARY]) if f"#{n}" in t and "重新打开" in t)
        if item.status == DeedStatus.CLOSED:
            assert kinds.index(EventKind.REOPENED) < kinds.index(EventKind.CLOSED_BY_HAND)
            assert item.close_reason == "已安排统一更换" and item.closed_by == SECRETARY
            assert reopened < closed, got[SECRETARY]
            return "reopened, then closed"
        assert item.status == DeedStatus.REOPENED and item.close_reason is None and item.closed_by is None
        assert closed < reopened, got[SECRETARY]  # she hears of the reopening after her close
        return "closed, then reopened"

    wins = await _trials(bot, barrier, run)
    assert sum(wins.values()) == TRIALS
