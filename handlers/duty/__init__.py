"""The duty domain: who is on duty (the rota, /值班, "今天谁值班"), incidents followed to the end.

Routes, in order of precedence: the open question (``questions``), card buttons (``cards``), slash
commands (``commands``), then everyday words (``chat``). Importing them registers them, in that order.
The router comes before 办实事's: "#N 已处理" and "人已送医" about an incident reach it first. The
workbench's duty calendar is ``pages`` (templates in ``templates/duty/``).
"""

from bot.feature import Feature
from handlers.duty import questions  # noqa: F401, I001 - route order matters
from handlers.duty import cards  # noqa: F401
from handlers.duty import commands  # noqa: F401
from handlers.duty import chat  # noqa: F401
from handlers.duty import pages
from handlers.duty.export import write_sheets
from handlers.duty.router import router as _router

feature = Feature(_router, sheets=write_sheets, pages=pages.setup, precedes=("deeds",))
from handlers.duty.waiting import pending  # noqa: E402 - short replies in context (bot.pending)
