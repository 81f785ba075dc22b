"""Valid callbacks under a flood of unsigned UTF-16 DTD requests (issue 11): the real `sijing serve`
on PostgreSQL (its own database), the fake WeCom on loopback, 30 junk requests a second for 10 s
while a valid callback arrives every 0.2 s. Prints the valid callbacks' p50/p99/max and the cost
of refusing one junk body in-process (scan only: no XML parser sees it).

    .venv/bin/python -P bench/dtd_flood.py [--per-second 30] [--seconds 10]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.wecom.crypto import CallbackError, envelope_encrypt  # noqa: E402
from tests.faults.pgfaults import Driver, Server, dtd_flood, fake_wecom, laughs_utf16, pg_database  # noqa: E402


def refuse_cost(n: int = 2000) -> float:
    junk = laughs_utf16()
    t0 = time.perf_counter()
    for _ in range(n):
        try:
            envelope_encrypt(junk)
        except CallbackError:
            pass
    return (time.perf_counter() - t0) / n * 1e6


async def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--per-second", type=int, default=30)
    ap.add_argument("--seconds", type=float, default=10.0)
    args = ap.parse_args()
    async with pg_database() as pg, fake_wecom() as (_fake, api_base):
        server = await Server(pg.url, api_base).start(Path(tempfile.mkdtemp(prefix="sijing-flood-")))
        driver = Driver()
        try:
            flood = await dtd_flood(server, driver, per_second=args.per_second, seconds=args.seconds)
        finally:
            await driver.close()
            await server.stop()
    ms = sorted(x * 1000 for x in flood.valid)
    junk = sorted(x * 1000 for x in flood.junk)
    print(f"{args.per_second} UTF-16 DTD requests/s for {args.seconds:.0f} s; valid callbacks every 0.2 s")
    print(f"valid: {len(ms)} answered {sorted(set(flood.valid_statuses))}, p50 {statistics.median(ms):.1f} ms, "
          f"p99 {ms[int(len(ms) * 0.99) - 1]:.1f} ms, max {ms[-1]:.1f} ms")
    print(f"junk:  {len(junk)} answered {sorted(set(flood.junk_statuses))}, p50 {statistics.median(junk):.1f} ms, "
          f"max {junk[-1]:.1f} ms")
    print(f"refusing one junk body in-process: {refuse_cost():.1f} µs")


if __name__ == "__main__":
    asyncio.run(main())
