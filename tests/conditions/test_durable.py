"""The durable-rules backend: the same decisions as the native backend, its hazards handled, its limits stated."""

from __future__ import annotations

import datetime as dt
import pickle
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import RULES
from hypothesis import given
from hypothesis import strategies as st

import nba
import nba.testing as nt
from nba.conditions import NativeBackend, check, parse
from nba.errors import RulePackError
from nba.signals import CATALOGUE

pytest.importorskip("durable.engine", reason="the durable extra is not installed: pip install 'nba[durable]'")

from nba.conditions.durable import DurableBackend  # noqa: E402

NATIVE = nba.Engine.from_path(RULES)
DURABLE = nba.Engine.from_path(RULES, backend="durable")


@given(nt.snapshots(), nt.as_of_datetimes())
def test_the_same_decisions_as_the_native_backend(snapshot: nba.AccountSnapshot, as_of: dt.datetime) -> None:
    assert DURABLE.evaluate(snapshot, as_of=as_of) == NATIVE.evaluate(snapshot, as_of=as_of)


_VALUES = st.one_of(st.none(), st.integers(-200, 2000).map(float))


@given(st.lists(nt.conditions(signals=("nps", "health_score", "days_to_end", "segment", "renewal_window_open", "risk_level")),
                min_size=1, max_size=6),
       st.fixed_dictionaries({"nps": _VALUES, "health_score": _VALUES, "days_to_end": _VALUES,
                              "segment": st.sampled_from([None, "key", "standard"]),
                              "renewal_window_open": st.sampled_from([None, True, False]),
                              "risk_level": st.sampled_from([None, "green", "yellow", "red"])}))
def test_conditions_agree_with_three_valued_logic(texts: list[str], signals: dict) -> None:
    nodes = [parse(t) for t in texts]
    for node in nodes:
        check(node, CATALOGUE)
    native = NativeBackend().compile(nodes)
    durable = DurableBackend().compile(nodes)
    for text, n, d in zip(texts, native, durable, strict=True):
        assert (n(signals) is True) == (d(signals) is True), text


def test_nothing_matching_is_not_an_error() -> None:
    (never,) = DurableBackend().compile([parse("nps > 100")])
    assert never({"nps": 5.0}) is False


def test_no_state_accumulates_in_durable_rules() -> None:
    backend = DurableBackend()
    tests = backend.compile([parse("nps <= 6"), parse("nps is unknown")])
    for i in range(3000):
        tests[0]({"nps": float(i % 11), "days_to_end": float(i)})
    assert backend._ruleset.get_facts("0") == []  # every asserted fact was retracted


def test_threads_share_one_engine_safely() -> None:
    snapshots = [nba.AccountSnapshot.model_validate_json(p.read_text(encoding="utf-8"))
                 for p in sorted((RULES.parent / "examples").glob("*.json"))]
    moments = [dt.datetime(2025, 3, d, h, 0) for d in range(20, 31) for h in (9, 16)]
    jobs = [(s, m) for s in snapshots for m in moments]
    expected = [NATIVE.evaluate(s, as_of=m) for s, m in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: DURABLE.evaluate(job[0], as_of=job[1]), jobs))
    assert got == expected


def test_an_engine_pickles_and_rebuilds_its_ruleset() -> None:
    clone = pickle.loads(pickle.dumps(DURABLE))
    snapshot = nba.AccountSnapshot.model_validate_json((RULES.parent / "examples" / "vostok.json").read_text(encoding="utf-8"))
    assert clone.evaluate(snapshot, as_of=dt.datetime(2025, 3, 31, 9)) == NATIVE.evaluate(snapshot, as_of=dt.datetime(2025, 3, 31, 9))


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("ltv >= 2 * annual_contract_value", "the durable backend"),
        ("ltv > annual_contract_value", "cannot compare two signals"),
        ("-days_to_end > 3", "the durable backend"),
    ],
)
def test_what_durable_cannot_express_is_a_located_load_error(tmp_path: Path, condition: str, message: str) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text(
        "pack: p\nversion: 1\nrules:\n  - id: r\n    when: " + condition + "\n    priority: 1\n    action:\n      kind: task\n"
        "      due: {asap: true}\n      title: {en: t, ru: t}\n      text: {en: t, ru: t}\n      reason: {en: t, ru: t}\n",
        encoding="utf-8")
    nba.Engine.from_path(pack)  # fine natively
    with pytest.raises(RulePackError) as info:
        nba.Engine.from_path(pack, backend="durable")
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(pack), 5) and problem.column is not None and problem.column >= 11
    assert message in problem.message


def test_unknown_backend_name() -> None:
    with pytest.raises(ValueError, match="use 'native' or 'durable'"):
        nba.Engine.from_path(RULES, backend="drools")
