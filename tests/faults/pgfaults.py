"""Helpers of the processing fault scenarios: real ``sijing serve`` processes on loopback, a fresh
PostgreSQL database of their own, the encrypted webhook driven like WeCom does (a retry after a 5xx),
and PostgreSQL faults limited to that one database (its connections terminated, new ones refused for a
while: what a restart looks like to the bot, without restarting the server other tests share)."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bot.demo import text_xml
from bot.fakewecom import FakeWeCom, serve
from bot.wecom.crypto import WeComCrypto
from handlers.people.importer import import_roster
from storage.db import create_database
from tests.conftest import PG_ADMIN_DSN, SAMPLE_ROSTER, _pg_template

ROOT = Path(__file__).resolve().parents[2]
HEAVY = os.environ.get("SIJING_FAULTS_HEAVY") == "1"
CORP, AGENT, SECRET, TOKEN = "wwfaults00000001", 1000002, "faults-secret", "faultstoken"
AES = base64.b64encode(b"f" * 32).decode().rstrip("=")
PEOPLE = ("wutao", "sunpeng", "zhaoyufei", "huangqing", "majing", "linyang")  # employees of the roster


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class PgDatabase:
    name: str
    url: str  # postgresql+asyncpg://…
    dsn: str  # for asyncpg

    async def admin(self) -> asyncpg.Connection:
        return await asyncpg.connect(PG_ADMIN_DSN)

    async def terminate(self) -> int:
        """Terminate every connection to this database (the servers', not ours)."""
        conn = await self.admin()
        try:
            rows = await conn.fetch("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                    "WHERE datname = $1 AND pid <> pg_backend_pid()", self.name)
            return len(rows)
        finally:
            await conn.close()

    @contextlib.asynccontextmanager
    async def down(self) -> AsyncIterator[None]:
        """While inside: connections terminated and new ones refused (a restart, for this database only)."""
        conn = await self.admin()
        try:
            await conn.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS false')
            await self.terminate()
            yield
        finally:
            await conn.execute(f'ALTER DATABASE "{self.name}" ALLOW_CONNECTIONS true')
            await conn.close()

    async def fetch(self, query: str, *args: Any) -> list[asyncpg.Record]:
        conn = await asyncpg.connect(self.dsn)
        try:
            return list(await conn.fetch(query, *args))
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def pg_database() -> AsyncIterator[PgDatabase]:
    """A fresh, migrated database with the test roster, dropped afterwards."""
    name = f"sijing_f_{uuid.uuid4().hex[:12]}"
    base = PG_ADMIN_DSN.rsplit("/", 1)[0]
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    template = await _pg_template(admin, base.replace("postgresql://", "postgresql+asyncpg://"))
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    pg = PgDatabase(name, f"{base.replace('postgresql://', 'postgresql+asyncpg://')}/{name}", f"{base}/{name}")
    try:
        db = create_database(pg.url)
        try:
            await import_roster(db, SAMPLE_ROSTER, datetime.now(timezone.utc))
        finally:
            await db.dispose()
        yield pg
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@contextlib.asynccontextmanager
async def fake_wecom() -> AsyncIterator[tuple[FakeWeCom, str]]:
    fake = FakeWeCom(corp_id=CORP, secret=SECRET, agent_id=AGENT)
    runner, api_base = await serve(fake)
    try:
        yield fake, api_base
    finally:
        await runner.cleanup()


@dataclass
class Server:
    """One ``sijing serve`` process (``args`` e.g. ``["--workers", "0"]``)."""

    db_url: str
    api_base: str
    args: list[str] = field(default_factory=list)
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Path | None = None
    root: Path = ROOT  # another checkout runs that version of the code (benchmarks: before and after)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return dict(os.environ, SIJING_DATABASE_URL=self.db_url, SIJING_WECOM_CORP_ID=CORP,
                    SIJING_WECOM_AGENT_ID=str(AGENT), SIJING_WECOM_SECRET=SECRET, SIJING_WECOM_TOKEN=TOKEN,
                    SIJING_WECOM_AES_KEY=AES, SIJING_WECOM_API_BASE=self.api_base, SIJING_SCHEDULER="false",
                    SIJING_RATE_PER_MINUTE="100000", SIJING_RATE_PER_HOUR="1000000",
                    # the sender's retries after the outage within the scenario's wait (default cap: 5 min)
                    SIJING_SEND_BACKOFF_CAP="2")

    async def start(self, log_dir: Path) -> Server:
        self.log = log_dir / f"serve-{self.port}.log"
        argv = [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
                *self.args]
        with self.log.open("wb") as out:
            self.proc = subprocess.Popen(argv, env=self.env(), cwd=self.root, stdout=out, stderr=subprocess.STDOUT,
                                         start_new_session=True)
        deadline = time.monotonic() + 60
        async with aiohttp.ClientSession() as http:
            while time.monotonic() < deadline:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"sijing serve exited: {self.log.read_text()[-2000:]}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"{self.url}/healthz") as resp:
                        if resp.status == 200 and (self.inline or "worker started" in self.log_text()):
                            return self
                await asyncio.sleep(0.2)
        raise RuntimeError("sijing serve did not start")

    async def stop(self) -> int:
        """SIGTERM, as a service manager does; the exit code."""
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else 0
        self.proc.send_signal(signal.SIGTERM)
        try:
            return await asyncio.to_thread(self.proc.wait, 90)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            return await asyncio.to_thread(self.proc.wait)

    @property
    def inline(self) -> bool:
        if "--workers" not in self.args:
            return self.root != ROOT  # an older checkout: one process did everything
        return self.args[self.args.index("--workers") + 1] == "0"

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log else ""


class Driver:
    """Sends signed, encrypted callbacks the way WeCom does: a 5xx or no answer is retried."""

    def __init__(self) -> None:
        self.crypto = WeComCrypto(TOKEN, AES, CORP)
        self.http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5))
        self.run = secrets.token_hex(3)
        self.acked: list[str] = []  # msg ids answered 200
        self.latencies: list[float] = []
        self.retries = 0

    async def close(self) -> None:
        await self.http.close()

    def body(self, user: str, content: str, msg_id: str) -> tuple[bytes, dict[str, str]]:
        return self.crypto.sign_body(text_xml(CORP, user, content, AGENT, msg_id), agent_id=AGENT)

    async def say(self, server: Server, user: str, content: str, seq: int, *, patience: float = 60.0) -> bool:
        msg_id = f"{self.run}{user}{seq:05d}"
        body, query = self.body(user, content, msg_id)
        deadline = time.monotonic() + patience
        while time.monotonic() < deadline:
            t0 = time.perf_counter()
            try:
                async with self.http.post(f"{server.url}/wecom/callback", params=query, data=body) as resp:
                    await resp.read()
                    status = resp.status
            except (aiohttp.ClientError, asyncio.TimeoutError):
                status = 0
            self.latencies.append(time.perf_counter() - t0)
            if status == 200:
                self.acked.append(msg_id)
                return True
            self.retries += 1
            await asyncio.sleep(0.3)
        return False


async def settle(pg: PgDatabase, expected_sent: int, fake: FakeWeCom, *, timeout: float = 60.0) -> None:
    """Wait until no inbox row is pending and either the fake has received ``expected_sent`` messages or
    no outbox row waits and nothing has reached the fake for 2 s (the rest is in doubt, failed, or left
    "sending" by a call whose outcome could not be recorded: the sender's to list)."""
    deadline = time.monotonic() + timeout
    seen, since = -1, time.monotonic()
    while time.monotonic() < deadline:
        if len(fake.sent) != seen:
            seen, since = len(fake.sent), time.monotonic()
        pending = (await pg.fetch("SELECT count(*) AS n FROM inbox WHERE status = 'pending'"))[0]["n"]
        waiting = (await pg.fetch("SELECT count(*) AS n FROM outbox WHERE status = 'pending'"))[0]["n"]
        if pending == 0 and (seen >= expected_sent or (waiting == 0 and time.monotonic() - since > 2.0)):
            return
        await asyncio.sleep(0.25)


@dataclass
class Outcome:
    """What the database and the fake say after a run: the counts every scenario asserts."""

    stored: int
    done: int
    failed: int
    pending: int
    out_of_order: int  # consecutive rows of one person (by arrival) processed the other way round
    replies_per_row: dict[int, int]
    apologies: int
    outbox: dict[str, int]  # rows by status

    @classmethod
    async def of(cls, pg: PgDatabase, fake: FakeWeCom) -> Outcome:
        rows = await pg.fetch("SELECT id, from_user, status, processed_at FROM inbox ORDER BY id")
        last: dict[str, datetime] = {}
        out_of_order = 0
        for r in rows:
            if r["processed_at"] is None:
                continue
            before = last.get(r["from_user"])
            if before is not None and r["processed_at"] < before:
                out_of_order += 1
            last[r["from_user"]] = r["processed_at"]
        per_row = {r["inbox_id"]: r["n"] for r in await pg.fetch(
            "SELECT inbox_id, count(*) AS n FROM outbox WHERE inbox_id IS NOT NULL GROUP BY inbox_id")}
        status = [r["status"] for r in rows]
        out = {r["status"]: r["n"] for r in await pg.fetch("SELECT status, count(*) AS n FROM outbox GROUP BY status")}
        return cls(outbox=out, stored=len(rows), done=status.count("done"), failed=status.count("failed"),
                   pending=status.count("pending"), out_of_order=out_of_order, replies_per_row=per_row,
                   apologies=sum("抱歉，处理您的消息时出了点问题" in t for t in _texts(fake)))


def _texts(fake: FakeWeCom) -> list[str]:
    out = []
    for item in fake.sent:
        body = item.get("text") if isinstance(item, dict) else None
        if isinstance(body, dict):
            out.append(str(body.get("content", "")))
    return out


def laughs_utf16(levels: int = 9) -> bytes:
    """A billion-laughs envelope encoded as UTF-16 (what a byte-level DOCTYPE check does not see)."""
    ents = ['<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'] + [
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(levels)]
    doc = (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE xml [{"".join(ents)}]>'
           f'<xml><ToUserName>x</ToUserName><Encrypt>&{chr(97 + levels)};</Encrypt></xml>')
    return doc.encode("utf-16")


@dataclass
class Flood:
    valid: list[float] = field(default_factory=list)  # seconds per valid callback (all answered 200)
    valid_statuses: list[int] = field(default_factory=list)
    junk: list[float] = field(default_factory=list)
    junk_statuses: list[int] = field(default_factory=list)


async def dtd_flood(server: Server, driver: Driver, *, per_second: int = 30, seconds: float = 4.0,
                    valid_every: float = 0.2) -> Flood:
    """``per_second`` unsigned UTF-16 DTD requests while valid callbacks arrive every ``valid_every`` s."""
    flood = Flood()
    junk = laughs_utf16()
    _b, query = driver.body("wutao", "x", "q")
    url = f"{server.url}/wecom/callback"
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))

    async def post(body: bytes, q: dict[str, str], times: list[float], statuses: list[int]) -> None:
        t0 = time.perf_counter()
        try:
            async with http.post(url, params=q, data=body) as resp:
                await resp.read()
                statuses.append(resp.status)
        except (aiohttp.ClientError, asyncio.TimeoutError):
            statuses.append(0)
        times.append(time.perf_counter() - t0)

    tasks: list[asyncio.Task[None]] = []
    start = time.monotonic()
    n_junk = int(per_second * seconds)
    n_valid = int(seconds / valid_every)
    events = sorted([(i / per_second, "junk", i) for i in range(n_junk)] +
                    [(i * valid_every + valid_every / 2, "valid", i) for i in range(n_valid)])
    for at, kind, i in events:
        await asyncio.sleep(max(0.0, start + at - time.monotonic()))
        if kind == "junk":
            tasks.append(asyncio.create_task(post(junk, query, flood.junk, flood.junk_statuses)))
        else:
            body, q = driver.body("wutao", f"洪水中的消息{i}", f"{driver.run}flood{i:04d}")
            tasks.append(asyncio.create_task(post(body, q, flood.valid, flood.valid_statuses)))
    await asyncio.gather(*tasks)
    await http.close()
    return flood
