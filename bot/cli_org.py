"""The ``sijing`` commands about the organisation: roster and duty imports, branches, the WeCom directory."""

from __future__ import annotations

import argparse
import asyncio
import sys
from datetime import datetime, timezone
from typing import Any

from bot.clitools import settings_of as _settings
from bot.clitools import with_db as _with_db
from bot.config import Settings


async def _roster_import(settings: Settings, path: str, branch: str | None) -> tuple[int, int]:
    from handlers.people.importer import import_roster
    from storage import migrate
    from storage.db import create_database

    db = create_database(settings.database_url)
    try:
        await migrate.upgrade(db)
        return await import_roster(db, path, datetime.now(timezone.utc), branch=branch)
    finally:
        await db.dispose()


def _cmd_roster_import(args: argparse.Namespace) -> int:
    from handlers.people.importer import RosterFileError
    from storage.errors import Refused

    try:
        created, updated = asyncio.run(_roster_import(_settings(args, need_wecom=False), args.file, args.branch))
    except Refused as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except RosterFileError as exc:
        print(f"名册未导入（共 {len(exc.errors)} 处错误，整个文件都没有导入）：", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr)
        return 1
    print(f"名册已导入：新增 {created} 人，更新 {updated} 人")
    return 0


def _cmd_duty_import(args: argparse.Namespace) -> int:
    from handlers.duty.importer import DutyFileError, import_duty
    from storage.errors import Refused

    settings = _settings(args, need_wecom=False)
    try:
        count = asyncio.run(_with_db(settings, lambda db: import_duty(db, args.file, datetime.now(timezone.utc),
                                                                      branch=args.branch)))
    except Refused as exc:
        print(exc.message, file=sys.stderr)
        return 1
    except DutyFileError as exc:
        print("值班表未导入（整个文件都没有导入）：", file=sys.stderr)
        print(str(exc), file=sys.stderr)
        return 1
    print(f"值班表已导入：{count} 条")
    return 0


def _cmd_branches(args: argparse.Namespace) -> int:
    """List the branches, or rename one (``--code``/``--name``)."""
    from storage import people
    from storage.errors import Refused

    async def work(db):  # type: ignore[no-untyped-def]
        async with db.session(None) as session, session.begin():
            if args.branch:
                branch = await people.branches.resolve(session, args.branch)
                branch.code = args.code or branch.code
                branch.name = args.name or branch.name
            return [(b.id, b.code, b.name) for b in await people.branches.all_branches(session)]

    try:
        rows = asyncio.run(_with_db(_settings(args, need_wecom=False), work))
    except Refused as exc:
        print(exc.message, file=sys.stderr)
        return 1
    for branch_id, code, name in rows:
        print(f"{branch_id:>4}  {code:<12} {name}")
    return 0


def _directory_mapping(settings: Settings, given: str | None):  # type: ignore[no-untyped-def]
    """The checked mapping file, or None after printing why not."""
    from handlers.people.directory import DirectoryRefused, mapping_file
    from handlers.people.mapping import MappingFileError, read_mapping

    try:
        return read_mapping(mapping_file(settings, given))
    except DirectoryRefused as exc:
        print(exc, file=sys.stderr)
    except MappingFileError as exc:
        print(f"映射文件有误（共 {len(exc.errors)} 处，未同步）：", file=sys.stderr)
        for err in exc.errors:
            print(f"  {err}", file=sys.stderr)
    return None


def _cmd_directory_check(args: argparse.Namespace) -> int:
    mapping = _directory_mapping(_settings(args, need_wecom=False), args.mapping)
    if mapping is None:
        return 1
    codes = {r.code for r in mapping.rows.values() if r.code and not r.ignored}
    print(f"映射文件没有问题：{len(mapping.rows)} 个部门，{len(codes)} 个支部")
    return 0


def _cmd_directory_sync(args: argparse.Namespace) -> int:
    import aiohttp

    from bot.wecom.directory import DirectoryError, reader_for
    from handlers.people.directory import LEASE, LOCK, DirectoryRefused, sync
    from schedules.lock import sweep_lock
    from schedules.runner import HOLDER

    settings = _settings(args)
    mapping = _directory_mapping(settings, args.mapping)
    if mapping is None:
        return 1

    async def work(db):  # type: ignore[no-untyped-def]
        async with aiohttp.ClientSession() as http, sweep_lock(db, LOCK, HOLDER, lease=LEASE) as got:
            if not got:
                raise DirectoryRefused("另一个进程正在同步通讯录，本次跳过")
            return await sync(db, reader_for(settings, http, db), mapping, datetime.now(timezone.utc),
                              dry_run=args.dry_run, full=args.full, force=args.force)

    try:
        report = asyncio.run(_with_db(settings, work))
    except (DirectoryError, DirectoryRefused) as exc:
        print(exc, file=sys.stderr)
        return 1
    print("\n".join(report.lines()))
    return 0


def add_commands(sub: Any) -> None:
    """Add ``roster``, ``branches``, ``directory`` and ``duty`` to the ``sijing`` parser."""
    roster = sub.add_parser("roster", help="the roster of people")
    rsub = roster.add_subparsers(dest="roster_command", required=True)
    imp = rsub.add_parser("import", help="import a CSV or XLSX roster (all or nothing)")
    imp.add_argument("file")
    imp.add_argument("--branch", help="the branch (code, name or id) of rows without a 支部 column")
    imp.set_defaults(func=_cmd_roster_import)

    br = sub.add_parser("branches", help="list the branches; rename one with BRANCH --code/--name")
    br.add_argument("branch", nargs="?", help="code, name or id of the branch to rename")
    br.add_argument("--code", help="new short name (shown as 简称-N across branches)")
    br.add_argument("--name", help="new full name, e.g. 运行部党支部")
    br.set_defaults(func=_cmd_branches)

    directory = sub.add_parser("directory", help="the WeCom directory (通讯录) sync")
    dirsub = directory.add_subparsers(dest="directory_command", required=True)
    dsync = dirsub.add_parser("sync", help="make the roster agree with the WeCom directory")
    dsync.add_argument("--mapping", help="the department mapping file (default: SIJING_DIRECTORY_MAPPING)")
    dsync.add_argument("--dry-run", action="store_true", help="report what would change; change nothing")
    dsync.add_argument("--full", action="store_true", help="read every member's name again, not only new ones")
    dsync.add_argument("--force", action="store_true", help="retire even when more than 20%% would be retired")
    dsync.set_defaults(func=_cmd_directory_sync)
    dcheck = dirsub.add_parser("check", help="check the mapping file only")
    dcheck.add_argument("--mapping", help="the department mapping file (default: SIJING_DIRECTORY_MAPPING)")
    dcheck.set_defaults(func=_cmd_directory_check)

    duty = sub.add_parser("duty", help="the duty roster")
    dsub = duty.add_subparsers(dest="duty_command", required=True)
    dimp = dsub.add_parser("import", help="import a CSV or XLSX duty roster (all or nothing)")
    dimp.add_argument("file")
    dimp.add_argument("--branch", help="the branch (code, name or id); needed when there are several")
    dimp.set_defaults(func=_cmd_duty_import)
