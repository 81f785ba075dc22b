"""The talent domain: what people and the secretary see of it in chat, the read API and the export."""

from bot.feature import Feature
from handlers.talent import api
from handlers.talent.export import write_sheets
from handlers.talent.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets)
