"""What delivering one outbox row costs: CPU (user and system) and SQL statements per row, through the
real sender and the fake WeCom on loopback, in a process of its own (``bot.fakewecom_process``: WeCom is
another machine in production), so that only the sender's CPU is counted; the fake's is shown apart.

    python -P bench/orgbuild.py --name sijing_bench_perf          # once (or --people 5000 --branches 25)
    python -P bench/sending.py [--name sijing_bench_perf] [--n 1000] [--recipients 100]

Queues ``--n`` text messages to ``--recipients`` people of the organisation (rate limits lifted), then
delivers them with ``Sender.run_once`` until all have reached the fake. Target (issue 12): <= 2 ms CPU per
delivered row on a quiet 2-core machine. The rows stay in the database (marked sent).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import cProfile
import os
import resource
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402
from sqlalchemy import event, select  # noqa: E402

from bot import keys  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import load_settings  # noqa: E402
from bot.fakewecom_process import FakeProcess  # noqa: E402
from bot.replies import Text  # noqa: E402
from storage import outbox  # noqa: E402
from storage.people.models import Person  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--name", default="sijing_bench_perf")
    ap.add_argument("--url")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--recipients", type=int, default=100)
    ap.add_argument("--profile", help="write a cProfile (CPU time) of the delivery to this file")
    args = ap.parse_args(argv)
    url = args.url or PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{args.name}"
    corp_id, secret, agent_id = "wwbench000000001", "bench", 1000002
    fake = await FakeProcess.start(corp_id, secret, agent_id)
    settings = load_settings(env={}, database_url=url, wecom_corp_id=corp_id, wecom_agent_id=agent_id,
                             wecom_secret=secret, wecom_token="benchtoken1",
                             wecom_aes_key=base64.b64encode(b"b" * 32).decode().rstrip("="), wecom_api_base=fake.api_base,
                             scheduler=False, rate_per_minute=100_000, rate_per_hour=1_000_000)
    app = create_app(settings, run_sender=False)
    runner = web.AppRunner(app, access_log=None)
    try:
        await runner.setup()
    except BaseException:
        await fake.stop()
        raise
    db = app[keys.DB]
    try:
        async with db.sessions() as session:
            people = list((await session.execute(select(Person.userid).limit(args.recipients))).scalars())
            stale = await outbox.count_by_status(session)
        if stale.get("pending"):
            print(f"note: {stale['pending']} rows were already pending; they are delivered too and counted")
        now = datetime.now(timezone.utc)
        async with db.sessions() as session, session.begin():
            for i in range(args.n):
                await outbox.enqueue(session, people[i % len(people)], Text(content=f"第{i}条").payload(), now)
        statements = [0]

        def count(*_a: object) -> None:
            statements[0] += 1
        event.listen(db.engine.sync_engine, "before_cursor_execute", count)
        sender, f0 = app[keys.SENDER], await fake.stats()
        prof = cProfile.Profile(time.process_time) if args.profile else None
        if prof:
            prof.enable()
        r0, w0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
        f1 = f0
        while f1["sent"] - f0["sent"] < args.n:
            sent = await sender.run_once()
            f1 = await fake.stats()  # (one line over a pipe per pass; a pass delivers many rows)
            if not sent:
                await asyncio.sleep(0.01)
        r1, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - w0
        if prof:
            prof.disable()
            prof.dump_stats(args.profile)
        rows = f1["sent"] - f0["sent"]
        user, system = (r1.ru_utime - r0.ru_utime) * 1000 / rows, (r1.ru_stime - r0.ru_stime) * 1000 / rows
        fake_cpu = (f1["cpu_user"] + f1["cpu_system"] - f0["cpu_user"] - f0["cpu_system"]) * 1000 / rows
        print(f"{rows} rows to {len(people)} people in {wall:.1f} s: {user + system:.2f} ms CPU per row "
              f"(user {user:.2f}, system {system:.2f}; target <= 2), {statements[0] / rows:.2f} statements per row; "
              f"the fake WeCom (its own process, not counted): {fake_cpu:.2f} ms CPU per row; "
              f"load average {os.getloadavg()[0]:.1f}")
    finally:
        await runner.cleanup()
        await fake.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
