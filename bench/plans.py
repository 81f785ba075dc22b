"""The query plans of the per-message path and the sender on the enterprise (bench/orgbuild.py's, PostgreSQL):
does every statement find its rows through an index, or does one read a whole big table?

    python -P bench/orgbuild.py --name sijing_bench_perf          # once
    python -P bench/plans.py [--name <a copy of it>] [--n 160] [--show]

Realistic messages (bench/processing.py's: reports, visits, accepts, progress, /我的, /待办, small talk, help,
and the secretary's /排名 /台账 /覆盖 /逾期) go through the real processor, and their replies through the real
sender to the fake WeCom on loopback. Every distinct statement sent is kept with the parameters of its first
use; then each is explained (``EXPLAIN (FORMAT JSON)``, the planner's choice with the tables' real statistics,
the same parameters). Reported: statements by the plan's way to each table (index, bitmap, sequential), and
every sequential scan of a table of more than ``--big`` rows, which is what a per-message path must not have.
Exit status 1 if there is one. The rows it writes stay in the database (use a copy).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import asyncpg  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.processing import NOW, bench_settings, messages  # noqa: E402
from bot import keys  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.demo import text_xml  # noqa: E402
from bot.fakewecom import FakeWeCom, serve  # noqa: E402
from storage import inbox  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
SECRETARY_COMMANDS = ("/排名", "/台账", "/覆盖", "/逾期", "/待办 2")


def _scans(plan: dict[str, Any]) -> list[tuple[str, str]]:
    """(node type, table) of every scan in ``plan`` (a node of EXPLAIN's JSON)."""
    out = []
    if "Relation Name" in plan:
        out.append((plan["Node Type"], plan["Relation Name"]))
    for child in plan.get("Plans", ()):
        out.extend(_scans(child))
    return out


def _dollar(sql: str) -> str:
    return " ".join(sql.split())


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", default="sijing_bench_perf")
    ap.add_argument("--n", type=int, default=160, help="messages of the mix (each kind n/8 times)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--big", type=int, default=10_000, help="a sequential scan of a table this big is reported")
    ap.add_argument("--show", action="store_true", help="print every statement with its scans")
    args = ap.parse_args(argv)
    dsn = PG_ADMIN.rsplit("/", 1)[0] + f"/{args.name}"
    url = dsn.replace("postgresql://", "postgresql+asyncpg://")

    fake = FakeWeCom(corp_id="wwbench000000001", secret="bench", agent_id=1000002)
    fake_runner, api_base = await serve(fake)
    settings = bench_settings(url, fake, api_base)
    app = create_app(settings, clock=lambda: NOW, run_sender=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    seen: dict[str, tuple[str, Any]] = {}  # statement text -> (which message first sent it, its parameters)
    current = ["start-up"]

    def keep(_conn: Any, _cursor: Any, sql: str, params: Any, _ctx: Any, many: bool) -> None:
        if not many and sql not in seen:
            seen[sql] = (current[0], params)

    event.listen(app[keys.DB].engine.sync_engine, "before_cursor_execute", keep)
    try:
        await app[keys.PROCESSOR].stop()  # one message at a time, each its own
        rng = random.Random(args.seed)
        todo = messages(args.n, rng)
        todo += [("secretary " + c, f"s{rng.randrange(1, 500):03d}", c) for c in SECRETARY_COMMANDS]
        for kind, who, text in todo:
            xml = text_xml(settings.wecom_corp_id, who, text, settings.wecom_agent_id, msg_id=str(time.time_ns()))
            await app[keys.WRITER].store(inbox.NewInbound(f"plans:{time.time_ns()}", who, "text", xml))
            current[0] = kind
            await app[keys.PROCESSOR].process_next(who)
        current[0] = "sender"
        while await app[keys.SENDER].run_once():
            pass
    finally:
        await runner.cleanup()
        await fake_runner.cleanup()

    conn = await asyncpg.connect(dsn)
    try:
        sizes = {r["relname"]: int(r["reltuples"]) for r in await conn.fetch(
            "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace")}
        ways: Counter[str] = Counter()
        bad: list[tuple[str, str, str]] = []
        unexplained = 0
        for sql, (kind, params) in seen.items():
            head = sql.lstrip().split(None, 1)[0].upper()
            if head not in ("SELECT", "UPDATE", "DELETE", "WITH", "INSERT"):
                continue  # BEGIN, SET, advisory locks alone…
            try:
                [row] = await conn.fetch("EXPLAIN (FORMAT JSON) " + sql, *(params or ()))
            except (asyncpg.PostgresError, TypeError, ValueError) as exc:
                unexplained += 1
                if args.show:
                    print(f"  (not explained: {type(exc).__name__}: {exc}) {_dollar(sql)[:160]}")
                continue
            plan = json.loads(row[0])[0]["Plan"]
            scans = _scans(plan)
            for node, table in scans:
                ways[node] += 1
                if node == "Seq Scan" and sizes.get(table, 0) > args.big:
                    bad.append((kind, table, _dollar(sql)))
            if args.show:
                print(f"[{kind}] {', '.join(f'{n} {t}' for n, t in scans) or '(no table)'}\n    {_dollar(sql)[:300]}")
    finally:
        await conn.close()
    print(f"{len(seen)} distinct statements from {len(todo)} messages and their delivery ({unexplained} not "
          f"explained); scans by kind: {dict(ways.most_common())}")
    for kind, table, sql in bad:
        print(f"  SEQUENTIAL SCAN of {table} ({sizes[table]:,} rows) in [{kind}]: {sql[:400]}")
    print("no sequential scan of a big table" if not bad else f"{len(bad)} sequential scans of big tables")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
