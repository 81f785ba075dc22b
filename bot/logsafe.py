"""Keep names and message text out of application logs, and floods out of them.

Pseudonyms are keyed: HMAC-SHA256 of the userid with a per-deployment secret (``SIJING_LOG_SECRET``, or
one generated once and kept in the database), so logs can be correlated without naming anyone and cannot
be reversed against the roster. Repeated identical warnings and errors are collapsed into one line per
minute with a count (:func:`install`).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from datetime import datetime, timezone
from typing import Any

KEY_NAME = "sijing:log-pseudonym-key"  # its row in the shared token table (storage.tokens)
_key = secrets.token_bytes(32)  # until configured: private to this process


def pseudo(userid: str | None) -> str:
    """A stable pseudonym for a userid, so logs can be correlated without naming anyone."""
    if not userid:
        return "-"
    return "u" + hmac.new(_key, userid.encode(), hashlib.sha256).hexdigest()[:10]


def configure(secret: str | bytes) -> None:
    global _key
    _key = secret.encode() if isinstance(secret, str) else secret


async def load_key(db: Any, secret: str | None) -> None:
    """Use ``secret`` (the setting), else the deployment's stored key, generated and stored on first use."""
    if secret:
        configure(secret)
        return
    from storage import tokens

    forever = datetime(9999, 12, 31, tzinfo=timezone.utc)
    async with db.sessions() as session:
        stored = await tokens.read(session, KEY_NAME)
    if stored is None:
        try:
            async with db.sessions() as session, session.begin():
                await tokens.write(session, KEY_NAME, secrets.token_hex(32), forever)
        except Exception:  # noqa: BLE001 - another process stored one first: use that
            pass
        async with db.sessions() as session:
            stored = await tokens.read(session, KEY_NAME)
    if stored is not None:
        configure(stored[0])


class Repeats(logging.Filter):
    """On a handler: the first of identical warnings/errors (same logger, level, message template and
    exception) within ``window`` seconds passes; the rest are counted and reported in one line."""

    def __init__(self, handler: logging.Handler, window: float = 60.0, clock: Any = time.monotonic) -> None:
        super().__init__()
        self._handler = handler
        self.window = window
        self._clock = clock
        self._seen: dict[tuple[Any, ...], list[Any]] = {}  # key -> [first seen, suppressed, last record]

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        now = self._clock()
        self._flush(now)
        exc = record.exc_info[1] if record.exc_info else None
        key = (record.name, record.levelno, str(record.msg), type(exc).__name__ if exc else "", str(exc)[:200] if exc else "")
        seen = self._seen.get(key)
        if seen is not None:
            seen[1] += 1
            seen[2] = record
            return False
        self._seen[key] = [now, 0, record]
        return True

    def _flush(self, now: float) -> None:
        for key, (first, count, last) in list(self._seen.items()):
            if now - first < self.window:
                continue
            del self._seen[key]
            if count:
                summary = logging.makeLogRecord({**last.__dict__, "exc_info": None, "exc_text": None, "args": None,
                                                 "msg": f"{last.getMessage()} [and {count} more like it in {self.window:.0f} s]"})
                self._handler.emit(summary)


def install(window: float = 60.0) -> None:
    """Collapse repeats on every handler of the root logger (once)."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, Repeats) for f in handler.filters):
            handler.addFilter(Repeats(handler, window))
