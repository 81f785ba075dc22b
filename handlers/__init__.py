"""Routers, one per domain. The order here is the order of precedence."""

from __future__ import annotations

from bot.dispatcher import Dispatcher, Router
from handlers import fallback, registration

ROUTERS: tuple[Router, ...] = (
    registration.router,
    fallback.router,
)


def build_dispatcher() -> Dispatcher:
    return Dispatcher(ROUTERS)
