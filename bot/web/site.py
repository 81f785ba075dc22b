"""Builds the workbench: a sub-application under ``/web/`` with its own middlewares, templates, static files.

The pages are handed in (``bot.web.setup`` passes ``bot.web.pages.PAGES``): this framework never
imports a page. A page module exports ``setup(webapp)``, adding its routes and navigation entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from pathlib import Path
from typing import Any, Protocol

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware

from bot.config import Settings
from bot.web import auth, core

STATIC = Path(__file__).parent / "static"


class PageModule(Protocol):
    def setup(self, app: web.Application) -> None: ...


def _when(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M", *, tz: Any = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return value.strftime(fmt if isinstance(value, datetime) else "%Y-%m-%d")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def build(settings: Settings, pages: Iterable[PageModule]) -> web.Application:
    webapp = web.Application(middlewares=[core.headers, core.errors, session_middleware(auth.cookie_storage(settings)),
                                          auth.authenticate])
    webapp[core.NAV] = []
    env = aiohttp_jinja2.setup(webapp, loader=jinja2.PackageLoader("bot.web", "templates"),
                               autoescape=jinja2.select_autoescape(default=True), undefined=jinja2.StrictUndefined)
    env.filters["when"] = lambda v, fmt="%Y-%m-%d %H:%M": _when(v, fmt, tz=settings.tz)
    env.filters["pct"] = _pct
    env.globals["static"] = lambda path: str(webapp.router["static"].url_for(filename=path))
    webapp.router.add_static("/static/", STATIC, name="static", append_version=True)
    auth.setup_routes(webapp)
    for module in pages:
        module.setup(webapp)
    return webapp
