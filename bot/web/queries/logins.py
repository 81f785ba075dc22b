"""One-time login links (``/后台``): a random token, stored hashed, valid 10 minutes, redeemed once.

The table is ``web_login_tokens`` (migration 0006). The model lives here until the web pages move
into ``handlers/`` and ``storage/``; it is declared on the shared metadata.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import String, delete, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from storage import audit
from storage.models import Base, UTCDateTime

VALID_FOR = timedelta(minutes=10)
KEEP_USED = timedelta(days=1)  # rows older than this are purged when a new link is made


class WebLoginToken(Base):
    __tablename__ = "web_login_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    userid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


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
