"""The people domain: the roster (imported by ``sijing roster import``, ``importer``) and those not in it yet
(``registration``)."""

from bot.feature import Feature
from handlers.people import registration  # noqa: F401 - registers the routes
from handlers.people.router import router as _router

feature = Feature(_router)
