"""Reading duty-roster files (CSV or XLSX): every row checked, nothing imported if any is bad."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.tables import RowError, UnreadableFile, read_rows
from storage.duty import DutyEntry

if TYPE_CHECKING:
    from storage.db import Database

HEADERS = {
    "date": "date", "day": "date", "日期": "date", "值班日期": "date",
    "userid": "userid", "账号": "userid", "帐号": "userid", "企业微信账号": "userid", "值班人账号": "userid",
    "phone": "phone", "电话": "phone", "手机": "phone", "值班电话": "phone",
    "note": "note", "备注": "note", "说明": "note",
}
REQUIRED = ("date", "userid")
PHONE = re.compile(r"^[0-9+\- ]{3,20}$")
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
EXCEL_EPOCH = date(1899, 12, 30)
NOTE_LIMIT = 128


class DutyFileError(Exception):
    """The file was not imported; ``errors`` holds every bad row (header is row 1)."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _rows(path: Path) -> list[list[Any]]:
    try:
        return read_rows(path)
    except UnreadableFile as exc:
        raise DutyFileError([RowError(1, str(exc))]) from None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def parse_day(value: Any) -> date | None:
    """An Excel date cell, an Excel serial number, ``2026-11-25`` or ``2026/11/25``."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _cell(value)
    if SERIAL.match(text):
        serial = int(float(text))
        return EXCEL_EPOCH + timedelta(days=serial) if 20000 <= serial <= 80000 else None
    m = DAY.match(text)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def read_duty(path: str | Path, known: set[str]) -> list[DutyEntry]:
    """Parse and validate a duty file.

    Args:
        path: a ``.csv`` or ``.xlsx`` file with columns date,userid,phone,note (or 日期/账号/电话/备注).
        known: userids in the roster.

    Raises:
        DutyFileError: every bad row with its number and reason.
    """
    path = Path(path)
    if not path.exists():
        raise DutyFileError([RowError(0, f"文件不存在: {path}")])
    rows = _rows(path)
    if not rows:
        raise DutyFileError([RowError(1, "文件是空的")])
    header = [HEADERS.get(_cell(h).lower(), HEADERS.get(_cell(h), "")) for h in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise DutyFileError([RowError(1, f"缺少列: {', '.join(missing)}（需要 date,userid,phone,note 或 日期/账号/电话/备注）")])
    errors: list[RowError] = []
    entries: list[DutyEntry] = []
    seen: dict[tuple[date, str], int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(_cell(c) for c in row):
            continue
        rec = {col: (row[i] if i < len(row) else None) for i, col in enumerate(header) if col}
        problems = []
        day = parse_day(rec.get("date"))
        raw_day = _cell(rec.get("date"))
        if not raw_day:
            problems.append("日期为空")
        elif day is None:
            problems.append(f"日期 {raw_day!r} 无法识别（应为 2026-11-25 或 2026/11/25）")
        userid = _cell(rec.get("userid"))
        if not userid:
            problems.append("账号为空")
        elif userid not in known:
            problems.append(f"账号 {userid} 不在名册中")
        phone = _cell(rec.get("phone"))
        if phone and not PHONE.match(phone):
            problems.append(f"电话 {phone!r} 格式不对")
        note = _cell(rec.get("note"))
        if len(note) > NOTE_LIMIT:
            problems.append(f"备注超过 {NOTE_LIMIT} 个字")
        if not problems and day is not None:
            key = (day, userid)
            if key in seen:
                problems.append(f"{day.isoformat()} {userid} 与第 {seen[key]} 行重复")
            else:
                seen[key] = number
        if problems:
            errors.append(RowError(number, "；".join(problems)))
            continue
        assert day is not None
        entries.append(DutyEntry(day, userid, phone, note))
    if errors:
        raise DutyFileError(errors)
    if not entries:
        raise DutyFileError([RowError(1, "文件中没有值班记录")])
    return entries


async def import_duty(db: "Database", path: str | Path, now: datetime) -> int:
    """Validate the whole file, then upsert it per (day, userid) in one transaction.

    Returns:
        The number of duty rows written (created or updated).

    Raises:
        DutyFileError: nothing was imported.
    """
    from storage import audit, duty, people

    async with db.sessions() as session, session.begin():
        entries = read_duty(path, await people.userids(session))
        created, updated = await duty.upsert_many(session, entries)
        await audit.record(session, now, "import", "import", "duty", Path(path).name[:64],
                           f"created={created} updated={updated}")
    return created + updated
