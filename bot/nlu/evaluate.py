"""Field-level evaluation of the parser on labelled JSONL data."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .dataset import Example
from .parser import Parser
from .types import Person

FIELDS = ("intent", "category", "polarity", "persons", "due", "ref", "urgent")


@dataclass
class Report:
    """Accumulated evaluation counts."""

    n: int = 0
    correct: Counter[str] = field(default_factory=Counter)
    tp: int = 0
    fp: int = 0
    fn: int = 0
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    mistakes: list[tuple[int, str, str, list[str]]] = field(default_factory=list)

    def accuracy(self, name: str) -> float:
        """Share of messages whose field matched exactly."""
        return self.correct[name] / self.n if self.n else 0.0

    @property
    def persons_f1(self) -> float:
        """Micro F1 over (message, person) pairs."""
        if self.tp == 0:
            return 1.0 if self.fp == 0 and self.fn == 0 else 0.0
        p, r = self.tp / (self.tp + self.fp), self.tp / (self.tp + self.fn)
        return 2 * p * r / (p + r)

    def summary(self) -> dict[str, float]:
        """Per-field accuracies plus persons F1."""
        out = {name: self.accuracy(name) for name in FIELDS}
        out["persons_f1"] = self.persons_f1
        return out


def evaluate(parser: Parser, roster: Iterable[Person], examples: Iterable[Example],
             report: Report | None = None) -> Report:
    """Parse every example and compare with its ``expect``.

    Args:
        parser: A loaded parser.
        roster: Roster the examples refer to.
        examples: Labelled messages.
        report: Optional report to accumulate into.

    Returns:
        The report.
    """
    rep = report or Report()
    parser.set_roster(roster)
    for ex in examples:
        got = parser.parse(ex.text, sender=ex.sender, today=ex.today).to_json(ex.id)
        exp = ex.expect
        rep.n += 1
        wrong = []
        for name in FIELDS:
            g, e = got[name], exp.get(name)
            if name == "persons":
                gs, es = set(g), set(e or [])  # type: ignore[arg-type]
                rep.tp += len(gs & es)
                rep.fp += len(gs - es)
                rep.fn += len(es - gs)
                ok = gs == es
            else:
                ok = g == e
            if ok:
                rep.correct[name] += 1
            else:
                wrong.append(f"{name}: got {g!r} want {e!r}")
        rep.confusion[(str(exp.get("intent")), str(got["intent"]))] += 1
        if wrong:
            weight = 3 * ("intent" in wrong[0]) + len(wrong)
            rep.mistakes.append((weight, ex.id, ex.text, wrong))
    return rep
