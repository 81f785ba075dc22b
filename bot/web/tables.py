"""Tables: one definition serves the page (a page of rows) and its Excel download (all rows, same filters).

A :class:`Table` names its ledger, its columns and a ``fetch(limit, offset) -> Page`` closure over the
page's filters (``limit=None``: every row); cells are plain values or :class:`Cell` (a link, a tone) for the page.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.web.core import Ctx
from bot.web.params import PER_PAGE
from bot.web.workbook import XLSX, Column, InspectionWorkbook
from storage.paging import Page
from storage.vocab import Labeled

CHUNK = 2000  # rows fetched and written at a time for a download

Row = Sequence[Any]
Fetch = Callable[[int | None, int], Awaitable[Page[Row]]]


@dataclass(frozen=True)
class Cell:
    """A value with a link and/or a tone (``late``, ``ok``, ``muted``, ``masked``) on the page."""

    value: Any
    href: str | None = None
    tone: str | None = None


def value_of(v: Any) -> Any:
    return v.value if isinstance(v, Cell) else v


@dataclass(frozen=True)
class Table:
    key: str
    name: str  # the ledger's name: sheet name and title
    columns: Sequence[Column]
    fetch: Fetch
    paged: bool = True
    note: str = ""  # shown under the table (e.g. why some cells are masked)


@dataclass
class Shown:
    table: Table
    rows: list[Row]
    total: int
    page: int
    pages: int
    xlsx: str
    prev: str | None
    next: str | None


async def show(ctx: Ctx, table: Table) -> Shown:
    page = ctx.q.page() if table.paged else 1
    limit = PER_PAGE if table.paged else None
    found = await table.fetch(limit, (page - 1) * PER_PAGE if table.paged else 0)
    pages = max(1, math.ceil(found.total / PER_PAGE)) if table.paged else 1
    return Shown(table, found.rows, found.total, page, pages, ctx.here(format="xlsx", table=table.key, page=None),
                 ctx.here(page=page - 1) if page > 1 else None,
                 ctx.here(page=page + 1) if page < pages else None)


async def respond(ctx: Ctx, template: str, tables: Sequence[Table], **data: Any) -> web.StreamResponse:
    """The page, or with ``?format=xlsx`` (``&table=key`` for one of them) the tables as a workbook."""
    if ctx.q.wants_xlsx:
        key = ctx.q.choice("table", [t.key for t in tables])
        chosen = [t for t in tables if key is None or t.key == key]
        return await download(ctx, chosen, chosen[0].name if len(chosen) == 1 else data.get("title", "台账"))
    shown = {t.key: await show(ctx, t) for t in tables}
    return ctx.render(template, tables=shown, **data)


async def fill(book: InspectionWorkbook, tables: Sequence[Table],
               between: Callable[[], Awaitable[None]] | None = None) -> None:
    """Write every table's rows into ``book``, a chunk at a time, the writing off the event loop;
    ``between`` runs after each chunk is read (a commit, so no transaction spans the whole download)."""
    for table in tables:
        sheet = book.sheet(table.name, table.columns)
        offset = 0
        while True:
            rows = (await table.fetch(CHUNK, offset)).rows
            if between is not None:
                await between()
            await asyncio.to_thread(sheet.extend, [[value_of(v) for v in r] for r in rows])
            offset += len(rows)
            if len(rows) < CHUNK:
                break


def xlsx_response(data: bytes, filename: str) -> web.Response:
    return web.Response(body=data, content_type=XLSX, headers={
        "Content-Disposition": f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "no-store"})


async def download(ctx: Ctx, tables: Sequence[Table], name: str, *, internal: bool = False) -> web.Response:
    book = InspectionWorkbook(ctx.viewer.branch_name, ctx.now, ctx.tz, internal=internal)
    await fill(book, tables, ctx.session.commit)
    data = await asyncio.to_thread(book.to_bytes)
    return xlsx_response(data, f"{ctx.viewer.branch_name}{name}-{ctx.now:%Y%m%d}.xlsx")


@dataclass(frozen=True)
class Field:
    """A filter in a page's filter form: ``kind`` is select | text | date | month."""

    name: str
    label: str
    kind: str = "select"
    options: Sequence[tuple[str, str]] = ()  # (value, label)


def options(members: Iterable[Labeled]) -> list[tuple[str, str]]:
    """Select options from a vocabulary's members (``DeedStatus``, or some of them), with their one label."""
    return [(m.value, m.label) for m in members]


def listed(rows: Sequence[Row], limit: int | None, offset: int) -> Page[Row]:
    """One page of rows a fetch already holds in full (a short list: a history, a month of duty)."""
    return Page(list(rows[offset: None if limit is None else offset + limit]), len(rows))
