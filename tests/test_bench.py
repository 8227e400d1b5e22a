"""The side-by-side benchmark's pack set: nba with the hand-written script's rules must load and answer only them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import yaml

import nba

from .helpers import BENCH, EXAMPLES, load_script

SIDE_BY_SIDE = load_script(BENCH / "cli_vs_script.py", "bench_cli_vs_script")


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
