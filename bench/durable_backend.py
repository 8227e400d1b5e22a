"""Benchmark: evaluate N snapshots through the durable-rules backend in one process; time, peak memory,
and RSS at checkpoints to show memory stays flat.

    python bench/durable_backend.py --n 100000
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


def rss_mib() -> float:
    """Current resident memory of this process, MiB (Linux)."""
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    return pages * resource.getpagesize() / 2**20


def main() -> None:
    """Run the benchmark and print one line per checkpoint."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--check-native", action="store_true", help="also compare every decision with the native backend")
    args = parser.parse_args()
    durable = nba.Engine.default(backend="durable")
    native = nba.Engine.default() if args.check_native else None
    snapshots = [nba.AccountSnapshot.model_validate(d) for d in portfolio(2000, dt.date(2025, 3, 31))]
    as_of = dt.datetime(2025, 3, 31, 9, 0)
    checkpoints = {args.n // 10, args.n // 2, args.n}
    differences = 0
    print(f"start: RSS {rss_mib():.1f} MiB")
    start = time.perf_counter()
    for i in range(1, args.n + 1):
        snapshot = snapshots[i % len(snapshots)]
        # A fresh as-of per round keeps durable-rules from seeing identical facts round after round.
        moment = as_of + dt.timedelta(minutes=i // len(snapshots))
        decision = durable.evaluate(snapshot, as_of=moment)
        if native is not None and decision != native.evaluate(snapshot, as_of=moment):
            differences += 1
        if i in checkpoints:
            elapsed = time.perf_counter() - start
            print(f"{i:>8} snapshots: {elapsed:8.1f} s, {i / elapsed:,.0f}/s, RSS {rss_mib():.1f} MiB")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {peak:.1f} MiB")
    if native is not None:
        print(f"decisions different from the native backend: {differences}")


if __name__ == "__main__":
    main()
