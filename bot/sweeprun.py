"""One run of the sweeps in a process of its own: what a worker on PostgreSQL starts every ten minutes.

    python -m bot.sweeprun NOW      # the parent's settings, pickled, on standard input

A run over an enterprise holds its nudges (300,000 at 100,000 people) until it delivers them: in the worker it
would add some 200 MB to a process that keeps the parser and its names (a worker of 276 MB peaked at 452-479
MB), and its long stretches of CPU would hold up the messages the worker processes. Apart, its memory goes back
to the system when it exits and it runs on a core of its own. The parent gives its settings on standard input
(not in the arguments: ``ps`` shows those to everyone) and its clock's instant as the argument.

Prints one JSON line: ``{"messages": M, "nudges": N}`` (what was queued), or ``{"busy": true}`` with exit
status 3 when another process holds the sweep lock.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import sys
from datetime import datetime

BUSY = 3


async def _run(settings: object, now: datetime) -> dict[str, object]:
    from bot import registry
    from bot.config import Settings
    from schedules.config import from_settings
    from schedules.runner import SweepsBusy, run_due
    from storage.db import create_database

    assert isinstance(settings, Settings)
    db = create_database(settings.database_url)
    try:
        swept = await run_due(db, now, registry.sweeps(), config=from_settings(settings))
    except SweepsBusy:
        return {"busy": True}
    finally:
        await db.dispose()
    return {"messages": len(swept.pushes), "nudges": len(swept)}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    now = datetime.fromisoformat(args[0])
    if now.tzinfo is None:
        print("bot.sweeprun: NOW must carry its UTC offset", file=sys.stderr)
        return 2
    settings = pickle.loads(sys.stdin.buffer.read())  # (from the parent process, over a pipe)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s [sweeps] %(name)s: %(message)s")
    result = asyncio.run(_run(settings, now))
    print(json.dumps(result), flush=True)
    return BUSY if result.get("busy") else 0


if __name__ == "__main__":
    raise SystemExit(main())
