"""Labelled examples for the parser's training set: what someone meant, said by themselves when the bot
asked "您是想：反映问题 / 报告走访 / 查进度 / …" (``bot/clarify.py``). Kept only when the deployment opts in
(``SIJING_NLU_EXAMPLES``); the text is stored with names and phone numbers already redacted. Deployment-wide
(no branch): ``sijing nlu examples`` exports them as JSON lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.examples.models import NluExample

__all__ = ["NluExample", "add", "listed"]


async def add(session: AsyncSession, now: datetime, *, text: str, intent: str, predicted: str, role: str,
              source: str = "clarify") -> NluExample:
    row = NluExample(at=now, text=text, intent=intent, predicted=predicted, role=role, source=source)
    session.add(row)
    await session.flush()
    return row


async def listed(session: AsyncSession, *, since: datetime | None = None) -> Sequence[NluExample]:
    stmt = select(NluExample).order_by(NluExample.id)
    if since is not None:
        stmt = stmt.where(NluExample.at >= since)
    return list((await session.execute(stmt)).scalars())
