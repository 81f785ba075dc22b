"""How a handler's replies become outbox rows: one message per push (a card or its text, never both)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Reply
from storage import outbox


async def enqueue_reply(session: AsyncSession, reply: Reply, to: str, now: datetime, *,
                        inbox_id: int | None = None) -> list[int | None]:
    """Queue ``reply`` for ``to``: a long text as several messages, a card as the card alone (its text
    fallback rides along in the row, sent only if WeCom refuses the card: ``bot.cards.fall_back``)."""
    return [await outbox.enqueue(session, to, payload, now, inbox_id=inbox_id) for payload in reply.payloads()]
