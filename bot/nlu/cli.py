"""Command-line helpers behind ``sijing parse`` (also ``python -m bot.nlu.cli``)."""
from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path
from typing import TextIO

from .parser import Parser
from .roster import load_roster_csv


def run_text(text: str, sender: str | None, today: datetime.date, parser: Parser) -> str:
    """Parse one message and return a readable multi-line description."""
    p = parser.parse(text, sender=sender, today=today)
    lines = [
        f"intent:   {p.intent.value}",
        f"category: {p.category or '-'}",
        f"polarity: {p.polarity or '-'}",
        f"persons:  {', '.join(p.persons) or '-'}",
        f"due:      {p.due.isoformat() if p.due else '-'}",
        f"ref:      {p.ref if p.ref is not None else '-'}",
        f"urgent:   {'yes' if p.urgent else 'no'}",
    ]
    for mention, ids in p.ambiguous:
        lines.append(f"ambiguous: {mention} -> {', '.join(ids)}")
    return "\n".join(lines)


def run_jsonl(stdin: TextIO, stdout: TextIO, parser: Parser, default_today: datetime.date) -> int:
    """Parse ``{"id","from","text","today"?}`` lines, one JSON result per line.

    Malformed lines yield ``{"id": ..., "error": ...}``; blank lines are skipped.

    Returns:
        Number of lines that produced an error.
    """
    errors = 0
    for line in stdin:
        if not line.strip():
            continue
        msg_id = None
        try:
            row = json.loads(line)
            if not isinstance(row, dict):
                raise ValueError("line is not a JSON object")
            msg_id = row.get("id")
            text = row.get("text")
            if not isinstance(text, str):
                raise ValueError("missing or non-string 'text'")
            sender = row.get("from")
            if sender is not None and not isinstance(sender, str):
                raise ValueError("'from' must be a string")
            today = datetime.date.fromisoformat(row["today"]) if row.get("today") else default_today
            out: dict[str, object] = parser.parse(text, sender=sender, today=today).to_json(msg_id)
        except (ValueError, TypeError, KeyError) as exc:
            errors += 1
            out = {"id": msg_id if isinstance(msg_id, (str, int)) else None, "error": str(exc) or type(exc).__name__}
        stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    stdout.flush()
    return errors


def main(argv: list[str] | None = None) -> int:
    """``python -m bot.nlu.cli "文本" [--from U] [--today D] [--roster F]`` or ``--jsonl``."""
    ap = argparse.ArgumentParser(prog="python -m bot.nlu.cli", description="Parse messages.")
    ap.add_argument("text", nargs="?")
    ap.add_argument("--from", dest="sender")
    ap.add_argument("--today", type=datetime.date.fromisoformat, default=datetime.date.today())
    ap.add_argument("--roster", type=Path)
    ap.add_argument("--jsonl", action="store_true", help="read JSON lines on stdin")
    args = ap.parse_args(argv)
    if not args.jsonl and args.text is None:
        ap.error("give a text or --jsonl")
    parser = Parser.load()
    if args.roster:
        parser.set_roster(load_roster_csv(args.roster))
    if args.jsonl:
        run_jsonl(sys.stdin, sys.stdout, parser, args.today)
        return 0
    print(run_text(args.text, args.sender, args.today, parser))
    return 0


# --- ``sijing nlu examples``: the clarification card's labelled examples as JSON lines --------------


async def _examples(db: object, since: datetime.date | None) -> list[dict[str, object]]:
    from storage import examples
    from storage.scope import every_branch

    async with db.sessions() as session:  # type: ignore[attr-defined]
        with every_branch(session):
            start = datetime.datetime.combine(since, datetime.time(), datetime.timezone.utc) if since else None
            rows = await examples.listed(session, since=start)
    return [{"id": f"ex{r.id}", "text": r.text, "intent": r.intent, "predicted": r.predicted, "role": r.role,
             "source": r.source, "at": r.at.isoformat()} for r in rows]


def _cmd_examples(args: argparse.Namespace) -> int:
    import asyncio

    from bot.clitools import settings_of, with_db

    settings = settings_of(args, need_wecom=False)
    rows = asyncio.run(with_db(settings, lambda db: _examples(db, args.since)))
    out: TextIO = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout  # noqa: SIM115
    try:
        for row in rows:
            if args.labelled_only and row["intent"] == "none":
                continue
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        if args.out:
            out.close()
    if args.out:
        print(f"{len(rows)} examples -> {args.out}", file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """``sijing nlu examples [--out F] [--since D]``: the labelled examples (opt-in, names redacted)."""
    nlu = sub.add_parser("nlu", help="the parser's data")
    nsub = nlu.add_subparsers(dest="nlu_command", required=True)
    ex = nsub.add_parser("examples", help="export the clarification card's labelled examples as JSON lines")
    ex.add_argument("--out", help="file to write (default: standard output)")
    ex.add_argument("--since", type=datetime.date.fromisoformat, help="YYYY-MM-DD")
    ex.add_argument("--labelled-only", action="store_true", help="leave out the answers “都不是”")
    ex.set_defaults(func=_cmd_examples)


if __name__ == "__main__":
    raise SystemExit(main())
