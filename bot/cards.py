"""Template cards (button_interaction) with a text fallback for clients that do not render them."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from bot.replies import TemplateCard, clip_bytes


def button_card(to: str, *, title: str, desc: str, buttons: Sequence[tuple[str, str]], source: str = "四精助手",
                fallback: str = "", task_prefix: str = "card") -> TemplateCard:
    """A card with buttons; each button is ``(text, key)``; clicking comes back as a
    ``template_card_event`` whose EventKey is ``key``.

    ``task_id`` is unique per card (WeCom: ≤128 bytes of [A-Za-z0-9_-@]).
    """
    task_id = f"{task_prefix}-{secrets.token_hex(6)}"[:128]
    card = {
        "card_type": "button_interaction",
        "source": {"desc": source},
        "main_title": {"title": clip_bytes(title, 120), "desc": clip_bytes(desc, 500)},
        "task_id": task_id,
        "button_list": [
            {"text": text, "style": 1 if i == 0 else 2, "key": key} for i, (text, key) in enumerate(buttons)
        ],
    }
    return TemplateCard(to=to, card=card, fallback=fallback)
