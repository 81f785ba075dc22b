"""Public data types of the NLU parser."""
from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import Enum


@dataclass(frozen=True)
class Person:
    """One roster entry.

    Attributes:
        userid: WeCom user id.
        name: Full Chinese name.
        role: ``employee``, ``member`` or ``secretary`` when known.
        team: Team name when known.
    """

    userid: str
    name: str
    role: str | None = None
    team: str | None = None


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
    """The structured reading of one message (see SCHEMA)."""

    intent: Intent
    category: str | None
    polarity: str | None
    persons: tuple[str, ...]
    due: datetime.date | None
    ref: int | None
    urgent: bool
    ambiguous: tuple[tuple[str, tuple[str, ...]], ...] = ()

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
