"""Benchmark: `nba evaluate-portfolio` against a hand-written script, side by side, CPU seconds from start to exit.

    python bench/cli_vs_script.py                 # 5,000 accounts, both books, best of 3
    python bench/cli_vs_script.py --book example --accounts 20000 --workers 2
    python bench/cli_vs_script.py --required-only     # nba with the script's rules: the five required packs

The ratio depends on the book, so both are run by default, each with its own ratio:

- `example`: examples/book.jsonl (300 accounts of one fictional vendor, monthly usage, six periods each)
  repeated with fresh account ids up to `--accounts`;
- `synthetic`: the seeded portfolio of bench/synthetic.py that the other benchmarks use (five countries,
  daily, weekly or monthly usage over 120 days: 47 periods an account on average).

Both programs run as fresh processes (start-up included) on the same book and as-of; the ratio is nba's
CPU time (user + system, its workers included) over the script's.

By default nba runs every shipped pack, as `nba evaluate-portfolio` does. `--required-only` runs the five
required packs the script also does (with the calendar and arbitration packs, arbitration's patterns for
the packs left out dropped), so both sides answer the same rules; nba still arbitrates, writes the texts
and explains, which the script does not.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from synthetic import portfolio

HERE = Path(__file__).resolve().parent
BOOK = HERE.parent / "examples" / "book.jsonl"
AS_OF = "2025-03-31T09:00"
RULES = HERE.parent / "rules"
#: The packs the hand-written script answers, and those every engine needs (days off, arbitration).
REQUIRED = ("activity_drop", "discount_request", "new_contact", "tariff_limit", "data_export")
SUPPORT = ("calendar", "arbitration")


def write_book(path: Path, accounts: int) -> None:
    """`accounts` lines: the example book repeated, each copy with its own account ids."""
    lines = [json.loads(line) for line in BOOK.read_text(encoding="utf-8").splitlines() if line.strip()]

    def copies() -> Iterator[dict[str, Any]]:
        for n in range(accounts):
            record = lines[n % len(lines)]
            record["account"]["id"] = f"{record['account']['id'].split('~')[0]}~{n // len(lines)}"
            yield record

    _write_lines(path, copies())


def write_synthetic_book(path: Path, accounts: int) -> None:
    """`accounts` lines of bench/synthetic.py's seeded portfolio, generated for the as-of's day."""
    _write_lines(path, portfolio(accounts, dt.datetime.fromisoformat(AS_OF).date()))


def _write_lines(path: Path, records: Iterable[dict[str, Any]]) -> None:
    """One JSON line a record."""
    with path.open("w", encoding="utf-8") as out:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


BOOKS: dict[str, Callable[[Path, int], None]] = {"example": write_book, "synthetic": write_synthetic_book}


def _of_required(patterns: list[str]) -> list[str]:
    """The rule patterns that name a required pack, or a kind or channel (`kind:offer`), not a pack left out."""
    return [p for p in patterns if ":" in p or p.split("/")[0] in REQUIRED]


def write_required_packs(folder: Path) -> None:
    """The five required packs with the calendar and arbitration packs; arbitration's patterns that name a
    pack left out (renewal/..., cadence/*) are dropped, and a conflict left with nothing to suppress with them."""
    folder.mkdir()
    for name in REQUIRED + SUPPORT:
        text = (RULES / f"{name}.yaml").read_text(encoding="utf-8")
        if name == "arbitration":
            pack = yaml.safe_load(text)
            settings = pack["arbitration"]
            conflicts = []
            for conflict in settings.get("conflicts", []):
                conflict["suppress"] = _of_required(conflict["suppress"])
                if "if_any" in conflict:
                    conflict["if_any"] = _of_required(conflict["if_any"])
                if conflict["suppress"] and conflict.get("if_any", True):
                    conflicts.append(conflict)
            settings["conflicts"] = conflicts
            caps = settings.get("caps", {})
            if "exempt" in caps:
                caps["exempt"] = _of_required(caps["exempt"])
            text = yaml.safe_dump(pack, allow_unicode=True, sort_keys=False)
        (folder / f"{name}.yaml").write_text(text, encoding="utf-8")


#: The programs run as after an install: bytecode cached (pip writes it; a checkout writes it on first run,
#: which the untimed warm-up run does), even where the shell says not to write it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str]) -> tuple[float, float]:
    """CPU seconds (children, user + system) and wall seconds of one run of `command`."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), wall


def main() -> None:
    """Run both programs side by side on each book asked for, and print the best CPU time of each and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", choices=[*BOOKS, "both"], default="both",
                        help="which book to run on (default: both, one after the other, each with its ratio)")
    parser.add_argument("--accounts", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--required-only", action="store_true",
                        help="nba with the five required packs only (the script's rules), not every shipped pack")
    args = parser.parse_args()
    print(f"{args.accounts:,} accounts, as-of {AS_OF}, best of {args.repeat} (python {sys.version.split()[0]}, "
          f"{os.cpu_count()} cores)")
    for name in BOOKS if args.book == "both" else [args.book]:
        side_by_side(name, args.accounts, args.repeat, args.workers, args.required_only)


def side_by_side(book_name: str, accounts: int, repeat: int, workers: int, required_only: bool) -> None:
    """Run the script and nba `repeat` times each, alternately, on one book; print the best CPU of each and the ratio."""
    nba = [sys.executable, "-m", "nba"]
    with tempfile.TemporaryDirectory() as folder:
        book, out = Path(folder) / "book.jsonl", Path(folder) / "out.jsonl"
        BOOKS[book_name](book, accounts)
        rules: list[str] = []
        if required_only:
            write_required_packs(Path(folder) / "required")
            rules = ["--rules", str(Path(folder) / "required")]
        packs = "five required packs" if required_only else "all packs"
        commands = {
            "hand-written script": [sys.executable, str(HERE / "handwritten.py"), str(book), str(out), AS_OF],
            f"nba evaluate-portfolio ({workers} worker{'s' if workers > 1 else ''}, {packs})":
                [*nba, "evaluate-portfolio", str(book), "--as-of", AS_OF, "--out", str(out),
                 "--workers", str(workers), *rules],
        }
        best: dict[str, tuple[float, float]] = {}
        for command in commands.values():  # warm-up, untimed: bytecode written, files in the page cache
            run(command)
        for _ in range(repeat):
            for name, command in commands.items():
                cpu, wall = run(command)
                if name not in best or cpu < best[name][0]:
                    best[name] = (cpu, wall)
    print(f"{book_name} book")
    width = max(map(len, best))
    for name, (cpu, wall) in best.items():
        print(f"  {name:<{width}} CPU {cpu:6.2f} s   wall {wall:6.2f} s   {accounts / wall:8,.0f} accounts/s")
    script, ours = best["hand-written script"][0], list(best.values())[1][0]
    print(f"  ratio (nba CPU / script CPU): {ours / script:.2f}x")


if __name__ == "__main__":
    main()
