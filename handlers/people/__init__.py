"""The people domain: the roster (imported by ``sijing roster import``, ``importer``; synced from the WeCom
directory by ``sijing directory sync``, the nightly run and ``change_contact`` events, ``directory``,
``contacts``) and those not in it yet (``registration``); the way into the workbench from the chat (``workbench``:
/后台, /导出)."""

from bot.feature import Feature
from handlers.people import contacts  # noqa: F401 - registers the routes: WeCom's own events first
from handlers.people import registration  # noqa: F401
from handlers.people import workbench  # noqa: F401 - /后台, /导出
from handlers.people.router import router as _router

feature = Feature(_router)
