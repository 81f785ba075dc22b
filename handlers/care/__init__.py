"""The care domain: what people and the secretary see of it in chat, the read API and the export."""

from bot.feature import Feature
from handlers.care import api
from handlers.care.export import write_sheets
from handlers.care.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets)
