"""The duty domain: who is on duty, incidents, the duty roster."""

from bot.feature import Feature
from handlers.duty.export import write_sheets
from handlers.duty.router import router as _router

feature = Feature(_router, sheets=write_sheets)
