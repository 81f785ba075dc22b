"""The workbench's pages, one module per domain; this list is the only place that knows them all.

Each module exports ``setup(webapp)`` (routes and navigation entries); templates are under
``bot/web/templates/<domain>/``, new SQL under ``bot/web/queries/<domain>.py``.
"""

from __future__ import annotations

from bot.web.pages import (assist, audit, care, deeds, duty, gatherings, home, inspection, overview, people, surveys,
                           talent, teams)

PAGES = (home, overview, people, deeds, care, duty, assist, gatherings, talent, teams, surveys, inspection, audit)
