"""The surveys domain: what people and the secretary see of it in chat, the read API and the export."""

from bot.feature import Feature
from handlers.surveys import api
from handlers.surveys.export import write_sheets
from handlers.surveys.router import router as _router

feature = Feature(_router, api=api.setup, sheets=write_sheets)
