"""The side-by-side benchmark: its pack set (nba with the script's rules), its books, and its yardstick doing all five rules."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

import nba

from .helpers import BENCH, EXAMPLES, load_script

SIDE_BY_SIDE = load_script(BENCH / "cli_vs_script.py", "bench_cli_vs_script")
HANDWRITTEN = load_script(BENCH / "handwritten.py", "bench_handwritten")


def test_the_required_packs_load_without_the_packs_left_out_and_keep_the_conflicts_that_still_apply(tmp_path: Path) -> None:
    folder = tmp_path / "required"
    SIDE_BY_SIDE.write_required_packs(folder)
    engine = nba.Engine.from_path(folder)  # a shipped pack naming a pack left out would fail to load here
    packs = {rule.split("/")[0] for rule in engine.rule_ids}
    assert packs == set(SIDE_BY_SIDE.REQUIRED)
    arbitration = yaml.safe_load((folder / "arbitration.yaml").read_text(encoding="utf-8"))["arbitration"]
    # No upsell to a detractor still holds for the limit's offer; the renewal pack's offer and cadence are gone.
    assert {"when": "nps <= 6", "suppress": ["tariff_limit/upgrade_offer"]}.items() <= \
        next(c for c in arbitration["conflicts"] if c.get("when") == "nps <= 6").items()
    patterns = [p for c in arbitration["conflicts"] for p in c["suppress"] + c.get("if_any", [])]
    assert not [p for p in patterns if p.startswith(("renewal/", "cadence/"))]


def test_with_the_required_packs_a_book_gets_actions_of_those_packs_only(tmp_path: Path) -> None:
    folder = tmp_path / "required"
    SIDE_BY_SIDE.write_required_packs(folder)
    engine = nba.Engine.from_path(folder)
    lines = (EXAMPLES / "book.jsonl").read_text(encoding="utf-8").splitlines()[:60]
    as_of = dt.datetime.fromisoformat(SIDE_BY_SIDE.AS_OF)
    decisions = [engine.evaluate(nba.AccountSnapshot.model_validate(json.loads(line)), as_of=as_of) for line in lines]
    rules = {a.rule.split("/")[0] for d in decisions for a in d.actions}
    assert rules and rules <= set(SIDE_BY_SIDE.REQUIRED)


def test_the_hand_written_yardstick_answers_each_of_the_five_required_rules() -> None:
    # A yardstick that silently skips a rule (it once read discount requests by a key the snapshot does not have)
    # does less work than nba and flatters the ratio against it.
    as_of = dt.datetime.fromisoformat(SIDE_BY_SIDE.AS_OF)
    lines = (EXAMPLES / "book.jsonl").read_text(encoding="utf-8").splitlines()
    decided = [HANDWRITTEN.decide(json.loads(line), as_of) for line in lines if line.strip()]
    assert {a["rule"] for d in decided for a in d["actions"]} == set(SIDE_BY_SIDE.REQUIRED)
    asked = sum(1 for line in lines if line.strip() for r in json.loads(line)["requests"] if r["kind"] == "discount")
    assert asked and sum(1 for d in decided for a in d["actions"] if a["rule"] == "discount_request") == asked


def test_both_books_are_valid_snapshots_with_an_account_id_each(tmp_path: Path) -> None:
    for name, write in SIDE_BY_SIDE.BOOKS.items():
        book = tmp_path / f"{name}.jsonl"
        write(book, 320)  # past the example book's 300 lines: its copies get fresh ids
        lines = book.read_text(encoding="utf-8").splitlines()
        assert len(lines) == 320
        ids = [nba.AccountSnapshot.model_validate_json(line).account.id for line in lines]
        assert len(set(ids)) == len(ids), name
