"""The questions 精密关注 leaves open, and the buttons of its tip card."""

from __future__ import annotations

from datetime import timedelta

from bot.cardkeys import CardKey
from bot.fsm import KEEP, State, StatesGroup

TIP_TTL = timedelta(days=1)


class CareStates(StatesGroup, domain="care"):
    # "是否登记到重点关注台账…回复 是/否" (one's own need). 取消/算了 mean 否 here, not "drop the question".
    consent = State(cancellable=False)
    # "你说的是哪一位？1. … 2. …" (several people with the same name); then a continuation (``which.py``).
    which = State()
    # A colleague's tip, offered to the responsible member: 是/否 decides it while it is their only open
    # tip; it stays open while they talk of other things ("登记 T{n}" and the card work all along).
    tip = State(unanswered=KEEP, ttl=TIP_TTL, cancellable=False)
    # "请问你走访的是哪位同事？" (a visit report without a name)
    visit_who = State()
    # a page of /台账 or /覆盖 was shown and there is a next one: "下一页" shows it (``ledger.py``)
    page = State()


class TipCard(CardKey, prefix="care"):
    action: str  # accept | decline
    tip: int  # the entry id: T{n}
