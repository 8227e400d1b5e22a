"""The condition parser: what reads, and where it points when something does not."""

from __future__ import annotations

import pytest

from nba.conditions import parse
from nba.conditions.ast import Compare, Known, Literal, Logical, Name, Not
from nba.errors import ConditionError


def test_precedence_not_binds_tighter_than_and_than_or() -> None:
    node = parse("a > 1 or not b == 2 and c < 3")
    assert isinstance(node, Logical) and node.op == "or"
    right = node.operands[1]
    assert isinstance(right, Logical) and right.op == "and"
    assert isinstance(right.operands[0], Not)


def test_comparison_with_negative_number_and_positions() -> None:
    node = parse("activity_change_pct <= -40")
    assert isinstance(node, Compare) and node.op == "<="
    assert isinstance(node.left, Name) and node.left.start == 0
    assert isinstance(node.right, Literal) and node.right.value == -40.0


def test_is_known_and_is_unknown() -> None:
    known = parse("nps is known")
    unknown = parse("nps is not known")
    assert isinstance(known, Known) and known.known is True
    assert isinstance(unknown, Known) and unknown.known is False
    assert parse("nps is unknown") == Known(0, 14, Name(0, 3, "nps"), False)


def test_membership_lists_and_keywords_are_case_insensitive() -> None:
    node = parse('segment IN ["key", "standard"] AND contract_status NOT IN ["churned"]')
    assert isinstance(node, Logical)
    first, second = node.operands
    assert isinstance(first, Compare) and first.op == "in"
    assert isinstance(second, Compare) and second.op == "not in"


def test_strings_in_either_quote_with_escapes() -> None:
    node = parse("plan == 'pro \\'plus\\''")
    assert isinstance(node, Compare) and isinstance(node.right, Literal)
    assert node.right.value == "pro 'plus'"


@pytest.mark.parametrize(
    ("text", "position", "message", "hint"),
    [
        ("nps = 3", 4, "unexpected character '='", "use == to compare"),
        ("nps <= 6 && health_score < 50", 9, "unexpected character '&'", "write `and`"),
        ("nps <=", 6, "expected a signal name", None),
        ("(nps <= 6", 9, "expected `)`", None),
        ("nps <= 6 health_score < 50", 9, "expected the end of the condition", "join two tests"),
        ('plan == "pro', 8, "text in quotes is not closed", None),
        ("", 0, "condition is empty", None),
        ("segment in []", 11, "the list is empty", None),
        ("segment in key", 11, "expected `[`", None),
        ("nps is 5", 7, "expected `known` or `unknown`", None),
        ("activity_drop_pct >= 40%", 23, "unexpected character '%'", "plain numbers"),
    ],
)
def test_syntax_errors_point_at_the_problem(text: str, position: int, message: str, hint: str | None) -> None:
    with pytest.raises(ConditionError) as info:
        parse(text)
    assert info.value.position == position
    assert message in info.value.message
    if hint:
        assert info.value.hint and hint in info.value.hint


def test_deep_nesting_is_refused_not_a_crash() -> None:
    with pytest.raises(ConditionError, match="nested more than"):
        parse("(" * 200 + "nps > 1" + ")" * 200)
    with pytest.raises(ConditionError, match="nested more than"):
        parse("not " * 200 + "nps > 1")


def test_overlong_conditions_are_refused() -> None:
    with pytest.raises(ConditionError, match="longer than"):
        parse("nps > 1 and " * 1000 + "nps > 1")
