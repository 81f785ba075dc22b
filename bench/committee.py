"""The committee view at scale: 500 branches, 100,000 people and a year's ledger; how long /支部's figures take.

Usage: python bench/committee.py [--url sqlite+aiosqlite:///data/bench.db | postgresql+asyncpg://…/db]
       [--branches 500] [--people 100000]

The database is created (migrated) and filled with bulk inserts, then ``storage.committee.quarter``
(every figure of every branch: one aggregate query each) is timed a few times.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import sys
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402

from storage import committee  # noqa: E402
from storage.db import create_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Branch, CareEntry, Item, ItemEvent, Person, Visit, VisitTask  # noqa: E402

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 10, tzinfo=TZ)
CHUNK = 5000


async def _fill(url: str, n_branches: int, n_people: int) -> None:
    db = create_database(url)
    await upgrade(db)
    rnd = random.Random(7)
    utc = NOW.astimezone(timezone.utc)
    async with db.session(None) as s, s.begin():
        await s.execute(insert(Branch), [{"code": f"B{i:03d}", "name": f"第{i}支部", "created_at": utc}
                                         for i in range(2, n_branches + 1)])
    per = n_people // n_branches

    def branch_of(i: int) -> int:
        return min(i // per + 1, n_branches)

    people = [{"userid": f"u{i}", "name": f"人{i}", "role": "member" if i % per < per // 10 else "employee",
               "team": f"班{i % 7}", "zone_member": None if i % per < per // 10 else f"u{branch_of(i) * per - per}",
               "branch_id": branch_of(i), "updated_at": utc} for i in range(n_people)]
    rows: dict[type, list[dict[str, object]]] = {Person: people, Visit: [], Item: [], ItemEvent: [], VisitTask: [],
                                                 CareEntry: []}
    for i in range(n_people * 2):  # two visits a person a year
        u = rnd.randrange(n_people)
        day = NOW.date() - timedelta(days=rnd.randrange(365))
        rows[Visit].append({"person": f"u{u}", "member": "m", "visited_on": day, "summary": "",
                            "next_date": day + timedelta(days=30) if i % 5 == 0 else None,
                            "entry_id": 1 if i % 5 == 0 else None, "branch_id": branch_of(u), "created_at": utc})
    counters: dict[int, int] = {}
    for i in range(n_people // 2):  # a request for every other person a year
        b = branch_of(rnd.randrange(n_people))
        counters[b] = counters.get(b, 0) + 1
        created = utc - timedelta(hours=rnd.randrange(24 * 365))
        rows[Item].append({"id": i + 1, "number": counters[b], "kind": "deed" if i % 10 else "incident",
                           "requester": "x", "title": "t", "text": "t", "status": rnd.choice(["closed", "accepted",
                           "submitted", "resolved"]), "created_at": created, "updated_at": created,
                           "first_response_at": created + timedelta(hours=rnd.randrange(1, 60)),
                           "due_at": created + timedelta(days=7), "branch_id": b, "reopen_count": 0})
        rows[ItemEvent].append({"item_id": i + 1, "at": created + timedelta(days=2), "actor": "x",
                                "kind": rnd.choice(["confirmed", "reopened", "closed_by_hand", "progress"]),
                                "note": "", "branch_id": b})
    for i in range(n_people // 5):
        u = rnd.randrange(n_people)
        due = NOW.date() - timedelta(days=rnd.randrange(-30, 200))
        rows[VisitTask].append({"person": f"u{u}", "member": "m", "reason": "tip", "due_date": due, "status": "open",
                                "created_at": utc - timedelta(days=40), "branch_id": branch_of(u)})
        rows[CareEntry].append({"person": f"u{u}", "category": "illness", "responsible": "m", "status": "active",
                                "sensitive": True, "interval_days": 30, "next_follow_up": due, "summary": "",
                                "source": "self", "created_by": "m", "created_at": utc - timedelta(days=60),
                                "branch_id": branch_of(u)})
    async with db.session(None) as s, s.begin():
        for model, values in rows.items():
            for start in range(0, len(values), CHUNK):
                await s.execute(insert(model), values[start:start + CHUNK])
    await db.dispose()


async def _time(url: str) -> list[float]:
    db = create_database(url)
    took = []
    try:
        for _ in range(3):
            async with db.session(None) as s:
                t = time.perf_counter()
                board = await committee.quarter(s, date(2026, 10, 1), NOW, TZ)
                took.append(time.perf_counter() - t)
        print(f"{len(board.branches)} branches, {board.totals().people} people; ranked {len(board.ranked)}")
    finally:
        await db.dispose()
    return took


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--url", default="sqlite+aiosqlite:///data/bench-committee.db")
    ap.add_argument("--branches", type=int, default=500)
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--no-fill", action="store_true", help="time an already filled database")
    args = ap.parse_args(argv)
    if not args.no_fill:
        t = time.perf_counter()
        asyncio.run(_fill(args.url, args.branches, args.people))
        print(f"filled in {time.perf_counter() - t:.1f} s")
    took = asyncio.run(_time(args.url))
    print("committee.quarter (every figure, every branch): " + ", ".join(f"{s * 1e3:.0f} ms" for s in took))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
