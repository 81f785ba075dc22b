"""Loading labelled JSONL data sets shipped with the package."""
from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .roster import load_roster_csv
from .segment import DATA_DIR
from .types import Person

LABELLED_DIR = DATA_DIR / "labelled"


@dataclass(frozen=True)
class Example:
    """One labelled message."""

    id: str
    sender: str | None
    today: datetime.date
    text: str
    expect: dict[str, object]


@dataclass(frozen=True)
class DataSet:
    """Labelled messages with the roster they refer to."""

    name: str
    roster: tuple[Person, ...]
    examples: tuple[Example, ...]


def read_jsonl(path: Path, default_today: datetime.date | None = None) -> Iterator[Example]:
    """Read ``{"id","from","today","text","expect"}`` lines."""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            row = json.loads(line)
            today = row.get("today")
            day = datetime.date.fromisoformat(today) if today else (default_today or datetime.date.today())
            yield Example(str(row.get("id")), row.get("from"), day, row["text"], row.get("expect") or {})


def load_split(split: str) -> list[DataSet]:
    """Load every ``{split}_X.jsonl`` with its ``roster_{split}_X.csv``.

    Args:
        split: ``"train"`` or ``"heldout"``.

    Returns:
        The data sets, sorted by name.
    """
    sets = []
    for path in sorted(LABELLED_DIR.glob(f"{split}_*.jsonl")):
        suffix = path.stem[len(split) + 1:]
        roster = load_roster_csv(LABELLED_DIR / f"roster_{split}_{suffix}.csv")
        sets.append(DataSet(path.stem, tuple(roster), tuple(read_jsonl(path))))
    return sets
