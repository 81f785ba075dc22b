"""The questions 办实事 leaves open, and its card buttons."""

from __future__ import annotations

from bot.cardkeys import CardKey
from bot.fsm import State, StatesGroup


class DeedStates(StatesGroup, domain="deeds"):
    dup = State()  # "是否与 #N 是同一件事？" — anything else drops the question
    which = State()  # "你说的是哪一件？" (progress or feedback without a number)
    split = State()  # "这条消息里有 N 件事：1…2…，要分成 N 条登记吗？" — yes: N items, no: one


class DeedCard(CardKey, prefix="deed"):
    action: str  # accept | view | ok | no
    number: int
