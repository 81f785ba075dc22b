"""The web workbench (工作台): ledgers and charts in the WeCom in-app browser and on a desktop.

``setup(app)`` mounts it under ``/web/``. Framework: :mod:`bot.web.site` (the sub-application),
:mod:`bot.web.auth` (OAuth2, one-time links, sessions, CSRF), :mod:`bot.web.core` (page decorator,
errors), :mod:`bot.web.permissions`, :mod:`bot.web.tables` and :mod:`bot.web.workbook` (Excel).
Pages: :mod:`bot.web.pages` (one module per domain), their SQL in :mod:`bot.web.queries`.

For the chat: :func:`create_login_link` (``/后台``) and ``bot.web.pages.inspection.inspection_workbook``
(``/导出``, sent with ``WeComClient.upload_media`` and a ``bot.replies.File``).
"""

from __future__ import annotations

from aiohttp import web

from bot import keys
from bot.web.auth import create_login_link
from bot.web.core import PREFIX, redirect

__all__ = ["create_login_link", "setup"]


def setup(app: web.Application) -> None:
    """Mount the workbench on ``app`` (uses the app's DB, SETTINGS, CLOCK, HTTP, TOKENS, SENDER)."""
    from bot.web import site
    from bot.web.pages import PAGES  # the composition root: the framework itself never imports pages

    app.add_subapp(PREFIX, site.build(app[keys.SETTINGS], PAGES))

    async def bare(request: web.Request) -> web.StreamResponse:
        return redirect(f"{PREFIX}/")
    app.router.add_get(PREFIX, bare)
