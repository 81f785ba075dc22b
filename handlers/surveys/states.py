"""The questions 征求意见 leaves open, and its card button.

Both handle their own stop words, so neither is ``cancellable`` by the mechanism: while building,
完成/取消/退出 end the editing (the draft is kept); while answering, 暂停/退出 pause (the progress is
kept, "继续问卷" resumes). Interrupts (slash commands, card clicks, incident or urgent reports, duty
queries) reach their own router, and the question is asked again afterwards.
"""

from __future__ import annotations

from bot.cardkeys import CardKey
from bot.fsm import State, StatesGroup


class SurveyStates(StatesGroup, domain="surveys"):
    build = State(cancellable=False)  # the secretary adds questions to draft {"survey": N}
    answer = State(cancellable=False)  # someone answers survey {"survey": N}, one question at a time


class SurveyCard(CardKey, prefix="surveys"):
    action: str  # start
    number: int
