"""Black-box fault injection: real ``sijing serve`` subprocesses against the fake WeCom on loopback.

A :class:`Deployment` is one database (SQLite file or a fresh PostgreSQL database), the fake WeCom
(in this process, its fault knobs in ``bot.fakefaults``) and any number of server processes. Messages go
in through the real encrypted webhook; :meth:`Deployment.ledger` counts, from the database and from what
the fake recorded, what was lost, duplicated or left in doubt.

``SIJING_HEAVY=1`` scales the scenarios to 1,000 messages. ``SIJING_FAULTS_CODE=<dir>`` runs the servers
from another checkout of the code (how the "before" column of docs/OPERATIONS.md was measured).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import sqlite3
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import asyncpg

from bot.demo import text_xml
from bot.fakewecom import FakeWeCom, serve
from bot.wecom.crypto import WeComCrypto

HEAVY = os.environ.get("SIJING_HEAVY") == "1"
CODE = os.environ.get("SIJING_FAULTS_CODE")  # another checkout to run the servers from
PG_ADMIN_DSN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
CORP, AGENT, SECRET, TOKEN = "wwfaultcorp00001", 1000002, "fault-secret", "faulttoken1"
AES = base64.b64encode(b"f" * 32).decode().rstrip("=")
ROOT = Path(__file__).resolve().parents[2]


def scaled(n: int) -> int:
    """``n`` messages normally, 1,000 with SIJING_HEAVY=1."""
    return 1000 if HEAVY else n


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Ledger:
    """What happened to every reply: ``expected`` (one per message acknowledged), the outbox rows by
    status, what the fake WeCom received, and what that makes lost, duplicated or in doubt."""

    acked: int
    rows: Counter[str]
    received: int
    lost: int
    duplicated: int
    in_doubt: int
    in_doubt_sent: int
    listed: int  # in-doubt rows /healthz lists

    def line(self) -> str:
        return (f"acked={self.acked} rows={dict(self.rows)} received={self.received} lost={self.lost} "
                f"duplicated={self.duplicated} in_doubt={self.in_doubt} (of which sent {self.in_doubt_sent})")


_STARTING = threading.BoundedSemaphore(2)


class Server:
    """One ``sijing serve`` process."""

    def __init__(self, dep: Deployment, env: dict[str, str]) -> None:
        self.dep = dep
        self.port = free_port()
        self.env = env
        self.proc: asyncio.subprocess.Process | None = None
        self.log = dep.folder / f"serve-{self.port}.log"
        self.url = f"http://127.0.0.1:{self.port}"

    async def start(self, timeout: float = 180.0) -> Server:
        await asyncio.to_thread(_STARTING.acquire)  # start-up is CPU-bound: two at a time
        try:
            return await self._start(timeout)
        finally:
            _STARTING.release()

    async def _start(self, timeout: float) -> Server:
        out = self.log.open("ab")
        self.proc = await asyncio.create_subprocess_exec(
            # --workers 0: this process sends itself, so a signal to it is a signal to its sender (the
            # default PostgreSQL shape, a web process and a worker, is the processing scenarios')
            sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(self.port),
            *(() if CODE else ("--workers", "0")), env=self.env, cwd=self.dep.folder, stdout=out, stderr=asyncio.subprocess.STDOUT)
        out.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                raise AssertionError(f"sijing serve exited {self.proc.returncode}:\n{self.log.read_text()[-3000:]}")
            try:
                await self.health()
                return self
            except (aiohttp.ClientError, OSError):
                await asyncio.sleep(0.1)
        raise AssertionError(f"sijing serve did not come up:\n{self.log.read_text()[-3000:]}")

    async def health(self) -> dict[str, Any]:
        async with self.dep.http.get(self.url + "/healthz") as resp:
            return dict(await resp.json())

    async def terminate(self, timeout: float = 120.0) -> int:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.proc.wait(), timeout)

    async def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        await self.proc.wait()  # reaped: its pid is gone, as after a real crash


@dataclass
class Deployment:
    kind: str
    url: str
    folder: Path
    fake: FakeWeCom
    api_base: str
    http: aiohttp.ClientSession
    crypto: WeComCrypto = field(init=False)
    servers: list[Server] = field(default_factory=list)
    arrivals: list[tuple[float, str]] = field(default_factory=list)  # (monotonic, touser) of every message sent
    acked: int = 0
    _seq: int = 0

    def __post_init__(self) -> None:
        self.crypto = WeComCrypto(TOKEN, AES, CORP)
        self.fake.listeners.append(lambda body: self.arrivals.append((time.monotonic(), str(body.get("touser")))))

    def env(self, **over: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SIJING_")}
        env.update(SIJING_DATABASE_URL=self.url, SIJING_WECOM_CORP_ID=CORP, SIJING_WECOM_AGENT_ID=str(AGENT),
                   SIJING_WECOM_SECRET=SECRET, SIJING_WECOM_TOKEN=TOKEN, SIJING_WECOM_AES_KEY=AES,
                   SIJING_WECOM_API_BASE=self.api_base, SIJING_SCHEDULER="off", SIJING_SEND_BACKOFF_CAP="2",
                   SIJING_SEND_GRACE="10", PYTHONPATH=CODE or str(ROOT))
        env.update(over)
        return env

    async def start(self, **env: str) -> Server:
        server = Server(self, self.env(**env))
        self.servers.append(server)
        return await server.start()

    async def say(self, server: Server, user: str, text: str) -> int:
        self._seq += 1
        xml = text_xml(CORP, user, text, AGENT, f"{time.time_ns()}{self._seq}")
        body, query = self.crypto.sign_body(xml, agent_id=AGENT)
        try:
            async with self.http.post(server.url + "/wecom/callback", params=query, data=body) as resp:
                await resp.read()
                ok = resp.status == 200
        except (aiohttp.ClientError, OSError):
            return 0
        self.acked += ok
        return int(ok)

    async def drive(self, server: Server, users: list[str], per_user: int, *, text: str = "帮助",
                    spacing: float = 0.0) -> int:
        """``per_user`` messages from each user (users in parallel, each one's in order)."""
        async def one(user: str) -> int:
            n = 0
            for _ in range(per_user):
                n += await self.say(server, user, text)
                if spacing:
                    await asyncio.sleep(spacing)
            return n
        return sum(await asyncio.gather(*(one(u) for u in users)))

    # -- the database, read directly -------------------------------------------------------------

    async def query(self, sql: str) -> list[tuple[Any, ...]]:
        if self.kind == "sqlite":
            path = self.url.split("///", 1)[1]
            def run() -> list[tuple[Any, ...]]:
                with sqlite3.connect(path, timeout=30) as conn:
                    return list(conn.execute(sql))
            return await asyncio.to_thread(run)
        conn = await asyncpg.connect(self.url.replace("+asyncpg", ""))
        try:
            return [tuple(r) for r in await conn.fetch(sql)]
        finally:
            await conn.close()

    async def outbox(self) -> Counter[str]:
        return Counter({s: n for s, n in await self.query("SELECT status, count(*) FROM outbox GROUP BY status")})

    async def claimed_by(self, server: Server) -> dict[str, int]:
        """Rows ``server``'s process claimed and left ``sending`` or ``in_doubt``, by status."""
        assert server.proc is not None
        rows = await self.query("SELECT status, count(*) FROM outbox WHERE status IN ('sending', 'in_doubt') "
                                f"AND claimed_by LIKE '%:{server.proc.pid}:%' GROUP BY status")
        return {s: n for s, n in rows}

    async def settled(self, timeout: float = 60.0, *, allow_pending: bool = False) -> Counter[str]:
        """Wait until every stored message is processed and no reply is pending or being sent."""
        deadline = time.monotonic() + timeout
        while True:
            inbox = dict(await self.query("SELECT status, count(*) FROM inbox GROUP BY status"))
            rows = await self.outbox()
            busy = inbox.get("pending", 0) + rows.get("sending", 0) + (0 if allow_pending else rows.get("pending", 0))
            if not busy or time.monotonic() > deadline:
                return rows
            await asyncio.sleep(0.25)

    async def ledger(self, server: Server | None = None) -> Ledger:
        """Count, per recipient, replies received against outbox rows sent or in doubt."""
        rows = await self.query("SELECT id, recipient, status FROM outbox WHERE status <> 'dropped'")
        by_status = Counter(status for _, _, status in rows)
        received = Counter(to for _, to in self.arrivals)
        lost = duplicated = doubt_sent = 0
        for user in {r for _, r, _ in rows} | set(received):
            sent = sum(1 for _, r, s in rows if r == user and s == "sent")
            doubt = sum(1 for _, r, s in rows if r == user and s in ("in_doubt", "sending"))
            got = received[user]
            duplicated += max(0, got - sent - doubt)
            doubt_sent += min(doubt, max(0, got - sent))
        lost = self.acked - by_status["sent"] - by_status["in_doubt"]
        listed = 0
        if server is not None and by_status["in_doubt"]:
            listed = len((await server.health()).get("in_doubt", []))
        return Ledger(self.acked, by_status, sum(received.values()), max(0, lost), duplicated,
                      by_status["in_doubt"], doubt_sent, listed)

    def max_per_minute(self) -> int:
        """The most messages any one person received in any 60 s."""
        best = 0
        by_user: dict[str, list[float]] = {}
        for t, u in self.arrivals:
            by_user.setdefault(u, []).append(t)
        for times in by_user.values():
            times.sort()
            j = 0
            for i, t in enumerate(times):
                while t - times[j] >= 60.0:
                    j += 1
                best = max(best, i - j + 1)
        return best


_TEMPLATES: dict[str, str] = {}
PG_BASE = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")


_MIGRATING = asyncio.Lock()  # alembic keeps its context in module globals: one migration at a time


async def _migrated(url: str) -> None:
    from storage.db import create_database
    from storage.migrate import upgrade

    async with _MIGRATING:
        db = create_database(url)
        try:
            await upgrade(db)
        finally:
            await db.dispose()


async def _template(kind: str, admin: asyncpg.Connection | None, folder: Path) -> str | None:
    """A migrated empty database to copy (the servers' start-up then has nothing to migrate); none
    when the servers run another checkout (SIJING_FAULTS_CODE), which migrates its own schema."""
    if CODE:
        return None
    if kind not in _TEMPLATES:
        if kind == "sqlite":
            path = folder.parent / f"faults-template-{os.getpid()}.db"
            path.unlink(missing_ok=True)
            await _migrated(f"sqlite+aiosqlite:///{path}")
            _TEMPLATES[kind] = str(path)
        else:
            assert admin is not None
            name = f"sijing_ftpl_{os.getpid()}"
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.execute(f'CREATE DATABASE "{name}"')
            await _migrated(f"{PG_BASE}/{name}")
            _TEMPLATES[kind] = name
    return _TEMPLATES[kind]


async def prepare_templates(folder: Path, kinds: tuple[str, ...] = ("sqlite", "postgresql")) -> None:
    """Make the templates up front (alembic is not safe to run twice at once in one process)."""
    admin = await asyncpg.connect(PG_ADMIN_DSN) if "postgresql" in kinds else None
    try:
        for kind in kinds:
            await _template(kind, admin, folder)
    finally:
        if admin is not None:
            await admin.close()


async def drop_templates() -> None:
    if name := _TEMPLATES.pop("postgresql", None):
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@asynccontextmanager
async def deployment(kind: str, folder: Path) -> AsyncIterator[Deployment]:
    fake = FakeWeCom(corp_id=CORP, secret=SECRET, agent_id=AGENT)
    runner, api_base = await serve(fake)
    admin = None
    name = f"sijing_f_{uuid.uuid4().hex[:10]}"
    if kind == "sqlite":
        path = folder / "faults.db"
        if (template := await _template(kind, None, folder)) is not None:
            shutil.copyfile(template, path)
        url = f"sqlite+aiosqlite:///{path}"
    else:
        admin = await asyncpg.connect(PG_ADMIN_DSN)
        template = await _template(kind, admin, folder)
        await admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        url = f"{PG_BASE}/{name}"
    http = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
    dep = Deployment(kind, url, folder, fake, api_base, http)
    if CODE:  # no template: migrate once, before any server starts (two at once would race on the DDL)
        proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "bot.cli", "db", "upgrade", env=dep.env(),
                                                    cwd=folder, stdout=asyncio.subprocess.DEVNULL)
        assert await proc.wait() == 0
    try:
        yield dep
    finally:
        for server in dep.servers:
            if server.proc is not None and server.proc.returncode is None:
                await server.kill()
        await http.close()
        await runner.cleanup()
        if admin is not None:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


def report(name: str, ledger: Ledger, **extra: object) -> None:
    """One line per scenario on stdout (``pytest -s``) and in $SIJING_FAULTS_REPORT, for the docs table."""
    line = json.dumps({"scenario": name, **ledger.__dict__, "rows": dict(ledger.rows), **extra}, ensure_ascii=False)
    print(line)
    if target := os.environ.get("SIJING_FAULTS_REPORT"):
        with open(target, "a", encoding="utf-8") as out:
            out.write(line + "\n")
