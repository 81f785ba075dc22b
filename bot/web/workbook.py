"""Inspection workbooks (台账) an inspector accepts, written with openpyxl's write-only (streaming) mode.

Every sheet: a title row (branch, ledger name, 截至 date; internal workbooks say 内部资料), Chinese
headers, wrapped text with row heights estimated from the text, landscape A4 fitted to the page
width, the header row repeated on every printed page, page numbers in the footer, frozen header,
auto-filter. Datetimes are written as local wall-clock time (Excel has no time zones).
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.styles.cell_style import StyleArray

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WIDTHS = {"text": 12, "wrap": 40, "int": 8, "date": 11, "datetime": 16, "pct": 9}
FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm", "pct": "0.0%", "int": "0"}
LINE_HEIGHT = 15.0  # points per line of 10.5 pt text
MAX_HEIGHT = 409.0  # Excel's limit
MAX_LINES = 20
SHEET_NAME_LIMIT = 31


@cache
def _xl() -> SimpleNamespace:
    """openpyxl and the styles every sheet uses, imported when the first workbook is written: the server
    imports this module for its columns, and openpyxl costs ~13 MB and 60 ms that most processes never use."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.styles.cell_style import StyleArray
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    thin = Side(style="thin", color="999999")
    return SimpleNamespace(
        Workbook=Workbook, WriteOnlyCell=WriteOnlyCell, Alignment=Alignment, StyleArray=StyleArray,
        get_column_letter=get_column_letter, PageSetupProperties=PageSetupProperties,
        BORDER=Border(left=thin, right=thin, top=thin, bottom=thin), FONT=Font(name="宋体", size=10.5),
        HEAD_FONT=Font(name="黑体", size=10.5, bold=True), TITLE_FONT=Font(name="黑体", size=14, bold=True),
        HEAD_FILL=PatternFill("solid", fgColor="DDEBF7"))


@dataclass(frozen=True)
class Column:
    """A column: its Chinese header, what it holds, its width in characters (default by kind)."""

    header: str
    kind: str = "text"  # text | wrap | int | date | datetime | pct
    width: float | None = None
    on_page: bool = True  # False: in the Excel ledger only (long texts a phone need not show)

    @property
    def chars(self) -> float:
        return self.width or max(WIDTHS.get(self.kind, 12), display_width(self.header) + 2)


def display_width(text: str) -> int:
    """Columns a line takes: CJK characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _lines(value: Any, chars: float) -> int:
    if not isinstance(value, str) or not value:
        return 1
    room = max(chars - 1, 1)
    return sum(max(1, math.ceil(display_width(line) / room)) for line in value.split("\n"))


def plain(value: Any, tz: ZoneInfo) -> Any:
    """A value Excel can hold: local naive datetimes, text for anything unusual."""
    if isinstance(value, datetime):
        return value.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0)
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None or isinstance(value, (str, int, float, date)):
        return value
    return str(value)


class SheetWriter:
    """One ledger sheet; rows are appended as they come and never held in memory."""

    def __init__(self, book: InspectionWorkbook, name: str, ledger: str, columns: Sequence[Column]) -> None:
        xl = _xl()
        self._book = book
        self._columns = tuple(columns)
        self.ws = ws = book.wb.create_sheet(_sheet_name(name, book.used))
        self._row = 0
        self._styles = [self._prototype(c) for c in self._columns]
        for i, col in enumerate(self._columns, start=1):
            ws.column_dimensions[xl.get_column_letter(i)].width = col.chars
        ws.freeze_panes = "A3"
        ws.sheet_properties.pageSetUpPr = xl.PageSetupProperties(fitToPage=True)
        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = "9"  # A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0  # as many pages tall as it takes
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top, ws.page_margins.bottom = 0.6, 0.7
        ws.print_title_rows = "2:2"
        footer = ws.HeaderFooter.oddFooter
        footer.left.text, footer.left.size = f"{book.branch} {ledger}", 9
        footer.center.text, footer.center.size = "第 &P 页，共 &N 页", 9
        footer.right.text, footer.right.size = f"截至 {book.as_of:%Y-%m-%d}", 9
        if book.internal:
            header = ws.HeaderFooter.oddHeader
            header.right.text, header.right.size = "内部资料 注意保密", 9
        last = xl.get_column_letter(max(len(self._columns), 1))
        mark = "（内部资料，注意保密）" if book.internal else ""
        self._put([self._cell(f"{book.branch}{ledger}{mark}　截至 {book.as_of:%Y年%m月%d日}", xl.TITLE_FONT,
                              xl.Alignment(horizontal="center", vertical="center"))], 28.0)
        ws.merged_cells.add(f"A1:{last}1")
        head = xl.Alignment(horizontal="center", vertical="center", wrap_text=True)
        heights = [_lines(c.header, c.chars) for c in self._columns]
        self._put([self._cell(c.header, xl.HEAD_FONT, head, fill=xl.HEAD_FILL) for c in self._columns],
                  LINE_HEIGHT * max(heights + [1]) + 4)
        self.rows = 0

    def _prototype(self, col: Column) -> StyleArray:
        """The column's cell style, registered once: setting font, alignment and border on every cell
        hashes openpyxl's style objects each time (10× slower for a 15,000-row ledger)."""
        horizontal = "right" if col.kind in ("int", "pct") else ("center" if col.kind in ("date", "datetime")
                                                                else "left")
        xl = _xl()
        cell = self._cell(None, xl.FONT, xl.Alignment(horizontal=horizontal, vertical="top", wrap_text=True))
        cell.number_format = FORMATS.get(col.kind, "General")
        return cell._style

    def _cell(self, value: Any, font: Font, alignment: Alignment, *, fill: PatternFill | None = None) -> WriteOnlyCell:
        cell = _xl().WriteOnlyCell(self.ws, value=value)
        cell.font, cell.alignment, cell.border = font, alignment, _xl().BORDER
        if fill is not None:
            cell.fill = fill
        return cell

    def _put(self, cells: list[WriteOnlyCell], height: float) -> None:
        self._row += 1
        self.ws.row_dimensions[self._row].height = min(height, MAX_HEIGHT)
        self.ws.append(cells)

    def append(self, values: Sequence[Any]) -> None:
        tz = self._book.tz
        xl = _xl()
        cells, lines = [], 1
        for col, style, raw in zip(self._columns, self._styles, values):
            value = plain(raw, tz)
            lines = max(lines, _lines(value, col.chars))
            cell = xl.WriteOnlyCell(self.ws, value=value)
            cell._style = xl.StyleArray(style)
            cells.append(cell)
        self._put(cells, LINE_HEIGHT * min(lines, MAX_LINES) + 3)
        self.rows += 1

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for row in rows:
            self.append(row)

    def finish(self) -> None:
        last = _xl().get_column_letter(max(len(self._columns), 1))
        self.ws.auto_filter.ref = f"A2:{last}{self._row}"


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join(ch for ch in name if ch not in "[]:*?/\\")[:SHEET_NAME_LIMIT] or "台账"
    candidate, n = base, 2
    while candidate in used:
        suffix = f"({n})"
        candidate, n = base[: SHEET_NAME_LIMIT - len(suffix)] + suffix, n + 1
    used.add(candidate)
    return candidate


class InspectionWorkbook:
    """A workbook of ledger sheets for ``branch`` as of ``as_of``; ``internal`` marks the confidential one."""

    def __init__(self, branch: str, as_of: datetime, tz: ZoneInfo, *, internal: bool = False) -> None:
        self.wb = _xl().Workbook(write_only=True)
        self.branch, self.tz, self.internal = branch, tz, internal
        self.as_of = as_of.astimezone(tz)
        self.used: set[str] = set()
        self._sheets: list[SheetWriter] = []

    def sheet(self, name: str, columns: Sequence[Column], ledger: str | None = None) -> SheetWriter:
        writer = SheetWriter(self, name, ledger or name, columns)
        self._sheets.append(writer)
        return writer

    def to_bytes(self) -> bytes:
        """Finish every sheet and save (CPU-bound: run it off the event loop for large workbooks)."""
        if not self._sheets:
            self.sheet("说明", [Column("说明", "wrap")]).append(["没有数据"])
        for s in self._sheets:
            s.finish()
        out = io.BytesIO()
        self.wb.save(out)
        return out.getvalue()
