"""What the schedules, digests, reports and imports cost on a whole enterprise (bench/orgbuild.py's).

    python -P bench/orgbuild.py --name sijing_bench_perf          # once (~2 min): 100,000 people, 500 branches
    python -P bench/sweeps.py [--name sijing_bench_perf] [--only run_due_dry,digest,...] [--real]

Each figure is measured in a child process of its own (so its peak memory is its own) against the
PostgreSQL database ``--name`` (or ``--url``), as of the generator's instant (Wednesday 09:40 in
Shanghai, morning lists due) or ``--now``. Printed per step: wall seconds, SQL statements, the child's
peak RSS, and what the step produced. Targets (issue 12) are printed next to each figure.

Steps: ``run_due_dry`` (``sijing schedules run-due --dry-run`` for every branch), ``digest`` (one branch's
weekly digest), ``committee`` (the committee's weekly digest over every branch), ``export`` (one branch's
workbook, ``sijing export``), ``ranking`` and ``ledger`` and ``coverage`` (``/排名``, ``/台账``, ``/覆盖`` sent
by a branch secretary, through the real processor), ``roster`` (``sijing roster import`` of every person,
1% of them changed). ``--real`` adds ``run_due_real`` (writes nudges and outbox rows, removed afterwards) and ``run_due_next``
(the run 15 minutes after a first real run: what a tick costs once the backlog is recorded).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete, event, func, select  # noqa: E402

from storage.db import Database, create_database  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 25, 9, 40, tzinfo=TZ)  # bench/orgbuild.py's instant
BRANCH = "B000"  # the first branch (id 1), secretary s001
SECRETARY = "s001"
TARGETS = {"run_due_dry": 10.0, "run_due_real": 10.0, "run_due_next": 10.0, "digest": 0.3, "committee": 3.0, "export": 5.0,
           "ranking": 0.5, "ledger": 0.5, "coverage": 0.5, "roster": 20.0}
WARM = ("digest", "committee", "export")  # run twice in the child: the second run is the figure
STEPS = ("run_due_dry", "digest", "committee", "export", "ranking", "ledger", "coverage", "roster")


class Counter:
    """SQL statements sent on an engine."""

    def __init__(self, db: Database) -> None:
        self.n = 0
        event.listen(db.engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.n += 1


def _settings(url: str, **extra: Any) -> Any:
    from bot.config import load_settings

    return load_settings(env={}, database_url=url, wecom_corp_id="wwbench000000001", wecom_agent_id=1000002,
                         wecom_secret="bench", wecom_token="benchtoken1",
                         wecom_aes_key=base64.b64encode(b"b" * 32).decode().rstrip("="), scheduler=False, **extra)


async def run_due_step(db: Database, now: datetime, *, dry: bool) -> str:
    from bot import registry
    from schedules.config import ScheduleConfig
    from schedules.runner import run_due

    sent = await run_due(db, now, registry.sweeps(), config=ScheduleConfig(), dry_run=dry)
    kinds: dict[str, int] = {}
    for s in sent:
        kinds[s.kind] = kinds.get(s.kind, 0) + 1
    return f"{len(sent):,} messages " + json.dumps(dict(sorted(kinds.items(), key=lambda kv: -kv[1])),
                                                    ensure_ascii=False)


async def run_due_next_step(db: Database, now: datetime) -> str:
    """The run after the first: the backlog recorded by a first run at ``now`` (not timed), the next tick's
    run (15 minutes later) for real: what a run costs day to day, when only what came due since is sent."""
    from datetime import timedelta

    await run_due_step(db, now, dry=False)
    t0, cpu0 = time.perf_counter(), time.process_time()
    what = await run_due_step(db, now + timedelta(minutes=15), dry=False)
    return f"__wall={time.perf_counter() - t0:.3f} cpu={time.process_time() - cpu0:.3f}; {what} (15 min later)"


async def _clean_real(db: Database, started: datetime) -> None:
    from storage.models import Nudge, OutboxRow

    async with db.sessions() as session, session.begin():
        await session.execute(delete(OutboxRow).where(OutboxRow.dedupe_key.like("nudge:%")))
        await session.execute(delete(Nudge))


async def digest_step(db: Database, now: datetime) -> str:
    from bot import registry
    from schedules.config import ScheduleConfig
    from schedules.digest import render_digest
    from storage.people import branches

    async with db.sessions() as session:
        branch = (await branches.resolve(session, BRANCH)).id
    async with db.session(branch) as session, session.begin():
        text = await render_digest(session, "weekly", now, registry.digest_sections(), ScheduleConfig())
    return f"{len(text.encode())} bytes, {text.count(chr(10)) + 1} lines"


async def committee_step(db: Database, now: datetime) -> str:
    from schedules import committee

    async with db.session(None) as session, session.begin():
        text = await committee.render(session, "weekly", now)
    return f"{len(text.encode())} bytes"


async def export_step(db: Database, now: datetime) -> str:
    from bot import registry
    from bot.export import export_workbook

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        await export_workbook(db, path, TZ, registry.sheet_writers(), now=now, branch=BRANCH)
        return f"{path.stat().st_size / 1e6:.1f} MB workbook"


async def chat_step(db: Database, url: str, now: datetime, text: str, counter: Counter) -> str:
    """``text`` from the branch secretary through the real app's processor; the time of that one message."""
    from aiohttp import web

    from bot import keys
    from bot.app import create_app
    from bot.demo import text_xml
    from storage import inbox
    from storage.models import AuditEntry, OutboxRow

    settings = _settings(url)
    app = create_app(settings, clock=lambda: now.astimezone(ZoneInfo("UTC")), run_sender=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()  # start-up: migrations, the parser's names, the pipeline
    try:
        adb: Database = app[keys.DB]
        async with adb.sessions() as session:
            audits = (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one()
            outs = (await session.execute(select(func.max(OutboxRow.id)))).scalar_one() or 0
        counter_app = Counter(adb)
        times = []
        for _ in range(2):  # cold (first use of each query in this process), then warm
            outs_before, counter_app.n = outs, 0
            xml = text_xml(settings.wecom_corp_id, SECRETARY, text, settings.wecom_agent_id, msg_id=str(time.time_ns()))
            new_id = await app[keys.WRITER].store(inbox.NewInbound(f"bench:{time.time_ns()}", SECRETARY, "text", xml))
            assert new_id is not None
            t0 = time.perf_counter()
            cpu0 = time.process_time()
            await app[keys.PROCESSOR].process_next(SECRETARY)
            times.append((time.perf_counter() - t0, time.process_time() - cpu0))
            async with adb.sessions() as session:
                outs = (await session.execute(select(func.max(OutboxRow.id)))).scalar_one() or 0
        (cold, _), (wall, cpu) = times
        outs = outs_before
        counter.n = counter_app.n
        async with adb.sessions() as session:
            audits = (await session.execute(select(func.count()).select_from(AuditEntry))).scalar_one() - audits
            replies = list((await session.execute(select(OutboxRow.body).where(OutboxRow.id > outs))).scalars())
            audits //= 2
    finally:
        await runner.cleanup()
    size = sum(len(json.dumps(json.loads(r) if isinstance(r, str) else r, ensure_ascii=False).encode())
               for r in replies)
    first = ""
    if replies:
        body = json.loads(replies[0]) if isinstance(replies[0], str) else replies[0]
        first = str(body.get(body.get("msgtype"), {}).get("content", ""))[:60].replace("\n", " / ")
    return (f"__wall={wall:.3f} cpu={cpu:.3f} cold={cold:.3f}; {len(replies)} replies, {size} bytes, {audits} audit rows; "
            f"{first!r}")


async def roster_step(db: Database, now: datetime) -> str:
    from handlers.people.importer import import_roster
    from storage.models import Branch, Person

    async with db.sessions() as session:
        codes = dict((await session.execute(select(Branch.id, Branch.code))).all())
        people = list((await session.execute(select(Person).order_by(Person.userid))).scalars())
    stamp = str(time.time_ns() % 10_000).zfill(4)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "roster.csv"
        with path.open("w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(["userid", "name", "role", "team", "zone_member", "grid_leader", "phone", "branch"])
            for i, p in enumerate(people):
                phone = f"1390000{stamp}" if i % 100 == 0 else (p.phone or "")
                w.writerow([p.userid, p.name, p.role, p.team, p.zone_member or "", "是" if p.grid_leader else "",
                            phone, codes[p.branch_id]])
        del people
        t0 = time.perf_counter()
        created, updated = await import_roster(db, path, now.astimezone(ZoneInfo("UTC")))
    return f"__wall={time.perf_counter() - t0:.3f}; created {created}, updated {updated}"


async def child(step: str, url: str, now: datetime) -> dict[str, Any]:
    db = create_database(url, **({"pool_pre_ping": False} if os.environ.get("BENCH_NO_PRE_PING") else {}))
    counter = Counter(db)
    imported = ""
    if step.startswith("run_due"):  # the registry's imports (jieba, every domain) are a running server's already
        i0 = time.perf_counter()
        from bot import registry

        registry.sweeps()
        imported = f" (imports before it: {time.perf_counter() - i0:.1f} s)"
    t0 = time.perf_counter()
    cpu0 = time.process_time()
    work: Callable[[], Awaitable[str]] = {
        "run_due_dry": lambda: run_due_step(db, now, dry=True),
        "run_due_real": lambda: run_due_step(db, now, dry=False),
        "run_due_next": lambda: run_due_next_step(db, now),
        "digest": lambda: digest_step(db, now),
        "committee": lambda: committee_step(db, now),
        "export": lambda: export_step(db, now),
        "ranking": lambda: chat_step(db, url, now, "/排名", counter),
        "ledger": lambda: chat_step(db, url, now, "/台账", counter),
        "coverage": lambda: chat_step(db, url, now, "/覆盖", counter),
        "roster": lambda: roster_step(db, now),
    }[step]
    cold = None
    try:
        what = await work()
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if step in WARM:  # again: a running server has compiled its queries and imported its modules
            cold, counter.n = seconds, 0
            t0, cpu0 = time.perf_counter(), time.process_time()
            what = await work()
            seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        if what.startswith("__wall="):  # the step timed its own part (not the app's start-up)
            head, what = what.split("; ", 1)
            parts = dict(p.split("=") for p in head[2:].split())
            seconds = float(parts["wall"])
            cpu = float(parts.get("cpu", str(cpu)))
            cold = float(parts["cold"]) if "cold" in parts else cold
        if step in ("run_due_real", "run_due_next"):
            await _clean_real(db, now)
    finally:
        await db.dispose()
    return dict(step=step, seconds=seconds, cold=cold, cpu=cpu, statements=counter.n, what=what + imported,
                peak_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


async def _round_trip(url: str) -> float:
    db = create_database(url)
    try:
        async with db.engine.connect() as conn:
            t0 = time.perf_counter()
            for _ in range(500):
                await conn.exec_driver_sql("SELECT 1")
            return (time.perf_counter() - t0) * 2
    finally:
        await db.dispose()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", default="sijing_bench_perf", help="the PostgreSQL database bench/orgbuild.py filled")
    ap.add_argument("--url", help="a database URL instead (e.g. sqlite+aiosqlite:///data/sijing_bench_org.db)")
    ap.add_argument("--now", help="as of (ISO, default the generator's instant 2026-11-25T09:40+08:00)")
    ap.add_argument("--only", help="comma-separated steps (default: all)")
    ap.add_argument("--real", action="store_true", help="also run-due for real (writes, then removes, the nudges)")
    ap.add_argument("--no-pre-ping", action="store_true",
                    help="engine without pool_pre_ping (what one round trip per session checkout costs)")
    ap.add_argument("--step", help=argparse.SUPPRESS)  # the child's
    args = ap.parse_args(argv)
    if args.no_pre_ping:
        os.environ["BENCH_NO_PRE_PING"] = "1"
    url = args.url or PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{args.name}"
    now = datetime.fromisoformat(args.now).astimezone(TZ) if args.now else NOW
    if args.step:
        print(json.dumps(asyncio.run(child(args.step, url, now)), ensure_ascii=False))
        return 0
    steps = args.only.split(",") if args.only else [*STEPS, *(["run_due_real", "run_due_next"] if args.real else [])]
    print(f"{url} as of {now.isoformat()}")
    print(f"machine: load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
          f"database round trip {asyncio.run(_round_trip(url)):.2f} ms (SELECT 1, mean of 500)")
    print(f"  {'step':<13} {'seconds':>8} {'(cold)':>7} {'target':>7} {'cpu s':>7} {'SQL':>8} {'peak MB':>8}  result")
    for step in steps:
        cmd = [sys.executable, "-P", __file__, "--step", step, "--url", url, "--now", now.isoformat()]
        done = subprocess.run(cmd, capture_output=True, text=True)
        if done.returncode != 0:
            print(f"  {step:<13} failed:\n{done.stderr[-3000:]}")
            continue
        r = json.loads(done.stdout.strip().splitlines()[-1])
        ok = "" if r["seconds"] <= TARGETS[step] else " over"
        cold = f"{r['cold']:7.2f}" if r["cold"] is not None else f"{'':7}"
        print(f"  {step:<13} {r['seconds']:8.2f} {cold} {TARGETS[step]:7.1f} {r['cpu']:7.2f} {r['statements']:8,} "
              f"{r['peak_mb']:8.0f}  {r['what']}{ok}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
