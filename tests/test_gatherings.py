"""storage.gatherings: numbering per kind, sign-up rules, capacity under concurrency, attendance."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from handlers.people.importer import import_roster
from storage import gatherings
from storage.db import Database, create_database
from storage.errors import Refused
from storage.gatherings import Gathering, SignupOutcome, lifecycle
from storage.migrate import upgrade
from storage.models import AuditEntry, Signup
from tests.conftest import SAMPLE_ROSTER

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 9, 40, tzinfo=TZ)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url)
    await upgrade(database)
    await import_roster(database, SAMPLE_ROSTER, datetime(2026, 1, 1, tzinfo=timezone.utc))
    yield database
    await database.dispose()


async def _new(db: Database, kind: str = "training", capacity: int = 2, team: str = "",
               starts: datetime | None = None) -> int:
    async with db.session(1) as s, s.begin():
        g = await gatherings.create(s, kind=kind, title="电工培训", starts_at=starts or NOW + timedelta(days=3),
                                    place="三楼会议室", capacity=capacity, created_by="wanghaiyan", now=NOW,
                                    team=team)
        return g.number


async def test_numbering_per_kind(db: Database) -> None:
    assert [await _new(db, "training") for _ in range(2)] == [1, 2]
    assert await _new(db, "activity") == 1
    assert await _new(db, "training") == 3
    async with db.session(1) as s:
        g = await gatherings.get(s, "activity", 1)
        assert g is not None and g.kind == "activity"
        assert await gatherings.get(s, "activity", 2) is None
        assert [x.number for x in await gatherings.upcoming(s, "training", NOW)] == [1, 2, 3]


async def test_create_rejects_bad_input(db: Database) -> None:
    async with db.session(1) as s, s.begin():
        with pytest.raises(ValueError):
            await gatherings.create(s, kind="training", title="x", starts_at=NOW - timedelta(hours=1), place="",
                                    capacity=3, created_by="wanghaiyan", now=NOW)
        with pytest.raises(ValueError):
            await gatherings.create(s, kind="party", title="x", starts_at=NOW + timedelta(hours=1), place="",
                                    capacity=3, created_by="wanghaiyan", now=NOW)
        with pytest.raises(ValueError):
            await gatherings.create(s, kind="training", title="x", starts_at=NOW + timedelta(hours=1), place="",
                                    capacity=-1, created_by="wanghaiyan", now=NOW)


async def test_sign_up_rules(db: Database) -> None:
    n = await _new(db, capacity=2)
    team_n = await _new(db, kind="activity", capacity=0, team="检修班")
    async with db.session(1) as s, s.begin():
        g = await gatherings.get(s, "training", n)
        assert g is not None
        assert (await gatherings.sign_up(s, g, "sunpeng", NOW)).outcome is SignupOutcome.OK
        again = await gatherings.sign_up(s, g, "sunpeng", NOW)
        assert again.outcome is SignupOutcome.ALREADY and "不用重复" in again.message
        assert (await gatherings.sign_up(s, g, "wutao", NOW)).ok
        full = await gatherings.sign_up(s, g, "majing", NOW)
        assert full.outcome is SignupOutcome.FULL and "名额已满" in full.message
        assert await gatherings.cancel_signup(s, g, "wutao", NOW)
        assert (await gatherings.sign_up(s, g, "majing", NOW)).ok
        assert (await gatherings.sign_up(s, g, "wutao", NOW)).outcome is SignupOutcome.FULL
        past = await gatherings.sign_up(s, g, "hefang", NOW + timedelta(days=4))
        assert past.outcome is SignupOutcome.PAST and "不能再报名" in past.message
        a = await gatherings.get(s, "activity", team_n)
        assert a is not None
        assert (await gatherings.sign_up(s, a, "sunpeng", NOW)).outcome is SignupOutcome.NOT_TEAM
        assert (await gatherings.sign_up(s, a, "majing", NOW)).ok
        assert [x.number for x in await gatherings.upcoming(s, "activity", NOW, team="运行一班")] == []
        assert [x.number for x in await gatherings.upcoming(s, "activity", NOW, team="检修班")] == [team_n]
        assert await gatherings.cancel(s, a, actor="wanghaiyan", now=NOW)
        cancelled = await gatherings.sign_up(s, a, "guoqiang", NOW)
        assert cancelled.outcome is SignupOutcome.CANCELLED and "已取消" in cancelled.message
        assert sorted(x.userid for x in await gatherings.signups(s, g)) == ["majing", "sunpeng"]


async def test_attendance_and_participation(db: Database) -> None:
    n = await _new(db, capacity=0)
    m = await _new(db, kind="activity", capacity=0)
    async with db.session(1) as s, s.begin():
        g = await gatherings.get(s, "training", n)
        a = await gatherings.get(s, "activity", m)
        assert g is not None and a is not None
        await gatherings.sign_up(s, g, "sunpeng", NOW)
        await gatherings.sign_up(s, g, "wutao", NOW)
        later = NOW + timedelta(days=3, hours=2)
        assert await gatherings.record_attendance(s, g, ["sunpeng", "majing"], later, actor="wanghaiyan") == \
            ["sunpeng", "majing"]
        assert await gatherings.record_attendance(s, g, ["sunpeng"], later) == []
        await gatherings.record_attendance(s, a, ["sunpeng"], later)
        assert sorted(await gatherings.attendees(s, g)) == ["majing", "sunpeng"]
        assert (await gatherings.counts(s, [g.id]))[g.id] == (3, 2)
        part = await gatherings.participation(s, NOW, NOW + timedelta(days=30))
        assert part == {"sunpeng": 2, "majing": 1}
        assert await gatherings.participation(s, NOW, NOW + timedelta(days=30), kind="training") == \
            {"sunpeng": 1, "majing": 1}
        assert await gatherings.participation(s, NOW + timedelta(days=10), NOW + timedelta(days=30)) == {}
        assert [x.number for x in await gatherings.attended_by(s, "sunpeng", "training")] == [n]
        actions = set((await s.execute(select(AuditEntry.action))).scalars())
        assert {"training_created", "training_signup", "training_attendance"} <= actions


async def test_capacity_under_concurrency(db: Database) -> None:
    n = await _new(db, capacity=3)
    users = ["sunpeng", "lixuemei", "wutao", "zhaoyufei", "huangqing", "xuxiaodong", "majing", "guoqiang"]

    async def one(uid: str) -> SignupOutcome:
        async with db.session(1) as s, s.begin():
            g = await gatherings.get(s, "training", n)
            assert g is not None
            return (await gatherings.sign_up(s, g, uid, NOW)).outcome

    outcomes = await asyncio.gather(*(one(u) for u in users))
    assert outcomes.count(SignupOutcome.OK) == 3
    assert outcomes.count(SignupOutcome.FULL) == len(users) - 3
    async with db.session(1) as s:
        total = (await s.execute(select(func.count()).select_from(Signup).where(Signup.status == "signed"))).scalar()
        assert total == 3


# --- the lifecycle's transition table ------------------------------------------------------------

A, S = gatherings.Action, gatherings.GatheringStatus


def _g(status: str, kind: str = "training", number: int = 3) -> Gathering:
    return Gathering(kind=kind, number=number, title="电工培训", status=status, capacity=0, team="")


@pytest.mark.parametrize(("action", "status", "to"), [
    (A.CANCEL, S.OPEN, S.CANCELLED),
    (A.FINISH, S.OPEN, S.DONE),
    (A.SIGN_UP, S.OPEN, S.OPEN),
    (A.WITHDRAW, S.OPEN, S.OPEN),
    (A.WITHDRAW, S.CANCELLED, S.CANCELLED),
    (A.ATTEND, S.OPEN, S.OPEN),
    (A.ATTEND, S.DONE, S.DONE),
])
def test_allowed_transitions(action: gatherings.Action, status: str, to: str) -> None:
    assert lifecycle.can(action, status)
    assert lifecycle.check(action, _g(status)) == to


@pytest.mark.parametrize(("action", "status", "kind", "why"), [
    (A.CANCEL, S.CANCELLED, "training", "培训3已取消，不能取消。"),
    (A.CANCEL, S.DONE, "activity", "活动3已结束，不能取消。"),
    (A.FINISH, S.CANCELLED, "training", "培训3已取消，不能再结束。"),
    (A.SIGN_UP, S.CANCELLED, "activity", "活动3已取消，不能报名。"),
    (A.SIGN_UP, S.DONE, "training", "培训3已结束，不能报名。"),
    (A.WITHDRAW, S.DONE, "training", "培训3已结束，不用取消报名了。"),
    (A.ATTEND, S.CANCELLED, "activity", "活动3已取消，不能登记到场。"),
])
def test_refused_transitions(action: gatherings.Action, status: str, kind: str, why: str) -> None:
    assert not lifecycle.can(action, status)
    with pytest.raises(Refused) as refused:
        lifecycle.check(action, _g(status, kind))
    assert refused.value.message == why


def test_every_action_has_a_row_and_labels_are_one_per_member() -> None:
    assert set(lifecycle.TRANSITIONS) == set(gatherings.Action)
    for enum in (gatherings.GatheringKind, gatherings.GatheringStatus, gatherings.ActivityCategory,
                 gatherings.SignupStatus, gatherings.SignupOutcome):
        labels = list(enum.labels().values())
        assert len(set(labels)) == len(labels) and all(labels)


def test_signup_keys_are_the_card_keys() -> None:
    from handlers.gatherings.states import ActivitySignupCard, TrainingSignupCard

    assert gatherings.signup_key(_g(S.OPEN, "training", 7)) == TrainingSignupCard("signup", 7).pack() == \
        "talent:signup:7"
    assert gatherings.signup_key(_g(S.OPEN, "activity", 2)) == ActivitySignupCard("signup", 2).pack() == \
        "teams:signup:2"


async def test_withdraw_and_attendance_are_refused_in_storage(db: Database) -> None:
    n = await _new(db, kind="activity", capacity=0, team="检修班")
    async with db.session(1) as s, s.begin():
        a = await gatherings.get(s, "activity", n)
        assert a is not None
        with pytest.raises(Refused, match="您没有报名活动1"):
            await gatherings.cancel_signup(s, a, "majing", NOW)
        assert (await gatherings.sign_up(s, a, "majing", NOW)).ok
        with pytest.raises(Refused, match="已经开始或结束了，不能取消报名"):
            await gatherings.cancel_signup(s, a, "majing", NOW + timedelta(days=4))
        with pytest.raises(Refused, match="还没到"):
            await gatherings.record_attendance(s, a, ["majing"], NOW)
        later = NOW + timedelta(days=3, hours=1)
        with pytest.raises(Refused, match="孙鹏不在该班组"):
            await gatherings.record_attendance(s, a, ["majing", "sunpeng"], later)
        assert await gatherings.attendees(s, a) == []
        assert await gatherings.record_attendance(s, a, ["majing"], later) == ["majing"]
        assert await gatherings.mark_done(s, a, actor="wanghaiyan", now=later)
        with pytest.raises(Refused, match="活动1已结束，不能取消"):
            await gatherings.cancel(s, a, actor="wanghaiyan", now=later)
