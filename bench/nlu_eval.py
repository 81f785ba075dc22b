"""Evaluate the NLU parser on a labelled JSONL file.

Usage: python bench/nlu_eval.py FILE.jsonl --roster ROSTER.csv [--worst 25]
       python bench/nlu_eval.py --loo [--folds a,b]   (leave-one-organisation-out: bench/nlu_loo.py)
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.nlu import Parser, load_roster_csv  # noqa: E402
from bot.nlu.dataset import read_jsonl  # noqa: E402
from bot.nlu.evaluate import FIELDS, Report, evaluate  # noqa: E402


def print_report(rep: Report, worst: int) -> None:
    """Print accuracies, the intent confusion matrix and the worst mistakes."""
    print(f"messages: {rep.n}")
    for name in FIELDS:
        print(f"  {name:<9} {rep.accuracy(name):.3f}")
    print(f"  persons_f1 {rep.persons_f1:.3f}")
    labels = sorted({a for a, _ in rep.confusion} | {b for _, b in rep.confusion})
    short = [lab[:6] for lab in labels]
    print("\nintent confusion (rows = expected, cols = got)")
    print(" " * 16 + " ".join(f"{s:>6}" for s in short))
    for a in labels:
        print(f"{a:<16}" + " ".join(f"{rep.confusion[(a, b)] or '.':>6}" for b in labels))
    print(f"\nworst mistakes ({min(worst, len(rep.mistakes))} of {len(rep.mistakes)})")
    for _, mid, text, wrong in sorted(rep.mistakes, key=lambda m: (-m[0], m[1]))[:worst]:
        print(f"- {mid} {text}\n    " + "\n    ".join(wrong))


def main(argv: list[str] | None = None) -> int:
    """Entry point."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("file", nargs="*", type=Path)
    ap.add_argument("--roster", type=Path, action="append", help="roster CSV (one, or one per file)")
    ap.add_argument("--worst", type=int, default=25)
    ap.add_argument("--loo", action="store_true", help="train without each organisation in turn and evaluate on it")
    ap.add_argument("--folds", default="", help="with --loo: the organisations to hold out (default: all)")
    args = ap.parse_args(argv)
    if args.loo:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        import nlu_loo  # noqa: PLC0415
        return nlu_loo.main((["--folds", args.folds] if args.folds else []) + ["--worst", str(min(args.worst, 0))])
    if not args.file or not args.roster:
        ap.error("give FILE.jsonl and --roster (or --loo)")
    if len(args.roster) not in (1, len(args.file)):
        ap.error("give one --roster or one per file")
    parser = Parser.load()
    rep = Report()
    for i, path in enumerate(args.file):
        roster = load_roster_csv(args.roster[min(i, len(args.roster) - 1)])
        evaluate(parser, roster, read_jsonl(path), rep)
    print_report(rep, args.worst)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
