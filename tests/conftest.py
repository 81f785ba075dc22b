"""Fixtures: databases (SQLite and PostgreSQL), a fake WeCom API on loopback, the real app."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import secrets
import shutil
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select
from aiohttp import web
from aiohttp.test_utils import TestClient

from bot import keys
from bot.app import create_app, directory_changes_job
from bot.config import Settings, load_settings
from bot.demo import text_xml
from bot.fakewecom import FakeWeCom, serve
from bot.nlu import Parser
from handlers.people.importer import import_roster
from bot.wecom.crypto import WeComCrypto
from storage.db import Database, create_database
from storage.migrate import upgrade
from storage import outbox
from storage.models import OutboxRow

PG_ADMIN_DSN = os.environ.get("SIJING_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
# Throwaway databases need no fsync per commit (still safe against a killed process; storage/db.py).
os.environ.setdefault("SIJING_SQLITE_SYNCHRONOUS", "OFF")
SAMPLE_ROSTER = Path(__file__).parent / "data" / "roster.csv"


def _pg_available() -> bool:
    async def probe() -> bool:
        try:
            conn = await asyncpg.connect(PG_ADMIN_DSN, timeout=3)
        except (OSError, asyncpg.PostgresError):
            return False
        await conn.close()
        return True
    return asyncio.run(probe())


_PG_OK: bool | None = None


_TEMPLATES: dict[str, str] = {}


async def _migrated(url: str) -> None:
    db = create_database(url)
    try:
        await upgrade(db)
    finally:
        await db.dispose()


async def _sqlite_template(tmp_root: Path) -> Path:
    """Migrating takes a while; every test copies one migrated, empty file instead."""
    if "sqlite" not in _TEMPLATES:
        path = tmp_root / "template.db"
        await _migrated(f"sqlite+aiosqlite:///{path}")
        _TEMPLATES["sqlite"] = str(path)
    return Path(_TEMPLATES["sqlite"])


async def _pg_template(admin: asyncpg.Connection, base: str) -> str:
    if "postgresql" not in _TEMPLATES:
        name = f"sijing_tpl_{os.getpid()}"
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.execute(f'CREATE DATABASE "{name}"')
        await _migrated(f"{base}/{name}")
        _TEMPLATES["postgresql"] = name
    return _TEMPLATES["postgresql"]


@pytest.fixture(scope="session", autouse=True)
def _drop_templates() -> Iterator[None]:
    yield
    names = list(_PG_FREE) + [name for key, name in _TEMPLATES.items() if key.startswith("postgresql")]
    if names:
        async def drop() -> None:
            admin = await asyncpg.connect(PG_ADMIN_DSN)
            for name in reversed(names):  # the prefilled ones first: they were made from the migrated one
                await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        asyncio.run(drop())


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Storage tests run on SQLite and PostgreSQL; conversations through the ``bot`` fixture run on
    SQLite only, unless marked ``both_databases`` (races, locking, numbering: what the database decides)."""
    if "db_kind" not in metafunc.fixturenames:
        return
    chat = "bot" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_databases") is None
    metafunc.parametrize("db_kind", ["sqlite"] if chat else ["sqlite", "postgresql"], indirect=True)


@pytest.fixture
def db_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def database_url(db_kind: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    """A fresh database of the test's kind: migrated to head, no rows."""
    global _PG_OK
    if db_kind == "sqlite":
        template = await _sqlite_template(tmp_path_factory.getbasetemp())
        shutil.copyfile(template, tmp_path / "bot.db")
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    if _PG_OK is None:
        _PG_OK = await asyncio.to_thread(_pg_available)
    if not _PG_OK:
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_ADMIN_DSN}")
        pytest.skip("PostgreSQL not reachable")
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        if _PG_FREE:
            name = _PG_FREE.pop()
        else:
            name = f"sijing_t_{os.getpid()}_{uuid.uuid4().hex[:8]}"
            await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{await _pg_template(admin, base)}"')
    finally:
        await admin.close()
    try:
        yield f"{base}/{name}"
    finally:
        await _pg_release(name)


# PostgreSQL databases of this test process, emptied after their test and ready for the next one. Creating
# one from the template costs ~0.5 s of server time (a copy of every file, through the WAL), emptying it
# ~20 ms: 179 tests on PostgreSQL paid a minute and a half for it.
_PG_FREE: list[str] = []
_PG_SNAPSHOT: dict[str, Any] = {}  # what the migrated template holds: its tables, rows and sequences


async def _snapshot(conn: asyncpg.Connection) -> dict[str, Any]:
    tables = sorted(r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    rows = {t: await conn.fetch(f'SELECT * FROM "{t}"') for t in tables}
    sequences = {r[0]: r[1] for r in await conn.fetch(
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'")}
    return {"tables": tables, "rows": {t: r for t, r in rows.items() if r}, "sequences": sequences,
            "shape": await _shape(conn)}


async def _shape(conn: asyncpg.Connection) -> tuple[Any, ...]:
    """The schema in brief (tables, columns, indexes, sequences, revision): changed by a test, the database
    is dropped rather than reused."""
    shape = []
    for query in ("SELECT table_name, column_name, data_type FROM information_schema.columns "
                  "WHERE table_schema = 'public' ORDER BY 1, 2",
                  "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1",
                  "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public' ORDER BY 1",
                  "SELECT version_num FROM alembic_version ORDER BY 1"):
        shape.append(tuple(tuple(r) for r in await conn.fetch(query)))
    return tuple(shape)


async def _pg_release(name: str) -> None:
    """Empty ``name`` back to what the template holds, for the next test; drop it instead when that cannot
    be done safely (its schema changed: a migration test; a connection still open; not a superuser)."""
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    try:
        await admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = $1 AND pid <> pg_backend_pid()", name)
        try:
            conn = await asyncpg.connect(f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{name}")
        except (OSError, asyncpg.PostgresError):
            conn = None
        if conn is not None:
            try:
                if await _emptied(conn):
                    _PG_FREE.append(name)
                    return
            except asyncpg.PostgresError:
                pass
            finally:
                await conn.close()
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


async def _emptied(conn: asyncpg.Connection) -> bool:
    if "tables" not in _PG_SNAPSHOT:
        template = await asyncpg.connect(f"{PG_ADMIN_DSN.rsplit('/', 1)[0]}/{_TEMPLATES['postgresql']}")
        try:
            _PG_SNAPSHOT.update(await _snapshot(template))
        finally:
            await template.close()
    if await _shape(conn) != _PG_SNAPSHOT["shape"]:
        return False
    async with conn.transaction():
        await conn.execute("SET LOCAL session_replication_role = replica")  # no foreign-key order to follow
        for table in _PG_SNAPSHOT["tables"]:
            await conn.execute(f'DELETE FROM "{table}"')
        for table, rows in _PG_SNAPSHOT["rows"].items():
            await conn.copy_records_to_table(table, records=[tuple(r.values()) for r in rows],
                                             columns=list(rows[0].keys()))
        for seq, last in _PG_SNAPSHOT["sequences"].items():
            if last is None:
                await conn.execute(f'ALTER SEQUENCE "{seq}" RESTART')
            else:
                await conn.execute("SELECT setval($1, $2, true)", seq, last)
    return True


@pytest.fixture
async def fake_wecom() -> AsyncIterator[tuple[FakeWeCom, str]]:
    fake = FakeWeCom(corp_id="wwtestcorp000001", secret="test-secret", agent_id=1000002)
    runner, api_base = await serve(fake)
    yield fake, api_base
    await runner.cleanup()


def make_settings(database_url: str, api_base: str, **over: Any) -> Settings:
    values: dict[str, Any] = dict(
        database_url=database_url,
        wecom_corp_id="wwtestcorp000001",
        wecom_agent_id=1000002,
        wecom_secret="test-secret",
        wecom_token="testtoken123",
        wecom_aes_key=base64.b64encode(b"k" * 32).decode().rstrip("="),
        wecom_api_base=api_base,
        admin_token="admin-secret",
    )
    values.update(over)
    return load_settings(env={}, **values)


class Clock:
    """A controllable clock for the app (aware UTC)."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 25, 1, 40, tzinfo=timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Bot:
    """The real app behind a test client, with helpers that speak WeCom's protocol."""

    client: TestClient
    app: web.Application
    fake: FakeWeCom
    settings: Settings
    clock: Clock
    crypto: WeComCrypto = field(init=False)
    _seq: int = 0

    def __post_init__(self) -> None:
        s = self.settings
        self.crypto = WeComCrypto(s.wecom_token, s.wecom_aes_key, s.wecom_corp_id)

    def text_body(self, user: str, content: str, msg_id: str | None = None) -> tuple[bytes, dict[str, str]]:
        self._seq += 1
        xml = text_xml(self.settings.wecom_corp_id, user, content, self.settings.wecom_agent_id,
                       msg_id or f"{time.time_ns()}{self._seq}")
        return self.crypto.sign_body(xml, agent_id=self.settings.wecom_agent_id)

    async def post(self, body: bytes, query: dict[str, str]) -> Any:
        return await self.client.post("/wecom/callback", params=query, data=body)

    async def say(self, user: str, content: str, msg_id: str | None = None) -> int:
        body, query = self.text_body(user, content, msg_id)
        resp = await self.post(body, query)
        return resp.status

    async def click(self, user: str, key: str, task_id: str = "task") -> list[str]:
        """Press a template-card button (a ``template_card_event``); returns texts that reached ``user``."""
        self._seq += 1
        xml = (f"<xml><ToUserName><![CDATA[{self.settings.wecom_corp_id}]]></ToUserName>"
               f"<FromUserName><![CDATA[{user}]]></FromUserName><CreateTime>{int(time.time()) + self._seq}</CreateTime>"
               f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[template_card_event]]></Event>"
               f"<EventKey><![CDATA[{key}]]></EventKey><TaskId><![CDATA[{task_id}]]></TaskId>"
               f"<CardType><![CDATA[button_interaction]]></CardType><ResponseCode><![CDATA[rc{self._seq}]]></ResponseCode>"
               f"<AgentID>{self.settings.wecom_agent_id}</AgentID></xml>")
        before = len(self.fake.to(user))
        body, query = self.crypto.sign_body(xml, agent_id=self.settings.wecom_agent_id)
        assert (await self.post(body, query)).status == 200
        await self.flush()
        return self.fake.texts(user)[before:]

    async def flush(self) -> None:
        """Process everything stored and deliver everything due, without sleeping."""
        for _ in range(50):
            await self.app[keys.PROCESSOR].drain()
            sent = await self.app[keys.SENDER].run_once()
            if not sent and not self.app[keys.PROCESSOR].backlog:
                return
        raise AssertionError("pipeline did not settle")

    async def chat(self, user: str, content: str) -> list[str]:
        """Send a text and return the texts that reached ``user`` because of it."""
        before = len(self.fake.to(user))
        assert await self.say(user, content) == 200
        await self.flush()
        return self.fake.texts(user)[before:]

    async def contact(self, xml: str) -> int:
        """WeCom's ``change_contact`` callback (``bot.fake.directory``'s change methods return one) through
        the encrypted webhook; then the queued change is applied and everything due delivered."""
        body, query = self.crypto.sign_body(xml, agent_id=self.settings.wecom_agent_id)
        status = (await self.post(body, query)).status
        await self.flush()
        await directory_changes_job(self.app)
        await self.flush()
        return int(status)

    async def fallbacks(self, user: str) -> list[str]:
        """The text fallbacks of the cards queued for ``user``, in order (sent only if WeCom refuses a card)."""
        async with self.app[keys.DB].sessions() as session:
            bodies = (await session.execute(select(OutboxRow.body).where(
                OutboxRow.recipient == user, OutboxRow.msg_type == "template_card").order_by(OutboxRow.id))).scalars()
            return [json.loads(b)["fallback"]["text"]["content"] for b in bodies if "fallback" in json.loads(b)]

    async def outbox_counts(self) -> dict[str, int]:
        async with self.app[keys.DB].sessions() as session:
            return await outbox.count_by_status(session)


@pytest.fixture(scope="session")
def parser() -> Parser:
    """Loading jieba and the model takes a second: once per test run."""
    return Parser.load()


@pytest.fixture
def clock() -> Clock:
    return Clock()


Build = Callable[[Database], Awaitable[object]]


async def prefill(database_url: str, label: str, build: Build) -> None:
    """Make the fresh, empty database at ``database_url`` hold what ``build`` writes. On SQLite without
    running it here: ``build`` runs once per test process and ``label`` on a copy of the migrated template,
    and every test asking for the same ``label`` gets a copy of that file. ``label`` must name everything
    ``build`` depends on (e.g. the clock's instant).
    Call it before anything connects to ``database_url``."""
    prefix = "sqlite+aiosqlite:///"
    if database_url.startswith(prefix):
        key = f"sqlite+{label}"
        if key not in _TEMPLATES:
            target = Path(database_url.removeprefix(prefix))
            path = target.parent.parent / f"template-{uuid.uuid4().hex[:8]}.db"
            shutil.copyfile(await _sqlite_template(target.parent.parent), path)
            await _built(f"{prefix}{path}", build)
            _TEMPLATES[key] = str(path)
        shutil.copyfile(_TEMPLATES[key], database_url.removeprefix(prefix))
        return
    # PostgreSQL: the test's database is one emptied after an earlier test (see database_url), not a fresh
    # copy of a template; building here costs what copying a prefilled template would
    await _built(database_url, build)


async def _built(url: str, build: Build) -> None:
    db = create_database(url)
    try:
        await build(db)
    finally:
        await db.dispose()


def with_roster(at: datetime) -> Build:
    """The sample roster imported as of ``at`` (what most conversation tests start from)."""
    async def build(db: Database) -> None:
        await import_roster(db, SAMPLE_ROSTER, at)
    return build


@pytest.fixture
async def bot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
              parser: Parser, tmp_path_factory: pytest.TempPathFactory) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)
    # the rows the roster import writes, copied (the import runs once per process and instant)
    await prefill(database_url, f"roster@{clock().isoformat()}", with_roster(clock()))
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    return Bot(client, app, fake, settings, clock)


def random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")

