"""Pure-Python multinomial logistic regression over sparse binary features."""
from __future__ import annotations

import json
import math
import random
from array import array
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LinearModel:
    """A trained softmax classifier.

    Attributes:
        classes: Class labels.
        weights: Feature -> per-class weights (loaded: arrays of doubles, a third of a tuple of floats:
            ~10 MB less for the artefact's 37,000 features).
    """

    classes: tuple[str, ...]
    weights: dict[str, Sequence[float]]

    def scores(self, feats: Sequence[str]) -> list[float]:
        """Raw class scores for a feature list."""
        out = [0.0] * len(self.classes)
        get = self.weights.get
        for f in feats:
            w = get(f)
            if w is not None:
                for i, v in enumerate(w):
                    out[i] += v
        return out

    def proba(self, feats: Sequence[str]) -> dict[str, float]:
        """Class probabilities."""
        s = self.scores(feats)
        top = max(s)
        exps = [math.exp(v - top) for v in s]
        total = sum(exps)
        return {c: e / total for c, e in zip(self.classes, exps)}

    def predict(self, feats: Sequence[str]) -> str:
        """Most probable class."""
        s = self.scores(feats)
        return self.classes[max(range(len(s)), key=s.__getitem__)]

    def to_dict(self) -> dict[str, object]:
        """JSON-serialisable form (sorted for reproducibility)."""
        return {"classes": list(self.classes),
                "weights": {f: [round(v, 4) for v in w] for f, w in sorted(self.weights.items())}}

    @classmethod
    def from_dict(cls, data: dict[str, object]) -> LinearModel:
        """Inverse of :meth:`to_dict`."""
        weights = data["weights"]
        assert isinstance(weights, dict)
        return cls(tuple(data["classes"]), {f: array("d", w) for f, w in weights.items()})  # type: ignore[arg-type]


def train_softmax(examples: Sequence[tuple[list[str], str]], *, epochs: int = 10, lr: float = 0.1,
                  l2: float = 1e-3, seed: int = 13, prune: float = 0.005) -> LinearModel:
    """Train by SGD with AdaGrad step sizes; deterministic for a fixed seed.

    Args:
        examples: (features, label) pairs.
        epochs: Passes over the data.
        lr: Base learning rate.
        l2: L2 penalty applied lazily per update.
        seed: Shuffle seed.
        prune: Drop features whose largest absolute weight is below this.

    Returns:
        The trained model.
    """
    classes = tuple(sorted({y for _, y in examples}))
    index = {c: i for i, c in enumerate(classes)}
    k = len(classes)
    w: dict[str, list[float]] = {}
    g2: dict[str, list[float]] = {}
    order = list(range(len(examples)))
    rng = random.Random(seed)
    for _ in range(epochs):
        rng.shuffle(order)
        for idx in order:
            feats, label = examples[idx]
            scores = [0.0] * k
            for f in feats:
                wf = w.get(f)
                if wf is not None:
                    for i in range(k):
                        scores[i] += wf[i]
            top = max(scores)
            exps = [math.exp(s - top) for s in scores]
            total = sum(exps)
            y = index[label]
            grad = [e / total for e in exps]
            grad[y] -= 1.0
            for f in feats:
                wf = w.setdefault(f, [0.0] * k)
                gf = g2.setdefault(f, [1e-8] * k)
                for i in range(k):
                    g = grad[i] + l2 * wf[i]
                    gf[i] += g * g
                    wf[i] -= lr * g / math.sqrt(gf[i])
    kept = {f: tuple(v) for f, v in w.items() if max(abs(x) for x in v) >= prune}
    return LinearModel(classes, kept)


@dataclass(frozen=True)
class ModelBundle:
    """All heads used by the parser."""

    heads: dict[str, LinearModel]

    @classmethod
    def load(cls, path: Path) -> ModelBundle:
        """Load the JSON artefact."""
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return cls({name: LinearModel.from_dict(h) for name, h in data["heads"].items()})

    def save(self, path: Path) -> None:
        """Write the JSON artefact deterministically."""
        data = {"version": 1, "heads": {n: self.heads[n].to_dict() for n in sorted(self.heads)}}
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
            fh.write("\n")
