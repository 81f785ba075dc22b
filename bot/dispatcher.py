"""Routers and the dispatcher: the first matching handler of the first router wins.

A route is a handler and its filters. Filters carry the matching (command, card key, state, role,
intent, regex, reference) so a handler body does one job; a filter returns ``True``/``False`` or a
dict of what it found (``args``, ``match``, ``card``…), set on the context before the handler runs.
Open questions, interrupts, cancel words and expiry are the dispatcher's (see ``bot.fsm``).
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import filters as f
from bot.context import COMMAND_MARKS, COMMITTEE, COMMITTEE_LABEL, CommandInfo, Context, may_use
from bot.events import AppEvent, TextMessage
from bot.fsm import CANCELLED, KEEP, REASK, State, is_cancel
from bot.replies import CardUpdate, Reply, Text
from storage.errors import Refused
from storage.people import Role

if TYPE_CHECKING:
    from bot.cardkeys import CardKey

__all__ = ["COMMAND_MARKS", "NOT_HANDLED", "CommandInfo", "Context", "Dispatcher", "Replies", "Router"]


class _NotHandled:
    """Returned by a handler that looked and decided the event is not for it."""


NOT_HANDLED = _NotHandled()

Replies = Reply | Sequence[Reply] | None
Handler = Callable[[Context], Awaitable["Replies | _NotHandled"]]
Filter = f.Check


@dataclass(frozen=True)
class _Route:
    filters: tuple[Filter, ...]
    handler: Handler
    state: tuple[State, ...] = ()  # answers to these open questions only




class Router:
    """A domain's handlers, tried in registration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._routes: list[_Route] = []
        self.commands: list[CommandInfo] = []

    # -- registering --------------------------------------------------------

    def route(self, *filters: Filter, state: State | Sequence[State] | None = None) -> Callable[[Handler], Handler]:
        states = () if state is None else ((state,) if isinstance(state, State) else tuple(state))

        def register(handler: Handler) -> Handler:
            self._routes.append(_Route(filters, handler, states))
            return handler
        return register

    def message(self, *filters: Filter, state: State | Sequence[State] | None = None,
                regex: str | re.Pattern[str] | None = None) -> Callable[[Handler], Handler]:
        """A text from someone in the roster (optionally matching ``regex``, in an open ``state``)."""
        extra: tuple[Filter, ...] = (f.regex(regex),) if regex is not None else ()
        return self.route(f.known, f.text, *extra, *filters, state=state)

    def command(self, name: str, *aliases: str, roles: Sequence[str] | None = None, usage: str = "",
                summary: str = "", denied: str | None = None, hidden: bool = False,
                help: Sequence[tuple[str, str, Sequence[str] | None]] = ()) -> Callable[[Handler], Handler]:
        """``/name rest`` (or ``／name``): ``ctx.args`` is the rest. Outside ``roles`` the answer is ``denied``.

        ``usage``/``summary`` make the help line (``help`` adds more lines: ``(usage, summary, roles)``).
        """
        allowed = tuple(roles) if roles is not None else None
        if not hidden:
            self.commands.append(CommandInfo(name, usage or name, summary, allowed))
        for use, text, who in help:
            self.commands.append(CommandInfo(name, use, text, tuple(who) if who is not None else allowed))
        who = (COMMITTEE_LABEL if r == COMMITTEE else Role.label_of(r) for r in allowed or ())
        refusal = denied or f"“{name}”只有{'、'.join(who)}可以使用。"

        def register(handler: Handler) -> Handler:
            async def guarded(ctx: Context) -> Replies | _NotHandled:
                if allowed is not None and (ctx.sender is None or
                                            not may_use(ctx.sender.role, bool(ctx.sender.committee), allowed)):
                    return Text(content=refusal)
                return await handler(ctx)
            guarded.__name__ = getattr(handler, "__name__", "command")
            self._routes.append(_Route((f.known, f.text, f.command(name, *aliases)), guarded))
            return handler
        return register

    def card(self, key: type[CardKey], *filters: Filter, **fields: Any) -> Callable[[Handler], Handler]:
        """A button press whose key unpacks as ``key`` (with these field values): ``ctx.card``."""
        return self.route(f.known, f.card_key(key, **fields), *filters)

    def event(self, *names: str, known: bool | None = None) -> Callable[[Handler], Handler]:
        """An app event (``subscribe``, ``enter_agent``…); ``known`` restricts to (non-)roster people."""
        who: tuple[Filter, ...] = () if known is None else ((f.known,) if known else (f.unknown,))
        return self.route(*who, f.app_event(*names))

    # -- handling -----------------------------------------------------------

    async def handle(self, ctx: Context, *, states: bool | None = None) -> Replies | _NotHandled:
        """Try the routes in order. ``states=True``: only routes answering the open question;
        ``False``: only the others; ``None``: all."""
        for route in self._routes:
            if states is not None and bool(route.state) != states:
                continue
            if route.state and not ctx.fsm.in_state(*route.state):
                continue
            found = await _passes(route.filters, ctx)
            if found is None:
                continue
            for name, value in found.items():
                if name in _CONTEXT_FIELDS:
                    setattr(ctx, name, value)
                else:
                    ctx.extras[name] = value
            try:
                result = await route.handler(ctx)
            except Refused as exc:
                ctx.extras[REFUSED] = exc.message  # a pressed card says it did nothing (see _card_answer)
                return Text(content=exc.message)
            if result is not NOT_HANDLED:
                return result
        return NOT_HANDLED


_CONTEXT_FIELDS = frozenset({"args", "match", "card"})
REFUSED = "refused"


def _card_answer(ctx: Context, replies: list[Reply], event: AppEvent) -> list[Reply]:
    """A button press: the answer, then the card updated in place with what it did and when, so it
    cannot be pressed again; a button that is stale (nothing handled it, or the action was refused)
    gets a short explanation and shows "已失效"."""
    from bot.cardkeys import STALE, STALE_EXPLAINED, result_of

    mine = [r for r in replies if r.to in (None, ctx.userid)]
    refused = REFUSED in ctx.extras
    if not mine and ctx.sender is not None:
        replies, refused = [*replies, Text(content=STALE_EXPLAINED)], True
    done = STALE if refused else result_of(event.event_key)
    if done is None or not event.response_code:
        return replies
    update = CardUpdate(to=ctx.userid, response_code=event.response_code, result=f"{done} · {ctx.now:%m-%d %H:%M}")
    return [*replies, update]


async def _passes(checks: tuple[Filter, ...], ctx: Context) -> dict[str, Any] | None:
    found: dict[str, Any] = {}
    for check in checks:
        ok = check(ctx)
        if ok is True:  # most filters, most of the time (every route's are tried in turn): nothing more to ask
            continue
        if ok is False or ok is None:
            return None
        if type(ok) is not dict and inspect.isawaitable(ok):
            ok = await ok
        if not ok:
            return None
        if isinstance(ok, dict):
            found.update(ok)
    return found


def _replies(result: Replies | _NotHandled) -> list[Reply] | None:
    if result is NOT_HANDLED:
        return None
    if result is None:
        return []
    if isinstance(result, Reply):
        return [result]
    return list(result)  # type: ignore[arg-type]


class Dispatcher:
    """Runs routers in precedence order (the order lives in ``bot/registry.py``)."""

    def __init__(self, routers: Sequence[Router], *, catalog: Sequence[CommandInfo] | None = None) -> None:
        """``catalog``: the commands in the order the help lists them (default: the routers' order)."""
        self.routers = tuple(routers)
        self.catalog = tuple(catalog) if catalog is not None else tuple(c for r in self.routers for c in r.commands)

    def is_interrupt(self, ctx: Context) -> bool:
        """What always reaches its own router, whatever question is open."""
        from bot.nlu import Intent

        if not isinstance(ctx.event, TextMessage):
            return isinstance(ctx.event, AppEvent) and ctx.event.event == "template_card_event"
        if ctx.is_command:
            return True
        p = ctx.parse
        return p is not None and (p.intent in (Intent.INCIDENT_REPORT, Intent.DUTY_QUERY) or bool(p.urgent))

    async def _route(self, ctx: Context, routers: Sequence[Router], *, states: bool | None) -> list[Reply] | None:
        for router in routers:
            found = _replies(await router.handle(ctx, states=states))
            if found is not None:
                ctx.extras.setdefault("router", router.name)  # bot.pushes.is_urgent: which domain answered
                return found
        return None

    async def dispatch(self, ctx: Context) -> list[Reply]:
        pressed = ctx.event  # a click a router answers as text (bot.clarify routes the chosen message on)
        replies = await self._dispatch(ctx)
        if isinstance(pressed, AppEvent) and pressed.event == "template_card_event":
            return _card_answer(ctx, replies, pressed)
        return replies

    async def _dispatch(self, ctx: Context) -> list[Reply]:
        ctx.catalog = self.catalog
        fsm = ctx.fsm
        if not fsm.is_open:
            return await self._route(ctx, self.routers, states=False) or []
        state = fsm.state
        if self.is_interrupt(ctx) or state is None:
            prompt = fsm.prompt
            owner_name = (fsm.kind or "").split(".", 1)[0]
            ordered = [r for r in self.routers if r.name == owner_name] + [r for r in self.routers if r.name != owner_name]
            replies = await self._route(ctx, ordered, states=False) or []
            if state is not None and fsm.is_open and not fsm.changed and prompt and \
                    any(r.to in (None, ctx.userid) for r in replies):
                replies.append(Text(content=REASK + prompt))
            return replies
        if state.cancellable and is_cancel(ctx.text):
            await fsm.clear()
            return [Text(content=CANCELLED)]
        owner = [r for r in self.routers if r.name == state.domain]
        rest = [r for r in self.routers if r.name != state.domain]
        found = await self._route(ctx, owner + rest, states=True)
        if found is not None:
            return found
        if state.unanswered != KEEP and not fsm.changed:
            await fsm.clear()
        return await self._route(ctx, self.routers, states=False) or []
