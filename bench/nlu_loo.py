"""Leave-one-organisation-out evaluation of the NLU parser.

Every labelled file (``train_*.jsonl`` and ``heldout_*.jsonl``, each with its own roster) is one
organisation. For each fold the heads are trained on every other organisation and the parser is
evaluated on the one left out, so the figures are those of an organisation never seen in training.

Usage: python -P bench/nlu_loo.py [--folds a,b] [--worst 0] [--epochs 10]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.nlu import Parser  # noqa: E402
from bot.nlu.dataset import load_split  # noqa: E402
from bot.nlu.evaluate import Report, evaluate  # noqa: E402
from bot.nlu.train import featurise, merge, train_bundle  # noqa: E402

COLUMNS = ("intent", "category", "polarity", "persons_f1", "due", "ref", "urgent")


def main(argv: list[str] | None = None) -> int:
    """Run the folds and print a per-fold table, the mean over folds and the pooled figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--folds", default="", help="comma-separated organisations to hold out (default: all)")
    ap.add_argument("--worst", type=int, default=0, help="print this many mistakes per fold")
    ap.add_argument("--epochs", type=int, default=10)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    sets = load_split("train") + load_split("heldout")
    parser = Parser.load(model_path=Path("/nonexistent"))
    rows = {ds.name: featurise(parser, ds) for ds in sets}
    wanted = [f for f in args.folds.split(",") if f] or [ds.name for ds in sets]
    unknown = set(wanted) - set(rows)
    if unknown:
        ap.error(f"unknown folds: {', '.join(sorted(unknown))}; known: {', '.join(rows)}")
    pooled = Report()
    table: list[tuple[str, int, dict[str, float]]] = []
    for ds in sets:
        if ds.name not in wanted:
            continue
        bundle = train_bundle(merge(r for name, r in rows.items() if name != ds.name), args.epochs)
        fold = Parser(parser._seg, bundle)  # noqa: SLF001 - same tokenizer, fold's own model
        rep = evaluate(fold, ds.roster, ds.examples)
        evaluate(fold, ds.roster, ds.examples, pooled)
        table.append((ds.name, rep.n, rep.summary()))
        for _, mid, text, wrong in sorted(rep.mistakes, key=lambda m: (-m[0], m[1]))[:args.worst]:
            print(f"- {mid} {text}\n    " + "\n    ".join(wrong))
    print(f"{'fold':<18}{'n':>5} " + " ".join(f"{c[:8]:>8}" for c in COLUMNS))
    for name, n, summ in table:
        print(f"{name:<18}{n:>5} " + " ".join(f"{summ[c]:>8.3f}" for c in COLUMNS))
    mean = {c: statistics.fmean(s[c] for _, _, s in table) for c in COLUMNS}
    low = {c: min(s[c] for _, _, s in table) for c in COLUMNS}
    print(f"{'mean of folds':<18}{sum(n for _, n, _ in table):>5} " + " ".join(f"{mean[c]:>8.3f}" for c in COLUMNS))
    print(f"{'worst fold':<18}{'':>5} " + " ".join(f"{low[c]:>8.3f}" for c in COLUMNS))
    summ = pooled.summary()
    print(f"{'pooled':<18}{pooled.n:>5} " + " ".join(f"{summ[c]:>8.3f}" for c in COLUMNS))
    print(f"({len(table)} folds in {time.perf_counter() - start:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
