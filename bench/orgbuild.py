"""An enterprise for the benchmarks: a committee over many branches, written straight as rows.

    python -P bench/orgbuild.py [--db postgresql|sqlite] [--people 100000] [--branches 500]

Creates a fresh database (PostgreSQL: ``sijing_bench_org``; SQLite: ``data/sijing_bench_org.db``), migrates it
and fills it in proportion to ``--people`` (defaults: the issue's figures for 100,000 people):
500 branches, 5,000 members (zones of ~20), teams of ~50 with grid leaders, 20,000 care entries,
200,000 visits, 100,000 items in every state with their history, incidents, trainings with
sign-ups, surveys with recipients. Deterministic for a seed. Other benchmarks import
:func:`generate` and :func:`fresh_database`.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import insert, text  # noqa: E402

from storage.db import Database, create_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Branch, CareEntry, Counter, Gathering, Item, ItemEvent, Person, Signup, Survey, SurveyRecipient, Visit,
)

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)  # Wednesday 09:40 in Shanghai
CHUNK = 5000
DEED_STATES = ("submitted", "accepted", "in_progress", "resolved", "closed", "reopened")
CATEGORIES = ("canteen", "facilities", "commute", "pay_welfare", "safety", "housing", "workload", "other")
CARE = ("illness", "hardship", "bereavement", "celebration", "retirement", "emotional", "other")
PROBLEMS = ("食堂饭菜偏咸，希望少放盐", "三楼卫生间水龙头漏水", "夜班后没有通勤车", "高温补贴还没发",
            "配电室门锁坏了", "宿舍空调不制冷", "倒班人员不足，连续上了三个夜班", "更衣柜不够用")


@dataclass(frozen=True)
class Scale:
    people: int = 100_000
    branches: int = 500

    def part(self, per_100k: int) -> int:
        return max(1, per_100k * self.people // 100_000)


@dataclass(frozen=True)
class Org:
    """What was generated (handy for benchmarks that act as someone)."""

    scale: Scale
    secretaries: dict[int, str]  # branch id -> secretary's userid
    members: dict[int, list[str]]
    employees: dict[int, list[str]]
    rows: dict[str, int]


async def _bulk(db: Database, model: Any, rows: Iterable[dict[str, Any]]) -> int:
    n = 0
    batch: list[dict[str, Any]] = []
    async with db.session(None) as session, session.begin():
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                await session.execute(insert(model), batch)
                n += len(batch)
                batch = []
        if batch:
            await session.execute(insert(model), batch)
            n += len(batch)
    return n


async def generate(db: Database, scale: Scale = Scale(), *, seed: int = 1, now: datetime = NOW) -> Org:
    """Fill an empty, migrated database (branch 1 exists already: it becomes the first branch)."""
    rng = random.Random(seed)
    rows: dict[str, int] = {}
    per_branch = max(4, scale.people // scale.branches)
    members_per_branch = max(1, scale.part(5000) // scale.branches)
    async with db.session(None) as session, session.begin():
        first = await session.get(Branch, 1)
        assert first is not None
        first.code, first.name = "B000", "第000支部"
    rows["branches"] = 1 + await _bulk(db, Branch, (  # a fresh table: ids 2, 3, … in order
        {"code": f"B{b:03d}", "name": f"第{b:03d}支部", "created_at": now} for b in range(1, scale.branches)))
    secretaries: dict[int, str] = {}
    members: dict[int, list[str]] = {}
    employees: dict[int, list[str]] = {}

    def people() -> Iterable[dict[str, Any]]:
        for b in range(1, scale.branches + 1):
            sec = f"s{b:03d}"
            secretaries[b] = sec
            members[b] = [f"m{b:03d}_{i:03d}" for i in range(members_per_branch)]
            n_emp = per_branch - members_per_branch - 1
            employees[b] = [f"e{b:03d}_{i:04d}" for i in range(n_emp)]
            teams = max(1, per_branch // 50)
            base = dict(branch_id=b, phone="", updated_at=now, committee=False, active=True, party_group="")
            yield dict(base, userid=sec, name=f"书记{b}", role="secretary", team="支部办公室", zone_member=None,
                       grid_leader=False)
            for i, m in enumerate(members[b]):
                yield dict(base, userid=m, name=f"党员{b}-{i}", role="member", team=f"班组{i % teams:02d}",
                           zone_member=None, grid_leader=i < teams)
            for i, e in enumerate(employees[b]):
                yield dict(base, userid=e, name=f"职工{b}-{i}", role="employee", team=f"班组{i % teams:02d}",
                           zone_member=members[b][i % len(members[b])], grid_leader=False)
    rows["people"] = await _bulk(db, Person, people())
    rows["care_entries"] = await _bulk(db, CareEntry, _care(scale, employees, members, rng, now))
    rows["visits"] = await _bulk(db, Visit, _visits(scale, employees, members, rng, now))
    items, events, counters = _items(scale, employees, members, secretaries, rng, now)
    rows["items"] = await _bulk(db, Item, items)
    rows["item_events"] = await _bulk(db, ItemEvent, events())
    if db.dialect == "postgresql":  # items were given their ids (their history refers to them)
        async with db.session(None) as session, session.begin():
            await session.execute(text("SELECT setval(pg_get_serial_sequence('items', 'id'), (SELECT max(id) FROM items))"))
    rows["counters"] = await _bulk(db, Counter, ({"name": f"item:{b}", "value": n} for b, n in counters.items()))
    rows["events"] = await _bulk(db, Gathering, _trainings(scale, secretaries, now))
    rows["signups"] = await _bulk(db, Signup, _signups(scale, employees, rng, now))
    rows["surveys"] = await _bulk(db, Survey, _surveys(scale, secretaries, now))
    rows["survey_recipients"] = await _bulk(db, SurveyRecipient, _recipients(scale, employees))
    if db.dialect == "postgresql":  # fresh tables have no statistics yet: plan as in production
        async with db.engine.connect() as conn:
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
    return Org(scale, secretaries, members, employees, rows)


def _care(scale: Scale, employees: dict[int, list[str]], members: dict[int, list[str]], rng: random.Random,
          now: datetime) -> Iterable[dict[str, Any]]:
    total = scale.part(20_000)
    for k in range(total):
        b = k % scale.branches + 1
        person = employees[b][(k // scale.branches) % len(employees[b])]
        active = rng.random() < 0.8
        yield dict(branch_id=b, person=person, category=rng.choice(CARE), responsible=members[b][k % len(members[b])],
                   status="active" if active else "resolved", sensitive=True, interval_days=14,
                   next_follow_up=(now + timedelta(days=rng.randint(-20, 20))).date() if active else None,
                   summary="家里有困难，需要关心", source="self", created_by=person,
                   created_at=now - timedelta(days=rng.randint(1, 300)),
                   resolved_at=None if active else now - timedelta(days=rng.randint(0, 30)))


def _visits(scale: Scale, employees: dict[int, list[str]], members: dict[int, list[str]], rng: random.Random,
            now: datetime) -> Iterable[dict[str, Any]]:
    for k in range(scale.part(200_000)):
        b = k % scale.branches + 1
        person = employees[b][rng.randrange(len(employees[b]))]
        day: date = (now - timedelta(days=rng.randint(0, 365))).date()
        yield dict(branch_id=b, person=person, member=members[b][rng.randrange(len(members[b]))], entry_id=None,
                   visited_on=day, summary="走访了解情况，一切正常", next_date=None,
                   created_at=datetime.combine(day, datetime.min.time(), tzinfo=timezone.utc))


def _items(scale: Scale, employees: dict[int, list[str]], members: dict[int, list[str]], secretaries: dict[int, str],
           rng: random.Random, now: datetime) -> tuple[list[dict[str, Any]], Any, dict[int, int]]:
    counters: dict[int, int] = {}
    items: list[dict[str, Any]] = []
    total = scale.part(100_000)
    for k in range(total):
        b = k % scale.branches + 1
        counters[b] = counters.get(b, 0) + 1
        incident = k % 40 == 0
        status = ("open", "acknowledged", "closed")[k % 3] if incident else DEED_STATES[k % len(DEED_STATES)]
        created = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        done = status in ("resolved", "closed")
        items.append(dict(
            id=k + 1, branch_id=b, number=counters[b], kind="incident" if incident else "deed",
            category="safety" if incident else rng.choice(CATEGORIES),
            requester=employees[b][rng.randrange(len(employees[b]))], owner=members[b][k % len(members[b])],
            team="班组00", title=rng.choice(PROBLEMS)[:30], text=rng.choice(PROBLEMS), status=status,
            urgent=incident, created_at=created, updated_at=created,
            first_response_at=None if status in ("submitted", "open") else created + timedelta(hours=5),
            resolved_at=created + timedelta(days=3) if done else None,
            closed_at=created + timedelta(days=4) if status == "closed" else None,
            due_at=created + timedelta(days=7), satisfaction="satisfied" if status == "closed" else None,
            close_reason=None, closed_by=None, reopen_count=1 if status == "reopened" else 0))

    def events() -> Iterable[dict[str, Any]]:
        for it in items:
            yield dict(branch_id=it["branch_id"], item_id=it["id"], at=it["created_at"], actor=it["requester"],
                       kind="reported" if it["kind"] == "incident" else "created", note="", from_status=None,
                       to_status="open" if it["kind"] == "incident" else "submitted")
            if it["first_response_at"] is not None:
                yield dict(branch_id=it["branch_id"], item_id=it["id"], at=it["first_response_at"], actor=it["owner"],
                           kind="acknowledged" if it["kind"] == "incident" else "accepted", note="",
                           from_status=None, to_status=it["status"])
    del secretaries
    return items, events, counters


def _trainings(scale: Scale, secretaries: dict[int, str], now: datetime) -> Iterable[dict[str, Any]]:
    for b in range(1, scale.branches + 1):
        for n in (1, 2):
            yield dict(branch_id=b, kind="training", number=n, title=f"安全培训{n}", category="", lecturer=None,
                       starts_at=now + timedelta(days=n * 3 - 4), place="会议室", capacity=0, team="",
                       status="open", created_by=secretaries[b], created_at=now - timedelta(days=10))


def _signups(scale: Scale, employees: dict[int, list[str]], rng: random.Random, now: datetime) -> Iterable[dict[str, Any]]:
    event_id = 0
    for b in range(1, scale.branches + 1):
        for _n in (1, 2):
            event_id += 1
            for e in rng.sample(employees[b], min(10, len(employees[b]))):
                yield dict(branch_id=b, event_id=event_id, userid=e, signed_at=now - timedelta(days=2),
                           status="signed", attended=False)


def _surveys(scale: Scale, secretaries: dict[int, str], now: datetime) -> Iterable[dict[str, Any]]:
    for b in range(1, scale.branches + 1):
        yield dict(branch_id=b, number=1, title="食堂满意度调查", anonymous=False, audience="all", status="open",
                   created_by=secretaries[b], created_at=now - timedelta(days=5), opened_at=now - timedelta(days=4),
                   closed_at=None)


def _recipients(scale: Scale, employees: dict[int, list[str]]) -> Iterable[dict[str, Any]]:
    for b in range(1, scale.branches + 1):
        for e in employees[b]:
            yield dict(branch_id=b, survey_id=b, userid=e, status="pending", position=0, finished_at=None)


async def fresh_database(kind: str, name: str = "sijing_bench_org") -> str:
    """A new, migrated database; returns its URL."""
    if kind == "sqlite":
        path = ROOT / "data" / f"{name}.db"
        path.parent.mkdir(exist_ok=True)
        path.unlink(missing_ok=True)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        import asyncpg

        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    db = create_database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()
    return url


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=("postgresql", "sqlite"), default="postgresql")
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--branches", type=int, default=500)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--name", default="sijing_bench_org", help="database name (helpers sharing a server: their own)")
    args = ap.parse_args(argv)
    started = time.perf_counter()
    url = await fresh_database(args.db, args.name)
    db = create_database(url)
    try:
        org = await generate(db, Scale(args.people, args.branches), seed=args.seed)
    finally:
        await db.dispose()
    print(f"{url}: generated in {time.perf_counter() - started:.1f} s")
    for table, n in org.rows.items():
        print(f"  {table:<18} {n:>9,}")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
