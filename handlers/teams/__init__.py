"""精益班组: team ranking (/排名), a team's record (/班组), activities (/活动).

Routes, in order: the score commands (``scores``), then activities (``activities``). Signing up for
activities is ``handlers.gatherings``' (shared with trainings). The workbench's score pages are
``pages`` (templates in ``templates/teams/``).
"""

from bot.feature import Feature
from handlers.teams import scores  # noqa: F401, I001 - route order matters
from handlers.teams import activities  # noqa: F401
from handlers.teams import api, pages
from handlers.teams.export import write_sheets
from handlers.teams.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets, pages=pages.setup, ledgers=pages.ledgers,
                  glance=pages.glance)
