"""What a domain brings to the workbench, declared once in its ``Feature`` and composed by the framework.

- ``pages(webapp)``: its routes and navigation entries (templates under ``templates/<domain>/`` of its package);
- ``ledgers(scope, internal=...)``: its sheets of the inspection workbooks (``internal=False`` must leave out
  health and family details, tipsters' words and reserve-talent reviews);
- ``glance(ctx)``: its figures and charts on the secretary's overview (each with an ``order``, as navigation
  entries have, so the overview reads as one page whichever domain a figure comes from).

``bot.registry.workbench()`` turns the features into :class:`Part` s, in ``DOMAINS`` order: the order of the
workbook's sheets.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from aiohttp import web

if TYPE_CHECKING:
    from bot.web.core import Ctx, Scope
    from bot.web.tables import Table


class Kpi(NamedTuple):
    """A figure on the overview, linking to the rows behind it; ``late`` shows it as a warning.
    ``order`` places it among every domain's figures (as ``add_nav`` does for tabs)."""

    label: str
    value: Any
    href: str
    late: bool = False
    order: int = 50


class Chart(NamedTuple):
    """A chart on the overview: its id (``chart-<key>``), its spec (``bot.web.charts.chart``), its place."""

    key: str
    spec: dict[str, Any]
    order: int = 50


@dataclass
class Glance:
    kpis: list[Kpi] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    waiting: str = ""  # what is still being computed (the page refreshes itself)


class Ledgers(Protocol):
    def __call__(self, scope: Scope, *, internal: bool) -> Sequence[Table]: ...


GlanceOf = Callable[["Ctx"], Awaitable[Glance]]
Pages = Callable[[web.Application], None]


PARTS = web.AppKey("web_parts", tuple)  # the workbench's parts (set by ``site.build``)


@dataclass(frozen=True)
class Part:
    name: str  # the domain; its templates are found as "<name>/…html"
    package: str  # the package whose templates/<name>/ folder holds them
    pages: Pages | None = None
    ledgers: Ledgers | None = None
    glance: GlanceOf | None = None
