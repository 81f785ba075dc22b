"""Gatherings: signing up for trainings (精英培养) and activities (精益班组), withdrawing, rosters,
cancelling and attendance — one flow for both kinds.

Announcing and listing stay with their domains (``/培训`` in ``handlers.talent``, ``/活动`` in
``handlers.teams``); both build on ``storage.gatherings``. This router comes before theirs
(``precedes``), so "/培训 1 名单" and "/活动 取消 2" reach it first. Routes, in order: card
buttons and sign-up texts (``signup``), then the organisers' commands (``organisers``). The workbench's
pages of both kinds are ``pages`` (templates in ``templates/gatherings/``).
"""

from bot.feature import Feature
from handlers.gatherings import signup  # noqa: F401, I001 - route order matters
from handlers.gatherings import organisers  # noqa: F401
from handlers.gatherings import api, pages
from handlers.gatherings.router import router as _router

feature = Feature(_router, api=api.setup, pages=pages.setup, ledgers=pages.ledgers, precedes=("talent", "teams"))
from handlers.gatherings.waiting import pending  # noqa: E402 - short replies in context (bot.pending)
