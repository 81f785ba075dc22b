"""Template cards (button_interaction): one message, the card; its text only when the card cannot go."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import TemplateCard, clip_bytes
from bot.wecom.client import PERMANENT
from storage import outbox
from storage.models import OutboxRow

TITLE_LIMIT = 120  # bytes of a card's main title shown whole
DESC_LIMIT = 500  # bytes of its description


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def button_card(to: str, *, title: str, desc: str, buttons: Sequence[tuple[str, str]], source: str = "四精助手",
                fallback: str = "", task_prefix: str = "card", urgent: bool = False) -> TemplateCard:
    """A card with buttons; each button is ``(text, key)``; clicking comes back as a
    ``template_card_event`` whose EventKey is ``key``.

    ``task_id`` is unique per card (WeCom: ≤128 bytes of [A-Za-z0-9_-@]). ``urgent``: it goes at any hour.
    """
    task_id = f"{task_prefix}-{secrets.token_hex(6)}"[:128]
    fits = _size(title) <= TITLE_LIMIT and _size(desc) <= DESC_LIMIT and bool(buttons)
    card = {
        "card_type": "button_interaction",
        "source": {"desc": source},
        "main_title": {"title": clip_bytes(title, TITLE_LIMIT), "desc": clip_bytes(desc, DESC_LIMIT)},
        "task_id": task_id,
        "button_list": [
            {"text": text, "style": 1 if i == 0 else 2, "key": key} for i, (text, key) in enumerate(buttons)
        ],
    }
    return TemplateCard(to=to, card=card, fallback=fallback, fits=fits, urgent=urgent)


async def fall_back(session: AsyncSession, row: OutboxRow, error_code: int | None, now: datetime) -> int | None:
    """A card WeCom refused (not the recipient or the server: those refuse a text too) is replaced by
    its text fallback, queued through the outbox once; returns the new row's id (None: nothing to do)."""
    if row.msg_type != "template_card" or error_code in PERMANENT:
        return None
    text = json.loads(row.body).get("fallback")
    if not isinstance(text, dict):
        return None
    return await outbox.enqueue(session, row.recipient, text, now, inbox_id=row.inbox_id, dedupe_key=f"fallback:{row.id}")
