"""Benchmark: the daily run with the ledger, as a team runs it into a CRM, against the same run without it.

    python bench/ledger_morning.py                 # 5,000 accounts, best of 3
    python bench/ledger_morning.py --accounts 20000 --repeat 2

The book is examples/book.jsonl repeated with fresh account ids (as in bench/cli_vs_script.py). The first
morning (Monday) fills a new ledger; during the day the team closes three quarters of what was due (done,
and now and then declined); the second morning (Tuesday) is what is timed: `nba evaluate-portfolio --ledger
--changes` on a fresh copy of that evening's ledger each time, as a fresh process (start-up included),
against `nba evaluate-portfolio` of the same book and morning with no ledger. The difference is what keeping
the history costs: reading it, evaluating against it, recording the decisions and writing the changes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from cli_vs_script import ENV, run, write_book  # one way to make the book and time a fresh process

from nba.ledger import Ledger

MONDAY, TUESDAY = "2025-03-31T08:30", "2025-04-01T08:30"


def work_the_day(ledger_path: Path) -> int:
    """Monday's work as a team does it: three quarters of what was due closed (one in ten of those declined)."""
    evening = dt.datetime(2025, 3, 31, 17, 0, tzinfo=dt.timezone.utc)
    closed = 0
    with Ledger(ledger_path) as ledger:
        for i, action in enumerate(ledger.actions()):
            if action.due.date() > evening.date() or i % 4 == 0:
                continue
            ledger.close_action(action.id, outcome="declined" if i % 10 == 1 else "accepted", at=evening)
            closed += 1
    return closed


def main() -> None:
    """Prepare Monday's ledger, then time Tuesday with and without it; print both and the difference."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    nba = [sys.executable, "-m", "nba", "evaluate-portfolio"]
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        book, monday, ledger = work / "book.jsonl", work / "monday.sqlite", work / "ledger.sqlite"
        write_book(book, args.accounts)
        subprocess.run([*nba, str(book), "--as-of", MONDAY, "--out", str(work / "monday.jsonl"), "--ledger", str(monday)],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        closed = work_the_day(monday)
        runs = {
            "without the ledger": [*nba, str(book), "--as-of", TUESDAY, "--out", str(work / "plain.jsonl")],
            "with the ledger (--ledger --changes)": [*nba, str(book), "--as-of", TUESDAY, "--out", str(work / "tuesday.jsonl"),
                                                     "--ledger", str(ledger), "--changes", str(work / "changes.jsonl")],
        }
        best: dict[str, tuple[float, float]] = {}
        for round_ in range(args.repeat + 1):  # the first round is a warm-up: bytecode and page cache
            for name, command in runs.items():
                shutil.copyfile(monday, ledger)  # every Tuesday starts from Monday evening's ledger
                cpu, wall = run(command)
                if round_ and (name not in best or cpu < best[name][0]):
                    best[name] = (cpu, wall)
        changes = sum(1 for _ in (work / "changes.jsonl").open(encoding="utf-8"))
    print(f"{args.accounts:,} accounts, Tuesday {TUESDAY} after Monday's run and {closed:,} actions closed, "
          f"best of {args.repeat} (python {sys.version.split()[0]}, {os.cpu_count()} cores); {changes:,} changes written")
    for name, (cpu, wall) in best.items():
        print(f"  {name:<38} CPU {cpu:6.2f} s   wall {wall:6.2f} s")
    extra = best["with the ledger (--ledger --changes)"][0] - best["without the ledger"][0]
    print(f"  the ledger adds {extra:.2f} s of CPU, {extra / args.accounts * 1e6:.0f} µs an account "
          f"({extra / best['without the ledger'][0]:+.0%})")


if __name__ == "__main__":
    main()
