"""The context of one event: what a handler may use. One database session per event."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.events import Event, TextMessage
from bot.fsm import Conversation
from storage.people import RosterEntry

if TYPE_CHECKING:
    from bot.cardkeys import CardKey
    from bot.nlu import Parse

COMMAND_MARKS = ("/", "／")
# An audience of commands besides the roles: committee officers (``Person.committee``), whatever their role
# in their own branch. ``roles=("committee",)`` is for them alone.
COMMITTEE = "committee"
COMMITTEE_LABEL = "党委工作人员"


@dataclass
class Context:
    """Everything a handler may use for one event; one database session per event."""

    event: Event
    sender: RosterEntry | None
    session: AsyncSession
    now: datetime
    settings: Settings
    parse: Parse | None = None
    fsm: Conversation = field(default=None)  # type: ignore[assignment]  # set in __post_init__
    inbox_id: int | None = None
    args: str = ""  # a command's text after its name
    match: re.Match[str] | None = None  # a regex route's match
    card: CardKey | None = None  # a card route's unpacked key
    catalog: tuple[CommandInfo, ...] = ()  # every registered command, for the help
    extras: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.fsm is None:
            self.fsm = Conversation(None, self.event.user, self.now)

    @property
    def text(self) -> str:
        return self.event.content if isinstance(self.event, TextMessage) else ""

    @property
    def userid(self) -> str:
        return self.event.user

    @property
    def today(self) -> date:
        """Today's date in the configured time zone."""
        return self.now.date()

    @property
    def is_command(self) -> bool:
        return self.text.lstrip().startswith(COMMAND_MARKS)


@dataclass(frozen=True)
class CommandInfo:
    """A slash command as the help shows it; ``roles`` None means everyone."""

    name: str
    usage: str
    summary: str
    roles: tuple[str, ...] | None = None

    def visible_to(self, role: str, committee: bool = False) -> bool:
        return may_use(role, committee, self.roles)


def may_use(role: str, committee: bool, roles: tuple[str, ...] | None) -> bool:
    """Whether someone of ``role`` (a committee officer or not) may use a command for ``roles`` (None: all)."""
    return roles is None or role in roles or (committee and COMMITTEE in roles)


def slash(text: str) -> str:
    t = text.strip()
    return "/" + t[1:] if t.startswith("／") else t
