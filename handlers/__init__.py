"""Routers, one per domain. The order here is the order of precedence."""

from __future__ import annotations

from bot.dispatcher import Dispatcher, Router
from handlers import care, commands, deeds, dialog, duty, fallback, registration

ROUTERS: tuple[Router, ...] = (
    registration.router,  # people not in the roster
    dialog.router,  # late answers to expired questions
    deeds.router,  # 办实事: requests, progress, feedback, status, secretary item commands
    care.router,  # 精密关注: care needs, visits, ledger, coverage, /我的
    duty.router,  # duty queries, incidents, duty roster commands
    commands.router,  # unknown slash commands
    fallback.router,  # help
)


def build_dispatcher() -> Dispatcher:
    return Dispatcher(ROUTERS)
