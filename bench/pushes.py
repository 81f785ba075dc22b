"""Pushes per person per day and messages per sweep, for a generated organisation.

    python -P bench/pushes.py [--db sqlite|postgresql] [--people 10000] [--branches 50] [--days 2] [--every 60]

Generates the organisation (``bench/org.py``, or ``bench/orgbuild.py`` once renamed), then runs every
domain's sweeps as the scheduler would, from 08:43 to 20:59 every ``--every`` minutes on ``--days``
consecutive days from Wednesday 2026-11-25 (night runs included: they must send nothing but incidents).
Reports per sweep: messages, people with something due, nudges carried, seconds (all, and of them the
merging, recording and queueing: ``deliver``); per person and day:
the most pushes anyone got outside urgent ones. Targets (issue 14): nobody over the daily cap; messages
per sweep ≤ people with something due.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import sys
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import registry  # noqa: E402
from schedules.config import ScheduleConfig  # noqa: E402
from schedules import runner  # noqa: E402
from schedules.runner import run_due  # noqa: E402
from storage.db import create_database  # noqa: E402


def _org():  # type: ignore[no-untyped-def]
    for name in ("bench.orgbuild", "bench.org"):  # helper "perf" renames org.py (it shadows a stdlib module)
        try:
            return importlib.import_module(name)
        except ModuleNotFoundError:
            continue
    raise SystemExit("bench/org.py (or bench/orgbuild.py) not found")


TZ = ZoneInfo("Asia/Shanghai")
SPENT = {"deliver": 0.0}  # seconds spent merging, recording and queueing (schedules.pushes.deliver)
_deliver = runner.deliver


async def _timed(*a, **k):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    try:
        return await _deliver(*a, **k)
    finally:
        SPENT["deliver"] += time.perf_counter() - t0


runner.deliver = _timed  # type: ignore[assignment]


def instants(days: int, every: int) -> list[datetime]:
    out = []
    for d in range(days):
        day = datetime(2026, 11, 25, tzinfo=TZ) + timedelta(days=d)
        out.append(day.replace(hour=3, minute=13))  # a night run
        t = day.replace(hour=8, minute=43)  # the first run: 08:40, after the morning hour
        while t.hour < 21 and t.date() == day.date():
            out.append(t)
            t += timedelta(minutes=every)
    return out


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", choices=("postgresql", "sqlite"), default="sqlite")
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--branches", type=int, default=50)
    ap.add_argument("--days", type=int, default=2)
    ap.add_argument("--every", type=int, default=60, help="minutes between sweeps in the day")
    args = ap.parse_args(argv)
    org = _org()
    url = await org.fresh_database(args.db, "sijing_bench_pushes")
    db = create_database(url)
    config = ScheduleConfig()
    worst: list[str] = []
    try:
        started = time.perf_counter()
        await org.generate(db, org.Scale(args.people, args.branches))
        print(f"{args.people:,} people in {args.branches} branches ({args.db}), generated in "
              f"{time.perf_counter() - started:.1f} s")
        per_day: dict[str, Counter[str]] = {}
        print(f"{'sweep':<12} {'messages':>8} {'due':>6} {'nudges':>7} {'urgent':>6} {'seconds':>7} {'deliver':>7}")
        for now in instants(args.days, args.every):
            t0, SPENT["deliver"] = time.perf_counter(), 0.0
            swept = await run_due(db, now, registry.sweeps(), config=config)
            took = time.perf_counter() - t0
            msgs, due = len(swept.pushes), len(swept.waiting)
            urgent = sum(1 for p in swept.pushes if p.urgent)
            day = per_day.setdefault(f"{now:%m-%d}", Counter())
            day.update(p.recipient for p in swept.pushes if not p.urgent)
            flag = "" if msgs <= due else "  <-- more messages than people"
            print(f"{now:%m-%d %H:%M}  {msgs:>8} {due:>6} {len(swept):>7} {urgent:>6} {took:>7.1f} "
                  f"{SPENT['deliver']:>7.1f}{flag}")
            if msgs > due:
                worst.append(f"{now:%m-%d %H:%M}: {msgs} messages for {due} people")
        for day, counts in per_day.items():
            top = max(counts.values(), default=0)
            spread_ = Counter(counts.values())
            print(f"{day}: {len(counts):,} people got pushes; most per person {top} (cap {config.daily_pushes}); "
                  f"by count {dict(sorted(spread_.items()))}")
            if top > config.daily_pushes:
                worst.append(f"{day}: someone got {top} pushes")
    finally:
        await db.dispose()
    print("targets met" if not worst else "targets missed:\n  " + "\n  ".join(worst))
    return 0 if not worst else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
