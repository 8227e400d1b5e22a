"""Benchmark: evaluate N synthetic snapshots with all shipped packs; prints snapshots/second and peak memory.

    python bench/evaluate.py --n 10000
    python bench/evaluate.py --n 10000 --history 20    # also with 20 past actions per account, side by side
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
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
    parser.add_argument("--history", type=int, default=0,
                        help="also time each account with this many past actions in its action_history")
    parser.add_argument("--declines", action="store_true",
                        help="let a quarter of the closed past actions be declines (their cooldowns hold actions back)")
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
    if args.history:
        outcomes = ["accepted", "declined", "no_answer", "not_relevant"] if args.declines else ["accepted", "no_answer", "not_relevant"]
        with_history = [_with_history(engine, s, as_of, args.history, i, outcomes) for i, s in enumerate(snapshots)]
        best_plain, best_history = elapsed, float("inf")
        for _ in range(3):  # alternate the two loops so both see the same machine load
            start = time.perf_counter()
            for i in range(args.n):
                engine.evaluate(with_history[i % len(with_history)], as_of=as_of)
            best_history = min(best_history, time.perf_counter() - start)
            start = time.perf_counter()
            for i in range(args.n):
                engine.evaluate(snapshots[i % len(snapshots)], as_of=as_of)
            best_plain = min(best_plain, time.perf_counter() - start)
        print(f"with {args.history} past actions: {best_history / args.n * 1e6:,.0f} µs per snapshot "
              f"vs {best_plain / args.n * 1e6:,.0f} µs without ({(best_history / best_plain - 1) * 100:+.1f}%)")
    print(f"snapshots:            {args.n}")
    print(f"rules:                {len(engine.rule_ids)} in {len(engine.ruleset.packs)} packs")
    print(f"actions produced:     {actions}")
    print(f"elapsed:              {elapsed:.2f} s")
    print(f"snapshots per second: {args.n / elapsed:,.0f}")
    print(f"per snapshot:         {elapsed / args.n * 1e6:,.0f} µs")
    print(f"peak RSS:             {peak / 1024:,.1f} MiB (before the timed loop: {rss_before / 1024:,.1f} MiB)")


def _with_history(engine: nba.Engine, snapshot: nba.AccountSnapshot, as_of: dt.datetime, size: int,
                  seed: int, outcomes: list[str]) -> nba.AccountSnapshot:
    """The snapshot with `size` past actions: this morning's actions as issued by an earlier run (open), the rest
    closed in the months before (done, dismissed, withdrawn; some declined). The decision is the same size with
    and without it, so the difference is what reading the history costs."""
    rng = random.Random(seed)
    zone = snapshot.account.zone
    issued = as_of.replace(tzinfo=zone)
    entries = nba.history_from(engine.evaluate(snapshot, as_of=as_of))[:size]
    rules = list(engine.rule_ids)
    while len(entries) < size:
        closed = issued - dt.timedelta(days=rng.randint(1, 120))
        entries.append(nba.HistoryEntry(
            id=f"{rng.getrandbits(64):016x}", rule=rng.choice(rules), status=rng.choice(["done", "dismissed", "withdrawn"]),
            contact_id="c0", issued_at=closed - dt.timedelta(days=3), due=closed - dt.timedelta(days=2), closed_at=closed,
            outcome=rng.choice(outcomes)))  # type: ignore[arg-type]
    return snapshot.model_copy(update={"action_history": entries})


if __name__ == "__main__":
    main()
