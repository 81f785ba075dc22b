"""Regression floors on the shipped held-out data (never used for training)."""
from __future__ import annotations

from pathlib import Path

from bot.nlu import Parser
from bot.nlu.dataset import load_split
from bot.nlu.evaluate import Report, evaluate
from bot.nlu.model import ModelBundle
from bot.nlu.parser import MODEL_PATH
from bot.nlu.train import build_examples
from bot.nlu.model import train_softmax

FLOORS = {"intent": 0.93, "category": 0.90, "polarity": 0.95, "persons_f1": 0.97,
          "persons": 0.97, "due": 0.97, "ref": 0.98, "urgent": 0.97}


def test_heldout_floors() -> None:
    parser = Parser.load()
    rep = Report()
    for ds in load_split("heldout"):
        evaluate(parser, ds.roster, ds.examples, rep)
    got = rep.summary()
    low = {k: round(got[k], 3) for k, floor in FLOORS.items() if got[k] < floor}
    assert rep.n >= 250
    assert not low, f"below floor: {low}"


def test_artefact_is_reproducible(tmp_path: Path) -> None:
    parser = Parser.load(model_path=tmp_path / "none.json")
    data = build_examples(parser)
    bundle = ModelBundle({name: train_softmax(rows) for name, rows in data.items()})
    out = tmp_path / "model.json"
    bundle.save(out)
    assert out.read_bytes() == MODEL_PATH.read_bytes(), "run: python -m bot.nlu.train"
