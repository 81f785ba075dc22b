"""Reading the first sheet of a CSV (UTF-8 or GBK) or XLSX file into rows of raw cell values.

``read_table`` adds what every import needs first: the file exists, is readable and not empty, and
has the required columns (header names mapped through the importer's table of synonyms).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it: header is row 1
    reason: str

    def __str__(self) -> str:
        return f"第 {self.row} 行: {self.reason}"


class UnreadableFile(Exception):
    """The file cannot be read at all; the message is Chinese, for the person who made it."""


class TableError(Exception):
    """The file was not imported; ``errors`` holds every bad row (header is row 1)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def read_table(path: Path, headers: Mapping[str, str], required: Sequence[str], hint: str,
               error: type[TableError] = TableError) -> tuple[list[str], list[list[Any]]]:
    """The file's columns (``headers`` of each header cell, "" for an unknown one) and its data rows.

    Raises:
        error: the file is missing, unreadable or empty, or lacks a ``required`` column (``hint``
            says which columns the file should have).
    """
    if not path.exists():
        raise error([RowError(0, f"文件不存在: {path}")])
    try:
        rows = read_rows(path)
    except UnreadableFile as exc:
        raise error([RowError(1, str(exc))]) from None
    if not rows:
        raise error([RowError(1, "文件是空的")])
    names = ["" if h is None else str(h).strip() for h in rows[0]]
    columns = [headers.get(h.lower(), headers.get(h, "")) for h in names]
    missing = [c for c in required if c not in columns]
    if missing:
        raise error([RowError(1, f"缺少列: {', '.join(missing)}（需要 {hint}）")])
    return columns, rows[1:]


def read_rows(path: Path) -> list[list[Any]]:
    """Rows of cell values: strings for CSV, openpyxl values (datetimes, numbers…) for XLSX."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx(path)
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return list(csv.reader(io.StringIO(raw.decode(encoding))))
        except UnicodeDecodeError:
            continue
    raise UnreadableFile("文件编码无法识别（请用 UTF-8 或 GBK 保存）")


def _xlsx(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook
        raise UnreadableFile(f"无法读取 Excel 文件: {type(exc).__name__}") from None
    try:
        return [list(row) for row in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()
