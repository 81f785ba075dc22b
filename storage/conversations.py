"""Per-person conversation state (one open question at a time).

Read and written inside the event's transaction, which the processor runs under
that person's lock, so two quick messages cannot both see the same state.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation

DEFAULT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class State:
    kind: str
    data: dict[str, Any]
    expired: bool = False


async def get(session: AsyncSession, userid: str, now: datetime) -> State | None:
    """The open question, if any. An expired one is returned once with ``expired=True`` and removed."""
    row = await session.get(Conversation, userid, populate_existing=True)
    if row is None:
        return None
    state = State(row.kind, json.loads(row.data), expired=row.expires_at <= now)
    if state.expired:
        await session.delete(row)
        await session.flush()
    return state


async def put(session: AsyncSession, userid: str, kind: str, data: dict[str, Any], now: datetime,
              ttl: timedelta = DEFAULT_TTL) -> None:
    row = await session.get(Conversation, userid)
    payload = json.dumps(data, ensure_ascii=False, default=str)
    if row is None:
        session.add(Conversation(userid=userid, kind=kind, data=payload, expires_at=now + ttl))
    else:
        row.kind, row.data, row.expires_at = kind, payload, now + ttl
    await session.flush()


async def clear(session: AsyncSession, userid: str) -> None:
    await session.execute(delete(Conversation).where(Conversation.userid == userid))
