"""The web workbench (工作台): ledgers and charts in the WeCom in-app browser and on a desktop.

``setup(app, parts)`` mounts it under ``/web/``. Framework: :mod:`bot.web.site` (the sub-application),
:mod:`bot.web.auth` (OAuth2, one-time links, sessions, CSRF), :mod:`bot.web.core` (page decorator,
errors), :mod:`bot.web.permissions`, :mod:`bot.web.tables` and :mod:`bot.web.workbook` (Excel),
:mod:`bot.web.parts` (what a domain brings). The framework's own pages compose the domains' parts:
the start page and the overview (:mod:`bot.web.overview`), the inspection workbooks
(:mod:`bot.web.inspection`), the audit log (:mod:`bot.web.audit`). Each domain's pages are
``handlers/<domain>/pages.py``, declared in its ``Feature(pages=…, ledgers=…, glance=…)``; the
registry hands them in (``bot.registry.workbench()``): this package never imports a domain.

For the chat: :func:`create_login_link` (``/后台``) and ``bot.registry.inspection_workbook``
(``/导出``, sent with ``WeComClient.upload_media`` and a ``bot.replies.File``).
"""

from __future__ import annotations

from collections.abc import Sequence

from aiohttp import web

from bot import keys
from bot.web.auth import create_login_link
from bot.web.core import PREFIX, redirect
from bot.web.parts import Part

__all__ = ["Part", "create_login_link", "setup"]


def setup(app: web.Application, parts: Sequence[Part]) -> None:
    """Mount the workbench on ``app`` (uses the app's DB, SETTINGS, CLOCK, HTTP, TOKENS, SENDER)."""
    from bot.web import site

    app.add_subapp(PREFIX, site.build(app[keys.SETTINGS], parts))

    async def bare(request: web.Request) -> web.StreamResponse:
        return redirect(f"{PREFIX}/")
    app.router.add_get(PREFIX, bare)
