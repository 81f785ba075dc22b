"""Callback latency while the processor is busy (issue 11: "acknowledgements never wait for work").

For each shape of `sijing serve` on PostgreSQL (its own database, the test roster, the fake WeCom on
loopback): first a backlog of real messages is stored (complaints, care reports, greetings: parsed,
recorded, answered), enough to keep processing CPU-bound for the whole measurement; then for
``--seconds`` a callback arrives every ``--every`` seconds and its time to the 200 is recorded.
``--workers 0`` is the old shape (processing on the webhook's own event loop), ``--workers 1`` the
default on PostgreSQL (a worker process does it).

With ``--org N`` the busy work is one command instead: a generated branch of N people (bench/org.py)
whose secretary asks for the inspection workbook (``/导出``: about 40 s of CPU at 10,000 people), while an
employee's callbacks are timed.

    .venv/bin/python -P bench/ack_latency.py [--backlog 3000] [--seconds 30] [--every 0.05] [--org 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storage.db import create_database  # noqa: E402
from tests.faults.pgfaults import Driver, PgDatabase, Server, fake_wecom, pg_database  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
import orgbuild as bench_org  # noqa: E402

TEXTS = ("食堂的饭菜太咸了，希望少放点盐", "我父亲下周住院做手术", "你好", "三楼卫生间水龙头漏水", "今天谁值班")
SENDERS = ("sunpeng", "lixuemei", "wutao", "zhaoyufei", "huangqing", "xuxiaodong", "majing", "guoqiang")


async def backlog(server: Server, driver: Driver, n: int) -> float:
    queue = list(range(n))
    url = f"{server.url}/wecom/callback"
    t0 = time.perf_counter()

    async def one(http: aiohttp.ClientSession) -> None:
        while queue:
            i = queue.pop()
            body, q = driver.body(SENDERS[i % len(SENDERS)], TEXTS[i % len(TEXTS)], f"{driver.run}b{i:06d}")
            async with http.post(url, params=q, data=body) as resp:
                await resp.read()

    async with aiohttp.ClientSession() as http:
        await asyncio.gather(*(one(http) for _ in range(16)))
    return time.perf_counter() - t0


@contextlib.asynccontextmanager
async def org_database(people: int) -> AsyncIterator[PgDatabase]:
    name = f"sijing_ack_{uuid.uuid4().hex[:8]}"
    url = await bench_org.fresh_database("postgresql", name)
    db = create_database(url)
    try:
        await bench_org.generate(db, bench_org.Scale(people=people, branches=1))
    finally:
        await db.dispose()
    pg = PgDatabase(name, url, url.replace("+asyncpg", ""))
    try:
        yield pg
    finally:
        conn = await pg.admin()
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


async def measure(shape: list[str], args: argparse.Namespace) -> dict[str, float]:
    database = org_database(args.org) if args.org else pg_database()
    async with database as pg, fake_wecom() as (fake, api_base):
        server = await Server(pg.url, api_base, shape).start(Path(tempfile.mkdtemp(prefix="sijing-ack-")))
        driver = Driver()
        probe = "e001_0000" if args.org else "linyang"
        try:
            t_start = time.monotonic()
            if args.org:
                assert await driver.say(server, "s001", "/导出", 0)
            else:
                await backlog(server, driver, args.backlog)
            lat: list[float] = []
            url = f"{server.url}/wecom/callback"
            start = time.monotonic()
            i = 0
            async with aiohttp.ClientSession() as http:
                while time.monotonic() - start < args.seconds:
                    body, q = driver.body(probe, "你好", f"{driver.run}m{i:06d}")
                    t0 = time.perf_counter()
                    async with http.post(url, params=q, data=body) as resp:
                        await resp.read()
                        assert resp.status == 200
                    lat.append(time.perf_counter() - t0)
                    i += 1
                    await asyncio.sleep(max(0.0, start + i * args.every - time.monotonic()))
            file_at = None
            while args.org and time.monotonic() - t_start < 300:
                if any(m.get("msgtype") == "file" for m in fake.to("s001")):
                    file_at = time.monotonic() - t_start
                    break
                await asyncio.sleep(0.5)
            left = (await pg.fetch("SELECT count(*) AS n FROM inbox WHERE status = 'pending'"))[0]["n"]
            done = (await pg.fetch("SELECT count(*) AS n FROM inbox WHERE status = 'done'"))[0]["n"]
        finally:
            await driver.close()
            await server.stop()
    ms = sorted(x * 1000 for x in lat)
    return dict(n=len(ms), p50=statistics.median(ms), p99=ms[max(0, int(len(ms) * 0.99) - 1)], max=ms[-1],
                done=done, left=left, file_at=file_at or 0.0)


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--backlog", type=int, default=3000)
    ap.add_argument("--seconds", type=float, default=30.0)
    ap.add_argument("--every", type=float, default=0.05)
    ap.add_argument("--shapes", default="0,1", help="values of --workers to measure")
    ap.add_argument("--org", type=int, default=0, help="people of a generated branch whose secretary runs /导出")
    args = ap.parse_args()
    busy = f"/导出 at {args.org} people" if args.org else f"backlog {args.backlog} messages"
    print(f"{busy}, then one callback every {args.every} s for {args.seconds:.0f} s")
    print(f"{'shape':<22}{'calls':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}{'processed':>11}{'still pending':>15}")
    for workers in args.shapes.split(","):
        r = await measure(["--workers", workers], args)
        name = "inline (--workers 0)" if workers == "0" else f"--workers {workers}"
        print(f"{name:<22}{r['n']:>6.0f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['max']:>9.1f}{r['done']:>11.0f}"
              f"{r['left']:>15.0f}" + (f"   workbook sent after {r['file_at']:.0f} s" if args.org else ""), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
