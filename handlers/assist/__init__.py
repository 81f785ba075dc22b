"""The assist domain: what people and the secretary see of it in chat, the read API and the export."""

from bot.feature import Feature
from handlers.assist import api
from handlers.assist.export import write_sheets
from handlers.assist.router import router as _router

# "项目2 已联系街道" is project progress, not item progress: assist reads it before deeds.
feature = Feature(_router, api=api.setup, sheets=write_sheets, precedes=("deeds",))
