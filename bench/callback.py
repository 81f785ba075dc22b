"""Callback throughput: the real server (SQLite, PostgreSQL) against a bare verify+decrypt ceiling.

Starts each server as its own process on loopback, sends signed, encrypted text
callbacks with distinct MsgIds at a fixed concurrency, and reports accepted
callbacks/s, p50 and p99 latency, and (for the real server) how many rows were
durably stored. Bounded in count and time; talks only to 127.0.0.1.

    python bench/callback.py [--n 4000] [--concurrency 32] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.demo import text_xml  # noqa: E402
from bot.fakewecom import FakeWeCom, serve  # noqa: E402
from bot.wecom.crypto import WeComCrypto  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def wait_ready(url: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(url) as resp:
                    if resp.status < 500:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError(f"server at {url} did not start")


async def load(url: str, bodies: list[tuple[bytes, dict[str, str]]], concurrency: int,
               time_limit: float) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[tuple[bytes, dict[str, str]]] = asyncio.Queue()
    for item in bodies:
        queue.put_nowait(item)
    deadline = time.monotonic() + time_limit

    async def worker(http: aiohttp.ClientSession) -> None:
        nonlocal errors
        while not queue.empty() and time.monotonic() < deadline:
            body, query = queue.get_nowait()
            t0 = time.perf_counter()
            async with http.post(url, params=query, data=body) as resp:
                await resp.read()
                if resp.status != 200:
                    errors += 1
            latencies.append(time.perf_counter() - t0)

    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as http:
        start = time.perf_counter()
        await asyncio.gather(*(worker(http) for _ in range(concurrency)))
        elapsed = time.perf_counter() - start
    return elapsed, latencies, errors


def summarise(name: str, elapsed: float, lat: list[float], errors: int, stored: int | None) -> dict[str, object]:
    lat_ms = sorted(x * 1000 for x in lat)
    p99 = lat_ms[min(len(lat_ms) - 1, int(len(lat_ms) * 0.99))]
    row = {
        "target": name,
        "requests": len(lat),
        "errors": errors,
        "per_s": len(lat) / elapsed,
        "p50_ms": statistics.median(lat_ms),
        "p99_ms": p99,
        "stored": stored,
    }
    return row


async def drain_time(health_url: str, limit: float) -> float | None:
    """Seconds until every stored callback was processed and its replies sent (None: not within limit)."""
    start = time.perf_counter()
    async with aiohttp.ClientSession() as http:
        while time.perf_counter() - start < limit:
            async with http.get(health_url) as resp:
                data = await resp.json()
            if data.get("inbox_pending") == 0 and data.get("sender_backlog") == 0:
                return time.perf_counter() - start
            await asyncio.sleep(0.25)
    return None


async def stored_rows(db_url: str) -> int:
    if db_url.startswith("sqlite"):
        import sqlite3

        path = db_url.split("///", 1)[1]
        with sqlite3.connect(path) as conn:
            return int(conn.execute("SELECT count(*) FROM inbox").fetchone()[0])
    conn = await asyncpg.connect(db_url.replace("+asyncpg", ""))
    try:
        return int(await conn.fetchval("SELECT count(*) FROM inbox"))
    finally:
        await conn.close()


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=4000, help="callbacks per target")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--db", default="sqlite,postgresql")
    ap.add_argument("--time-limit", type=float, default=60.0, help="seconds per target at most")
    args = ap.parse_args()

    corp, token = "wwbench000000001", "benchtoken"
    aes = base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")
    crypto = WeComCrypto(token, aes, corp)
    fake = FakeWeCom(corp_id=corp, secret="bench-secret", agent_id=1000002)
    fake_runner, api_base = await serve(fake)

    def bodies() -> list[tuple[bytes, dict[str, str]]]:
        run = secrets.token_hex(4)
        return [crypto.sign_body(text_xml(corp, f"bench{i % 500:03d}", f"压测消息 {i} 食堂的饭菜太咸了", 1000002,
                                          f"{run}{i}"), agent_id=1000002) for i in range(args.n)]

    env_base = dict(os.environ, SIJING_WECOM_CORP_ID=corp, SIJING_WECOM_AGENT_ID="1000002",
                    SIJING_WECOM_SECRET="bench-secret", SIJING_WECOM_TOKEN=token, SIJING_WECOM_AES_KEY=aes,
                    SIJING_WECOM_API_BASE=api_base, SIJING_RATE_PER_MINUTE="1000000", SIJING_RATE_PER_HOUR="1000000")
    results = []
    tmp = Path(tempfile.mkdtemp(prefix="sijing-bench-"))

    # the ceiling: verify + decrypt only
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "bench" / "bare_server.py"), str(port)], env=env_base)
    try:
        await wait_ready(f"http://127.0.0.1:{port}/ready")
        elapsed, lat, errors = await load(f"http://127.0.0.1:{port}/wecom/callback", bodies(), args.concurrency,
                                          args.time_limit)
        results.append(summarise("bare verify+decrypt (ceiling)", elapsed, lat, errors, None))
    finally:
        proc.terminate()
        proc.wait()

    for kind in [k.strip() for k in args.db.split(",") if k.strip()]:
        if kind == "sqlite":
            db_url = f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
        else:
            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute('DROP DATABASE IF EXISTS "sijing_bench" WITH (FORCE)')
            await admin.execute('CREATE DATABASE "sijing_bench"')
            await admin.close()
            db_url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + "/sijing_bench"
        port = free_port()
        env = dict(env_base, SIJING_DATABASE_URL=db_url)
        cmd = os.environ.get("BENCH_SERVER_CMD")
        argv = cmd.split() + [str(port)] if cmd else [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
        proc = subprocess.Popen(argv,
                                env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        try:
            await wait_ready(f"http://127.0.0.1:{port}/healthz")
            elapsed, lat, errors = await load(f"http://127.0.0.1:{port}/wecom/callback", bodies(),
                                              args.concurrency, args.time_limit)
            stored = await stored_rows(db_url)
            row = summarise(f"sijing serve ({kind})", elapsed, lat, errors, stored)
            row["drained_s"] = await drain_time(f"http://127.0.0.1:{port}/healthz", args.time_limit)
            results.append(row)
        finally:
            proc.terminate()
            proc.wait()
    await fake_runner.cleanup()

    ceiling = float(results[0]["per_s"])  # type: ignore[arg-type]
    print(f"\n{args.n} callbacks per target, concurrency {args.concurrency}, {os.cpu_count()} cores\n")
    print(f"{'target':<32}{'req':>7}{'err':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'stored':>8}{'of ceiling':>12}")
    for r in results:
        print(f"{r['target']:<32}{r['requests']:>7}{r['errors']:>5}{r['per_s']:>9.0f}{r['p50_ms']:>9.1f}"
              f"{r['p99_ms']:>9.1f}{'' if r['stored'] is None else r['stored']:>8}"
              f"{float(r['per_s']) / ceiling:>11.0%}")  # type: ignore[arg-type]
    for r in results:
        if "drained_s" in r:
            d = r["drained_s"]
            print(f"{r['target']}: all {r['stored']} processed and answered "
                  + (f"{d:.1f} s after the load ended" if d is not None else "— not within the time limit"))
    print(f"\nsent by the bot during the run (fake WeCom): {len(fake.sent)} messages")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
