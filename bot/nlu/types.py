"""Public data types of the NLU parser."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True, slots=True)  # slots: one per roster person, 100,000 of them
class Person:
    """One roster entry.

    Attributes:
        userid: WeCom user id.
        name: Full Chinese name.
        role: ``employee``, ``member`` or ``secretary`` when known.
        team: Team name when known.
        zone: Userid of the party member whose 责任区 the person is in.
        branch: Branch (支部) id when known.
        grid_leader: The person is the 网格长 of their team.
    """

    userid: str
    name: str
    role: str | None = None
    team: str | None = None
    zone: str | None = None
    branch: int | None = None
    grid_leader: bool = False


@dataclass(frozen=True)
class ParseContext:
    """What is known about the sender beyond the words (the bot passes it; tests and data derive it).

    Attributes:
        role: ``employee``, ``member``, ``secretary`` or ``grid_leader``.
        zone: Userids in the sender's 责任区 (a member's zone).
        team: Userids of the sender's team-mates.
        branch: Userids of the sender's branch.
        open_items: How many open items the sender owns or asked for (None: not looked up).
        open_incidents: How many open incidents the sender is to act on (None: not looked up).
    """

    role: str | None = None
    zone: frozenset[str] = frozenset()
    team: frozenset[str] = frozenset()
    branch: frozenset[str] = frozenset()
    open_items: int | None = None
    open_incidents: int | None = None


class Intent(str, Enum):
    """What the sender wants."""

    DEED_REQUEST = "deed_request"
    CARE_NEED = "care_need"
    VISIT_REPORT = "visit_report"
    PROGRESS_REPORT = "progress_report"
    INCIDENT_REPORT = "incident_report"
    STATUS_QUERY = "status_query"
    FEEDBACK = "feedback"
    DUTY_QUERY = "duty_query"
    TALENT = "talent"
    SMALLTALK = "smalltalk"
    OTHER = "other"


@dataclass(frozen=True)
class Parse:
    """The structured reading of one message (see SCHEMA).

    ``ambiguous``: mentions that fit several people (mention, candidates nearest the sender first);
    ``unknown``: nicknames (小X, 老X, X工…) that fit nobody on the roster: someone is meant, not the sender.
    ``confidence``: how sure the intent is, the model's probability margin (best minus second best, 0..1);
    1.0 when a rule or the words themselves decided it (an emoji, an emergency, a rule of ``rules``).
    """

    intent: Intent
    category: str | None
    polarity: str | None
    persons: tuple[str, ...]
    due: datetime.date | None
    ref: int | None
    urgent: bool
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown: tuple[str, ...] = ()
    confidence: float = 1.0
    addressed: tuple[str, ...] = ()  # among ``persons``: who the message is spoken to ("王书记，…"), not about

    def others(self, sender: str | None) -> list[str]:
        """The people the message is about: those named, but the sender and whoever it is spoken to
        ("王书记，我们班孙鹏住院了" is about 孙鹏, "石书记 我爸查出尿毒症…" about the sender's family)."""
        return [u for u in self.persons if u != sender and u not in self.addressed]

    def to_json(self, id: str | None) -> dict[str, object]:  # noqa: A002
        """Return the SCHEMA JSON object for this parse."""
        return {
            "id": id,
            "intent": self.intent.value,
            "category": self.category,
            "polarity": self.polarity,
            "persons": list(self.persons),
            "due": self.due.isoformat() if self.due else None,
            "ref": self.ref,
            "urgent": self.urgent,
        }
