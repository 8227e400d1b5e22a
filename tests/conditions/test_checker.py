"""The type checker: signals resolved and operands typed at load time, with did-you-mean hints."""

from __future__ import annotations

import pytest

from nba.conditions import check, parse
from nba.errors import ConditionError
from nba.signals import CATALOGUE


def test_returns_the_signals_a_condition_reads() -> None:
    used = check(parse("activity_drop_pct >= 40 and (nps is known or segment == \"key\")"), CATALOGUE)
    assert used == {"activity_drop_pct", "nps", "segment"}


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("activty_drop_pct >= 40", "unknown signal `activty_drop_pct`", "did you mean `activity_drop_pct`?"),
        ('segment == "kye"', '`segment` is never "kye"', 'did you mean "key"?'),
        ('risk_level in ["green", "orange"]', '`risk_level` is never "orange"', None),
        ("segment == key", "`key` is not a signal", 'to compare with the text, put it in quotes: segment == "key"'),
        ("contract_status != active", "`active` is not a signal", 'put it in quotes: contract_status != "active"'),
        ("segment == 3", "`segment` is a text, it cannot be compared with the number 3", "put texts in quotes"),
        ('days_to_end > "soon"', "`>` compares numbers", None),
        ("days_to_end", "must be a test that is true or false", None),
        ("nps + 1", "must be a test", None),
        ("nps and segment == \"key\"", "`and` joins tests", None),
        ('not segment', "`not` joins tests", None),
        ('nps > "3"', '`>` compares numbers, but "3" is a text in quotes', "remove the quotes: 3"),
        ('days_to_end <= "60"', '`<=` compares numbers, but "60" is a text in quotes', "remove the quotes: 60"),
        ('nps == "3"', "`nps` is a number, it cannot be compared with the text \"3\"", "remove the quotes: 3"),
        ('segment + 1 > 2', "`+` needs numbers", None),
        ("has_primary_contact == 1", "is a true/false test", None),
    ],
)
def test_type_errors_are_caught_at_load_time(text: str, message: str, hint: str | None) -> None:
    with pytest.raises(ConditionError) as info:
        check(parse(text), CATALOGUE)
    assert message in info.value.message
    if hint is not None:
        assert info.value.hint is not None and hint in info.value.hint


def test_error_position_points_at_the_offending_word() -> None:
    text = 'activity_drop_pct >= 40 and segment == "kye"'
    with pytest.raises(ConditionError) as info:
        check(parse(text), CATALOGUE)
    assert text[info.value.position:].startswith('"kye"')


def test_literal_on_the_left_is_checked_too() -> None:
    with pytest.raises(ConditionError, match='never "gold"'):
        check(parse('"gold" == segment'), CATALOGUE)
    check(parse('"key" == segment'), CATALOGUE)
