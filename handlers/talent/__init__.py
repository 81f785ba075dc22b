"""精英培养: talent profiles, trainings (/培训), reserve talent (后备人才) and internal lecturers.

Routes, in order of precedence: slash commands (``profiles``, ``trainings``, ``reserve``), then free
statements (``chat``). Signing up for trainings is ``handlers.gatherings``' (shared with activities).
The workbench's profile and reserve-talent pages are ``pages``.
"""

from bot.feature import Feature
from handlers.talent import profiles  # noqa: F401, I001 - route order matters
from handlers.talent import trainings  # noqa: F401
from handlers.talent import reserve  # noqa: F401
from handlers.talent import chat  # noqa: F401
from handlers.talent import api, pages
from handlers.talent.export import write_sheets
from handlers.talent.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets, pages=pages.setup, ledgers=pages.ledgers)
