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
    for part in backend._parts:
        assert part.ruleset is not None and part.ruleset.get_facts("0") == []  # every asserted fact was retracted


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


def _pack(tmp_path: Path, conditions: list[str]) -> Path:
    """A pack of one rule per condition, each a plain task."""
    rules = "".join(
        f"  - id: r{i}\n    when: {c}\n    priority: 1\n    action:\n      kind: task\n      due: {{asap: true}}\n"
        "      title: {en: t, ru: t}\n      text: {en: t, ru: t}\n      reason: {en: t, ru: t}\n"
        for i, c in enumerate(conditions))
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: p\nversion: 1\nrules:\n" + rules, encoding="utf-8")
    return pack


@pytest.mark.parametrize(
    ("condition", "message"),
    [
        ("days_to_end in [" + ", ".join(str(i) for i in range(600)) + "]", "at most 48"),
        ("ltv > " + "9" * 310, "out of that range"),
        ("ltv > 12345678901234567890", "out of that range"),
        ("nps > 0.0000000000001", "out of that range"),
        ("(" * 10 + "nps > 1" + "".join(f" or health_score > {i})" for i in range(10)), "nest 10 deep"),
    ],
)
def test_what_durable_cannot_hold_is_a_located_load_error_not_a_hang(tmp_path: Path, condition: str,
                                                                     message: str) -> None:
    pack = _pack(tmp_path, [condition])
    nba.Engine.from_path(pack)
    with pytest.raises(RulePackError) as info:
        nba.Engine.from_path(pack, backend="durable")
    (problem,) = info.value.problems
    assert (problem.file, problem.line) == (str(pack), 5) and message in problem.message


def test_a_long_list_and_many_or_rules_run_like_native(tmp_path: Path) -> None:
    # 600 listed values spun forever inside durable-rules, 65 rules shaped `a and b or c` failed at every
    # evaluation: within the limits, spread over several rulesets, they run and agree with native.
    conditions = [f"health_score > {1000 + i} and nps >= 0 or days_to_end > {-1000 - i}" for i in range(65)]
    conditions += ["days_to_end in [" + ", ".join(str(i) for i in range(-20, 21)) + "]"]
    pack = _pack(tmp_path, conditions)
    native, durable = nba.Engine.from_path(pack), nba.Engine.from_path(pack, backend="durable")
    snapshot = nba.AccountSnapshot.model_validate_json((RULES.parent / "examples" / "vostok.json").read_text(encoding="utf-8"))
    for day in (1, 15, 31):
        as_of = dt.datetime(2025, 3, day, 10)
        assert durable.evaluate(snapshot, as_of=as_of) == native.evaluate(snapshot, as_of=as_of)


@given(st.floats(allow_nan=False), st.sampled_from([0, 1e-9, 0.00001, 0.5, 1, 7, 1e6, 1e15, -0.00001, -1e15]),
       st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
def test_numbers_of_any_magnitude_compare_as_natively(value: float, literal: float, op: str) -> None:
    # `1e-05` and `1e16` were engine errors: numbers reach durable-rules as plain decimals.
    from decimal import Decimal

    node = parse(f"ltv {op} {format(Decimal(repr(literal)), 'f')}")
    check(node, CATALOGUE)
    (native,) = NativeBackend().compile([node])
    (durable,) = DurableBackend().compile([node])
    assert (durable({"ltv": value}) is True) == (native({"ltv": value}) is True)


def test_a_dropped_engines_rulesets_serve_the_next_engine() -> None:
    # durable-rules cannot free a ruleset whole (its session state leaks, deleting it crashes), so the
    # C memory of a dropped engine is reused: building and dropping engines does not grow memory.
    import gc

    conditions = [parse("nps <= 6"), parse("health_score < 40 or nps is unknown")]
    backend = DurableBackend()
    backend.compile(conditions)
    handles = sorted(part.ruleset._handle for part in backend._parts if part.ruleset is not None)
    assert handles
    del backend
    gc.collect()
    again = DurableBackend()
    tests = again.compile(conditions)
    assert sorted(part.ruleset._handle for part in again._parts if part.ruleset is not None) == handles
    assert [t({"nps": 3.0, "health_score": 80.0}) for t in tests] == [True, False]  # and they work as new


_FORK_WITH_LOCK_HELD = """
import datetime as dt, sys
from pathlib import Path
import nba
from nba.conditions.durable import DurableBackend
rules = Path(sys.argv[1])
backend = DurableBackend()
engine = nba.Engine.from_path(rules, backend=backend)
snapshots = [nba.AccountSnapshot.model_validate_json(p.read_text(encoding="utf-8"))
             for p in sorted((rules.parent / "examples").glob("*.json"))]
as_of = dt.datetime(2025, 3, 31, 9)
with backend._process.lock:  # as if another thread were evaluating at the moment the workers fork
    got = list(engine.evaluate_many(snapshots * 2, as_of=as_of, workers=2))
native = nba.Engine.from_path(rules)
assert got == [native.evaluate(s, as_of=as_of) for s in snapshots * 2]
print("ok")
"""


def test_a_lock_held_when_workers_fork_does_not_deadlock_them() -> None:
    # A subprocess with a timeout, because the failure this guards against is a hang.
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _FORK_WITH_LOCK_HELD, str(RULES)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_unknown_backend_name() -> None:
    with pytest.raises(ValueError, match="use 'native' or 'durable'"):
        nba.Engine.from_path(RULES, backend="drools")
