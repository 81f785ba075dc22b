"""The directory mapping file: which WeCom department is which branch (支部) and team (班组).

A CSV (UTF-8 or GBK) or XLSX file the operator edits, one row per department that needs saying::

    部门ID,支部代号,支部名称,班组,部门名称
    10,运行,运行部党支部,下级,运行部
    20,检修,,下级,检修部
    30,机关,机关党支部,,机关
    31,,,综合办公室,综合办公室
    32,,,*,财务科

- ``支部代号``: the department and everything below it belong to this branch (until a sub-department
  names another). ``-`` (or ``不导入``): nobody here or below is imported, and it is not reported.
- ``支部名称``: the branch's name; empty: the department's name in WeCom (a rename there renames the
  branch). Several departments may form one branch (same code, one name).
- ``班组``: a name: the department and everything below it are that team; ``*``: a team named like the
  department (renames follow); ``下级``: each sub-department (with everything below it) is a team named
  like that sub-department. A row with a team and no branch takes the branch from above.
- ``部门名称``: for people reading the file; used only when WeCom does not give the name.

Every row is checked and every problem named (in Chinese, with its row); nothing is used if one is bad.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.tables import RowError, TableError, read_table

HEADERS = {
    "部门id": "department", "部门编号": "department", "department": "department", "department_id": "department",
    "支部代号": "code", "支部简称": "code", "支部": "code", "branch": "code", "branch_code": "code",
    "支部名称": "branch_name", "branch_name": "branch_name",
    "班组": "team", "网格": "team", "team": "team",
    "部门名称": "name", "部门": "name", "department_name": "name",
    "备注": "note", "说明": "note", "note": "note",
}
REQUIRED = ("department",)
COLUMNS_HINT = "部门ID,支部代号,支部名称,班组,部门名称 或 department,branch,branch_name,team,department_name"
IGNORE_WORDS = ("-", "不导入", "忽略")
OWN_NAME = "*"
CHILDREN = ("下级", "下级部门")
CODE_CHARS = 16
NAME_CHARS = 64
BAD_CODE = re.compile(r"[\s\-－]")


class MappingFileError(TableError):
    """The mapping file was not used; ``errors`` holds every bad row (header is row 1)."""


@dataclass(frozen=True)
class Row:
    line: int
    department: int
    code: str = ""  # "" none, "-" not imported
    branch_name: str = ""
    team: str = ""  # a name, "*" or "下级"
    name: str = ""  # the operator's note of the department's name

    @property
    def ignored(self) -> bool:
        return self.code == "-"


@dataclass(frozen=True)
class DirectoryMapping:
    rows: dict[int, Row]
    source: str = ""

    def branch_row(self, code: str) -> Row:
        """The row that names the branch ``code`` (the first with a name, else the first)."""
        rows = [r for r in self.rows.values() if r.code == code]
        return min(rows, key=lambda r: (not r.branch_name, r.line))


def _cell(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def read_mapping(path: str | Path) -> DirectoryMapping:
    """Parse and check the whole file.

    Raises:
        MappingFileError: every bad row with its number and reason.
    """
    header, raw = read_table(Path(path), HEADERS, REQUIRED, COLUMNS_HINT, MappingFileError)
    errors: list[RowError] = []
    rows: dict[int, Row] = {}
    names: dict[str, tuple[str, int]] = {}
    for number, cells in enumerate(raw, start=2):
        rec = {col: _cell(cells[i]) if i < len(cells) else "" for i, col in enumerate(header) if col}
        if not any(rec.values()):
            continue
        row, problems = _row(number, rec)
        if row is not None and row.department in rows:
            problems.append(f"部门ID {row.department} 与第 {rows[row.department].line} 行重复")
        if row is not None and row.code and row.branch_name and not row.ignored:
            first = names.setdefault(row.code, (row.branch_name, number))
            if first[0] != row.branch_name:
                problems.append(f"支部代号“{row.code}”在第 {first[1]} 行的支部名称是“{first[0]}”，这里是“{row.branch_name}”")
        if problems:
            errors.append(RowError(number, "；".join(problems)))
        elif row is not None:
            rows[row.department] = row
    if not errors and not rows:
        errors.append(RowError(2, "映射文件里没有任何部门"))
    if errors:
        raise MappingFileError(errors)
    return DirectoryMapping(rows, str(path))


def _row(number: int, rec: dict[str, str]) -> tuple[Row | None, list[str]]:
    problems: list[str] = []
    text = rec.get("department", "")
    department = int(text) if text.isdigit() and int(text) > 0 else None
    if department is None:
        problems.append(f"部门ID“{text}”不是正整数" if text else "部门ID为空")
    code, branch_name, team = rec.get("code", ""), rec.get("branch_name", ""), rec.get("team", "")
    if code in IGNORE_WORDS:
        code = "-"
        if branch_name or team:
            problems.append("不导入（-）的部门不能再填支部名称或班组")
    elif code and (len(code) > CODE_CHARS or BAD_CODE.search(code)):
        problems.append(f"支部代号“{code}”应为不超过 {CODE_CHARS} 个字、不含空格和“-”的简称")
    if not code and not team:
        problems.append("既没有支部代号也没有班组（不导入请在支部代号填 -）")
    if branch_name and not code:
        problems.append("填了支部名称却没有支部代号")
    if len(branch_name) > NAME_CHARS:
        problems.append(f"支部名称超过 {NAME_CHARS} 个字")
    if team in CHILDREN:
        team = CHILDREN[0]
    if len(team) > NAME_CHARS:
        problems.append(f"班组名称超过 {NAME_CHARS} 个字")
    if problems or department is None:
        return None, problems
    return Row(number, department, code, branch_name, team, rec.get("name", "")), []


# -- placing departments ---------------------------------------------------------------


@dataclass(frozen=True)
class Spec:
    """Where a department's people go, with names still to look up: ``("dept", id)`` is the
    WeCom name of department ``id``; a plain string is the name itself."""

    code: str
    branch: str | tuple[str, int]
    team: str | tuple[str, int]


IGNORED = Spec("-", "", "")


@dataclass(frozen=True)
class Placement:
    code: str
    branch_name: str
    team: str


class Resolver:
    """Places departments of one department tree (``department/simplelist``) by the mapping."""

    def __init__(self, mapping: DirectoryMapping, parents: Mapping[int, int]) -> None:
        self.mapping = mapping
        self.parents = dict(parents)
        self._specs: dict[int, Spec | None] = {}

    def chain(self, department: int) -> list[int]:
        """The department and its ancestors, nearest first (a cycle is cut)."""
        out: list[int] = []
        d: int | None = department
        while d and d not in out:
            out.append(d)
            d = self.parents.get(d)
        return out

    def spec(self, department: int) -> Spec | None:
        """None: unmapped (no row names a branch for it or any department above it)."""
        if department not in self._specs:
            self._specs[department] = self._resolve(department)
        return self._specs[department]

    def _resolve(self, department: int) -> Spec | None:
        path = self.chain(department)
        team: str | tuple[str, int] | None = None
        for i, d in enumerate(path):
            row = self.mapping.rows.get(d)
            if row is None:
                continue
            if row.ignored:
                return IGNORED
            if team is None and row.team:
                if row.team == OWN_NAME:
                    team = ("dept", d)
                elif row.team == CHILDREN[0]:
                    team = ("dept", path[i - 1]) if i else ""
                else:
                    team = row.team
            if row.code:
                named = self.mapping.branch_row(row.code)
                return Spec(row.code, named.branch_name or ("dept", named.department), team or "")
        return None

    def names_needed(self, departments: Iterable[int]) -> set[int]:
        """The departments whose WeCom names placing ``departments`` needs."""
        out: set[int] = set()
        for d in departments:
            spec = self.spec(d)
            if spec is not None:
                out.update(v[1] for v in (spec.branch, spec.team) if isinstance(v, tuple))
        return out

    def place(self, department: int, names: Mapping[int, str]) -> Placement | None:
        """Where the department's people go (None: unmapped or not imported)."""
        spec = self.spec(department)
        if spec is None or spec is IGNORED:
            return None
        branch = self._name(spec.branch, names, fallback=f"{spec.code}支部")
        return Placement(spec.code, branch, self._name(spec.team, names, fallback=""))

    def _name(self, value: str | tuple[str, int], names: Mapping[int, str], *, fallback: str) -> str:
        if isinstance(value, str):
            return value
        d = value[1]
        row = self.mapping.rows.get(d)
        return (names.get(d) or (row.name if row else "") or fallback or f"部门{d}")[:NAME_CHARS]

    def subtree(self, department: int) -> set[int]:
        """The department and every department below it."""
        return {d for d in self.parents if department in self.chain(d)} | {department}
