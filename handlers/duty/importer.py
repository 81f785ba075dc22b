"""Reading duty-roster files (CSV or XLSX): every row checked, nothing imported if any is bad."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.tables import RowError, TableError, read_table
from storage.duty import DutyEntry
from storage.people import valid_phone

if TYPE_CHECKING:
    from storage.db import Database

HEADERS = {
    "date": "date", "day": "date", "日期": "date", "值班日期": "date",
    "userid": "userid", "账号": "userid", "帐号": "userid", "企业微信账号": "userid", "值班人账号": "userid",
    "phone": "phone", "电话": "phone", "手机": "phone", "值班电话": "phone",
    "note": "note", "备注": "note", "说明": "note",
}
REQUIRED = ("date", "userid")
COLUMNS_HINT = "date,userid,phone,note 或 日期/账号/电话/备注"
DAY = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:[ T]0{1,2}:00(?::00)?)?$")
SERIAL = re.compile(r"^\d{5}(?:\.0+)?$")
EXCEL_EPOCH = date(1899, 12, 30)
NOTE_LIMIT = 128


class DutyFileError(TableError):
    """The duty file was not imported; ``errors`` holds every bad row (header is row 1)."""


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
    return written_day(text)


def written_day(text: str) -> date | None:
    """``2026-11-25``, ``2026/11/25``, ``2026.11.25`` or ``2026年11月25日``; None for anything else."""
    m = DAY.match(text.strip())
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
    header, rows = read_table(Path(path), HEADERS, REQUIRED, COLUMNS_HINT, DutyFileError)
    errors: list[RowError] = []
    entries: list[DutyEntry] = []
    seen: dict[tuple[date, str], int] = {}
    for number, row in enumerate(rows, start=2):
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
        if phone and not valid_phone(phone):
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


async def import_duty(db: "Database", path: str | Path, now: datetime, *, branch: str | None = None) -> int:
    """Validate the whole file, then upsert it per (day, userid) in one transaction.

    Returns:
        The number of duty rows written (created or updated).

    ``branch``: a code, name or id; by default the only branch there is.

    Raises:
        DutyFileError: nothing was imported.
        Refused: several branches and none named.
    """
    from storage import audit, duty, people
    from storage.scope import set_branch

    async with db.sessions() as session, session.begin():
        set_branch(session, (await people.branches.resolve(session, branch)).id)  # the branch's rota, its people
        entries = read_duty(path, await people.userids(session))
        created, updated = await duty.upsert_many(session, entries)
        await audit.record(session, now, "import", "import", "duty", Path(path).name[:64],
                           f"created={created} updated={updated}")
    return created + updated
