"""Benchmark: the same 15 conditions on the engines a user could pick instead, as ratios to hand-written lambdas.

    pip install -r bench/requirements.txt
    python bench/conditions.py --n 20000

Every engine gets the same signal dictionaries (with no missing values, which not every engine compares)
and evaluates all 15 conditions per snapshot, each the way its users would: rule-engine as 15 `Rule`s,
durable-rules as one ruleset of 15 rules asserted one fact. zen-engine is not compared: its unit of
evaluation is a whole decision (graph or table), and running it as 15 separate expressions per snapshot
overstated its cost about sixfold.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))

from synthetic import portfolio  # noqa: E402

import nba  # noqa: E402
from nba.conditions import NativeBackend, check, parse  # noqa: E402
from nba.signals import CATALOGUE  # noqa: E402

CONDITIONS = [
    ('activity_drop_pct >= 40 and contract_status == "active"',
     lambda s: s["activity_drop_pct"] >= 40 and s["contract_status"] == "active"),
    ('export_request_days <= 30 and contract_status == "active"',
     lambda s: s["export_request_days"] <= 30 and s["contract_status"] == "active"),
    ("max_limit_used_pct >= 85 and max_limit_used_pct < 100 and days_to_end > 0",
     lambda s: s["max_limit_used_pct"] >= 85 and s["max_limit_used_pct"] < 100 and s["days_to_end"] > 0),
    ("max_limit_used_pct >= 100", lambda s: s["max_limit_used_pct"] >= 100),
    ("new_contact_ticket_days <= 14 and primary_silent_days >= 30",
     lambda s: s["new_contact_ticket_days"] <= 14 and s["primary_silent_days"] >= 30),
    ("nps <= 6", lambda s: s["nps"] <= 6),
    ("health_score < 50", lambda s: s["health_score"] < 50),
    ("tickets_30d >= 5", lambda s: s["tickets_30d"] >= 5),
    ("primary_silent_days >= 30", lambda s: s["primary_silent_days"] >= 30),
    ('segment == "key" and days_since_touch >= 90', lambda s: s["segment"] == "key" and s["days_since_touch"] >= 90),
    ('days_since_activity >= 30 and contract_status == "active"',
     lambda s: s["days_since_activity"] >= 30 and s["contract_status"] == "active"),
    ("days_to_end <= 60 and days_to_end > 0", lambda s: s["days_to_end"] <= 60 and s["days_to_end"] > 0),
    ("activity_drop_60d_pct >= 25", lambda s: s["activity_drop_60d_pct"] >= 25),
    ("discount_requested_pct > 15", lambda s: s["discount_requested_pct"] > 15),
    ("days_since_start <= 28 and days_since_touch >= 7", lambda s: s["days_since_start"] <= 28 and s["days_since_touch"] >= 7),
]


def signal_dicts(n: int) -> list[dict[str, Any]]:
    """Signals of n synthetic accounts, missing numbers filled with 0 and texts with ""."""
    engine = nba.Engine.default()
    out = []
    for data in portfolio(n, dt.date(2025, 3, 31)):
        signals = engine.signals(nba.AccountSnapshot.model_validate(data), as_of=dt.datetime(2025, 3, 31, 9, 0))
        out.append({k: (v if v is not None else ("" if CATALOGUE[k].type == "text" else 0.0)) for k, v in signals.items()})
    return out


def timed(name: str, evaluate: Callable[[dict[str, Any]], Any], rows: list[dict[str, Any]]) -> float:
    for row in rows[:200]:  # warm up
        evaluate(row)
    start = time.perf_counter()
    for row in rows:
        evaluate(row)
    return (time.perf_counter() - start) / len(rows) * 1e6


def engines() -> dict[str, Callable[[dict[str, Any]], Any]]:
    texts = [text for text, _ in CONDITIONS]
    lambdas = [fn for _, fn in CONDITIONS]
    nodes = [parse(t) for t in texts]
    for node in nodes:
        check(node, CATALOGUE)
    native = NativeBackend().compile(nodes)
    found: dict[str, Callable[[dict[str, Any]], Any]] = {
        "python lambdas (floor)": lambda s: [fn(s) for fn in lambdas],
        "nba native": lambda s: [fn(s) for fn in native],
    }
    try:
        from nba.conditions.durable import DurableBackend

        durable = DurableBackend().compile(nodes)
        found["nba durable backend"] = lambda s: [fn(s) for fn in durable]
        from durable.engine import MessageNotHandledException, Ruleset

        from nba.conditions.durable import to_durable

        hits: list[int] = []

        def action(i: int) -> Any:
            return lambda c: hits.append(i)

        ruleset = Ruleset("bench-direct", None, {f"c{i}": {"all": [{"m": to_durable(n)}], "run": action(i)}
                                                 for i, n in enumerate(nodes)})

        def direct(s: dict[str, Any]) -> list[int]:
            fact = {**s, **{f"known__{k}": True for k in s}}
            hits.clear()
            try:
                ruleset.do_actions(ruleset.assert_fact(fact), lambda e, r: None)
            except MessageNotHandledException:
                pass
            ruleset.retract_fact(fact)
            return list(hits)

        found["durable-rules directly"] = direct
    except ImportError:
        print("durable-rules not installed: skipped")
    try:
        import rule_engine

        rules = [rule_engine.Rule(t) for t in texts]
        found["rule-engine"] = lambda s: [r.matches(s) for r in rules]
    except ImportError:
        print("rule-engine not installed: skipped")
    return found


def main() -> None:
    """Print µs per snapshot (15 conditions) and the ratio to the lambdas, for every engine found."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=20_000)
    args = parser.parse_args()
    rows = signal_dicts(min(args.n, 4000))
    rows = (rows * (args.n // len(rows) + 1))[: args.n]
    results = {name: timed(name, fn, rows) for name, fn in engines().items()}
    floor = results["python lambdas (floor)"]
    print(f"{'engine':<26} {'µs/snapshot':>12} {'ratio':>7}   ({len(CONDITIONS)} conditions, {args.n} snapshots)")
    for name, micros in results.items():
        print(f"{name:<26} {micros:>12.2f} {micros / floor:>6.1f}x")


if __name__ == "__main__":
    main()
