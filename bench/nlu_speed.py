"""NLU speed benchmark: start-up time, per-message p50/p99, jsonl throughput.

Usage: python bench/nlu_speed.py [--n 10000]
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=10000)
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    from bot.nlu import Parser  # noqa: PLC0415
    from bot.nlu.cli import run_jsonl  # noqa: PLC0415
    from bot.nlu.dataset import load_split  # noqa: PLC0415
    parser = Parser.load()
    startup = time.perf_counter() - t0
    sets = load_split("heldout")
    parser.set_roster(sets[0].roster)
    msgs = [(ex.text, ex.sender, ex.today) for ds in sets for ex in ds.examples]
    today = datetime.date(2026, 9, 27)
    for text, sender, _ in msgs[:50]:
        parser.parse(text, sender=sender, today=today)
    times = []
    for i in range(args.n):
        text, sender, day = msgs[i % len(msgs)]
        s = time.perf_counter()
        parser.parse(text, sender=sender, today=day)
        times.append(time.perf_counter() - s)
    times.sort()
    p50, p99 = times[len(times) // 2] * 1e3, times[int(len(times) * 0.99)] * 1e3
    lines = "".join(json.dumps({"id": str(i), "from": msgs[i % len(msgs)][1], "text": msgs[i % len(msgs)][0]},
                               ensure_ascii=False) + "\n" for i in range(args.n))
    out = io.StringIO()
    s = time.perf_counter()
    run_jsonl(io.StringIO(lines), out, parser, today)
    jsonl = time.perf_counter() - s
    print(f"start-up (import + load): {startup:.3f} s")
    print(f"parse: p50 {p50:.3f} ms  p99 {p99:.3f} ms  mean {statistics.fmean(times) * 1e3:.3f} ms  (n={args.n})")
    print(f"jsonl: {args.n} messages in {jsonl:.2f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
