"""Builds the workbench: a sub-application under ``/web/`` with its own middlewares, templates, static files.

The domains' parts are handed in (``bot.app`` passes ``bot.registry.workbench()``): this framework never
imports a domain. A part's ``pages(webapp)`` adds its routes and navigation entries; its templates are
found as ``<domain>/<name>.html`` in its package's ``templates/<domain>/`` folder, the framework's own
(``base.html``, ``_macros.html``, ``list.html``…) in ``bot/web/templates/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import jinja2
from aiohttp import web
from aiohttp_session import session_middleware

from bot.config import Settings
from bot.web import audit, auth, core, inspection, overview
from bot.web.parts import PARTS, Part

STATIC = Path(__file__).parent / "static"


def _when(value: datetime | date | None, fmt: str = "%Y-%m-%d %H:%M", *, tz: Any = None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime) and tz is not None:
        value = value.astimezone(tz)
    return value.strftime(fmt if isinstance(value, datetime) else "%Y-%m-%d")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.0f}%"


def loader(parts: Sequence[Part]) -> jinja2.BaseLoader:
    """The framework's templates, and each domain's under its name (``deeds/item.html``): a domain's
    templates cannot shadow the framework's or another domain's."""
    own = {p.name: jinja2.PackageLoader(p.package, f"templates/{p.name}") for p in parts
           if files(p.package).joinpath("templates", p.name).is_dir()}
    return jinja2.ChoiceLoader([jinja2.PackageLoader("bot.web", "templates"), jinja2.PrefixLoader(own)])


def build(settings: Settings, parts: Sequence[Part]) -> web.Application:
    webapp = web.Application(middlewares=[core.headers, core.errors, session_middleware(auth.cookie_storage(settings)),
                                          auth.authenticate])
    webapp[core.NAV] = []
    webapp[PARTS] = tuple(parts)
    env = aiohttp_jinja2.setup(webapp, loader=loader(parts),
                               autoescape=jinja2.select_autoescape(default=True), undefined=jinja2.StrictUndefined)
    env.filters["when"] = lambda v, fmt="%Y-%m-%d %H:%M": _when(v, fmt, tz=settings.tz)
    env.filters["pct"] = _pct
    env.globals["static"] = lambda path: str(webapp.router["static"].url_for(filename=path))
    webapp.router.add_static("/static/", STATIC, name="static", append_version=True)
    auth.setup_routes(webapp)
    overview.setup(webapp)
    inspection.setup(webapp)
    audit.setup(webapp)
    for part in parts:
        if part.pages is not None:
            part.pages(webapp)
    return webapp
