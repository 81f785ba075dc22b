"""The ``sijing`` command."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from bot import cli_org, cli_outbox, logsafe
from bot.clitools import settings_of as _settings
from bot.clitools import with_db as _with_db
from bot.config import ConfigError, Settings
from bot.nlu import cli as nlu_cli


def _cmd_serve(args: argparse.Namespace) -> int:
    from aiohttp import web

    from bot.app import ALL, WEB, create_app, owns_process
    from storage.migrate import MigrationRefused

    settings = _settings(args)
    logsafe.install()  # a database outage logs one line a minute, not one per attempt
    workers, web_only = args.workers, args.web_only
    if settings.database_url.startswith("sqlite"):
        if workers or web_only:
            print("SQLite 只支持单进程：--workers/--web-only 忽略，本进程处理全部工作", file=sys.stderr)
        workers, web_only = 0, False  # one process: SQLite has one writer
    elif workers is None:
        workers = 1
    app = owns_process(create_app(settings, role=WEB if workers or web_only else ALL))
    if workers and not web_only:
        app.cleanup_ctx.append(_worker_processes(workers, args.config))
    try:
        web.run_app(app, host=args.host, port=args.port, print=_print_serving(settings),
                    access_log=logging.getLogger("aiohttp.access") if args.access_log else None)
    except MigrationRefused as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


WORKER_GRACE = 45.0  # seconds a worker may take to stop (the sender finishes what is in flight)


def _worker_processes(n: int, config: str | None):  # type: ignore[no-untyped-def]
    """A cleanup context: ``n`` ``sijing worker`` processes, restarted if they die, stopped with the server."""
    import os
    import signal
    import time

    log = logging.getLogger("bot.cli")
    procs: dict[int, asyncio.subprocess.Process] = {}
    stopping = asyncio.Event()

    async def keep(i: int) -> None:
        delay = 1.0
        while not stopping.is_set():
            cmd = [sys.executable, "-m", "bot.cli", *(["--config", config] if config else []),
                   "worker", "--parent", str(os.getpid())]
            procs[i] = proc = await asyncio.create_subprocess_exec(*cmd)
            started = time.monotonic()
            code = await proc.wait()
            if stopping.is_set():
                return
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)
            log.error("worker process %d exited with %s; starting it again in %.0f s", proc.pid, code, delay)
            try:
                await asyncio.wait_for(stopping.wait(), timeout=delay)
            except TimeoutError:
                pass

    async def ctx(_app: object):  # type: ignore[no-untyped-def]
        tasks = [asyncio.create_task(keep(i), name=f"worker-{i}") for i in range(n)]
        yield
        stopping.set()
        for proc in procs.values():
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in procs.values():
            try:
                await asyncio.wait_for(proc.wait(), timeout=WORKER_GRACE)
            except TimeoutError:
                log.error("worker process %d did not stop within %.0f s: killed", proc.pid, WORKER_GRACE)
                proc.kill()
                await proc.wait()
        await asyncio.gather(*tasks, return_exceptions=True)
    return ctx


def _cmd_worker(args: argparse.Namespace) -> int:
    import signal

    from bot.app import run_worker
    from storage.migrate import MigrationRefused

    settings = _settings(args)
    if args.nice:
        import os

        os.nice(args.nice)  # acknowledging callbacks (the web processes) comes first for the CPU

    async def work() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await run_worker(settings, stop, parent=args.parent)
    try:
        asyncio.run(work())
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


def _cmd_run_due(args: argparse.Namespace) -> int:
    from bot import registry
    from schedules.config import from_settings
    from schedules.pushes import describe
    from schedules.runner import SweepsBusy, run_due
    from storage import people

    settings = _settings(args, need_wecom=False)
    try:
        now = datetime.fromisoformat(args.now) if args.now else datetime.now(settings.tz)
    except ValueError:
        print(f"--now 格式不对: {args.now!r}（例如 2026-11-25T08:40+08:00）", file=sys.stderr)
        return 2
    if now.tzinfo is None:
        now = now.replace(tzinfo=settings.tz)
    now = now.astimezone(settings.tz)

    async def work(db):  # type: ignore[no-untyped-def]
        swept = await run_due(db, now, registry.sweeps(), config=from_settings(settings), dry_run=args.dry_run)
        async with db.sessions() as session:
            names = {u: p.name for u, p in (await people.by_id(session, {p.recipient for p in swept.pushes})).items()}
        return swept, names

    try:
        sent, names = asyncio.run(_with_db(settings, work))
    except SweepsBusy:
        print("另一个进程正在运行定时任务，本次跳过", file=sys.stderr)
        return 1
    verb = "将发送" if args.dry_run else "已发送"
    people_n = len({p.recipient for p in sent.pushes})
    print(f"{now.isoformat()} {verb} {len(sent.pushes)} 条消息（含 {len(sent)} 项提醒），给 {people_n} 人")
    print("\n".join(describe(sent.pushes, names, settings.tz)))
    return 0


def _cmd_digest(args: argparse.Namespace) -> int:
    from bot import registry
    from bot.replies import Markdown
    from schedules.config import from_settings
    from schedules.digest import TITLES, render_digest
    from storage import outbox, people

    settings = _settings(args, need_wecom=False)
    now = datetime.now(settings.tz)

    async def work(db):  # type: ignore[no-untyped-def]
        async with db.sessions() as session:
            branch = (await people.branches.resolve(session, args.branch)).id
        async with db.session(branch) as session, session.begin():
            cfg = from_settings(settings)
            text = await render_digest(session, args.kind, now, registry.digest_sections(), cfg)
            recipients = [(p.userid, p.name) for p in await people.by_role(session, "secretary")]
            for uid, _ in [] if args.preview else recipients:
                await outbox.enqueue(session, uid, Markdown(content=text).payload(), now.astimezone(timezone.utc))
        return text, recipients

    text, recipients = asyncio.run(_with_db(settings, work))
    who = "、".join(f"{name}（{uid}）" for uid, name in recipients) or "（名册中没有书记）"
    if args.preview:  # what would go, whole, to whom, and as what
        print(f"== {who} · 1 条 ==\n[{TITLES[args.kind]} · 预览，未发送]")
    print(text)
    if not args.preview:
        print(f"\n已排入发送队列：{who}")
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


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sijing", description="四精助手 — 企业微信党支部助手")
    p.add_argument("--config", help="TOML file overriding SIJING_* environment variables")
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the WeCom callback server")
    serve.add_argument("--host", default="0.0.0.0")
    serve.add_argument("--port", type=int, default=8080)
    serve.add_argument("--access-log", action="store_true", help="log every HTTP request")
    serve.add_argument("--workers", type=int, default=None,
                       help="worker processes to start for processing, sending and sweeps (PostgreSQL; default 1; "
                            "0: all in this process, the only choice on SQLite)")
    serve.add_argument("--web-only", action="store_true",
                       help="store and acknowledge callbacks only; `sijing worker` processes run elsewhere")
    serve.set_defaults(func=_cmd_serve)

    worker = sub.add_parser("worker", help="process stored callbacks, send replies and run the sweeps (no webhook)")
    worker.add_argument("--parent", type=int, help=argparse.SUPPRESS)  # stop when this process is gone
    worker.add_argument("--nice", type=int, default=10, help="lower CPU priority by this much (default 10)")
    worker.set_defaults(func=_cmd_worker)

    db = sub.add_parser("db", help="database maintenance")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    dbsub.add_parser("upgrade", help="apply migrations").set_defaults(func=_cmd_db_upgrade)

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
    cli_org.add_commands(sub)
    cli_outbox.add_commands(sub)
    nlu_cli.add_commands(sub)  # sijing nlu examples
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
