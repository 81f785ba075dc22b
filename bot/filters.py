"""Filters for routes: small callables of the context returning ``bool`` or a dict of what they found."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from bot.context import COMMAND_MARKS, Context, slash
from bot.events import AppEvent, MediaMessage, TextMessage

if TYPE_CHECKING:
    from bot.cardkeys import CardKey
    from bot.nlu import Intent

Check = Callable[[Context], Any]


def known(ctx: Context) -> bool:
    return ctx.sender is not None


def unknown(ctx: Context) -> bool:
    return ctx.sender is None


def text(ctx: Context) -> bool:
    return isinstance(ctx.event, TextMessage)


def media(ctx: Context) -> bool:
    return isinstance(ctx.event, MediaMessage)


def not_command(ctx: Context) -> bool:
    return not ctx.text.lstrip().startswith(COMMAND_MARKS)


def app_event(*names: str) -> Check:
    def check(ctx: Context) -> bool:
        return isinstance(ctx.event, AppEvent) and (not names or ctx.event.event in names)
    return check


def role(*roles: str) -> Check:
    def check(ctx: Context) -> bool:
        return ctx.sender is not None and ctx.sender.role in roles
    return check


def staff(ctx: Context) -> bool:
    """Party members and the secretary."""
    return ctx.sender is not None and ctx.sender.is_staff


def card(prefix: str) -> Check:
    """A template-card button press whose EventKey starts with ``prefix`` (e.g. ``"talent:"``)."""
    def check(ctx: Context) -> bool:
        return (isinstance(ctx.event, AppEvent) and ctx.event.event == "template_card_event"
                and ctx.event.event_key.startswith(prefix))
    return check


def card_key(key: type[CardKey], **fields: Any) -> Check:
    """A button press whose key unpacks as ``key`` with these field values; gives ``card``."""
    def check(ctx: Context) -> dict[str, Any] | bool:
        if not (isinstance(ctx.event, AppEvent) and ctx.event.event == "template_card_event"):
            return False
        found = key.unpack(ctx.event.event_key)
        if found is None or any(getattr(found, k) != v for k, v in fields.items()):
            return False
        return {"card": found}
    return check


def regex(pattern: str | re.Pattern[str]) -> Check:
    """The text matches (``re.match`` on the stripped text); gives ``match``."""
    compiled = re.compile(pattern) if isinstance(pattern, str) else pattern

    def check(ctx: Context) -> dict[str, Any] | bool:
        m = compiled.match(ctx.text.strip())
        return {"match": m} if m else False
    return check


def command(name: str, *aliases: str) -> Check:
    """``/name`` alone or followed by a space, ``#``, a digit or the end; gives ``args``."""
    heads = tuple(sorted((name, *aliases), key=len, reverse=True))

    def check(ctx: Context) -> dict[str, Any] | bool:
        t = slash(ctx.text)
        for head in heads:
            if t.startswith(head) and (len(t) == len(head) or t[len(head)] in " \t\n#＃0123456789　"):
                return {"args": t[len(head):].strip()}
        return False
    return check


def intent(*intents: Intent) -> Check:
    def check(ctx: Context) -> bool:
        return ctx.parse is not None and ctx.parse.intent in intents
    return check


def has_ref(ctx: Context) -> bool:
    """The text names an item number (``#12``, ``12号``…)."""
    return ctx.parse is not None and ctx.parse.ref is not None
