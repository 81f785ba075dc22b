"""Conversations as declared states: one mechanism for every domain.

A domain declares its questions (in the spirit of aiogram's ``StatesGroup``)::

    class DeedStates(StatesGroup, domain="deeds"):
        duplicate = State()                      # "是否同一件事？" — anything else drops it
        which = State(unanswered=KEEP)           # stays open while the person talks of other things

and routes the answers with ``@router.message(state=DeedStates.duplicate)``. A handler asks with
``return await ctx.fsm.ask(DeedStates.duplicate, prompt, data)``; the mechanism owns the rest:

- **lock rule**: ``ctx.fsm`` reads and writes only the sender's own row, inside their event (the
  processor holds their lock). A question for someone else is ``offer``-ed: queued, and taken up by
  that person's next event under their lock.
- **expiry**: a question expires after its ``ttl``; the next message sees ``ctx.fsm.expired`` once.
- **cancel**: cancel words close a ``cancellable`` question ("好的，这个问题先不管了").
- **interrupts**: slash commands, card clicks, incident or urgent reports and duty queries always reach
  their own router while a question is open; the open question is re-asked afterwards.
- **unanswered**: when the state's routes do not take a message, ``DROP`` closes the question and the
  message is routed as if none were open; ``KEEP`` routes it and leaves the question open.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from sqlalchemy.ext.asyncio import AsyncSession

from bot.replies import Text
from storage import conversations

DROP = "drop"
KEEP = "keep"
DEFAULT_TTL = conversations.DEFAULT_TTL

_STATES: dict[str, State] = {}


@dataclass(eq=False)
class State:
    """One question a domain can leave open. The name (``"deeds.duplicate"``) is set by its group."""

    ttl: timedelta = DEFAULT_TTL
    unanswered: str = DROP
    cancellable: bool = True
    name: str = ""

    def __set_name__(self, owner: type, attr: str) -> None:
        self._attr = attr

    @property
    def domain(self) -> str:
        return self.name.split(".", 1)[0]

    def __repr__(self) -> str:
        return f"State({self.name})"


class StatesGroup:
    """A domain's questions; subclass with ``domain="deeds"``."""

    domain: ClassVar[str]

    def __init_subclass__(cls, *, domain: str, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.domain = domain
        for attr, value in vars(cls).items():
            if isinstance(value, State):
                value.name = f"{domain}.{attr}"
                if value.name in _STATES:
                    raise ValueError(f"state {value.name} declared twice")
                _STATES[value.name] = value


def declared_states() -> tuple[State, ...]:
    """Every state declared so far (import the routers first: ``bot.registry.routers()``)."""
    return tuple(_STATES.values())


def declared(kind: str) -> State | None:
    """The declared state of a stored kind (None for a kind no domain declares any more)."""
    return _STATES.get(kind)


class Conversation:
    """The sender's open question for one event (``ctx.fsm``)."""

    def __init__(self, session: AsyncSession | None, userid: str, now: datetime,
                 stored: conversations.State | None = None) -> None:
        self._session = session
        self.userid = userid
        self._now = now
        self._stored = stored
        self.changed = False

    @classmethod
    async def load(cls, session: AsyncSession, userid: str, now: datetime, *, read: tuple[Any, bool] | None = None
                   ) -> Conversation:
        """The person's open question; if none is open, the oldest question queued for them. ``read``: their
        conversation row (or None) and whether questions are queued for them, as read already this transaction."""
        if read is None:
            stored = await conversations.get(session, userid, now)
        else:
            stored = await conversations.get(session, userid, now, row=read[0])
            if not read[1] and (stored is None or stored.expired):
                return cls(session, userid, now, stored)  # nothing queued: no offer to take
        if stored is None or stored.expired:
            # A queued question opens now; after an expired one it is this message's state too,
            # but the expiry is still said once (the expired question wins this message).
            offered = await conversations.take_offer(session, userid, now)
            if stored is None:
                stored = offered
        return cls(session, userid, now, stored)

    # -- reading ------------------------------------------------------------

    @property
    def kind(self) -> str | None:
        """The stored kind of the open (not expired) question."""
        s = self._stored
        return s.kind if s is not None and not s.expired else None

    @property
    def state(self) -> State | None:
        return declared(self.kind) if self.kind else None

    @property
    def is_open(self) -> bool:
        return self.kind is not None

    @property
    def expired(self) -> bool:
        """True once, for the first message after a question timed out."""
        return self._stored is not None and self._stored.expired

    @property
    def expired_kind(self) -> str | None:
        return self._stored.kind if self._stored is not None and self._stored.expired else None

    @property
    def data(self) -> dict[str, Any]:
        return dict(self._stored.data) if self.is_open and self._stored is not None else {}

    @property
    def prompt(self) -> str | None:
        return self._stored.prompt if self.is_open and self._stored is not None else None

    def in_state(self, *states: State) -> bool:
        return self.kind is not None and any(self.kind == s.name for s in states)

    # -- writing (the sender's own row only) --------------------------------

    def _db(self) -> AsyncSession:
        if self._session is None:
            raise RuntimeError("this conversation has no database session")
        return self._session

    async def set(self, state: State, data: dict[str, Any] | None = None, *, prompt: str | None = None,
                  ttl: timedelta | None = None) -> None:
        data = data or {}
        await conversations.put(self._db(), self.userid, state.name, data, self._now, ttl or state.ttl, prompt)
        self._stored = conversations.State(state.name, data, prompt=prompt)
        self.changed = True

    async def ask(self, state: State, prompt: str, data: dict[str, Any] | None = None, *,
                  ttl: timedelta | None = None) -> Text:
        """Open ``state`` and return the question to send; the prompt is re-asked after interrupts."""
        await self.set(state, data, prompt=prompt, ttl=ttl)
        return Text(content=prompt)

    async def update(self, **changes: Any) -> None:
        """Change the open question's data, keeping its prompt."""
        state = self.state
        if state is None:
            raise RuntimeError("no open question to update")
        await self.set(state, {**self.data, **changes}, prompt=self.prompt)

    async def clear(self) -> None:
        if self._stored is not None:
            await conversations.clear(self._db(), self.userid)
        self._stored = None
        self.changed = True

    async def offer(self, userid: str, state: State, data: dict[str, Any] | None = None, *,
                    prompt: str | None = None, ttl: timedelta | None = None) -> None:
        """Queue ``state`` for someone else; it opens with their next message, under their lock."""
        if userid == self.userid:
            if not self.is_open:
                await self.set(state, data, prompt=prompt, ttl=ttl)
            return
        await conversations.offer(self._db(), userid, state.name, data or {}, self._now, ttl or state.ttl, prompt)

    async def withdraw(self, userid: str, state: State) -> None:
        """Drop questions of ``state`` queued for ``userid`` (the sender's own too, and close it if open)."""
        if userid == self.userid and self.in_state(state):
            await self.clear()
        await conversations.withdraw(self._db(), userid, state.name)


REASK = "（刚才的问题还在等您回答）\n"
CANCELLED = "好的，刚才的问题先不管了。有需要随时再发给我。"
CANCEL_WORDS = frozenset({"取消", "退出", "不说了", "不弄了", "算了吧", "先不弄了", "cancel"})


def is_cancel(text: str) -> bool:
    return text.strip().rstrip("。.!！~～ ").strip().lower() in CANCEL_WORDS
