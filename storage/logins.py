"""One-time workbench login links (``/后台``): a random token, stored hashed, valid 10 minutes, redeemed once."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import WebLoginToken

VALID_FOR = timedelta(minutes=10)
KEEP_USED = timedelta(days=1)  # rows older than this are purged when a new link is made


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


async def create(session: AsyncSession, userid: str, now: datetime) -> str:
    """A new token for ``userid`` (only its hash is stored); audited."""
    await session.execute(delete(WebLoginToken).where(WebLoginToken.expires_at < now - KEEP_USED))
    token = secrets.token_urlsafe(32)
    session.add(WebLoginToken(token_hash=_hash(token), userid=userid, created_at=now, expires_at=now + VALID_FOR))
    await session.flush()
    await audit.record(session, now, userid, "login_link_created", "web_login", userid)
    return token


async def redeem(session: AsyncSession, token: str, now: datetime) -> str | None:
    """The token's userid, once: a compare-and-set on ``used_at``, so two clicks cannot both log in."""
    if not token or len(token) > 128:
        return None
    stmt = (update(WebLoginToken)
            .where(WebLoginToken.token_hash == _hash(token), WebLoginToken.used_at.is_(None),
                   WebLoginToken.expires_at > now)
            .values(used_at=now).returning(WebLoginToken.userid))
    return (await session.execute(stmt)).scalar_one_or_none()
