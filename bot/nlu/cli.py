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


if __name__ == "__main__":
    raise SystemExit(main())
