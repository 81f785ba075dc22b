"""Server time per workbench page on a generated branch (default 10,000 people, a year of ledgers).

Builds the dataset once (kept in ``--data``, SQLite; or a scratch PostgreSQL database), starts the real
app in-process with the fake WeCom, logs in as the secretary through the fake's OAuth2 flow and
requests every page ``--repeat`` times after a first (cold: templates compiled, team scores computed in the
background) request, reporting the server's own time (``Server-Timing``): the first request, then
p50/p95/max of the others and whether that p95 is within the budget. Talks only to 127.0.0.1.

    python bench/web_pages.py [--people 10000] [--repeat 10] [--db sqlite|postgresql] [--data DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import random
import statistics
import sys
import time
import uuid
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import asyncpg
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot import keys  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.fakewecom import FakeWeCom, oauth_base, serve  # noqa: E402
from storage.db import create_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from tests.conftest import Clock  # noqa: E402
from tests.web.seed import roster, seed  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
BUDGET_MS = 300.0
PAGES = ("/web/overview", "/web/items", "/web/items?status=active&overdue=true", "/web/items?q=食堂",
         "/web/items?page=50", "/web/items/{deed}", "/web/care", "/web/care/visits", "/web/care/people/{person}",
         "/web/coverage", "/web/zone?member=m00001", "/web/zone?member=m00001&not_visited=30", "/web/duty",
         "/web/assist", "/web/gatherings", "/web/talent", "/web/teams", "/web/teams/班组001",
         "/web/items?status=active&team=班组001", "/web/care/visits?team=班组001", "/web/surveys/1",
         "/web/audit", "/web/inspection")
DOWNLOADS = ("/web/items?format=xlsx", "/web/inspection/public.xlsx")


async def build(url: str, people: int) -> None:
    db = create_database(url)
    await upgrade(db)
    now = Clock()().astimezone(ZoneInfo("Asia/Shanghai"))
    rng = random.Random(1)
    async with db.session(1) as session, session.begin():
        session.add_all(roster(people, now, rng))
    t0 = time.perf_counter()
    done = await seed(db, now, rng=rng)
    if url.startswith("postgresql"):
        async with db.engine.connect() as conn:  # fresh tables have no statistics yet: plan as in production
            await (await conn.execution_options(isolation_level="AUTOCOMMIT")).exec_driver_sql("ANALYZE")
    print(f"  generated {people} people, {done.items} deeds, {done.incidents} incidents, {done.entries} care entries,"
          f" {done.visits} visits in {time.perf_counter() - t0:.0f} s", flush=True)
    await db.dispose()


class StatementLog:
    """With ``--sql``: each statement's duration during one request, to print a slow page's costliest ones."""

    def __init__(self) -> None:
        self.rows: list[tuple[float, str]] = []

    def attach(self, engine: Any) -> None:
        from sqlalchemy import event

        def before(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            conn.info.setdefault("t0", []).append(time.perf_counter())

        def after(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
            self.rows.append(((time.perf_counter() - conn.info["t0"].pop()) * 1000, statement))
        event.listen(engine.sync_engine, "before_cursor_execute", before)
        event.listen(engine.sync_engine, "after_cursor_execute", after)

    def report(self, path: str, top: int = 3) -> None:
        total = sum(ms for ms, _ in self.rows)
        print(f"    {path}: {len(self.rows)} statements, {total:.1f} ms in SQL", flush=True)
        for ms, statement in sorted(self.rows, reverse=True)[:top]:
            print(f"      {ms:7.1f} ms  {' '.join(statement.split())[:150]}", flush=True)
        self.rows.clear()


async def measure(url: str, repeat: int, downloads: bool,
                  sql: StatementLog | None = None) -> list[tuple[str, list[float]]]:
    fake = FakeWeCom(corp_id="wwbench000000001", secret="bench", agent_id=1000002)
    fake_runner, api_base = await serve(fake)
    settings = load_settings(env={}, database_url=url, wecom_corp_id=fake.corp_id, wecom_agent_id=fake.agent_id,
                             wecom_secret=fake.secret, wecom_token="benchtoken1",
                             wecom_aes_key=base64.b64encode(b"b" * 32).decode().rstrip("="), wecom_api_base=api_base,
                             wecom_oauth_base=oauth_base(api_base), scheduler=False)
    app = create_app(settings, clock=Clock(), run_sender=False)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    base = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"  # type: ignore[union-attr]
    async with app[keys.DB].session(1) as session:
        from sqlalchemy import select

        from storage.models import CareEntry, Item

        deed = (await session.execute(select(Item.number).where(Item.kind == "deed").order_by(Item.number.desc())
                                      .limit(1))).scalar_one()
        person = (await session.execute(select(CareEntry.person).limit(1))).scalar_one()
    if sql is not None:
        sql.attach(app[keys.DB].engine)
    fake.login_as("sec0001")
    results: list[tuple[str, list[float]]] = []
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
        async with http.get(f"{base}/web/oauth/start") as resp:
            assert resp.status == 200, resp.status
        for path in PAGES + (DOWNLOADS if downloads else ()):
            path = path.format(deed=deed, person=person)
            times = []
            for _ in range(1 + (repeat if path not in DOWNLOADS else max(1, repeat // 5))):
                async with http.get(base + path) as resp:
                    await resp.read()
                    assert resp.status == 200, (path, resp.status)
                    times.append(float(resp.headers["Server-Timing"].split("dur=")[1]))
            if sql is not None:  # the last request's statements
                sql.rows.clear()
                async with http.get(base + path) as resp:
                    await resp.read()
                sql.report(path)
            results.append((path, times))
    await runner.cleanup()
    await fake_runner.cleanup()
    return results


def report(label: str, results: list[tuple[str, list[float]]]) -> None:
    print(f"\n{label}: server time per page, ms (budget {BUDGET_MS:.0f} ms at p95)")
    print(f"  {'page':<46} {'first':>8} {'p50':>8} {'p95':>8} {'max':>8}")
    for path, times in results:
        ordered = sorted(times[1:])
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        flag = "" if p95 <= BUDGET_MS or path in DOWNLOADS else "  over budget"
        print(f"  {path:<46} {times[0]:8.1f} {statistics.median(ordered):8.1f} {p95:8.1f} {ordered[-1]:8.1f}{flag}")


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--people", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=10)
    ap.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    ap.add_argument("--data", default=str(ROOT / "data" / "bench"), help="where the SQLite dataset is kept")
    ap.add_argument("--no-downloads", action="store_true", help="skip the Excel downloads")
    ap.add_argument("--sql", action="store_true", help="print each page's statement count and costliest statements")
    args = ap.parse_args()
    sql = StatementLog() if args.sql else None
    if args.db == "sqlite":
        path = Path(args.data) / f"web-{args.people}.db"
        url = f"sqlite+aiosqlite:///{path}"
        if not path.exists():
            print(f"building {path} …", flush=True)
            await build(url, args.people)
        report(f"SQLite, {args.people} people", await measure(url, args.repeat, not args.no_downloads, sql))
        return
    name = f"sijing_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(PG_ADMIN)
    await admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
        print(f"building {name} …", flush=True)
        await build(url, args.people)
        report(f"PostgreSQL, {args.people} people", await measure(url, args.repeat, not args.no_downloads, sql))
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
