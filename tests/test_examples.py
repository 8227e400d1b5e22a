"""The shipped examples: the book is what its generator writes, and the simulated week behaves as documented."""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

from helpers import EXAMPLES, load_script


def load(name: str) -> ModuleType:
    return load_script(EXAMPLES / f"{name}.py", name)


def test_the_book_is_what_its_generator_writes() -> None:
    lines = (EXAMPLES / "book.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line) for line in lines] == load("make_book").book()
    assert len(lines) >= 200
    assert {json.loads(line)["account"]["country"] for line in lines} == {"KZ", "RU", "DE", "US"}


def test_a_simulated_week_with_the_ledger_has_no_duplicates_and_escalates_what_slips(tmp_path: Path) -> None:
    week = load("morning_week")
    days = week.simulate(tmp_path / "ledger.sqlite", tmp_path)
    assert [d["morning"] for d in days] == ["2025-03-31", "2025-04-01", "2025-04-02", "2025-04-03", "2025-04-04"]
    assert days[0]["created"] == days[0]["actions"] and days[0]["statuses"] == {"new": days[0]["actions"]}
    for day in days[1:]:
        # Every action is either new today or carried over from the ledger: nothing issued twice.
        assert day["statuses"].get("new", 0) == day["created"]
        assert day["held_back"] > 0
    assert sum(d["closed"] for d in days) > 0  # answered tickets and touches end situations
    assert sum(d["escalations"] for d in days) > 0  # what slipped two business days reached the lead
    decisions = [json.loads(line) for line in (tmp_path / "decisions-2025-04-04.jsonl").read_text(encoding="utf-8").splitlines()]
    ids = [a["id"] for d in decisions for a in d["actions"]]
    assert len(ids) == len(set(ids))
