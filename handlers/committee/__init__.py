"""The committee view (党委): /支部 (every branch's figures, or one branch), /争先 (支部争先, the quarterly
branch ranking) and ``/api/branches`` — read-only, for committee officers, every view audited.

The figures and the ranking are ``storage.committee``'s; the committee digest is ``schedules/committee.py``.
"""

from bot.feature import Feature
from handlers.committee import commands  # noqa: F401 - registers the routes
from handlers.committee import api
from handlers.committee.router import router as _router

feature = Feature(_router, api=api.setup)
