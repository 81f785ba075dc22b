"""How the clarification floor works on organisations the shipped model never saw (the held-out files).

For each floor: how many messages the card would ask about (``bot.clarify.unsure``), how many of those the
parser misread, and how many misreadings go through unasked. Usage: python -P bench/nlu_confidence.py
[--floors 0.05,0.1,0.15,0.2,0.3]
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot import clarify  # noqa: E402
from bot.nlu import Parser  # noqa: E402
from bot.nlu.dataset import load_split  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--floors", default="0.05,0.1,0.15,0.2,0.3")
    args = ap.parse_args(argv)
    parser = Parser.load()
    rows = []
    for ds in load_split("heldout"):
        parser.set_roster(ds.roster)
        rows += [(parser.parse(ex.text, sender=ex.sender, today=ex.today), ex.text, ex.expect["intent"])
                 for ex in ds.examples]
    shipped = clarify.CONFIDENCE_FLOOR
    print(f"{'floor':>6} {'asked':>6} {'share':>6} {'misread asked':>14} {'misread unasked':>16}")
    for floor in (float(x) for x in args.floors.split(",")):
        clarify.CONFIDENCE_FLOOR = floor
        asked = [(p, want) for p, text, want in rows if clarify.unsure(p, text)]
        unasked = [(p, want) for p, text, want in rows if not clarify.unsure(p, text)]
        wrong_asked = sum(p.intent.value != want for p, want in asked)
        wrong_unasked = sum(p.intent.value != want for p, want in unasked)
        mark = " (shipped)" if abs(floor - shipped) < 1e-9 else ""
        print(f"{floor:>6.2f} {len(asked):>6} {len(asked) / len(rows):>6.1%} {wrong_asked:>14} {wrong_unasked:>16}{mark}")
    clarify.CONFIDENCE_FLOOR = shipped
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
