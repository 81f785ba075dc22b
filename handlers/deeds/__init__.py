"""办实事: requests become numbered items, followed by their owner until the requester confirms.

Routes, in order of precedence: open questions (``questions``), card buttons (``cards``), slash
commands (``commands``), then everyday words (``chat``). Importing them registers them, in that order.
The workbench's item pages are ``pages`` (templates in ``templates/deeds/``).
"""

from bot.feature import Feature
from handlers.deeds import questions  # noqa: F401, I001 - route order matters
from handlers.deeds import cards  # noqa: F401
from handlers.deeds import commands  # noqa: F401
from handlers.deeds import chat  # noqa: F401
from handlers.deeds import api, pages
from handlers.deeds.export import write_sheets
from handlers.deeds.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets, pages=pages.setup, ledgers=pages.ledgers,
                  glance=pages.glance)
from handlers.deeds.waiting import pending  # noqa: E402 - short replies in context (bot.pending)
