"""Benchmark: evaluate N snapshots through the durable-rules backend in one process; time, peak memory,
and RSS at checkpoints to show memory stays flat.

    python bench/durable_backend.py --n 100000
    python bench/durable_backend.py --engines 200   # build, use and drop engines: the C memory is freed
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
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
    parser.add_argument("--engines", type=int, default=0,
                        help="instead, build, use and drop this many engines and print how much RSS grew")
    args = parser.parse_args()
    if args.engines:
        return engines(args.engines)
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


def engines(count: int) -> None:
    """Build, use and drop `count` durable engines; RSS should not grow with the count."""
    snapshot = nba.AccountSnapshot.model_validate(next(iter(portfolio(1, dt.date(2025, 3, 31)))))
    as_of = dt.datetime(2025, 3, 31, 9, 0)
    for _ in range(3):  # warm up: imports, caches
        nba.Engine.default(backend="durable").evaluate(snapshot, as_of=as_of)
    gc.collect()
    before = rss_mib()
    for _ in range(count):
        nba.Engine.default(backend="durable").evaluate(snapshot, as_of=as_of)
        gc.collect()
    grown = rss_mib() - before
    print(f"{count} durable engines built, used and dropped: RSS grew {grown:.1f} MiB ({grown / count * 1024:.0f} KiB each)")


if __name__ == "__main__":
    main()
