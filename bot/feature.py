"""What a domain's handlers package declares once: its router, read-API routes and export sheets.

``handlers/<domain>/__init__.py`` exports ``feature = Feature(...)``; ``schedules/<domain>.py``
exports ``SWEEPS`` and optionally ``digest_lines``. The registry (``bot/registry.py``) builds the
app, the export, the scheduler, the digest and the help from those.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aiohttp import web

from bot.dispatcher import Router
from bot.export import SheetWriter


@dataclass(frozen=True)
class Feature:
    """A domain's parts. ``precedes`` names domains whose routers must come after this one's
    (e.g. 精准帮扶 reads "项目2 已联系" before 办实事 takes it as item progress)."""

    router: Router
    api: Callable[[web.Application], None] | None = None
    sheets: SheetWriter | None = None
    precedes: tuple[str, ...] = ()
