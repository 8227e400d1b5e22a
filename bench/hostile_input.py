"""How long hostile packs take to be refused: the worst cases the loader guards against.

    python bench/hostile_input.py

Prints, for each input, the best of three load times. The loader refuses an alias bomb by counting
aliases on the node graph, deep nesting by a depth limit, and large base-60-looking values are plain
text; none of them may take long. Tests assert that these are refused; this script says how fast.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import nba
from nba.errors import RulePackError

RULES = Path(__file__).resolve().parent.parent / "rules"


def cases() -> dict[str, str]:
    """The hostile pack texts, by name."""
    bomb = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    pack = (RULES / "activity_drop.yaml").read_text(encoding="utf-8")
    return {
        "alias bomb (9^10 nodes if expanded)": "\n".join(bomb) + "\npack: x\nversion: 1\n",
        "5,000-deep nesting": "pack: x\nversion: 1\nrules: " + "[" * 5000 + "]" * 5000 + "\n",
        "200,000 base-60-looking fields (1.2 MB)": "pack: p\nversion: " + ":".join(["59"] * 200_000) + "\n",
        "a 1 MB string": "pack: p\nversion: 1\ndescription: " + "x" * 1_000_000 + "\n",
        "the shipped activity pack (for scale)": pack,
    }


def main() -> None:
    """Print the table."""
    print("| input | load (ms, best of 3) | outcome |")
    print("|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "pack.yaml"
        for name, text in cases().items():
            path.write_text(text, encoding="utf-8")
            best, outcome = float("inf"), ""
            for _ in range(3):
                start = time.perf_counter()
                try:
                    nba.Engine.from_path(path)
                    outcome = "loaded"
                except RulePackError as exc:
                    outcome = "refused: " + exc.problems[0].message[:50]
                best = min(best, time.perf_counter() - start)
            print(f"| {name} | {best * 1000:.1f} | {outcome} |")


if __name__ == "__main__":
    main()
