"""征求意见: the secretary builds and publishes questionnaires; people answer one question at a time.

Routes, in order of precedence: the open questions (``questions``: the secretary adding questions,
someone answering), the card button (``cards``), then ``/问卷`` and the resume words (``commands``).
Importing them registers them, in that order. While a question is open, interrupts (slash commands,
card clicks, incident or urgent reports, duty queries) reach their own router and the question is
asked again; everything else goes to the survey. The workbench's result pages are ``pages``
(templates in ``templates/surveys/``).
"""

from bot.feature import Feature
from handlers.surveys import questions  # noqa: F401, I001 - route order matters
from handlers.surveys import cards  # noqa: F401
from handlers.surveys import commands  # noqa: F401
from handlers.surveys import api, pages
from handlers.surveys.export import write_sheets
from handlers.surveys.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets, pages=pages.setup, ledgers=pages.ledgers)
from handlers.surveys.waiting import pending  # noqa: E402 - short replies in context (bot.pending)
