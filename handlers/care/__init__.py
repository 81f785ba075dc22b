"""精密关注: care needs (with consent), tips about colleagues, visits, the ledger, /我的, /覆盖.

Routes, in order of precedence: open questions (``questions``, ``which``), card buttons (``cards``),
slash commands (``commands``), then everyday words (``chat``: "登记 T{n}", care needs, visit
reports). Importing them registers them, in that order. The workbench's pages are ``pages`` (the
ledger, visits, a person's timeline) and ``zones`` (coverage, a member's zone); templates in ``templates/care/``.
"""

from bot.feature import Feature
from handlers.care import questions  # noqa: F401, I001 - route order matters
from handlers.care import which  # noqa: F401
from handlers.care import cards  # noqa: F401
from handlers.care import commands  # noqa: F401
from handlers.care import ledger  # noqa: F401
from handlers.care import asking  # noqa: F401
from handlers.care import chat  # noqa: F401
from handlers.care import api, pages
from handlers.care.export import write_sheets
from handlers.care.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets, pages=pages.setup, ledgers=pages.ledgers,
                  glance=pages.glance, precedes=("deeds",))
