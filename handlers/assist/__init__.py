"""精准帮扶: assistance projects for a team, a person or an item.

Who may do what:
    - the secretary opens projects (``/帮扶 新建 …``); the lead defaults to the secretary;
    - the lead and the responsible members report progress and mark milestones done;
    - the affected employees (the target team's people, the target person, the target
      item's requester) give feedback; the lead is told;
    - only the lead assesses (``/帮扶 评估 N 达成|部分达成|未达成 说明``), which closes it.

Routes, in order of precedence: the steps of a new project (``questions``), the ``/帮扶`` commands
(``commands``), then texts naming a project (``chat``). Importing them registers them, in that order.
The workbench's project pages are ``pages`` (templates in ``templates/assist/``).
"""

from bot.feature import Feature
from handlers.assist import questions  # noqa: F401, I001 - route order matters
from handlers.assist import commands  # noqa: F401
from handlers.assist import chat  # noqa: F401
from handlers.assist import api, pages, parsing
from handlers.assist.export import write_sheets
from handlers.assist.router import router as _router

# "项目2 已联系街道" is project progress, not item progress: assist reads it before deeds.
feature = Feature(_router, api=api.setup, sheets=write_sheets, pages=pages.setup, ledgers=pages.ledgers,
                  precedes=("deeds",), names_record=lambda text: parsing.reference(text) is not None)
