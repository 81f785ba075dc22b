"""The people domain: the roster and those not in it yet."""

from bot.feature import Feature
from handlers.people.router import router as _router

feature = Feature(_router)
