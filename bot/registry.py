"""The composition root's one list: which domains exist, in order of precedence.

Adding a domain is one line in ``DOMAINS``: its ``handlers/<name>/`` package exports ``feature``
(router, API routes, export sheets, workbench pages, ledgers and overview figures) and its
``schedules/<name>.py`` exports ``SWEEPS`` and, optionally, ``digest_lines``. The app, the CLI, the
export, the workbench, the scheduler, the digest and the help are built from here.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from importlib import import_module
from types import ModuleType
from typing import Any

from bot import clarify, dialog, fallback, help, pending
from bot.dispatcher import Dispatcher, Router
from bot.export import SheetWriter
from bot.config import Settings
from bot.feature import Feature
from bot.web import Part
from bot.web.inspection import inspection_workbook as _workbook
from schedules.context import Sweep
from schedules.digest import DigestSection, digest_sweep
from storage.db import Database

DOMAINS: tuple[str, ...] = (
    "people",  # the roster; people not in it yet
    "deeds",  # 办实事
    "care",  # 精密关注
    "duty",  # duty, incidents
    "assist",  # 精准帮扶
    "talent",  # 精英培养
    "gatherings",  # sign-ups for trainings and activities
    "teams",  # 精益班组
    "surveys",  # 征求意见
    "committee",  # 党委: every branch, read-only (/支部, /争先, the committee digest)
)


@cache
def _features() -> dict[str, Feature]:
    return {name: import_module(f"handlers.{name}").feature for name in DOMAINS}


def features() -> tuple[Feature, ...]:
    """In ``DOMAINS`` order: the order of sheets, digest sections and help."""
    return tuple(_features().values())


def precedence() -> tuple[str, ...]:
    """``DOMAINS`` reordered only as far as each feature's ``precedes`` requires (stable)."""
    feats = _features()
    order: list[str] = []
    for name in DOMAINS:
        must = [order.index(d) for d in feats[name].precedes if d in order]
        if must:
            order.insert(min(must), name)  # before the first placed domain it must precede
        else:
            order.append(name)
    for name in DOMAINS:
        for later in feats[name].precedes:
            if later in feats and order.index(later) < order.index(name):
                raise RuntimeError(f"registry: {name} cannot precede {later}")
    return tuple(order)


@cache
def _schedules() -> tuple[ModuleType, ...]:
    return tuple(import_module(f"schedules.{name}") for name in DOMAINS)


def pending_parts() -> dict[str, pending.Pending]:
    """Each domain's ``pending`` (what waits for a person, for short replies in context), in ``DOMAINS`` order."""
    _features()
    found = {name: getattr(import_module(f"handlers.{name}"), "pending", None) for name in DOMAINS}
    return {name: part for name, part in found.items() if isinstance(part, pending.Pending)}


def routers() -> tuple[Router, ...]:
    """Framework routers around the domains': expired answers first; short replies in context after the
    domains' own reading; unknown commands and help last."""
    feats = _features()
    clarify.leave_to_domains(tuple(f.names_record for f in feats.values() if f.names_record is not None))
    return (dialog.router, clarify.router, *(feats[name].router for name in precedence()),
            pending.router_for(pending_parts()), help.router, fallback.router)


def build_dispatcher() -> Dispatcher:
    """Routers in precedence order; the help lists commands in ``DOMAINS`` order."""
    return Dispatcher(routers(), catalog=tuple(c for f in features() for c in f.router.commands))


def sheet_writers() -> tuple[SheetWriter, ...]:
    return tuple(f.sheets for f in features() if f.sheets is not None)


def workbench() -> tuple[Part, ...]:
    """Each domain's part of the workbench, in ``DOMAINS`` order (its templates in its own package)."""
    return tuple(Part(name, f"handlers.{name}", f.pages, f.ledgers, f.glance) for name, f in _features().items()
                 if f.pages or f.ledgers or f.glance)


async def inspection_workbook(db: Database, settings: Settings, now: datetime, userid: str, *,
                              internal: bool = False, branch: int | None = None) -> tuple[str, bytes]:
    """``(file name, xlsx bytes)`` of the inspection workbook as ``userid`` may see it (for ``/导出``);
    see ``bot.web.inspection.inspection_workbook``."""
    return await _workbook(db, settings, now, userid, workbench(), internal=internal, branch=branch)


async def attachment(db: Database, settings: Settings, spec: dict[str, Any]) -> tuple[str, bytes]:
    """The file an ``Attachment`` reply names, built when the sender delivers it (``Sender(attachments=)``):
    ``{"kind": "inspection_workbook", "userid", "branch", "internal", "as_of"}`` (``/导出``)."""
    if spec.get("kind") != "inspection_workbook":
        raise ValueError(f"unknown attachment kind {spec.get('kind')!r}")
    return await inspection_workbook(db, settings, datetime.fromisoformat(str(spec["as_of"])), str(spec["userid"]),
                                     internal=bool(spec.get("internal")), branch=spec.get("branch"))


def digest_sections() -> tuple[DigestSection, ...]:
    return tuple(m.digest_lines for m in _schedules() if hasattr(m, "digest_lines"))


def sweeps() -> tuple[Sweep, ...]:
    """Every domain's sweeps, then the digests."""
    return (*(s for m in _schedules() for s in m.SWEEPS), digest_sweep(digest_sections()))
