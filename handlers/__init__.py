"""Routers, one per domain. The order here is the order of precedence.

The router whose open question the sender is answering always goes first
(see ``Dispatcher._ordered``); otherwise this order decides.
"""

from __future__ import annotations

from bot.dispatcher import Dispatcher, Router
from handlers import (
    assist,
    care,
    commands,
    deeds,
    dialog,
    duty,
    fallback,
    registration,
    surveys,
    talent,
    teams,
)

ROUTERS: tuple[Router, ...] = (
    registration.router,  # people not in the roster
    dialog.router,  # late answers to expired questions
    surveys.router,  # 征求意见: answering a questionnaire, survey commands
    assist.router,  # 精准帮扶: projects (progress naming a project comes before deeds)
    deeds.router,  # 办实事: requests, progress, feedback, status, secretary item commands
    care.router,  # 精密关注: care needs, visits, ledger, coverage, /我的
    duty.router,  # duty queries, incidents, duty roster commands
    talent.router,  # 精英培养: profiles, trainings, reserve talent, lecturers
    teams.router,  # 精益班组: team scores, activities
    commands.router,  # unknown slash commands
    fallback.router,  # help
)


def build_dispatcher() -> Dispatcher:
    return Dispatcher(ROUTERS)
