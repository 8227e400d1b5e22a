"""Benchmark: start-up as a user feels it, `import nba` and one `nba evaluate`, each a fresh process.

    python bench/startup.py              # best of 10
    python bench/startup.py --repeat 20

Each command runs `--repeat` times after one untimed warm-up run (bytecode written, files in the page
cache, as after `pip install`); the best CPU time (user + system) and the best wall time are printed,
with the goals of docs/performance.md beside them.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"

#: As after an install: bytecode cached, even where the shell says not to write it.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}

#: (what is measured, the command, the goal in ms).
COMMANDS = [
    ("python -c pass (the interpreter alone)", [sys.executable, "-c", "pass"], None),
    ("import nba", [sys.executable, "-c", "import nba"], 120),
    ("nba evaluate examples/vostok.json",
     [sys.executable, "-m", "nba", "evaluate", str(EXAMPLES / "vostok.json"), "--as-of", "2025-03-31T09:00"], 250),
]


def best_of(command: list[str], repeat: int) -> tuple[float, float]:
    """The best CPU seconds and the best wall seconds of `repeat` runs of `command`."""
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)  # warm-up, untimed
    cpu = wall = float("inf")
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL, env=ENV)
        wall = min(wall, time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = min(cpu, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return cpu, wall


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
