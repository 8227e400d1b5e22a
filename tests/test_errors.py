"""The error hierarchy tells the truth: nba's own errors derive from NbaError, and each problem has a stable code."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

import nba
from nba.errors import NbaError


@pytest.mark.parametrize(("call", "error", "builtin"), [
    (lambda: nba.Engine.from_path("rules", backend="fast"), nba.UsageError, ValueError),  # type: ignore[arg-type]
    (lambda: nba.Engine.default().explain(_snapshot(), rule="nope/none"), nba.UnknownRuleError, KeyError),
    (lambda: pickle.dumps(nba.Engine(nba.Engine.default().ruleset)), nba.NotPicklableError, TypeError),
])
def test_errors_nba_raises_on_purpose_are_nba_errors_and_the_builtin_callers_expect(call, error, builtin) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        call()
    assert isinstance(caught.value, NbaError) and isinstance(caught.value, builtin)


def _snapshot() -> nba.AccountSnapshot:
    return nba.AccountSnapshot.model_validate_json((Path(__file__).parent.parent / "examples" / "vostok.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("text", "code", "loc"), [
    ("pack: p\nversion: 1\nrules: [\n", "yaml.syntax", ()),
    ("pack: p\nversion: 1\nrulez: []\n", "schema.unknown_field", ("rulez",)),
    ("pack: p\nrules: []\n", "schema.missing", ("version",)),
    ("pack: p\nversion: 1\nrules:\n  - {id: r, when: 'activty_drop_pct >= 40', priority: 5, action: {kind: call, "
     "due: {asap: true}, title: {en: t, ru: t}, text: {en: t, ru: t}, reason: {en: r, ru: r}}}\n",
     "condition", ("rules", 0, "when")),
    ("pack: p\nversion: 1\nrules:\n  - {id: r, when: 'nps <= 6', priority: 5, action: {kind: call, "
     "due: {asap: true}, title: {en: t, ru: t}, text: {en: '{contakt}', ru: t}, reason: {en: r, ru: r}}}\n",
     "text.placeholder", ("rules", 0, "action", "text", "en")),
    ("pack: p\nversion: 1\ncalendar:\n  days_off: [{after_holiday: Thanksgivng, countries: [US]}]\n",
     "calendar.holiday", ("calendar", "days_off", 0, "after_holiday")),
])
def test_each_problem_has_a_stable_code_and_the_path_of_its_value(tmp_path: Path, text: str, code: str,
                                                                  loc: tuple[str | int, ...]) -> None:
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(nba.RulePackError) as caught:
        nba.Engine.from_path(tmp_path)
    (problem,) = caught.value.problems
    assert problem.code == code
    assert problem.loc == loc
