"""The duty domain's question and card buttons."""

from __future__ import annotations

from datetime import timedelta

from bot.cardkeys import CardKey
from bot.fsm import State, StatesGroup


class DutyStates(StatesGroup, domain="duty"):
    # "有 2 件事件，请问确认收到哪一件？1. #3 … 2. #5 …" — a number or "#N" answers it; anything else drops it.
    which = State(ttl=timedelta(hours=2))


class IncidentCard(CardKey, prefix="incident"):
    action: str  # ack
    number: int


ACK = "ack"
