"""The duty domain's card buttons (it leaves no questions open)."""

from __future__ import annotations

from bot.cardkeys import CardKey


class IncidentCard(CardKey, prefix="incident"):
    action: str  # ack
    number: int


ACK = "ack"
