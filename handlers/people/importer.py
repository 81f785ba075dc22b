"""Reading roster files (CSV or XLSX): all rows checked, nothing imported if any is bad."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from bot.tables import RowError, TableError, read_table
from storage.people import ROLES, STAFF, Role, RosterEntry, role_of, valid_phone

if TYPE_CHECKING:
    from datetime import datetime

    from storage.db import Database

HEADERS = {
    "userid": "userid", "账号": "userid", "帐号": "userid", "企业微信账号": "userid",
    "name": "name", "姓名": "name",
    "role": "role", "角色": "role",
    "team": "team", "班组": "team", "网格": "team",
    "zone_member": "zone_member", "联系党员": "zone_member", "责任党员": "zone_member",
    "grid_leader": "grid_leader", "网格长": "grid_leader",
    "phone": "phone", "电话": "phone", "手机": "phone",
    "retire_on": "retire_on", "退休日期": "retire_on",
    "branch": "branch", "支部": "branch", "所在支部": "branch",
    "committee": "committee", "党委": "committee", "党委委员": "committee",
    "party_group": "party_group", "党小组": "party_group",
}
YES = {"1", "true", "yes", "y", "是", "√", "网格长"}
USERID = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")
REQUIRED = ("userid", "name", "role")
COLUMNS_HINT = "userid,name,role,team,zone_member 或 账号/姓名/角色/班组/联系党员"
ROLE_HINT = f"{'/'.join(r.value for r in Role)} 或 {'/'.join(r.label for r in Role)}"


class RosterFileError(TableError):
    """The roster was not imported; ``errors`` holds every bad row (header is row 1)."""


def _date(text: str) -> date | None:
    text = text.strip().split(" ")[0].replace("/", "-").replace(".", "-")
    try:
        return date.fromisoformat("-".join(p.zfill(2) for p in text.split("-")))
    except ValueError:
        return None


def read_roster(path: str | Path, existing: dict[str, str] | None = None) -> list[RosterEntry]:
    """Parse and validate a roster file (see :func:`read_roster_rows`)."""
    return read_roster_rows(path, existing)[0]


def read_roster_rows(path: str | Path, existing: dict[str, str] | None = None) -> tuple[list[RosterEntry], dict[str, str]]:
    """Parse and validate a roster file; also returns userid -> the branch its row names (if any).

    Args:
        path: a ``.csv`` or ``.xlsx`` file.
        existing: userid -> role of people already in the database (zone members may be there).

    Raises:
        RosterFileError: every bad row with its number and reason.
    """
    header, raw = read_table(Path(path), HEADERS, REQUIRED, COLUMNS_HINT, RosterFileError)
    errors: list[RowError] = []
    entries: list[tuple[int, RosterEntry]] = []
    seen: dict[str, int] = {}
    branch_of: dict[str, str] = {}
    for number, cells in enumerate(raw, start=2):
        row = ["" if v is None else str(v) for v in cells]
        if not any(cell.strip() for cell in row):
            continue
        rec = {col: (row[i].strip() if i < len(row) else "") for i, col in enumerate(header) if col}
        problems = []
        userid = rec.get("userid", "")
        if not userid:
            problems.append("账号为空")
        elif not USERID.match(userid):
            problems.append(f"账号 {userid!r} 含有不允许的字符")
        elif userid in seen:
            problems.append(f"账号 {userid} 与第 {seen[userid]} 行重复")
        if not rec.get("name"):
            problems.append("姓名为空")
        role = role_of(rec.get("role", ""))
        if role is None:
            problems.append(f"角色 {rec.get('role', '')!r} 无效（应为 {ROLE_HINT}）")
        phone = rec.get("phone", "")
        if phone and not valid_phone(phone):
            problems.append(f"电话 {phone!r} 格式不对")
        retire_on = None
        if rec.get("retire_on"):
            retire_on = _date(rec["retire_on"])
            if retire_on is None:
                problems.append(f"退休日期 {rec['retire_on']!r} 格式不对（应为 2027-03-01）")
        if problems:
            errors.append(RowError(number, "；".join(problems)))
            continue
        assert role is not None
        seen[userid] = number
        if rec.get("branch"):
            branch_of[userid] = rec["branch"]
        entries.append((number, RosterEntry(
            userid, rec["name"], role, rec.get("team", ""), rec.get("zone_member") or None,
            rec.get("grid_leader", "").lower() in YES, phone, retire_on,
            committee=rec["committee"].lower() in YES if "committee" in rec else None,
            party_group=rec.get("party_group"))))
    roles: dict[str, str] = dict(existing or {})
    roles.update({e.userid: e.role for _, e in entries})
    for number, e in entries:
        if e.zone_member is None:
            continue
        if e.zone_member == e.userid:
            errors.append(RowError(number, "联系党员不能是本人"))
        elif e.zone_member not in roles:
            errors.append(RowError(number, f"联系党员 {e.zone_member} 不在名册中"))
        elif roles[e.zone_member] not in STAFF:
            errors.append(RowError(number, f"联系党员 {e.zone_member} 不是党员"))
        elif branch_of.get(e.zone_member, branch_of.get(e.userid)) != branch_of.get(e.userid):
            errors.append(RowError(number, f"联系党员 {e.zone_member} 不在同一个支部"))
    if errors:
        raise RosterFileError(sorted(errors, key=lambda e: e.row))
    assert all(e.role in ROLES for _, e in entries)
    return [e for _, e in entries], branch_of


async def import_roster(db: "Database", path: str | Path, now: "datetime", *, branch: str | None = None) -> tuple[int, int]:
    """Validate the whole file, then upsert it in one transaction; returns ``(created, updated)``.

    Rows go to the branch their 支部 column names (created when new), else to ``branch`` (a code,
    name or id), else to the only branch there is.

    Raises:
        RosterFileError: nothing was imported.
        Refused: several branches and the file names none for some rows.
    """
    from storage import people

    async with db.sessions() as session, session.begin():
        existing = await people.roles(session)  # one narrow query, not the roster's rows
        entries, named = read_roster_rows(path, existing)
        fallback = None if len(named) == len(entries) else (await people.branches.resolve(session, branch)).id
        ids: dict[str, int] = {}
        for code in sorted(set(named.values())):
            ids[code] = (await people.branches.ensure(session, code, code if code.endswith("支部") else f"{code}支部",
                                                      now)).id
        homes = {userid: ids[code] for userid, code in named.items()}  # not a copy of every entry
        return await people.upsert(session, entries, now, branch=fallback, homes=homes)
