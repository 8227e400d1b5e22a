"""`nba explain` and `Engine.explain`: fired or not, the first failing clause with its values, arbitration."""

from __future__ import annotations

import datetime as dt
import json

from helpers import EXAMPLES, nba_cli

import nba

AS_OF = "2025-03-31T09:00:00+05:00"



def test_text_explains_each_rule_and_arbitration() -> None:
    result = nba_cli("explain", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "data_export/clarify_export_purpose: fired — kept: call due 2025-03-31T10:00:00+05:00" in out
    assert "new_contact/welcome_call: not fired — `new_contact_ticket_days <= 14` was false (new_contact_ticket_days = 21)" in out
    assert "activity_drop/usage_audit_call: not fired — `activity_drop_pct >= 40` has no data (activity_drop_pct = unknown)" in out
    assert "renewal/value_call merged into discount_request/present_counter_offer: one call per contact per day" in out
    assert ("tariff_limit/upgrade_offer: fired — held back: не предлагать расширение, пока выясняем, "
            "зачем клиенту выгрузка данных") in out
    assert "  + data_export (25): export_request_days <= 30" in out
    assert "export_ticket_id          \"t-77\"" in out


def test_one_rule_as_json() -> None:
    result = nba_cli("explain", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF, "--rule", "renewal/value_call", "--format", "json")
    assert result.returncode == 0
    data = json.loads(result.stdout)
    assert data["rules"] == [{"rule": "renewal/value_call", "outcome": "fired", "condition": 'renewal_stage == "value_call"',
                              "clause": None, "values": {},
                              "result": "merged into discount_request/present_counter_offer's call"}]


def test_unknown_rule_is_a_clean_error() -> None:
    result = nba_cli("explain", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF, "--rule", "renewal/valu_call")
    assert result.returncode == 2 and "no rule 'renewal/valu_call'" in result.stderr and "Traceback" not in result.stderr


def test_the_same_trace_from_python(engine: nba.Engine) -> None:
    snapshot = nba.AccountSnapshot.model_validate_json((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    explanation = engine.explain(snapshot, as_of=dt.datetime(2025, 3, 31, 9, 0))
    assert explanation.decision == engine.evaluate(snapshot, as_of=dt.datetime(2025, 3, 31, 9, 0))
    by_rule = {r.rule: r for r in explanation.rules}
    assert by_rule["cadence/detractor_follow_up"].clause == "nps <= 6"
    assert by_rule["cadence/detractor_follow_up"].values == {"nps": 7.0}
    assert explanation.signals["discount_outcome"] == "counter_offer"
    assert len(explanation.rules) == len(engine.rule_ids)
