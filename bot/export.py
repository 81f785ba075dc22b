"""``sijing export --out 台账.xlsx``: the ledgers as one Excel workbook, each domain's sheets in turn.

Each domain writes its sheets (``handlers/<domain>/export.py: write_sheets``) with the helpers here:
Chinese headers, names next to accounts, Chinese statuses, local dates, frozen header row,
auto-filter. Exporting sensitive care records is audited (actor ``export``).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo


from storage.people import branches

if TYPE_CHECKING:
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet
    from sqlalchemy.ext.asyncio import AsyncSession

    from storage.db import Database

SheetWriter = Callable[["AsyncSession", "Workbook", ZoneInfo, datetime], Awaitable[None]]

ACTOR = "export"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
PERCENT_FORMAT = "0.0%"
MIN_WIDTH, MAX_WIDTH = 8, 50


@dataclass
class Sheet:
    title: str
    headers: Sequence[str]
    rows: list[list[Any]] = field(default_factory=list)
    formats: dict[int, str] = field(default_factory=dict)  # column index (0-based) -> number format
    wrap: tuple[int, ...] = ()  # columns with long text
    tail: list[list[Any]] = field(default_factory=list)  # rows below the filtered table (totals, notes)


def local(value: datetime | None, tz: ZoneInfo) -> datetime | None:
    """Excel has no time zones: local wall-clock time, minute precision."""
    if value is None:
        return None
    return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)


def yes(flag: bool) -> str:
    return "是" if flag else "否"


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    text = str(value).split("\n")[0]
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _widths(sheet: Sheet) -> list[float]:
    return [min(MAX_WIDTH, max(MIN_WIDTH, max([_width(h) + 2] + [_width(r[index]) for r in sheet.rows
                                                                  if index < len(r)]) + 2))
            for index, h in enumerate(sheet.headers)]


def _stream(ws: Any, sheet: Sheet) -> None:
    """A write-only sheet (``export_workbook``): widths, panes and filter first, then each row once, styled as
    it goes, so a workbook of 100,000 rows is never held as cells in memory."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(_widths(sheet)):
        ws.column_dimensions[get_column_letter(index + 1)].width = width
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{max(len(sheet.rows) + 1, 1)}"
    bold, fill, centre = Font(bold=True), PatternFill("solid", fgColor="DDEBF7"), Alignment(horizontal="center",
                                                                                              vertical="center")
    head = []
    for h in sheet.headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font, cell.fill, cell.alignment = bold, fill, centre
        head.append(cell)
    ws.append(head)
    wrap = Alignment(wrap_text=True, vertical="top")
    styled = {i for i in range(len(sheet.headers)) if i in sheet.formats or i in sheet.wrap}
    for row in sheet.rows:
        if not styled:
            ws.append(row)
            continue
        out: list[Any] = list(row)
        for i in styled:
            if i >= len(out):
                continue
            cell = WriteOnlyCell(ws, value=out[i])
            if i in sheet.formats and out[i] is not None:
                cell.number_format = sheet.formats[i]
            if i in sheet.wrap:
                cell.alignment = wrap
            out[i] = cell
        ws.append(out)
    if sheet.tail:
        ws.append([])
        for row in sheet.tail:
            ws.append(row)


def write(ws: "Worksheet", sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._write_only import WriteOnlyWorksheet

    if isinstance(ws, WriteOnlyWorksheet):
        _stream(ws, sheet)
        return
    ws.append(list(sheet.headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", vertical="center")
    for row in sheet.rows:
        ws.append(row)
    last_row = ws.max_row
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.headers))}{max(last_row, 1)}"
    if sheet.tail:
        ws.append([])
        for row in sheet.tail:
            ws.append(row)
    for index in range(len(sheet.headers)):
        letter = get_column_letter(index + 1)
        fmt = sheet.formats.get(index)
        for (cell,) in ws.iter_rows(min_row=2, max_row=last_row, min_col=index + 1, max_col=index + 1):
            if fmt and cell.value is not None:
                cell.number_format = fmt
            if index in sheet.wrap:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        widest = max([_width(h) + 2 for h in [sheet.headers[index]]]
                     + [_width(r[index]) for r in sheet.rows if index < len(r)])
        ws.column_dimensions[letter].width = min(MAX_WIDTH, max(MIN_WIDTH, widest + 2))


async def export_workbook(db: "Database", path: str | Path, tz: ZoneInfo, writers: Sequence[SheetWriter], *,
                          now: datetime | None = None, branch: str | None = None) -> None:
    """Write the workbook to ``path`` (parent folders are created), one transaction for all sheets.

    Args:
        db: the database.
        path: the ``.xlsx`` file to write.
        tz: the configured time zone (dates and times are written as local wall-clock time).
        writers: each domain's ``write_sheets``, in the registry's order.
        now: the moment the export is as of (default: the current time).
        branch: the branch exported (code, name or id); by default the only one.

    Raises:
        Refused: several branches and none named.
    """
    from openpyxl import Workbook

    now = (now or datetime.now(timezone.utc)).astimezone(tz)
    wb = Workbook(write_only=True)  # rows are streamed to the file as each sheet is written (``_stream``)
    async with db.sessions() as session:
        scope = (await branches.resolve(session, branch)).id
    async with db.session(scope) as session, session.begin():
        for write_sheets in writers:
            await write_sheets(session, wb, tz, now)
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    wb.save(target)
