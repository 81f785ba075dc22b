"""``sijing outbox``: the operator's view of undelivered messages — list them, resend or drop those in doubt.

A row ``in_doubt`` was handed to WeCom and no answer came back (a crash, a timeout after sending): it may
or may not have reached the person, so it is never repeated by itself. The operator decides: ``resend``
(the person may get it twice) or ``drop``. Both are recorded in the audit log.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import json
import sys
from datetime import datetime, timezone
from typing import Any

from bot.clitools import settings_of as _settings
from bot.clitools import with_db as _with_db

LISTED = ("pending", "sending", "failed", "in_doubt")


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name in a container
        return "cli"


def _cmd_list(args: argparse.Namespace) -> int:
    from storage import outbox

    settings = _settings(args, need_wecom=False)
    statuses = ("in_doubt",) if args.in_doubt else tuple(args.status or LISTED)

    async def work(db: Any) -> tuple[list[Any], dict[str, int]]:
        async with db.sessions() as session:
            return await outbox.listed(session, statuses, limit=args.limit), await outbox.count_by_status(session)

    rows, counts = asyncio.run(_with_db(settings, work))
    print("  ".join(f"{k}={counts.get(k, 0)}" for k in outbox.STATUSES))
    tz = settings.tz
    for r in rows:
        text = _preview(r.body)
        when = (r.handed_at or r.created_at).astimezone(tz).strftime("%m-%d %H:%M:%S")
        print(f"#{r.id}\t{r.status}\t{r.recipient}\t{when}\t次数 {r.attempts}\t{r.error or ''}\t{text}")
    if not rows:
        print("（没有）" if not args.in_doubt else "（没有待确认的消息）")
    elif args.in_doubt:
        print("这些消息可能已经送达，也可能没有：确认后用 `sijing outbox resend ID…` 重发，或 `sijing outbox drop ID…` 放弃。")
    return 0


def _preview(body: str, width: int = 40) -> str:
    try:
        payload = json.loads(body)
    except ValueError:
        return ""
    kind = str(payload.get("msgtype", ""))
    inner = payload.get(kind) if isinstance(payload.get(kind), dict) else {}
    text = str(inner.get("content") or inner.get("title") or inner.get("description") or kind)
    text = text.replace("\n", " ")
    return text[:width] + ("…" if len(text) > width else "")


def _change(args: argparse.Namespace, action: str) -> int:
    from storage import audit, outbox

    settings = _settings(args, need_wecom=False)
    now = datetime.now(timezone.utc)

    async def work(db: Any) -> list[int]:
        async with db.sessions() as session, session.begin():
            if action == "resend":
                done = await outbox.resend(session, args.ids, now)
            else:
                done = await outbox.drop(session, args.ids)
            for row_id in done:
                await audit.record(session, now, _actor(), f"outbox_{action}", "outbox", row_id)
            return done

    done = asyncio.run(_with_db(settings, work))
    skipped = sorted(set(args.ids) - set(done))
    verb = "已重新排入发送队列" if action == "resend" else "已放弃发送"
    if done:
        print(f"{verb}：" + " ".join(f"#{i}" for i in done))
    if skipped:
        allowed = "待确认或失败" if action == "resend" else "待确认、失败或待发送"
        print(f"未改动（不存在，或不是{allowed}的消息）：" + " ".join(f"#{i}" for i in skipped), file=sys.stderr)
    return 0 if done and not skipped else 1


def add_commands(sub: Any) -> None:
    """Add ``outbox list|resend|drop`` to the ``sijing`` parser."""
    box = sub.add_parser("outbox", help="undelivered messages: list, resend or drop those in doubt")
    osub = box.add_subparsers(dest="outbox_command", required=True)
    ls = osub.add_parser("list", help="messages not (yet) delivered")
    ls.add_argument("--in-doubt", action="store_true", help="only those that may or may not have reached the person")
    ls.add_argument("--status", action="append", choices=LISTED + ("sent", "dropped"), help="these statuses (repeatable)")
    ls.add_argument("--limit", type=int, default=200)
    ls.set_defaults(func=_cmd_list)
    resend = osub.add_parser("resend", help="send in-doubt or failed messages again (audited)")
    resend.add_argument("ids", nargs="+", type=int, metavar="ID")
    resend.set_defaults(func=lambda args: _change(args, "resend"))
    drop = osub.add_parser("drop", help="never send these messages (audited)")
    drop.add_argument("ids", nargs="+", type=int, metavar="ID")
    drop.set_defaults(func=lambda args: _change(args, "drop"))
