"""Per-person conversation state (one open question at a time) and questions queued for people.

The open question is read and written only inside that person's event, which the processor
runs under their lock (``bot.fsm`` is the only caller). A question meant for someone else is
*offered*: queued in ``conversation_offers`` and taken up by that person's next event, under
their own lock — never written into their row from another person's event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Conversation, ConversationOffer

DEFAULT_TTL = timedelta(minutes=30)


@dataclass(frozen=True)
class State:
    kind: str
    data: dict[str, Any]
    expired: bool = False
    prompt: str | None = None


_READ = object()


async def get(session: AsyncSession, userid: str, now: datetime, *, row: Conversation | None | object = _READ) -> State | None:
    """The open question, if any. An expired one is returned once with ``expired=True`` and removed.
    ``row``: the person's row as already read in this transaction (None: they have none)."""
    if row is _READ:
        row = await session.get(Conversation, userid, populate_existing=True)
    assert row is None or isinstance(row, Conversation)
    if row is None:
        return None
    state = State(row.kind, json.loads(row.data), expired=row.expires_at <= now, prompt=row.prompt)
    if state.expired:
        await session.delete(row)
        await session.flush()
    return state


async def put(session: AsyncSession, userid: str, kind: str, data: dict[str, Any], now: datetime,
              ttl: timedelta = DEFAULT_TTL, prompt: str | None = None) -> None:
    """Open (or replace) ``userid``'s question: one upsert, whether they had one or not."""
    payload = json.dumps(data, ensure_ascii=False, default=str)
    values = dict(kind=kind, data=payload, expires_at=now + ttl, prompt=prompt)
    maker = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = maker(Conversation).values(userid=userid, **values)
    await session.execute(stmt.on_conflict_do_update(index_elements=["userid"], set_=values))
    row = session.identity_map.get(session.identity_key(Conversation, userid))  # read already: keep it in step
    if row is not None:
        for name, value in values.items():
            set_committed_value(row, name, value)


async def clear(session: AsyncSession, userid: str) -> None:
    await session.execute(delete(Conversation).where(Conversation.userid == userid))


async def offer(session: AsyncSession, userid: str, kind: str, data: dict[str, Any], now: datetime,
                ttl: timedelta = DEFAULT_TTL, prompt: str | None = None) -> None:
    """Queue a question for ``userid``; their next event takes it up if nothing else is open."""
    session.add(ConversationOffer(userid=userid, kind=kind, data=json.dumps(data, ensure_ascii=False, default=str),
                                  prompt=prompt, created_at=now, expires_at=now + ttl))
    await session.flush()


async def withdraw(session: AsyncSession, userid: str, kind: str) -> None:
    """Drop ``userid``'s queued questions of ``kind`` (e.g. the offer no longer applies)."""
    await session.execute(delete(ConversationOffer).where(ConversationOffer.userid == userid,
                                                          ConversationOffer.kind == kind)
                          .execution_options(synchronize_session=False))


async def take_offer(session: AsyncSession, userid: str, now: datetime) -> State | None:
    """Open the oldest live question queued for ``userid`` (expired ones are dropped); None if none.

    The offer is taken with one ``DELETE … RETURNING``: when someone withdraws it at the same
    moment, exactly one of the two gets the row.
    """
    await session.execute(delete(ConversationOffer).where(ConversationOffer.userid == userid,
                                                          ConversationOffer.expires_at <= now))
    while True:
        oldest = (await session.execute(
            select(ConversationOffer.id).where(ConversationOffer.userid == userid)
            .order_by(ConversationOffer.id).limit(1))).scalar_one_or_none()
        if oldest is None:
            return None
        taken = (await session.execute(
            delete(ConversationOffer).where(ConversationOffer.id == oldest)
            .returning(ConversationOffer.kind, ConversationOffer.data, ConversationOffer.prompt,
                       ConversationOffer.expires_at)
            .execution_options(synchronize_session=False))).first()
        if taken is not None:
            break  # else it was withdrawn a moment ago: look again
    kind, raw, prompt, expires_at = taken
    data = json.loads(raw)
    await put(session, userid, kind, data, now, expires_at - now, prompt)
    return State(kind, data, prompt=prompt)


async def queued(session: AsyncSession, userid: str) -> list[str]:
    """Kinds of the questions queued for ``userid``, oldest first."""
    rows = await session.execute(select(ConversationOffer.kind).where(ConversationOffer.userid == userid)
                                 .order_by(ConversationOffer.id))
    return list(rows.scalars())
