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
from storage.gatherings import SignupOutcome
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
    async with db.sessions() as s, s.begin():
        g = await gatherings.create(s, kind=kind, title="电工培训", starts_at=starts or NOW + timedelta(days=3),
                                    place="三楼会议室", capacity=capacity, created_by="wanghaiyan", now=NOW,
                                    team=team)
        return g.number


async def test_numbering_per_kind(db: Database) -> None:
    assert [await _new(db, "training") for _ in range(2)] == [1, 2]
    assert await _new(db, "activity") == 1
    assert await _new(db, "training") == 3
    async with db.sessions() as s:
        g = await gatherings.get(s, "activity", 1)
        assert g is not None and g.kind == "activity"
        assert await gatherings.get(s, "activity", 2) is None
        assert [x.number for x in await gatherings.upcoming(s, "training", NOW)] == [1, 2, 3]


async def test_create_rejects_bad_input(db: Database) -> None:
    async with db.sessions() as s, s.begin():
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
    async with db.sessions() as s, s.begin():
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
    async with db.sessions() as s, s.begin():
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
        async with db.sessions() as s, s.begin():
            g = await gatherings.get(s, "training", n)
            assert g is not None
            return (await gatherings.sign_up(s, g, uid, NOW)).outcome

    outcomes = await asyncio.gather(*(one(u) for u in users))
    assert outcomes.count(SignupOutcome.OK) == 3
    assert outcomes.count(SignupOutcome.FULL) == len(users) - 3
    async with db.sessions() as s:
        total = (await s.execute(select(func.count()).select_from(Signup).where(Signup.status == "signed"))).scalar()
        assert total == 3
