"""Benchmark: where one account's time goes, step by step, with timers around each step of an evaluation.

    python bench/steps.py --n 6000

Each step's function is wrapped in a timer for this run only (about 0.2 µs per call is the timer's own
cost, so the steps add up to a little more than a plain run). Steps nest: `arbitration` includes writing
the actions it keeps (`words` and `action`). Run it on the pure-Python install: in the compiled build
the modules call each other directly, past the timers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import portfolio  # noqa: E402

import nba  # noqa: E402
import nba.engine  # noqa: E402
import nba.writing  # noqa: E402

#: (label, owner of the function, its name), in pipeline order.
STEPS = [
    ("signals", nba.engine, "compute_signals"),
    ("renewal stage (remembered per contract terms and day)", nba.engine, "renewal_status"),
    ("risk scorecard", nba.engine, "assess"),
    ("discount policy", nba.engine, "decide"),
    ("candidates (due, contact, owner, priority)", nba.engine.Engine, "_candidate"),
    ("arbitration, with writing the actions", nba.engine, "arbitrate"),
    ("  of which: texts (words)", nba.writing.ActionWriter, "words"),
    ("  of which: action models (id, NextAction)", nba.writing.Draft, "action"),
    ("the decision model", nba.engine, "Decision"),
]


def main() -> None:
    """Print µs per account for each step and for the whole evaluation."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=6000, help="evaluations timed")
    args = parser.parse_args()
    spent: dict[str, float] = defaultdict(float)

    def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*a: Any, **k: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*a, **k)
            finally:
                spent[label] += time.perf_counter() - start
        return wrapper

    for label, owner, name in STEPS:
        setattr(owner, name, timed(label, getattr(owner, name)))

    engine = nba.Engine.default()
    snapshots = [nba.AccountSnapshot.model_validate(d) for d in portfolio(2000, dt.date(2025, 3, 31))]
    as_of = dt.datetime(2025, 3, 31, 9, 0)
    for snapshot in snapshots:  # warm up: Babel's locale data, holiday tables
        engine.evaluate(snapshot, as_of=as_of)
    spent.clear()
    start = time.perf_counter()
    for i in range(args.n):
        engine.evaluate(snapshots[i % len(snapshots)], as_of=as_of)
    total = time.perf_counter() - start
    print(f"{'step':<46} {'µs/account':>10} {'share':>6}")
    for label, _, _ in STEPS:
        print(f"{label:<46} {spent[label] / args.n * 1e6:>10.1f} {spent[label] / total:>6.0%}")
    print(f"{'whole evaluation (incl. conditions, glue)':<46} {total / args.n * 1e6:>10.1f}")


if __name__ == "__main__":
    main()
