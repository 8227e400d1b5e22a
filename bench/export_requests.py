"""Precision and recall of the export-request words on the labelled ticket corpus.

    python bench/export_requests.py [--misses]

Reads tests/data/export_requests.yaml and prints, for the dev part (used while writing the word
lists), the holdout part (never used to tune them) and both, how many tickets the words mark and how
many of those are right. `--misses` lists every ticket read wrongly.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

from nba.export_requests import is_export_text

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "export_requests.yaml"


def scores(items: list[dict[str, object]]) -> tuple[int, int, int, int]:
    """True positives, false positives, false negatives and the count, for these labelled tickets."""
    tp = fp = fn = 0
    for item in items:
        said = is_export_text(f"{item['subject']} {item.get('body') or ''}")
        tp += said and bool(item["export"])
        fp += said and not item["export"]
        fn += (not said) and bool(item["export"])
    return tp, fp, fn, len(items)


def load() -> list[dict[str, object]]:
    """The labelled tickets."""
    corpus: list[dict[str, object]] = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    return corpus


def table(corpus: list[dict[str, object]]) -> str:
    """The Markdown table of precision and recall per part of the corpus (docs/signals.md holds it)."""
    lines = ["| part | tickets | export requests | precision | recall |", "|---|---|---|---|---|"]
    for name in ("dev", "holdout", "all"):
        part = [i for i in corpus if name == "all" or i["set"] == name]
        tp, fp, fn, n = scores(part)
        precision = tp / (tp + fp) if tp + fp else 1.0
        recall = tp / (tp + fn) if tp + fn else 1.0
        lines.append(f"| {name} | {n} | {tp + fn} | {precision:.0%} ({tp}/{tp + fp}) | {recall:.0%} ({tp}/{tp + fn}) |")
    return "\n".join(lines) + "\n"


def main() -> None:
    """Print the table, and the misses when asked."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list the tickets read wrongly")
    args = parser.parse_args()
    corpus = load()
    print(table(corpus), end="")
    if args.misses:
        for item in corpus:
            said = is_export_text(f"{item['subject']} {item.get('body') or ''}")
            if said != item["export"]:
                print(f"{item['set']:8} expected {item['export']!s:5} {item['kind']:16} {item['subject']} | {item.get('body') or ''}")


if __name__ == "__main__":
    main()
