"""Benchmark: start-up as a user feels it, `import nba`, `nba --help`, `nba --version` and one `nba evaluate`, each a fresh process.

    python bench/startup.py              # best of 10
    python bench/startup.py --repeat 20

Each command runs `--repeat` times after one untimed warm-up run (bytecode written, files in the page
cache, as after `pip install`); the best CPU time (user + system) and the best wall time are printed,
with the goals of docs/performance.md beside them.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from cli_vs_script import run  # one way to time a fresh process, for both scripts

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: (what is measured, the command, the goal in ms).
COMMANDS = [
    ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"], None),
    ("import nba", [sys.executable, "-c", "import nba"], 120),
    ("nba --help", [sys.executable, "-m", "nba", "--help"], None),
    ("nba --version", [sys.executable, "-m", "nba", "--version"], None),
    ("nba evaluate examples/vostok.json",
     [sys.executable, "-m", "nba", "evaluate", str(EXAMPLES / "vostok.json"), "--as-of", "2025-03-31T09:00"], 250),
]


def best_of(command: list[str], repeat: int) -> tuple[float, float]:
    """The best CPU seconds and the best wall seconds of `repeat` runs of `command`."""
    run(command)  # warm-up, untimed
    times = [run(command) for _ in range(repeat)]
    return min(cpu for cpu, _ in times), min(wall for _, wall in times)


def main() -> None:
    """Print one line per command: best CPU and wall milliseconds, and the goal."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    print(f"best of {args.repeat} (python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    for name, command, goal in COMMANDS:
        cpu, wall = best_of(command, args.repeat)
        verdict = "" if goal is None else f"   goal {goal} ms: {'met' if wall * 1000 < goal else 'NOT met'}"
        print(f"  {name:<40} CPU {cpu * 1000:5.0f} ms   wall {wall * 1000:5.0f} ms{verdict}")


if __name__ == "__main__":
    main()
