"""Train the intent/category/polarity heads: ``python -m bot.nlu.train``.

Reads ``data/labelled/train_*.jsonl`` (never the held-out files) and writes
``data/model.json`` deterministically.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from .dataset import DataSet, load_split
from .model import ModelBundle, train_softmax
from .parser import MODEL_PATH, Parser

Rows = dict[str, list[tuple[list[str], str]]]
HEADS = ("intent", "deed", "care", "polarity")


def featurise(parser: Parser, ds: DataSet) -> Rows:
    """Featurise one data set for every head (each message with and without the sender's role)."""
    heads: Rows = {name: [] for name in HEADS}
    parser.set_roster(ds.roster)
    for ex in ds.examples:
        a = parser.analyse(ex.text, sender=ex.sender, today=ex.today)
        feats = list(a.features)
        variants = [feats, [f for f in feats if not f.startswith("role:")]]
        intent = str(ex.expect["intent"])
        for fv in variants:
            heads["intent"].append((fv, intent))
            if intent == "deed_request":
                heads["deed"].append((fv, str(ex.expect["category"])))
            elif intent == "care_need":
                heads["care"].append((fv, str(ex.expect["category"])))
            elif intent == "feedback":
                heads["polarity"].append((fv, str(ex.expect["polarity"])))
    return heads


def merge(parts: Iterable[Rows]) -> Rows:
    """Concatenate featurised data sets."""
    out: Rows = {name: [] for name in HEADS}
    for part in parts:
        for name in HEADS:
            out[name].extend(part[name])
    return out


def build_examples(parser: Parser, sets: Iterable[DataSet] | None = None) -> Rows:
    """Featurise the training split (or the given data sets) for every head."""
    return merge(featurise(parser, ds) for ds in (load_split("train") if sets is None else sets))


def train_bundle(rows: Rows, epochs: int = 10) -> ModelBundle:
    """Train every head on featurised rows."""
    return ModelBundle({name: train_softmax(r, epochs=epochs) for name, r in rows.items()})


def main(argv: list[str] | None = None) -> int:
    """Train and save the model artefact."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=MODEL_PATH)
    ap.add_argument("--epochs", type=int, default=10)
    args = ap.parse_args(argv)
    start = time.perf_counter()
    parser = Parser.load(model_path=Path("/nonexistent"))
    data = build_examples(parser)
    bundle = train_bundle(data, args.epochs)
    bundle.save(args.out)
    sizes = ", ".join(f"{n}={len(r) // 2}" for n, r in data.items())
    print(f"trained on {sizes} in {time.perf_counter() - start:.1f}s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
