"""迎检台账: the two inspection workbooks, composed of each domain's ledger sheets (its ``ledgers``).

- public (公开台账): every ledger without health or family detail, tipster's words or reserve-talent
  review — what the branch hands to an inspector;
- internal (内部台账): everything, for the secretary only, asked for explicitly (a POST with a
  confirmation), audited as a whole and per sensitive record.

:func:`inspection_workbook` builds either outside a request (``/导出`` in chat sends it as a file;
``bot.registry.inspection_workbook`` passes the parts).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from aiohttp import web

from bot.config import Settings
from bot.web import permissions as perm
from bot.web.core import Ctx, Scope, add_nav, page
from bot.web.parts import PARTS, Part
from bot.web.tables import Table, fill, xlsx_response
from bot.web.workbook import InspectionWorkbook
from storage import audit, people
from storage.scope import set_branch
from storage.db import Database

PUBLIC, INTERNAL = "公开台账", "内部台账"


def ledgers(scope: Scope, parts: Sequence[Part], *, internal: bool) -> list[Table]:
    """The sheets of the workbook, domain by domain (``DOMAINS`` order)."""
    return [t for p in parts if p.ledgers is not None for t in p.ledgers(scope, internal=internal)]


async def build(scope: Scope, parts: Sequence[Part], *, internal: bool) -> bytes:
    """The workbook's bytes, committing ``scope.session`` after each chunk read; the export is audited."""
    if internal and not perm.secretary(scope.viewer):
        raise PermissionError("the internal workbook is for the secretary only")
    book = InspectionWorkbook(scope.viewer.branch_name, scope.now, scope.tz, internal=internal)
    await fill(book, ledgers(scope, parts, internal=internal), scope.session.commit)
    await audit.record(scope.session, scope.now, scope.viewer.userid, "export", "workbook",
                       INTERNAL if internal else PUBLIC, f"sheets={len(book.used)}")
    return await asyncio.to_thread(book.to_bytes)


async def inspection_workbook(db: Database, settings: Settings, now: datetime, userid: str, parts: Sequence[Part],
                              *, internal: bool = False, branch: int | None = None) -> tuple[str, bytes]:
    """``(file name, xlsx bytes)`` as ``userid`` may see it (for ``/导出``).

    It reads in its own short transactions (seconds for a large branch): call it outside an event's
    transaction, e.g. from a task, then upload the bytes and queue a ``bot.replies.File``.

    Raises:
        PermissionError: ``userid`` is not in the roster (of ``branch``, when given: the branch asked for),
            or asks for the internal workbook without being the secretary.
    """
    async with db.sessions() as session:
        person = await people.get(session, userid)
        if person is None or (branch is not None and person.branch_id != branch):
            raise PermissionError("not in the roster of the branch asked for")
        set_branch(session, person.branch_id)  # the workbook of the asker's branch
        branch = await people.branches.get(session, person.branch_id)
        scope = Scope(perm.viewer_of(person, branch.name if branch else ""), session, now.astimezone(settings.tz),
                      settings)
        data = await build(scope, parts, internal=internal)
        await session.commit()
    return _filename(scope, internal), data


def _filename(scope: Scope, internal: bool) -> str:
    return f"{scope.viewer.branch_name}{INTERNAL if internal else PUBLIC}-{scope.now:%Y%m%d}.xlsx"


@page(perm.secretary, "迎检台账只有支部书记可以导出。")
async def index(ctx: Ctx) -> web.StreamResponse:
    names = [t.name for t in ledgers(ctx, ctx.request.app[PARTS], internal=False)]
    return ctx.render("inspection/index.html", title="迎检台账", sheets=names)


@page(perm.secretary, "迎检台账只有支部书记可以导出。")
async def public_workbook(ctx: Ctx) -> web.StreamResponse:
    return xlsx_response(await build(ctx, ctx.request.app[PARTS], internal=False), _filename(ctx, False))


@page(perm.secretary, "内部台账只有支部书记可以导出。")
async def internal_workbook(ctx: Ctx) -> web.StreamResponse:
    form = await ctx.request.post()
    ctx.require(form.get("confirm") == "yes", "导出内部台账需要勾选确认：内含健康、家庭等敏感信息。")
    return xlsx_response(await build(ctx, ctx.request.app[PARTS], internal=True), _filename(ctx, True))


def setup(app: web.Application) -> None:
    app.router.add_get("/inspection", index)
    app.router.add_get("/inspection/public.xlsx", public_workbook)
    app.router.add_post("/inspection/internal.xlsx", internal_workbook)
    add_nav(app, "迎检台账", "inspection", perm.secretary, order=85)
