"""The native backend: three-valued logic over signals, and traces that explain outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from nba.conditions import NativeBackend, check, parse, trace
from nba.signals import CATALOGUE


def run(text: str, **signals: Any) -> bool | None:
    node = parse(text)
    check(node, CATALOGUE)
    (compiled,) = NativeBackend().compile([node])
    return compiled(signals)


@pytest.mark.parametrize(
    ("text", "signals", "expected"),
    [
        ("activity_drop_pct >= 40", {"activity_drop_pct": 52.0}, True),
        ("activity_drop_pct >= 40", {"activity_drop_pct": 39.9}, False),
        ("activity_drop_pct >= 40", {}, None),
        ("nps <= 6 and health_score < 50", {"nps": 9.0}, False),  # false wins over unknown in `and`
        ("nps <= 6 and health_score < 50", {"nps": 3.0}, None),
        ("nps <= 6 or health_score < 50", {"health_score": 20.0}, True),  # true wins over unknown in `or`
        ("nps <= 6 or health_score < 50", {"health_score": 80.0}, None),
        ("not nps <= 6", {}, None),
        ("not nps <= 6", {"nps": 9.0}, True),
        ("nps is known", {}, False),
        ("nps is unknown", {}, True),
        ('segment in ["key"]', {"segment": "key"}, True),
        ('segment not in ["key"]', {"segment": "key"}, False),
        ('segment not in ["key"]', {}, None),
        ("ltv >= 2 * annual_contract_value", {"ltv": 5.0, "annual_contract_value": 2.0}, True),
        ("ltv / annual_contract_value > 1", {"ltv": 5.0, "annual_contract_value": 0.0}, None),  # no division by zero
        ("-days_to_end > 3", {"days_to_end": -5.0}, True),
        ("renewal_window_open", {"renewal_window_open": True}, True),
        ("has_primary_contact == false", {"has_primary_contact": False}, True),
    ],
)
def test_three_valued_logic(text: str, signals: dict[str, Any], expected: bool | None) -> None:
    assert run(text, **signals) is expected


def test_trace_names_the_first_clause_that_failed() -> None:
    text = 'contract_status == "active" and activity_drop_pct >= 40 and days_to_end > 0'
    node = parse(text)
    result = trace(node, text, {"contract_status": "active", "activity_drop_pct": 12.5, "days_to_end": 30.0})
    assert result.outcome is False
    assert result.clause == "activity_drop_pct >= 40"
    assert result.values == {"activity_drop_pct": 12.5}
    assert result.describe() == "`activity_drop_pct >= 40` was false (activity_drop_pct = 12.5)"


def test_trace_reports_unknown_data() -> None:
    text = "export_request_days <= 30"
    result = trace(parse(text), text, {})
    assert result.outcome is None
    assert "unknown" in result.describe()
