"""The workbench's pages, one module per domain; this list is the only place that knows them all.

Each module exports ``setup(webapp)`` (routes and navigation entries); templates are under
``bot/web/templates/<domain>/``, new SQL under ``bot/web/queries/<domain>.py``.
"""

from __future__ import annotations

from bot.web.pages import deeds, home

PAGES = (home, deeds)
