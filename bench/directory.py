"""Directory sync (通讯录) at scale against the fake WeCom on loopback: the first sync (every member new,
one ``user/get`` each), an unchanged second sync, and one with a few changes (moves, leavers, renames).

The fake runs in this process, so ``user/get`` costs what loopback HTTP costs, and calls are not paced
(production paces them at 150/s under WeCom's limits: 100,000 new members take about 11 minutes there).

    python bench/directory.py [--members 20000] [--db sqlite,postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import os
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import load_settings  # noqa: E402
from bot.fakewecom import FakeWeCom, serve  # noqa: E402
from bot.wecom.directory import Pace, reader_for  # noqa: E402
from handlers.people.directory import sync  # noqa: E402
from handlers.people.mapping import read_mapping  # noqa: E402
from storage.db import create_database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

PG_ADMIN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


async def one(kind: str, members: int, tmp: Path) -> None:
    fake = FakeWeCom(corp_id="wwbench000000001", secret="s", agent_id=1)
    branches, teams = max(1, members // 1000), 10
    mapping = tmp / "mapping.csv"
    mapping.write_text(fake.directory.populate(branches, teams, members // (branches * teams)), encoding="utf-8")
    fake.directory.page_size = 10000
    runner, api_base = await serve(fake)
    name = None
    if kind == "sqlite":
        url = f"sqlite+aiosqlite:///{tmp / f'bench-{uuid.uuid4().hex[:6]}.db'}"
    else:
        name = f"sijing_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(PG_ADMIN)
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        url = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://") + f"/{name}"
    settings = load_settings(env={}, database_url=url, wecom_corp_id=fake.corp_id, wecom_agent_id=1, wecom_secret="s",
                             wecom_token="bench1", wecom_aes_key=base64.b64encode(b"k" * 32).decode().rstrip("="),
                             wecom_api_base=api_base)
    db = create_database(settings.database_url)
    try:
        await upgrade(db)
        async with aiohttp.ClientSession() as http:
            async def timed(label: str, **flags: bool) -> None:
                reader = reader_for(settings, http, db, pace=Pace(per_second=None))
                started = time.monotonic()
                report = await sync(db, reader, read_mapping(mapping), datetime.now(timezone.utc), **flags)
                p = report.plan
                print(f"{kind:10} {label:28} {time.monotonic() - started:7.1f}s  user/get {reader.calls['user/get']:6}  "
                      f"+{len(p.create)} ~{len(p.update)} >{len(p.move)} -{len(p.retire)}")
            await timed(f"first sync of {len(fake.directory.members)}")
            await timed("unchanged")
            users = sorted(fake.directory.members)
            for userid in users[:50]:
                fake.directory.move_member(userid, fake.directory.members[users[-1]].main)
            for userid in users[50:100]:
                del fake.directory.members[userid]
            for userid in users[100:150]:
                fake.directory.members[userid].name += "新"
            await timed("50 moved, 50 left, 50 renamed", full=False)
            await timed("the same, every name (--full)", full=True)
    finally:
        await db.dispose()
        await runner.cleanup()
        if name:
            admin = await asyncpg.connect(PG_ADMIN)
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--db", default="sqlite,postgresql")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for kind in args.db.split(","):
            await one(kind, args.members, Path(tmp))


if __name__ == "__main__":
    asyncio.run(main())
