"""Routers and the dispatcher: the first matching handler of the first router wins."""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.config import Settings
from bot.events import Event, TextMessage
from bot.replies import Reply
from storage.people import RosterEntry

if TYPE_CHECKING:
    from bot.nlu import Parse
    from storage.conversations import State


class _NotHandled:
    """Returned by a handler that looked and decided the event is not for it."""


NOT_HANDLED = _NotHandled()

Replies = Reply | Sequence[Reply] | None
Handler = Callable[["Context"], Awaitable[Replies | _NotHandled]]
Filter = Callable[["Context"], bool | Awaitable[bool]]


@dataclass
class Context:
    """Everything a handler may use for one event; one database session per event."""

    event: Event
    sender: RosterEntry | None
    session: AsyncSession
    now: datetime
    settings: Settings
    parse: Parse | None = None
    state: State | None = None  # the sender's open question, loaded under their lock
    inbox_id: int | None = None
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return self.event.content if isinstance(self.event, TextMessage) else ""

    @property
    def userid(self) -> str:
        return self.event.user

    @property
    def today(self):  # type: ignore[no-untyped-def]
        """Today's date in the configured time zone."""
        return self.now.date()


@dataclass(frozen=True)
class _Route:
    filters: tuple[Filter, ...]
    handler: Handler


class Router:
    """A domain's handlers, tried in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[_Route] = []

    def route(self, *filters: Filter) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self._routes.append(_Route(filters, handler))
            return handler
        return register

    async def handle(self, ctx: Context) -> Replies | _NotHandled:
        for route in self._routes:
            if await _passes(route.filters, ctx):
                result = await route.handler(ctx)
                if result is not NOT_HANDLED:
                    return result
        return NOT_HANDLED


async def _passes(filters: tuple[Filter, ...], ctx: Context) -> bool:
    for f in filters:
        ok = f(ctx)
        if inspect.isawaitable(ok):
            ok = await ok
        if not ok:
            return False
    return True


class Dispatcher:
    """Runs routers in precedence order (the order lives in ``handlers/__init__.py``)."""

    def __init__(self, routers: Sequence[Router]) -> None:
        self.routers = tuple(routers)

    def _ordered(self, ctx: Context) -> tuple[Router, ...]:
        """The router whose question the sender is answering goes first (state kind "deeds.dup" -> "deeds")."""
        if ctx.state is None or ctx.state.expired:
            return self.routers
        owner = ctx.state.kind.split(".", 1)[0]
        first = tuple(r for r in self.routers if r.name == owner)
        return first + tuple(r for r in self.routers if r.name != owner)

    async def dispatch(self, ctx: Context) -> list[Reply]:
        for router in self._ordered(ctx):
            result = await router.handle(ctx)
            if result is NOT_HANDLED:
                continue
            if result is None:
                return []
            if isinstance(result, Reply):
                return [result]
            return list(result)  # type: ignore[arg-type]
        return []
