"""Engine and session factory; SQLite is tuned for a durable, concurrent default."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from storage.scope import KEY as SCOPE_KEY
from storage.scope import ScopedSession

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/sijing.db"


def normalise_database_url(url: str) -> str:
    """Pick the async driver for bare ``sqlite://`` / ``postgresql://`` URLs."""
    if url.startswith("sqlite://"):
        return "sqlite+aiosqlite://" + url[len("sqlite://"):]
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


@dataclass(frozen=True)
class Database:
    """What the rest of the app needs of the database."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def session(self, branch: int | None) -> AsyncSession:
        """A session scoped to ``branch`` (``storage.scope``); ``None``: every branch."""
        return self.sessions(info={SCOPE_KEY: branch})

    async def dispose(self) -> None:
        await self.engine.dispose()


def _sqlite_synchronous() -> str:
    value = os.environ.get("SIJING_SQLITE_SYNCHRONOUS", "FULL").upper()
    if value not in ("FULL", "NORMAL", "OFF"):
        raise ValueError(f"SIJING_SQLITE_SYNCHRONOUS must be FULL, NORMAL or OFF, not {value!r}")
    return value


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    # FULL: a committed row survives power loss, not just a crash of the process (the test suite's
    # throwaway databases use SIJING_SQLITE_SYNCHRONOUS=OFF: no fsync, still safe against kill -9).
    cur.execute(f"PRAGMA synchronous={_sqlite_synchronous()}")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()
    # Take transactions into our hands so every one starts with BEGIN IMMEDIATE:
    # a read that later writes can otherwise fail at once with SQLITE_BUSY.
    dbapi_conn.isolation_level = None


def _sqlite_begin(conn: Any) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


PING_IDLE = 5.0  # seconds: a pooled connection unused this long is pinged at checkout (PostgreSQL)


def _ping_if_idle(engine: AsyncEngine, idle: float) -> None:
    """``pool_pre_ping`` for connections back in the pool longer than ``idle`` seconds only."""
    dialect = engine.dialect

    @event.listens_for(engine.sync_engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine.sync_engine, "checkout")
    def _checked_out(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("checked_in")
        if since is None or time.monotonic() - since < idle:
            return  # new, or in steady use
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as exc:
            if dialect.is_disconnect(exc, dbapi_conn, None):
                raise sa_exc.DisconnectionError() from exc  # the pool replaces it (and retries the checkout)
            raise


def create_database(url: str, **engine_kwargs: Any) -> Database:
    """Create the async engine for ``url`` (``sqlite+aiosqlite`` or ``postgresql+asyncpg``)."""
    kwargs: dict[str, Any] = dict(engine_kwargs)
    # Database errors end up in logs: never with message text or names in them.
    kwargs.setdefault("hide_parameters", True)
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).expanduser().parent.mkdir(parents=True, exist_ok=True)
        # One connection: SQLite has one writer anyway, and waiting for the pool is an
        # asyncio wait, where waiting on SQLite's busy handler is a sleep-and-retry loop.
        kwargs.setdefault("pool_size", 1)
        kwargs.setdefault("max_overflow", 0)
        kwargs.setdefault("pool_timeout", 60)
        engine = create_async_engine(url, **kwargs)
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
    else:
        kwargs.setdefault("pool_size", 10)
        kwargs.setdefault("max_overflow", 10)
        # Not a ping per checkout (a round trip, and more CPU than a small statement, on every session):
        # a connection idle for a while is pinged (:func:`_ping_if_idle`); one in steady use is not, and if
        # the server went away meanwhile the statement fails as a disconnect, the pool drops every connection
        # made before it, and the caller's retry (processor, sender, webhook's writer) gets a fresh one.
        ping_idle = kwargs.pop("ping_idle", PING_IDLE)
        kwargs.setdefault("pool_pre_ping", False)
        engine = create_async_engine(url, **kwargs)
        if not kwargs["pool_pre_ping"] and ping_idle is not None:
            _ping_if_idle(engine, ping_idle)
    return Database(engine, async_sessionmaker(engine, expire_on_commit=False, sync_session_class=ScopedSession))
