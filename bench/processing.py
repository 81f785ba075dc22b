"""The per-message path on the enterprise (bench/orgbuild.py's): CPU and SQL statements per processed message,
and per delivered outbox row, through the real processor and sender (fake WeCom on loopback, in a process of
its own: bot.fakewecom_process).

    python -P bench/orgbuild.py --name sijing_bench_perf          # once
    python -P bench/processing.py [--name sijing_bench_perf] [--n 600] [--burst 1000]

Realistic messages from people of many branches (reports, visits, accepts, progress, slash commands, small
talk) are stored in the inbox as the webhook stores them, then processed one after another; the sender then
delivers every reply. Reported: CPU ms and statements per message (mean, p50, p95, max) per kind of message,
and per delivered row; with ``--burst N``, messages/s for a burst of N stored at once and worked through by one,
then two worker processes (``role="worker"``, started beforehand). Targets (issue 12): <= 5 ms CPU and <= 6
statements per message, <= 2 ms CPU per row, two processes >= 1.6x one.
The rows it writes (items, visits, outbox…) stay in the database (numbers go on growing; run orgbuild again
for a clean one).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import resource
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from bot import keys  # noqa: E402
from bot.app import create_app, owns_process  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.demo import text_xml  # noqa: E402
from bot.fakewecom import FakeWeCom  # noqa: E402
from bot.fakewecom_process import FakeProcess  # noqa: E402
from storage import inbox  # noqa: E402
from storage.db import create_database  # noqa: E402
from storage.inbox import InboxWriter  # noqa: E402
from storage.models import InboxRow, OutboxRow  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
NOW = datetime(2026, 11, 25, 2, 10, tzinfo=timezone.utc)  # Wednesday 10:10 in Shanghai
BRANCHES = 500


KINDS = ("report", "visit", "accept", "progress", "mine", "items", "chat", "help")


def messages(n: int, rng: random.Random, *, branches: int = BRANCHES, employees: int = 150,
             kinds: tuple[str, ...] = KINDS, first: int = 1) -> list[tuple[str, str, str]]:
    """(kind, sender, text): what people of many branches (``first`` … ``first + branches - 1``) say on a
    working morning."""
    out = []
    for k in range(n):
        b = first + rng.randrange(branches)
        emp, mem, sec = f"e{b:03d}_{rng.randrange(employees):04d}", f"m{b:03d}_{rng.randrange(10):03d}", f"s{b:03d}"
        kind = kinds[k % len(kinds)]
        text = {
            "report": rng.choice(("食堂饭菜太咸了，希望少放点盐", "三楼卫生间水龙头漏水好几天了", "夜班后没有通勤车，回家很不方便")),
            "visit": f"今天看望了职工{b}-{rng.randrange(150)}，聊了聊家里情况，一切都好",
            "accept": f"接单 #{rng.randrange(1, 150)}",
            "progress": f"#{rng.randrange(1, 150)} 已联系后勤，明天来修",
            "mine": "/我的",
            "items": "/待办",
            "chat": "你好",
            "help": "/帮助",
        }[kind]
        who = {"report": emp, "chat": emp, "help": emp, "items": sec}.get(kind, mem)
        out.append((kind, who, text))
    return out


def machine_cpu() -> tuple[int, int]:
    """(idle, total) jiffies of the whole machine so far (/proc/stat): was the burst short of CPU?"""
    fields = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return fields[3] + fields[4], sum(fields)


def postgres_cpu() -> dict[int, float]:
    """CPU seconds so far of each PostgreSQL process on this machine (what the database spent on a burst)."""
    out = {}
    tick = os.sysconf("SC_CLK_TCK")
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            stat = open(f"/proc/{pid}/stat").read()
        except OSError:
            continue
        name, rest = stat[stat.index("(") + 1:stat.rindex(")")], stat[stat.rindex(")") + 2:].split()
        if name.startswith("postgres"):
            out[int(pid)] = (int(rest[11]) + int(rest[12])) / tick
    return out


def summary(values: list[float]) -> str:
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return f"{statistics.mean(ordered):7.2f} {statistics.median(ordered):7.2f} {p95:7.2f} {ordered[-1]:7.2f}"


def bench_settings(url: str, fake: FakeWeCom, api_base: str) -> Any:
    return load_settings(env={}, database_url=url, wecom_corp_id=fake.corp_id, wecom_agent_id=fake.agent_id,
                         wecom_secret=fake.secret, wecom_token="benchtoken1",
                         wecom_aes_key=base64.b64encode(b"b" * 32).decode().rstrip("="), wecom_api_base=api_base,
                         scheduler=False, rate_per_minute=10_000, rate_per_hour=100_000)


async def worker(url: str) -> int:
    """``--worker``: one processing process (the worker role: polls the inbox), until stdin closes."""
    fake = FakeWeCom(corp_id="wwbench000000001", secret="bench", agent_id=1000002)
    app = owns_process(create_app(bench_settings(url, fake, "http://127.0.0.1:9"), clock=lambda: NOW,
                                  run_sender=False, role="worker"))
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    start = resource.getrusage(resource.RUSAGE_SELF)
    print("ready", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    processor = app[keys.PROCESSOR]
    processed, busy = processor.processed, processor.busy
    cpu = resource.getrusage(resource.RUSAGE_SELF)
    await runner.cleanup()
    print(f"processed {processed}, {busy} busy looks, {cpu.ru_utime + cpu.ru_stime - start.ru_utime - start.ru_stime:.1f} s CPU", flush=True)
    return 0


async def burst(url: str, n: int, processes: int, seed: int, first: int) -> float:
    """Messages/s for a burst of ``n`` messages (from a few hundred people of 20 branches from ``first`` on: each
    burst its own, so that the second does not find the first's items) stored at once, worked through by
    ``processes`` worker processes started (their parsers loaded) beforehand."""
    procs = [await asyncio.create_subprocess_exec(sys.executable, "-P", __file__, "--worker", "--url", url,
                                                  stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE)
             for _ in range(processes)]
    for proc in procs:
        assert proc.stdout is not None
        line = await proc.stdout.readline()
        assert line.strip() == b"ready", line
    db = create_database(url)
    writer = InboxWriter(db)
    await writer.start()
    corp = "wwbench000000001"
    todo = messages(n, random.Random(seed), branches=20, employees=5, first=first)
    t0, idle0, pg0 = time.perf_counter(), machine_cpu(), postgres_cpu()
    await asyncio.gather(*(writer.store(inbox.NewInbound(f"burst:{time.time_ns()}:{k}", who, "text",
                                                         text_xml(corp, who, text, 1000002, msg_id=f"{time.time_ns()}{k}")))
                           for k, (_kind, who, text) in enumerate(todo)))
    while True:
        async with db.sessions() as session:
            left = (await session.execute(select(func.count()).where(InboxRow.status == "pending"))).scalar_one()
        if not left:
            break
        await asyncio.sleep(0.1)
    wall, idle1, pg1 = time.perf_counter() - t0, machine_cpu(), postgres_cpu()
    pg = sum(v - pg0.get(pid, 0.0) for pid, v in pg1.items())
    idle = 100 * (idle1[0] - idle0[0]) / max(1, idle1[1] - idle0[1])
    await writer.stop()
    await db.dispose()
    done = []
    for proc in procs:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        done.append((await proc.stdout.read()).decode().strip())
        await proc.wait()
    print(f"  burst of {n} messages from {len({w for _k, w, _t in todo})} people, {processes} process(es): "
          f"{wall:.1f} s, {n / wall:.1f} messages/s ({', '.join(done)}; load {open('/proc/loadavg').read().split()[0]}, machine idle {idle:.0f}%, PostgreSQL {pg:.1f} s CPU)")
    return n / wall


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", default="sijing_bench_perf")
    ap.add_argument("--url")
    ap.add_argument("--n", type=int, default=600)
    ap.add_argument("--burst", type=int, default=0, help="then a burst of this many messages, one and two processes")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--kinds", default=",".join(KINDS), help="only these kinds of message (profiling one path)")
    ap.add_argument("--trace", action="store_true", help="print the SQL of the first message of each kind")
    ap.add_argument("--profile", help="write a cProfile of the processing (not the start-up) to this file")
    args = ap.parse_args(argv)
    url = args.url or PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{args.name}"
    if args.worker:
        return await worker(url)
    fake = FakeWeCom(corp_id="wwbench000000001", secret="bench", agent_id=1000002)  # (its ids; it runs apart:)
    fake_proc = await FakeProcess.start(fake.corp_id, fake.secret, fake.agent_id)  # WeCom is another machine
    settings = bench_settings(url, fake, fake_proc.api_base)
    t0 = time.perf_counter()
    app = owns_process(create_app(settings, clock=lambda: NOW, run_sender=False))  # as the server's
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"{url}: app started in {time.perf_counter() - t0:.1f} s (parser and its names loaded), peak RSS {rss} MB")
    db = app[keys.DB]
    statements = [0]
    tracing: list[str] = []

    def count(_conn: Any, _cursor: Any, sql: str, *_a: Any) -> None:
        statements[0] += 1
        if tracing:
            flat = " ".join(sql.split())
            where = flat.find(" WHERE ")
            shown = flat[:220] if where < 0 or where < 160 else f"{flat[:90]} … {flat[where:where + 200]}"
            print(f"    [{tracing[0]}] {shown}")
    event.listen(db.engine.sync_engine, "before_cursor_execute", count)
    try:
        async with db.sessions() as session:
            first_out = (await session.execute(select(func.max(OutboxRow.id)))).scalar_one() or 0
        # Measured one message at a time: the app's own processing (woken by the writer, recovery passes) stops.
        await app[keys.PROCESSOR].stop()
        todo = messages(args.n, random.Random(args.seed), kinds=tuple(args.kinds.split(",")))
        ids = []
        for kind, who, text in todo:
            xml = text_xml(settings.wecom_corp_id, who, text, settings.wecom_agent_id, msg_id=str(time.time_ns()))
            ids.append(await app[keys.WRITER].store(inbox.NewInbound(f"bench:{time.time_ns()}", who, "text", xml)))
        cpu: dict[str, list[float]] = defaultdict(list)
        user: dict[str, list[float]] = defaultdict(list)  # CPU in this process's own code (no kernel time)
        sql: dict[str, list[float]] = defaultdict(list)
        import cProfile

        prof = cProfile.Profile(time.process_time) if args.profile else None  # CPU, not wall: the machine is shared
        if prof:
            prof.enable()
        wall0 = time.perf_counter()
        for (kind, _who, _text), inbox_id in zip(todo, ids):
            assert inbox_id is not None
            if args.trace and kind not in cpu:
                tracing[:] = [kind]
            n0, c0, u0 = statements[0], time.process_time(), resource.getrusage(resource.RUSAGE_SELF).ru_utime
            assert await app[keys.PROCESSOR].process_next(_who) == inbox_id
            tracing[:] = []
            cpu[kind].append((time.process_time() - c0) * 1000)
            user[kind].append((resource.getrusage(resource.RUSAGE_SELF).ru_utime - u0) * 1000)
            sql[kind].append(statements[0] - n0)
        wall = time.perf_counter() - wall0
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
        print(f"\n{len(todo)} messages processed in {wall:.1f} s ({len(todo) / wall:.0f}/s, one after another)")
        print(f"  {'message':<10} {'n':>4} | CPU ms (user+sys): {'mean':>7} {'p50':>7} {'p95':>7} | user ms: "
              f"{'mean':>7} {'p50':>7} {'p95':>7} | SQL: {'mean':>7} {'p50':>7} {'p95':>7} {'max':>7}")
        for kind in [*cpu, "all"]:
            c = [x for v in cpu.values() for x in v] if kind == "all" else cpu[kind]
            u = [x for v in user.values() for x in v] if kind == "all" else user[kind]
            q = [x for v in sql.values() for x in v] if kind == "all" else sql[kind]
            print(f"  {kind:<10} {len(c):>4} | {'':18}{summary(c).rsplit(' ', 1)[0]} | {'':8}"
                  f"{summary(u).rsplit(' ', 1)[0]} | {'':5}{summary(q)}")
        sender = app[keys.SENDER]
        rows, f0 = 0, await fake_proc.stats()
        n0, c0, w0 = statements[0], time.process_time(), time.perf_counter()
        u0 = resource.getrusage(resource.RUSAGE_SELF).ru_utime
        while True:
            done = await sender.run_once()
            if not done:
                break
            rows += done
        c, n, w = time.process_time() - c0, statements[0] - n0, time.perf_counter() - w0
        u = resource.getrusage(resource.RUSAGE_SELF).ru_utime - u0
        f1 = await fake_proc.stats()
        fake_ms = (f1["cpu_user"] + f1["cpu_system"] - f0["cpu_user"] - f0["cpu_system"]) * 1000 / max(rows, 1)
        async with db.sessions() as session:
            made = (await session.execute(select(func.count()).where(OutboxRow.id > first_out))).scalar_one()
        print(f"\n{rows} outbox rows delivered ({made} written) in {w:.1f} s: {c * 1000 / max(rows, 1):.2f} ms CPU and "
              f"{n / max(rows, 1):.2f} statements per row ({u * 1000 / max(rows, 1):.2f} ms user CPU; the fake "
              f"WeCom runs in a process of its own, not counted: {fake_ms:.2f} ms CPU per row)")
    finally:
        await runner.cleanup()
        await fake_proc.stop()
    if args.burst:
        print(f"\nEnd to end (the outbox is left to the sender of each deployment: processing only):")
        one = await burst(url, args.burst, 1, args.seed + 1, first=1)
        two = await burst(url, args.burst, 2, args.seed + 2, first=21)
        print(f"  two processes: {two / one:.2f}x one (target >= 1.6x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
