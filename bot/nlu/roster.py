"""Roster CSV loading."""
from __future__ import annotations

import csv
from pathlib import Path

from .types import Person

_ID_KEYS = ("userid", "user_id", "id", "账号", "用户id", "用户ID", "工号")
_NAME_KEYS = ("name", "姓名", "名字")
_ROLE_KEYS = ("role", "角色", "身份")
_TEAM_KEYS = ("team", "班组", "部门")
_ZONE_KEYS = ("zone_member", "zone", "责任党员", "联系党员")


def _pick(row: dict[str, str], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = row.get(key)
        if value is not None and value.strip():
            return value.strip()
    return None


def load_roster_csv(path: str | Path) -> list[Person]:
    """Load a roster CSV with a header (``userid,name,...`` or ``账号,姓名,...``).

    Args:
        path: CSV file path (UTF-8, BOM allowed).

    Returns:
        People in file order; rows without id or name are skipped.
    """
    people: list[Person] = []
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        for row in reader:
            row = {(k or "").strip(): (v or "") for k, v in row.items()}
            userid, name = _pick(row, _ID_KEYS), _pick(row, _NAME_KEYS)
            if userid and name:
                people.append(Person(userid, name, _pick(row, _ROLE_KEYS), _pick(row, _TEAM_KEYS), _pick(row, _ZONE_KEYS)))
    return people
