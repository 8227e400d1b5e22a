"""Benchmark: 1k / 10k / 100k synthetic accounts with all shipped packs through Engine.evaluate_many.

Accounts per second on one core and with 2 worker processes, for each way in and out: validated snapshots
in and `Decision`s out, streamed and as a list held in memory; JSON in (a book's lines) and `Decision`s out;
JSON in and JSON out. Peak memory,
and the native vs durable backend in the same run. Each (size, way, workers) runs `--repeat` times,
alternating, and the best is kept.

    python bench/portfolio.py                  # 1k, 10k, 100k
    python bench/portfolio.py --sizes 1000 10000 --durable-size 10000
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import resource
import sys
import time
from collections.abc import Iterator
from typing import Any
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import portfolio  # noqa: E402

import nba  # noqa: E402

AS_OF = dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.timezone.utc)


def rss_mib() -> float:
    """Resident memory of this process now, MiB (Linux)."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * resource.getpagesize() / 2**20


def stream(pool: list[Any], n: int) -> Iterator[Any]:
    """n snapshots, cycling through a pool, produced lazily (nothing is held for all n)."""
    return itertools.islice(itertools.cycle(pool), n)


def run(engine: nba.Engine, pool: list[Any], n: int, workers: int, as_json: bool = False, held: bool = False) -> float:
    """Wall seconds for n accounts; `held`: handed over as a list already in memory (built before the clock starts)."""
    source = list(stream(pool, n)) if held else stream(pool, n)
    start = time.perf_counter()
    for _ in engine.evaluate_many(source, as_of=AS_OF, workers=workers, as_json=as_json):
        pass
    return time.perf_counter() - start


def main() -> None:
    """Print one line per (backend, size, workers)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000, 100_000])
    parser.add_argument("--durable-size", type=int, default=10_000, help="0 to skip the durable backend")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    pool = [nba.AccountSnapshot.model_validate(d) for d in portfolio(2000, AS_OF.date())]
    lines = [snapshot.model_dump_json().encode() for snapshot in pool]
    ways: dict[str, tuple[list[Any], bool, bool]] = {
        "models -> Decision": (pool, False, False), "models list -> Dec.": (pool, False, True),
        "JSON -> Decision": (lines, False, False), "JSON -> JSON": (lines, True, False)}
    native = nba.Engine.default()
    print(f"{'backend':<8} {'accounts':>9} {'in -> out':<18} {'workers':>7} {'seconds':>8} {'acc/s':>8} {'RSS MiB':>8}")
    for n in args.sizes:
        for way, (source, as_json, held) in ways.items():
            best: dict[int, float] = {}
            for _ in range(args.repeat):
                for workers in (1, 2):
                    best[workers] = min(best.get(workers, float("inf")), run(native, source, n, workers, as_json, held))
            for workers, seconds in best.items():
                print(f"{'native':<8} {n:>9,} {way:<18} {workers:>7} {seconds:>8.2f} {n / seconds:>8,.0f} "
                      f"{rss_mib():>8.1f}" + (f"   speed-up {best[1] / seconds:.2f}x" if workers > 1 else ""))
    if args.durable_size:
        durable = nba.Engine.default(backend="durable")
        seconds = run(durable, pool, args.durable_size, 1)
        print(f"{'durable':<8} {args.durable_size:>9,} {'models -> Decision':<18} {1:>7} {seconds:>8.2f} "
              f"{args.durable_size / seconds:>8,.0f} {rss_mib():>8.1f}")
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"peak RSS: {peak_self:.1f} MiB (this process), {peak_children:.1f} MiB (largest worker)")


if __name__ == "__main__":
    main()
