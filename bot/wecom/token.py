"""Access token cache: one per app, shared through the database, refreshed under a lock."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

from bot.wecom.client import TransportError, WeComAPIError, WeComClient
from storage import tokens
from storage.db import Database

MARGIN = timedelta(minutes=5)


class TokenCache:
    """Hands out a valid token; refreshes at most once per expiry, whatever the concurrency."""

    def __init__(self, db: Database, client: WeComClient, name: str, *, cooldown: float = 5.0) -> None:
        self._db = db
        self.cooldown = cooldown  # seconds a failed gettoken is answered from memory (WeCom blocks callers that insist)
        self._failed: tuple[Exception, float] | None = None
        self._rejected: set[str] = set()  # tokens WeCom refused (40014/42001): never handed out again
        self._client = client
        self._name = name
        self._lock = asyncio.Lock()
        self._token: str | None = None
        self._expires = datetime.min.replace(tzinfo=timezone.utc)
        self.fetches = 0

    def _fresh(self, token: str | None, expires: datetime, bad: str | None) -> bool:
        return (token is not None and token != bad and token not in self._rejected
                and expires - MARGIN > datetime.now(timezone.utc))

    async def get(self, *, bad: str | None = None) -> str:
        """A valid token; ``bad`` is one WeCom just rejected (40014/42001), never returned again."""
        if bad is not None:
            self._rejected.add(bad)
        if self._fresh(self._token, self._expires, bad):
            return self._token  # type: ignore[return-value]
        async with self._lock:
            if self._fresh(self._token, self._expires, bad):
                return self._token  # type: ignore[return-value]
            if self._failed is not None and time.monotonic() - self._failed[1] < self.cooldown:
                raise self._failed[0]
            try:
                if self._db.dialect == "postgresql":
                    token, expires = await self._refresh_locked(bad)
                else:
                    token, expires = await self._refresh_unlocked(bad)
            except (WeComAPIError, TransportError) as exc:
                self._failed = (exc, time.monotonic())
                raise
            self._failed = None
            self._token, self._expires = token, expires
            return token

    async def _fetch(self) -> tuple[str, datetime]:
        token, expires_in = await self._client.get_token()
        self.fetches += 1
        return token, datetime.now(timezone.utc) + timedelta(seconds=expires_in)

    async def _refresh_locked(self, bad: str | None) -> tuple[str, datetime]:
        """PostgreSQL: an advisory lock makes other processes wait and then reuse our token."""
        async with self._db.sessions() as session, session.begin():
            await tokens.lock(session, self._name)
            stored = await tokens.read(session, self._name)
            if stored and self._fresh(stored[0], stored[1], bad):
                return stored
            token, expires = await self._fetch()
            await tokens.write(session, self._name, token, expires)
            return token, expires

    async def _refresh_unlocked(self, bad: str | None) -> tuple[str, datetime]:
        """SQLite: never hold the single write lock across an HTTP call."""
        async with self._db.sessions() as session:
            stored = await tokens.read(session, self._name)
        if stored and self._fresh(stored[0], stored[1], bad):
            return stored
        token, expires = await self._fetch()
        async with self._db.sessions() as session, session.begin():
            await tokens.write(session, self._name, token, expires)
        return token, expires
