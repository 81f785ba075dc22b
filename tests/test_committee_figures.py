"""The committee's figures as SQL aggregates over every branch, on a hand-built two-branch ledger (SQLite and
PostgreSQL); the 支部争先 formula (components, exclusion, ties, minimum activity); one query per figure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event

from storage import committee
from storage.committee import BranchComponent as C
from storage.committee import BranchFigures, Part
from storage.committee.sqltime import deadline_days
from storage.db import Database, create_database
from storage.models import CareEntry, Gathering, Item, ItemEvent, Person, Signup, Visit, VisitTask
from storage.people import branches
from storage.workdays import add_working_time

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=TZ)  # a Wednesday
Q4 = date(2026, 10, 1)


def at(month: int, day: int, h: int = 10, m: int = 0) -> datetime:
    return datetime(2026, month, day, h, m, tzinfo=TZ)


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def person(userid: str, role: str = "employee", zone: str | None = None, **kw: object) -> Person:
    return Person(userid=userid, name=userid, role=role, team="", zone_member=zone, updated_at=NOW, **kw)


def deed(n: int, created: datetime, *, status: str = "closed", response: datetime | None = None,
         due: datetime | None = None, kind: str = "deed") -> Item:
    return Item(number=n, kind=kind, requester="x", owner="m1", title=f"事项{n}", text=f"事项{n}", status=status,
                created_at=created, updated_at=created, first_response_at=response, due_at=due or created + timedelta(days=7))


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = create_database(database_url)
    yield database
    await database.dispose()


async def _ledger(db: Database) -> None:
    """Two branches by hand; the expected figures are in ``test_figures_by_hand``."""
    async with db.session(None) as s, s.begin():
        await branches.ensure(s, "机关", "机关支部", NOW)
    async with db.session(1) as s, s.begin():
        s.add_all([person("s1", "secretary"), person("m1", "member"), person("e1", zone="m1"),
                   person("e2", zone="m1"), person("e3", zone="m1"), person("e4", zone="m1", active=False),
                   person("e5")])
        s.add_all([Visit(person="e1", member="m1", visited_on=d(11, 20), summary="", created_at=at(11, 20)),
                   Visit(person="e1", member="m1", visited_on=d(11, 15), summary="", created_at=at(11, 15)),
                   Visit(person="e2", member="m1", visited_on=d(10, 20), summary="", created_at=at(10, 20)),
                   Visit(person="e4", member="m1", visited_on=d(11, 20), summary="", created_at=at(11, 20)),
                   Visit(person="f1", member="m1", visited_on=d(11, 1), summary="", created_at=at(11, 1))])
        one = deed(1, at(11, 16), status="in_progress", response=at(11, 17, 9), due=at(11, 20, 18))
        two = deed(2, at(11, 20), status="accepted", response=at(11, 23, 9, 30), due=at(11, 30, 18))
        three = deed(3, at(11, 19), response=at(11, 20, 11))
        four = deed(4, at(11, 24, 15), status="resolved")
        s.add_all([one, two, three, four])
        await s.flush()
        s.add_all([ItemEvent(item_id=three.id, at=at(11, 21), actor="x", kind="confirmed"),
                   ItemEvent(item_id=one.id, at=at(11, 18), actor="x", kind="reopened"),
                   ItemEvent(item_id=two.id, at=at(9, 30), actor="x", kind="confirmed")])
        s.add_all([
            VisitTask(person="e1", member="m1", reason="tip", due_date=d(11, 18), created_at=at(11, 10)),
            VisitTask(person="e2", member="m1", reason="tip", due_date=d(11, 10), created_at=at(11, 1)),
            VisitTask(person="e3", member="m1", reason="tip", due_date=d(11, 30), created_at=at(11, 20)),
            # marked done at 07:00 local on 10-11 — still 10-10 in UTC: late all the same
            VisitTask(person="e3", member="m1", reason="tip", due_date=d(10, 10), created_at=at(10, 1), status="done",
                      done_at=at(10, 11, 7)),
            VisitTask(person="e5", member="m1", reason="tip", due_date=d(10, 5), created_at=at(10, 1),
                      status="cancelled"),
        ])
        training = Gathering(kind="training", number=1, title="培训", starts_at=at(11, 5), status="done",
                             created_by="s1", created_at=at(11, 1))
        off = Gathering(kind="activity", number=1, title="取消了", starts_at=at(11, 6), status="cancelled",
                        created_by="s1", created_at=at(11, 1))
        s.add_all([training, off])
        await s.flush()
        s.add_all([Signup(event_id=training.id, userid="m1", signed_at=at(11, 1), attended=True),
                   Signup(event_id=training.id, userid="e4", signed_at=at(11, 1), attended=True),
                   Signup(event_id=training.id, userid="e1", signed_at=at(11, 1), attended=False),
                   Signup(event_id=off.id, userid="e2", signed_at=at(11, 1), attended=True)])
    async with db.session(2) as s, s.begin():
        s.add_all([person("s2", "secretary"), person("o2", "member", committee=True), person("f1", zone="s2")])
        holiday = add_working_time(at(10, 1), 1)  # National Day: the next working day is 10-08
        by_hand = deed(2, at(10, 1), response=holiday - timedelta(minutes=1))
        s.add_all([deed(1, at(11, 23), status="submitted", due=at(11, 30, 18)), by_hand,
                   deed(3, at(10, 1, 11), response=holiday + timedelta(hours=1, minutes=1)),
                   deed(4, at(11, 10), kind="incident", status="acknowledged", response=at(11, 10, 10, 10)),
                   deed(5, at(11, 11), kind="incident", status="acknowledged", response=at(11, 11, 10, 40)),
                   deed(6, NOW - timedelta(minutes=5), kind="incident", status="open"),
                   deed(7, at(11, 12), kind="incident", status="open")])
        await s.flush()
        s.add(ItemEvent(item_id=by_hand.id, at=at(10, 15), actor="s2", kind="closed_by_hand"))
        entry = CareEntry(person="f1", category="illness", responsible="s2", interval_days=30,
                          next_follow_up=d(11, 15), created_by="s2", created_at=at(10, 1))
        unvisited = CareEntry(person="o2", category="illness", responsible="s2", interval_days=30,
                              next_follow_up=d(11, 20), created_by="s2", created_at=at(11, 1))
        s.add_all([entry, unvisited])
        await s.flush()
        s.add_all([Visit(person="f1", member="s2", entry_id=entry.id, visited_on=d(10, 10), next_date=d(11, 1),
                         summary="", created_at=at(10, 10)),
                   Visit(person="f1", member="s2", entry_id=entry.id, visited_on=d(10, 30), next_date=d(11, 29),
                         summary="", created_at=at(10, 30)),
                   Visit(person="f1", member="s2", visited_on=d(11, 24), summary="", created_at=at(11, 24))])


async def _board(db: Database, **kw: object) -> committee.Overview:
    async with db.session(None) as s:
        return await committee.quarter(s, Q4, NOW, TZ, **kw)  # type: ignore[arg-type]


def _nums(b: BranchFigures) -> dict[str, tuple[int, int]]:
    return {k.value: (b.part(k).num, b.part(k).den) for k in committee.COMPONENTS}


async def test_figures_by_hand(db: Database) -> None:
    await _ledger(db)
    board = await _board(db)
    one, two = board.find(1), board.find(2)
    assert one is not None and two is not None
    assert (one.people, one.open_deeds, one.overdue, one.attention) == (6, 3, 1, 0)
    assert (two.people, two.open_deeds, two.overdue, two.attention) == (3, 1, 1, 2)
    assert _nums(one) == {"coverage": (1, 3), "visits": (1, 3), "satisfaction": (1, 2), "response": (2, 3),
                          "incidents": (0, 0), "participation": (1, 6)}
    assert _nums(two) == {"coverage": (1, 1), "visits": (2, 3), "satisfaction": (0, 1), "response": (1, 3),
                          "incidents": (1, 3), "participation": (0, 3)}
    # 100 × (0.2·1/3 + 0.2·1/3 + 0.2·1/2 + 0.15·2/3 + 0.15·1/6) / 0.9 (no incidents: excluded) = 39.8
    assert one.score == 39.8 and one.activity == 8
    # 100 × (0.2·1 + 0.2·2/3 + 0.2·0 + 0.15·1/3 + 0.1·1/3 + 0.15·0) = 41.7
    assert two.score == 41.7 and two.activity == 10
    assert [(b.code, b.rank) for b in board.branches] == [("机关", 1), ("本支部", 2)]
    total = board.totals()
    assert (total.people, total.open_deeds, total.overdue) == (9, 4, 2)
    assert (total.part(C.COVERAGE).num, total.part(C.COVERAGE).den) == (2, 4)


async def test_minimum_activity_and_weights(db: Database) -> None:
    await _ledger(db)
    board = await _board(db, min_activity=9)
    one = board.find(1)
    assert one is not None and not one.ranked and one.rank == 0 and one.score == 39.8
    assert [b.code for b in board.ranked] == ["机关"] and board.branches[-1].code == "本支部"
    only_coverage = await _board(db, weights=committee.weights({k.value: 0 for k in committee.COMPONENTS
                                                                if k != C.COVERAGE}))
    assert [(b.code, b.score) for b in only_coverage.branches] == [("机关", 100.0), ("本支部", 33.3)]


async def test_a_past_quarter_counts_as_of_its_end(db: Database) -> None:
    await _ledger(db)
    async with db.session(None) as s:
        q3 = await committee.quarter(s, date(2026, 7, 1), NOW, TZ)
    one = q3.find(1)
    assert one is not None and q3.as_of == datetime(2026, 10, 1, tzinfo=TZ)
    assert _nums(one)["satisfaction"] == (1, 1)  # the 09-30 confirmation
    assert _nums(one)["coverage"] == (0, 3)  # nobody visited in September


async def test_one_query_per_figure_whatever_the_number_of_branches(db: Database) -> None:
    await _ledger(db)
    statements: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", seen)
    try:
        await _board(db)
        few = len(statements)
        async with db.session(None) as s, s.begin():
            for i in range(30):
                await branches.ensure(s, f"B{i:02d}", f"第{i}支部", NOW)
        statements.clear()
        board = await _board(db)
        assert len(statements) == few and len(board.branches) == 32
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", seen)
    assert all(b.score is None and not b.ranked for b in board.branches if b.code.startswith("B"))


def test_the_response_deadline_in_sql_is_the_calendars() -> None:
    """The CASE's runs add what ``add_working_time`` adds, for every day of the quarter (holidays included)."""
    start, end = committee.quarter_bounds(Q4, TZ)
    expr = deadline_days(Item.created_at, start, end, 1)
    whens = [(w[0].right.value, w[1].value) for w in expr.whens]  # type: ignore[attr-defined]
    default = expr.else_.value  # type: ignore[attr-defined]
    day = start
    while day < end:
        want = (add_working_time(day, 1) - day).days
        got = next((add for until, add in whens if day < until), default)
        assert got == want, day
        day += timedelta(days=1)


def _row(code: str, score: float | None, activity: int = 10) -> BranchFigures:
    return BranchFigures(0, code, code, parts={C.VISITS: Part(0, activity)}, score=score)


def test_ties_share_a_rank_and_the_inactive_come_last() -> None:
    rows = [_row("丙", 80.0), _row("甲", 90.0), _row("乙", 80.0), _row("丁", 70.0), _row("戊", 99.0, activity=2),
            _row("己", None)]
    ranked = committee.rank(rows)
    assert [(r.code, r.rank) for r in ranked] == [("甲", 1), ("丙", 2), ("乙", 2), ("丁", 4), ("己", 0), ("戊", 0)]


def test_score_excludes_components_without_data_and_renormalises() -> None:
    w = committee.DEFAULT_WEIGHTS
    assert committee.score({C.COVERAGE: Part(1, 2), C.INCIDENTS: Part(0, 0)}, w) == 50.0
    assert committee.score({C.COVERAGE: Part(1, 1), C.VISITS: Part(0, 1)}, w) == 50.0  # 0.2 and 0.2
    assert committee.score({C.RESPONSE: Part(1, 1), C.PARTICIPATION: Part(0, 3)}, w) == 50.0
    assert committee.score({C.INCIDENTS: Part(0, 0)}, w) is None
    assert committee.score({C.COVERAGE: Part(1, 1), C.VISITS: Part(0, 1)}, {**w, C.VISITS: 0}) == 100.0


def test_weights_defaults_override_and_errors() -> None:
    assert committee.weights(None) == committee.DEFAULT_WEIGHTS
    assert sum(committee.DEFAULT_WEIGHTS.values()) == pytest.approx(1.0)
    assert committee.weights('{"coverage": 0.5}')[C.COVERAGE] == 0.5
    with pytest.raises(committee.BranchWeightsError, match="未知的项：speed"):
        committee.weights('{"speed": 1}')
    with pytest.raises(committee.BranchWeightsError, match="不小于 0"):
        committee.weights('{"visits": -1}')
    with pytest.raises(committee.BranchWeightsError, match="全部为 0"):
        committee.weights({k.value: 0 for k in committee.COMPONENTS})
    with pytest.raises(committee.BranchWeightsError, match="JSON"):
        committee.weights("{visits")


@pytest.mark.parametrize(("word", "want"), [
    (None, date(2026, 10, 1)), ("本季度", date(2026, 10, 1)), ("上季度", date(2026, 7, 1)),
    ("2026Q3", date(2026, 7, 1)), ("2026-Q2", date(2026, 4, 1)), ("2025年第4季度", date(2025, 10, 1)),
    ("第一季度", date(2026, 1, 1)), ("Q4", date(2026, 10, 1)), ("三季度", date(2026, 7, 1)), ("2026", None),
    ("明年", None),
])
def test_quarter_words(word: str | None, want: date | None) -> None:
    assert committee.quarter_arg(word, date(2026, 11, 25)) == want


def test_quarter_arithmetic() -> None:
    assert committee.next_quarter(date(2026, 10, 1)) == date(2027, 1, 1)
    assert committee.previous_quarter(date(2026, 1, 1)) == date(2025, 10, 1)
    assert committee.quarter_label(date(2026, 10, 1)) == "2026年第4季度"
    assert committee.quarter_start(date(2026, 12, 31)) == date(2026, 10, 1)


async def test_a_deployment_wide_sweep_runs_once_and_sees_every_branch(db: Database) -> None:
    from sqlalchemy import func, select

    from schedules.context import Sweep, SweepContext, deployment_wide
    from schedules.runner import run_due
    from storage.scope import branch_of

    await _ledger(db)
    seen: list[tuple[int | None, int | None, int]] = []

    def recorder() -> Sweep:
        async def sweep(ctx: SweepContext) -> None:
            people = (await ctx.session.execute(select(func.count()).select_from(Person))).scalar_one()
            seen.append((ctx.branch, branch_of(ctx.session), people))
        return sweep

    once, per_branch = deployment_wide(recorder()), recorder()
    await run_due(db, NOW, [once, per_branch])
    assert seen == [(1, 1, 7), (2, 2, 3), (None, None, 10)]  # each branch, then the deployment once


async def test_a_lifted_scope_comes_back(db: Database) -> None:
    from storage.scope import branch_of, every_branch, in_branch

    async with db.session(2) as s:
        with every_branch(s):
            assert branch_of(s) is None
            with in_branch(s, 1):
                assert branch_of(s) == 1
            assert branch_of(s) is None
        assert branch_of(s) == 2
