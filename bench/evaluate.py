"""Benchmark: evaluate N synthetic snapshots with all shipped packs; prints snapshots/second and peak memory.

    python bench/evaluate.py --n 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import portfolio  # noqa: E402

import nba  # noqa: E402


def main() -> None:
    """Run the benchmark and print one result line per measure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=10_000, help="number of snapshots")
    parser.add_argument("--rules", default=None, help="packs folder (default: the shipped packs)")
    args = parser.parse_args()

    engine = nba.Engine.from_path(args.rules) if args.rules else nba.Engine.default()
    as_of_day = dt.date(2025, 3, 31)
    as_of = dt.datetime(2025, 3, 31, 9, 0)
    # Validation is part of what a user pays per snapshot; JSON generation is not.
    snapshots = [nba.AccountSnapshot.model_validate(d) for d in portfolio(min(args.n, 2000), as_of_day)]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    actions = 0
    start = time.perf_counter()
    for i in range(args.n):
        decision = engine.evaluate(snapshots[i % len(snapshots)], as_of=as_of)
        actions += len(decision.actions)
    elapsed = time.perf_counter() - start

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"snapshots:            {args.n}")
    print(f"rules:                {len(engine.rule_ids)} in {len(engine.ruleset.packs)} packs")
    print(f"actions produced:     {actions}")
    print(f"elapsed:              {elapsed:.2f} s")
    print(f"snapshots per second: {args.n / elapsed:,.0f}")
    print(f"per snapshot:         {elapsed / args.n * 1e6:,.0f} µs")
    print(f"peak RSS:             {peak / 1024:,.1f} MiB (before the timed loop: {rss_before / 1024:,.1f} MiB)")


if __name__ == "__main__":
    main()
