"""Reading the first sheet of a CSV (UTF-8 or GBK) or XLSX file into rows of raw cell values."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
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
