"""The directory sync (通讯录同步): ``sijing directory sync`` and the nightly run.

Reads the department tree (``department/simplelist``) and the members (``user/list_id``, then
``user/get`` for the names of those who are new or changed department; ``full`` asks for everyone),
places them by the mapping file (``handlers.people.mapping``) and makes the roster agree
(``handlers.people.syncing``): new people are added (as 员工), names, teams and departments follow
WeCom, people who change branch move (their open work in the old branch goes to its secretary),
people the directory no longer has are retired (their open work goes to their secretary). Roles,
责任区, 网格长, phones, retirement dates and committee flags stay as the manual roster set them.
Only people the directory has seen (``department`` set) are ever retired by it: a roster entry it
never knew is left alone. Every unmapped department is reported with its name and how many people
in it were not imported; a second run with nothing changed writes nothing and says so.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.config import Settings
from bot.wecom.client import DirectoryUser
from bot.wecom.directory import DirectoryError, DirectoryReader
from handlers.people.mapping import IGNORED, DirectoryMapping, MappingFileError, Resolver, Row, read_mapping
from handlers.people.syncing import Applied, Plan, apply, departments_of, make_plan, placement_of, target_of
from storage.db import Database
from storage.people import branches as branch_store
from storage.people import directory as store
from storage.people.directory import Synced

log = logging.getLogger(__name__)

MASS_SHARE = 0.2  # more than this share of the people retired (or moved) at once: refuse without --force
MASS_MIN = 10
SHOWN = 20  # names listed per kind of change in the report
FULL_WEEKDAY = 6  # the nightly run asks WeCom for every member's name on Sundays
LOCK, LEASE = "directory", timedelta(hours=2)  # one sync at a time (the callers take the lock)


class DirectoryRefused(Exception):
    """The sync stopped before writing anything; the message is Chinese, for the operator."""


@dataclass(frozen=True)
class Unmapped:
    department: int
    name: str
    people: int  # members placed in no branch because of it


@dataclass
class Report:
    plan: Plan
    applied: Applied | None  # None: a dry run
    members: int = 0
    unmapped: list[Unmapped] = field(default_factory=list)
    ignored: int = 0  # members of departments marked not to import
    kept: list[str] = field(default_factory=list)  # in the roster, now in unmapped departments: unchanged
    unreadable: int = 0  # members user/get refused (e.g. 60011): skipped
    missing: list[Row] = field(default_factory=list)  # mapping rows WeCom has no department for
    calls: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return self.plan.changed

    def lines(self) -> list[str]:
        p = self.plan
        what = "预演（--dry-run），名册未改动" if self.applied is None else "通讯录同步完成"
        out = [f"{what}：通讯录 {self.members} 人，用时 {self.seconds:.1f} 秒，读取成员详情 "
               f"{self.calls.get('user/get', 0)} 次。"]
        if not p.changed:
            out.append("通讯录与名册一致，没有需要更新的内容。")
        else:
            out.append(f"新增 {len(p.create)} 人；更新 {len(p.update)} 人；调动支部 {len(p.move)} 人；"
                       f"停用 {len(p.retire)} 人。")
        out += [f"新支部：{code}（{p.branches[code]}）" for code in p.new_branches]
        out += [f"支部改名：{code}：{old} → {new}" for code, old, new in p.renamed_branches]
        out += _listed("新增", [f"{t.name}（{t.code}{'·' + t.team if t.team else ''}）" for t in p.create])
        out += _listed("调动", [f"{s.name} → {t.code}" for s, t in p.move])
        out += _listed("停用", [s.name for s in p.retire])
        if self.applied is not None and self.applied.handovers:
            out.append(f"已把 {len(self.applied.handovers)} 人未办完的工作转给所在支部书记（通知 {self.applied.notices} 条）。")
        if self.unmapped:
            out.append(f"未映射的部门（共 {len(self.unmapped)} 个，其成员未导入；请在映射文件中补上，或在支部代号填 - 表示不导入）：")
            out += [f"  部门 {u.department} {u.name or '（名称未知）'}：{u.people} 人" for u in self.unmapped]
        if self.ignored:
            out.append(f"标为不导入的部门中有 {self.ignored} 人，未导入。")
        out += _listed("所在部门未映射、名册中保持不变", self.kept)
        if self.unreadable:
            out.append(f"有 {self.unreadable} 人企业微信不允许读取（如 60011，请检查应用可见范围），本次未处理。")
        out += [f"映射文件第 {r.line} 行的部门 {r.department} 在企业微信通讯录中不存在（或不在应用可见范围内）"
                for r in self.missing]
        if self.applied is not None:
            out += [f"注意：{w}" for w in self.applied.warnings]
        return out


def _listed(title: str, names: list[str]) -> list[str]:
    if not names:
        return []
    more = f" 等 {len(names)} 人" if len(names) > SHOWN else ""
    return [f"{title}：{'、'.join(names[:SHOWN])}{more}"]


def _stale(before: Synced | None, departments: list[int]) -> bool:
    """Whether we must ask WeCom for this member (new, back, or no longer in the department we knew)."""
    return before is None or not before.active or before.department not in departments


async def sync(db: Database, reader: DirectoryReader, mapping: DirectoryMapping, now: datetime, *,
               dry_run: bool = False, full: bool = False, force: bool = False) -> Report:
    """Make the roster agree with the directory (see the module's docstring).

    Raises:
        DirectoryError: WeCom could not be read (nothing was written).
        DirectoryRefused: so many people would be retired or moved that something must be wrong (``force``).
    """
    started = time.monotonic()
    tree = await reader.departments()
    resolver = Resolver(mapping, {d.id: d.parent for d in tree})
    members = await reader.members()
    async with db.sessions() as session:
        known = await store.known(session)
        branches = {b.id: (b.code, b.name) for b in await branch_store.all_branches(session)}

    def placeable(departments: list[int]) -> bool:
        return any(resolver.spec(d) not in (None, IGNORED) for d in departments)

    ask = [u for u, ds in members.items() if placeable(ds) and (full or _stale(known.get(u), ds))]
    fetched = await reader.users(ask)
    users: list[DirectoryUser] = []
    for userid, ds in members.items():
        if userid in reader.unreadable:  # WeCom would not show them: left as they are
            continue
        if userid in fetched:
            if (got := fetched[userid]) is not None:  # None: deleted since the list was read
                users.append(got)
            continue
        before = known.get(userid)
        main = before.department if before is not None and before.department in ds else ds[0]
        users.append(DirectoryUser(userid, before.name if before else "", tuple(ds), main or 0))
    names = await reader.department_names(resolver.names_needed({d for u in users for d in departments_of(u)}))

    report = Report(Plan(), None, members=len(members), unreadable=len(reader.unreadable))
    targets, unplaced = [], Counter[int]()
    for user in users:
        placement, department, ignored = placement_of(user, resolver, names)
        if placement is not None:
            targets.append(target_of(user, placement, department))
            continue
        report.ignored += ignored
        if not ignored:
            unplaced[department] += 1
        if (before := known.get(user.userid)) is not None and before.active and not ignored:
            report.kept.append(before.name)
    gone = [s for s in known.values() if s.active and s.department is not None and s.userid not in members]
    report.plan = make_plan(targets, known, branches, gone)
    _refuse_mass_changes(report.plan, known, force)

    unmapped = sorted({d.id for d in tree if resolver.spec(d.id) is None} | set(unplaced))
    unnamed = [d for d in unmapped if d not in names]
    names.update(await reader.department_names(unnamed))
    report.unmapped = [Unmapped(d, names.get(d, _noted(mapping, d)), unplaced.get(d, 0)) for d in unmapped]
    report.missing = sorted((r for d, r in mapping.rows.items() if d not in resolver.parents), key=lambda r: r.line)
    if not dry_run:
        report.applied = await apply(db, report.plan, now)
    report.calls = dict(reader.calls)
    report.seconds = time.monotonic() - started
    return report


def _noted(mapping: DirectoryMapping, department: int) -> str:
    row = mapping.rows.get(department)
    return row.name if row else ""


def _refuse_mass_changes(plan: Plan, known: dict[str, Synced], force: bool) -> None:
    """More than ``MASS_SHARE`` retired or moved at once is more likely a mistake (mapping, permissions)."""
    if force:
        return
    active = [s for s in known.values() if s.active]
    synced = sum(1 for s in active if s.department is not None)
    share = f"{int(MASS_SHARE * 100)}%"
    if len(plan.retire) > MASS_MIN and len(plan.retire) > MASS_SHARE * synced:
        raise DirectoryRefused(
            f"本次同步将停用 {len(plan.retire)} 人（已同步的 {synced} 人中超过 {share}），为防误操作已停止，名册未改动。"
            "请检查映射文件、应用可见范围和通讯录权限；确认无误后加 --force 再运行。")
    if len(plan.move) > MASS_MIN and len(plan.move) > MASS_SHARE * len(active):
        raise DirectoryRefused(
            f"本次同步将把 {len(plan.move)} 人调到其他支部（名册中超过 {share}），为防误操作已停止，名册未改动。"
            "请先用 --dry-run 核对映射文件（升级前只有一个支部的，其代号是“本支部”：请把对应部门的支部代号填为 本支部）；"
            "确认无误后加 --force 再运行。")


# -- where the mapping comes from, and the nightly run ----------------------------------------


def mapping_file(settings: Settings, given: str | None = None) -> str:
    """``--mapping FILE``, else ``SIJING_DIRECTORY_MAPPING``.

    Raises:
        DirectoryRefused: neither is set.
    """
    path = given or settings.directory_mapping
    if not path:
        raise DirectoryRefused("没有映射文件：请用 --mapping 指定，或设置 SIJING_DIRECTORY_MAPPING。")
    return path


async def nightly(db: Database, reader: DirectoryReader, settings: Settings, now: datetime) -> int:
    """The scheduler's nightly sync (every name asked again on Sundays); returns the notices written.

    A bad mapping file, an unreadable directory or a refused mass retirement is logged and changes
    nothing; the next night tries again.
    """
    try:
        mapping = read_mapping(mapping_file(settings))
        report = await sync(db, reader, mapping, now, full=now.weekday() == FULL_WEEKDAY)
    except (MappingFileError, DirectoryError, DirectoryRefused) as exc:
        log.error("nightly directory sync did not run: %s", exc)
        return 0
    p = report.plan
    log.info("directory sync: %d members, %d created, %d updated, %d moved, %d retired, %d unmapped departments, "
             "%d user/get calls, %.1fs", report.members, len(p.create), len(p.update), len(p.move), len(p.retire),
             len(report.unmapped), report.calls.get("user/get", 0), report.seconds)
    return report.applied.notices if report.applied is not None else 0
