"""Small reusable filters for routes."""

from __future__ import annotations

from bot.dispatcher import Context
from bot.events import AppEvent, MediaMessage, TextMessage


def known(ctx: Context) -> bool:
    return ctx.sender is not None


def unknown(ctx: Context) -> bool:
    return ctx.sender is None


def text(ctx: Context) -> bool:
    return isinstance(ctx.event, TextMessage)


def media(ctx: Context) -> bool:
    return isinstance(ctx.event, MediaMessage)


def app_event(*names: str):  # type: ignore[no-untyped-def]
    def check(ctx: Context) -> bool:
        return isinstance(ctx.event, AppEvent) and (not names or ctx.event.event in names)
    return check


def role(*roles: str):  # type: ignore[no-untyped-def]
    def check(ctx: Context) -> bool:
        return ctx.sender is not None and ctx.sender.role in roles
    return check


def card(prefix: str):  # type: ignore[no-untyped-def]
    """A template-card button press whose EventKey starts with ``prefix`` (e.g. ``"talent:"``)."""
    def check(ctx: Context) -> bool:
        return (isinstance(ctx.event, AppEvent) and ctx.event.event == "template_card_event"
                and ctx.event.event_key.startswith(prefix))
    return check
