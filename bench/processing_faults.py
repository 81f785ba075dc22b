"""The processing half of issue 11's fault table, as counts, for this checkout or another one
(``--root``: e.g. ``git archive <commit> | tar -x -C /tmp/old``, to measure "before").

Scenarios (each with its own PostgreSQL database and fresh `sijing serve` processes):
- order: two servers, each person's messages arriving at both in turn: out-of-order pairs, rows not done;
- database: connections terminated three times under load, then refused for 3 s (a restart):
  rows failed, apologies sent, rows not processed, out-of-order pairs.

    .venv/bin/python -P bench/processing_faults.py [--root DIR] [--per-person 25] [--args "--workers 0"]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.faults.pgfaults import PEOPLE, Driver, Outcome, Server, fake_wecom, pg_database, settle  # noqa: E402


async def order(root: Path, extra: list[str], per_person: int) -> Outcome:
    async with pg_database() as pg, fake_wecom() as (fake, api_base):
        tmp = Path(tempfile.mkdtemp(prefix="sijing-order-"))
        servers = [await Server(pg.url, api_base, extra, root=root).start(tmp) for _ in range(2)]
        driver = Driver()
        try:
            async def person(user: str, offset: int) -> None:
                for seq in range(per_person):
                    await driver.say(servers[(seq + offset) % 2], user, "你好", seq)

            await asyncio.gather(*(person(u, i) for i, u in enumerate(PEOPLE)))
            await settle(pg, per_person * len(PEOPLE), fake)
            return await Outcome.of(pg, fake)
        finally:
            await driver.close()
            for s in servers:
                await s.stop()


async def database(root: Path, extra: list[str], per_person: int) -> tuple[Outcome, int]:
    async with pg_database() as pg, fake_wecom() as (fake, api_base):
        server = await Server(pg.url, api_base, extra, root=root).start(Path(tempfile.mkdtemp(prefix="sijing-db-")))
        driver = Driver()
        try:
            async def person(user: str) -> None:
                for seq in range(per_person):
                    await driver.say(server, user, "你好", seq)
                    await asyncio.sleep(0.25)

            async def faults() -> None:
                for _ in range(3):
                    await asyncio.sleep(0.5)
                    await pg.terminate()
                async with pg.down():
                    await asyncio.sleep(3.0)

            await asyncio.gather(faults(), *(person(u) for u in PEOPLE))
            await settle(pg, per_person * len(PEOPLE), fake, timeout=60)
            await asyncio.sleep(2)
            outcome = await Outcome.of(pg, fake)
        finally:
            await driver.close()
            await server.stop()
        lines = sum(1 for line in server.log_text().splitlines() if " WARNING " in line or " ERROR " in line)
        return outcome, lines


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--root", type=Path, default=ROOT)
    ap.add_argument("--per-person", type=int, default=25)
    ap.add_argument("--args", default="", help="extra `sijing serve` arguments, e.g. '--workers 0'")
    ap.add_argument("--only", default="order,database")
    args = ap.parse_args()
    extra = args.args.split()
    total = args.per_person * len(PEOPLE)
    print(f"code: {args.root}  serve {' '.join(extra) or '(defaults)'}  {total} messages per scenario")
    if "order" in args.only:
        o = await order(args.root, extra, args.per_person)
        print(f"order (2 servers): stored {o.stored}, done {o.done}, failed {o.failed}, pending {o.pending}, "
              f"out-of-order pairs {o.out_of_order}, rows with !=1 reply {sum(n != 1 for n in o.replies_per_row.values())}",
              flush=True)
    if "database" in args.only:
        o, lines = await database(args.root, extra, args.per_person)
        print(f"database faults: stored {o.stored}, done {o.done}, failed {o.failed}, pending {o.pending}, "
              f"apologies {o.apologies}, out-of-order pairs {o.out_of_order}, outbox {o.outbox}, "
              f"warning/error log lines {lines}", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
