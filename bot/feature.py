"""What a domain's handlers package declares once: its router, read-API routes, export sheets and
its parts of the workbench.

``handlers/<domain>/__init__.py`` exports ``feature = Feature(...)``; ``schedules/<domain>.py``
exports ``SWEEPS`` and optionally ``digest_lines``. The registry (``bot/registry.py``) builds the
app, the export, the workbench, the scheduler, the digest and the help from those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from aiohttp import web

from bot.dispatcher import Router
from bot.export import SheetWriter

if TYPE_CHECKING:
    from bot.web.parts import GlanceOf, Ledgers


@dataclass(frozen=True)
class Feature:
    """A domain's parts. ``precedes`` names domains whose routers must come after this one's
    (e.g. 精准帮扶 reads "项目2 已联系" before 办实事 takes it as item progress).

    The workbench (``bot.web``): ``pages`` adds the domain's routes and navigation entries to the
    ``/web/`` sub-application (its templates in ``handlers/<domain>/templates/<domain>/``);
    ``ledgers`` gives its sheets of the inspection workbooks; ``glance`` its figures on the overview.
    ``names_record`` says whether a text names one of the domain's records by its own kind of number
    ("帮扶1号 里程碑1 完成"): the domain reads such a text, never the clarification card first.
    """

    router: Router
    api: Callable[[web.Application], None] | None = None
    sheets: SheetWriter | None = None
    pages: Callable[[web.Application], None] | None = None
    ledgers: Ledgers | None = None
    glance: GlanceOf | None = None
    precedes: tuple[str, ...] = ()
    names_record: Callable[[str], bool] | None = None
