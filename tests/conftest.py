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
from collections.abc import AsyncIterator, Iterator
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
from storage.db import create_database
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
    name = _TEMPLATES.get("postgresql")
    if name:
        async def drop() -> None:
            admin = await asyncpg.connect(PG_ADMIN_DSN)
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
    name = f"sijing_t_{uuid.uuid4().hex[:12]}"
    base = PG_ADMIN_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    admin = await asyncpg.connect(PG_ADMIN_DSN)
    template = await _pg_template(admin, base)
    await admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"{base}/{name}"
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


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


async def _sqlite_with_roster(tmp_root: Path, at: datetime) -> Path:
    """The migrated template with the sample roster imported (as of the default clock): most
    conversation tests start from it, so the import runs once per test process, not once per test."""
    if "sqlite+roster" not in _TEMPLATES:
        path = tmp_root / "template-roster.db"
        shutil.copyfile(await _sqlite_template(tmp_root), path)
        db = create_database(f"sqlite+aiosqlite:///{path}")
        try:
            await import_roster(db, SAMPLE_ROSTER, at)
        finally:
            await db.dispose()
        _TEMPLATES["sqlite+roster"] = str(path)
    return Path(_TEMPLATES["sqlite+roster"])


@pytest.fixture
async def bot(database_url: str, fake_wecom: tuple[FakeWeCom, str], aiohttp_client: Any, clock: Clock,
              parser: Parser, tmp_path_factory: pytest.TempPathFactory) -> Bot:
    fake, api_base = fake_wecom
    settings = make_settings(database_url, api_base)
    prefix = "sqlite+aiosqlite:///"
    imported = database_url.startswith(prefix) and clock() == Clock()()
    if imported:  # the same rows the import below would write, copied
        template = await _sqlite_with_roster(tmp_path_factory.getbasetemp(), clock())
        shutil.copyfile(template, database_url.removeprefix(prefix))
    app = create_app(settings, clock=clock, run_sender=False, parser=parser)
    client = await aiohttp_client(app)
    if not imported:
        await import_roster(app[keys.DB], SAMPLE_ROSTER, clock())
    return Bot(client, app, fake, settings, clock)


def random_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode().rstrip("=")

