"""The ``sijing`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings


def _settings(args: argparse.Namespace, *, need_wecom: bool = True) -> Settings:
    return load_settings(config_file=args.config, need_wecom=need_wecom)


def _cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import create_app
    from storage.migrate import MigrationRefused

    settings = _settings(args)
    try:
        web.run_app(create_app(settings), host=args.host, port=args.port, print=_print_serving(settings),
                    access_log=logging.getLogger("aiohttp.access") if args.access_log else None)
    except MigrationRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


def _print_serving(settings: Settings):  # type: ignore[no-untyped-def]
    def show(msg: str) -> None:
        print(msg.replace("Running on", "四精助手 running on").replace("(Press CTRL+C to quit)", "— 回调地址 /wecom/callback，按 Ctrl+C 退出"))
    return show


async def _db_upgrade(settings: Settings) -> None:
    from storage import migrate
    from storage.db import create_database

    db = create_database(settings.database_url)
    try:
        await migrate.upgrade(db)
    finally:
        await db.dispose()


def _cmd_db_upgrade(args: argparse.Namespace) -> int:
    from storage.migrate import MigrationRefused

    try:
        asyncio.run(_db_upgrade(_settings(args, need_wecom=False)))
    except MigrationRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    print("数据库已是最新结构")
    return 0


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


def _cmd_demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(Path(args.db), fresh=args.fresh))


async def _db_roster(settings: Settings) -> list[object]:
    from bot.nlu import Person
    from storage import people
    from storage.db import create_database

    db = create_database(settings.database_url)
    try:
        async with db.sessions() as session:
            return [Person(e.userid, e.name, e.role, e.team or None) for e in await people.all_people(session)]
    finally:
        await db.dispose()


def _cmd_parse(args: argparse.Namespace) -> int:
    from bot.nlu import Parser, load_roster_csv
    from bot.nlu.cli import run_jsonl, run_text

    settings = _settings(args, need_wecom=False)
    today = date.fromisoformat(args.today) if args.today else datetime.now(settings.tz).date()
    parser = Parser.load()
    if args.roster:
        parser.set_roster(load_roster_csv(args.roster))
    else:
        try:
            parser.set_roster(asyncio.run(_db_roster(settings)))  # type: ignore[arg-type]
        except Exception as exc:  # noqa: BLE001 - no database yet: parse without names
            print(f"（未能读取名册: {type(exc).__name__}；人名不会被识别）", file=sys.stderr)
    if args.jsonl:
        return run_jsonl(sys.stdin, sys.stdout, parser, today)
    if not args.text:
        print("请给出要解析的文本，或使用 --jsonl", file=sys.stderr)
        return 2
    print(run_text(args.text, args.sender, today, parser))
    return 0


async def _with_db(settings: Settings, work):  # type: ignore[no-untyped-def]
    """Open the database (migrated), run ``work(db)``, close it."""
    from storage import migrate
    from storage.db import create_database

    db = create_database(settings.database_url)
    try:
        await migrate.upgrade(db)
        return await work(db)
    finally:
        await db.dispose()


def _cmd_run_due(args: argparse.Namespace) -> int:
    from bot import registry
    from schedules.config import from_settings
    from schedules.runner import SweepsBusy, run_due

    settings = _settings(args, need_wecom=False)
    try:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now(settings.tz)
    except ValueError:
        print(f"--now 格式不对: {args.now!r}（例如 2026-11-25T08:40+08:00）", file=sys.stderr)
        return 2
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    now = now.astimezone(settings.tz)
    try:
        sent = asyncio.run(_with_db(settings, lambda db: run_due(db, now, registry.sweeps(), config=from_settings(settings),
                                                                 dry_run=args.dry_run)))
    except SweepsBusy:
        print("另一个进程正在运行定时任务，本次跳过", file=sys.stderr)
        return 1
    verb = "将发送" if args.dry_run else "已发送"
    print(f"{now.isoformat()} {verb} {len(sent)} 条提醒")
    for item in sent:
        first = item.text.splitlines()[0] if item.text else ""
        print(f"  → {item.recipient} [{item.kind}] {item.not_before.astimezone(settings.tz):%m-%d %H:%M} {first}")
    return 0


def _cmd_digest(args: argparse.Namespace) -> int:
    from bot import registry
    from bot.replies import Markdown
    from schedules.config import from_settings
    from schedules.digest import render_digest
    from storage import outbox, people

    settings = _settings(args, need_wecom=False)
    now = datetime.now(settings.tz)

    async def work(db):  # type: ignore[no-untyped-def]
        async with db.sessions() as session:
            branch = (await people.branches.resolve(session, args.branch)).id
        async with db.session(branch) as session, session.begin():
            cfg = from_settings(settings)
            text = await render_digest(session, args.kind, now, registry.digest_sections(), cfg)
            recipients = [] if args.preview else [p.userid for p in await people.by_role(session, "secretary")]
            for uid in recipients:
                await outbox.enqueue(session, uid, Markdown(content=text).payload(), now.astimezone(timezone.utc))
        return text, recipients

    text, recipients = asyncio.run(_with_db(settings, work))
    print(text)
    if not args.preview:
        print(f"\n已排入发送队列：{', '.join(recipients) or '（名册中没有书记）'}")
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


def _cmd_export(args: argparse.Namespace) -> int:
    from bot import registry
    from bot.export import export_workbook
    from storage.errors import Refused

    settings = _settings(args, need_wecom=False)
    try:
        asyncio.run(_with_db(settings, lambda db: export_workbook(db, args.out, settings.tz, registry.sheet_writers(),
                                                                  branch=args.branch)))
    except Refused as exc:
        print(exc.message, file=sys.stderr)
        return 1
    print(f"已导出：{args.out}")
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sijing", description="四精助手 — 企业微信党支部助手")
    p.add_argument("--config", help="TOML file overriding SIJING_* environment variables")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the WeCom callback server")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--access-log", action="store_true", help="log every HTTP request")
    serve.set_defaults(func=_cmd_serve)

    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="apply migrations").set_defaults(func=_cmd_db_upgrade)

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

    demo = sub.add_parser("demo", help="try the bot in a terminal with a simulated WeCom")
    demo.add_argument("--db", default="./data/demo.db", help="SQLite file for the demo")
    demo.add_argument("--fresh", action="store_true", help="start from an empty demo database")
    demo.set_defaults(func=_cmd_demo)

    sched = sub.add_parser("schedules", help="reminders, escalations and digests")
    ssub = sched.add_subparsers(dest="schedules_command", required=True)
    due = ssub.add_parser("run-due", help="run every sweep as of an instant")
    due.add_argument("--now", help="e.g. 2026-11-25T08:40+08:00 (default: now)")
    due.add_argument("--dry-run", action="store_true", help="show what would be sent; change nothing")
    due.set_defaults(func=_cmd_run_due)

    digest = sub.add_parser("digest", help="render the secretary's digest now")
    digest.add_argument("kind", choices=["weekly", "monthly", "week_to_date"],
                        help="last full week, last full month, or this week so far (本周至今)")
    digest.add_argument("--preview", action="store_true", help="print only, do not send")
    digest.add_argument("--branch", help="the branch (code, name or id); needed when there are several")
    digest.set_defaults(func=_cmd_digest)

    duty = sub.add_parser("duty", help="the duty roster")
    dsub = duty.add_subparsers(dest="duty_command", required=True)
    dimp = dsub.add_parser("import", help="import a CSV or XLSX duty roster (all or nothing)")
    dimp.add_argument("file")
    dimp.add_argument("--branch", help="the branch (code, name or id); needed when there are several")
    dimp.set_defaults(func=_cmd_duty_import)

    export = sub.add_parser("export", help="write the ledgers to an Excel workbook")
    export.add_argument("--out", default="台账.xlsx")
    export.add_argument("--branch", help="the branch (code, name or id); needed when there are several")
    export.set_defaults(func=_cmd_export)

    parse = sub.add_parser("parse", help="show how a message is understood")
    parse.add_argument("text", nargs="?")
    parse.add_argument("--from", dest="sender")
    parse.add_argument("--today", help="YYYY-MM-DD (default: today in the configured time zone)")
    parse.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin, write JSON lines")
    parse.add_argument("--roster", help="roster CSV for this run only")
    parse.set_defaults(func=_cmd_parse)
    return p


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("aiosqlite").setLevel(logging.INFO)  # its DEBUG lines carry SQL parameters
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(exc, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
