"""Hostile and broken input: mutated packs and snapshots load, or fail with our errors — fast, with no code run."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from helpers import EXAMPLES, RULES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import nba
from nba.errors import InputError, RulePackError
from nba.inputs import parse_json, snapshot_from_bytes, validate_snapshot

PACK_TEXT = (RULES / "activity_drop.yaml").read_text(encoding="utf-8")
SNAPSHOT_TEXT = (EXAMPLES / "vostok.json").read_text(encoding="utf-8")
MARKER = Path("/tmp/nba-hostile-marker")
_AS_OF = dt.datetime(2025, 3, 31, 9, 0)
ENGINE = nba.Engine.default()

_INJECTIONS = st.sampled_from([
    "!!python/object/apply:os.system ['touch /tmp/nba-hostile-marker']",
    "!!python/object/new:os.system ['touch /tmp/nba-hostile-marker']",
    "!!python/name:os.system",
    "!!python/module:os",
    "&a [*a]", "*undefined", "!!binary aGVsbG8=", "!!set {a, b}", "!!timestamp 2025-01-01",
    "[" * 200 + "]" * 200, "{" * 200 + "}" * 200, "9" * 5000, "x" * 100_000, "1e999", "-.inf", ".nan",
    "\x00", "\ud800", "'unterminated", "\"\\u00\"", ": : :", "- - -", "? complex key", "<<: *a",
])


def load_pack_text(text: str | bytes, tmp: Path) -> None:
    path = tmp / "pack.yaml"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    try:
        nba.Engine.from_path(path)
    except RulePackError as exc:
        assert exc.problems and all(p.file for p in exc.problems)  # located, never a bare traceback


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.integers(0, len(PACK_TEXT) - 1), _INJECTIONS)
def test_injected_pack_text_loads_or_fails_cleanly(tmp_path: Path, position: int, payload: str) -> None:
    MARKER.unlink(missing_ok=True)
    load_pack_text(PACK_TEXT[:position] + payload + PACK_TEXT[position:], tmp_path)
    assert not MARKER.exists(), "a YAML tag ran code"


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.binary(max_size=2000))
def test_random_bytes_as_a_pack(tmp_path: Path, data: bytes) -> None:
    load_pack_text(data, tmp_path)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(PACK_TEXT) - 1), st.sampled_from([" ", "\n", ":", "-", "'", "\"", "#", "\t", "{", "}"])),
                max_size=8))
def test_mutated_pack_text(tmp_path: Path, edits: list[tuple[int, str]]) -> None:
    text = PACK_TEXT
    for position, char in edits:
        text = text[:position] + char + text[position + 1:]
    load_pack_text(text, tmp_path)


def test_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    # A billion laughs: 9**10 nodes if expanded. The loader counts aliases on the node graph and stops;
    # how long that takes is measured by bench/hostile_input.py, not asserted here.
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    with pytest.raises(RulePackError, match="alias bomb") as caught:
        nba.Engine.from_path(_write(tmp_path, "\n".join(lines) + "\npack: x\nversion: 1\n"))
    (problem,) = caught.value.problems
    assert problem.line is not None


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    with pytest.raises(RulePackError, match="nested"):
        nba.Engine.from_path(_write(tmp_path, "pack: x\nversion: 1\nrules: " + "[" * 5000 + "]" * 5000 + "\n"))


def test_wrong_encodings(tmp_path: Path) -> None:
    for encoded in (PACK_TEXT.encode("utf-16"), PACK_TEXT.encode("cp1251", errors="replace"), b"\xff\xfe\x00"):
        with pytest.raises(RulePackError, match="not UTF-8"):
            nba.Engine.from_path(_write(tmp_path, encoded))


def _write(tmp: Path, content: str | bytes) -> Path:
    path = tmp / "pack.yaml"
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)


@given(st.data())
def test_mutated_snapshots_validate_or_fail_with_a_validation_error(data: st.DataObject) -> None:
    snapshot = json.loads(SNAPSHOT_TEXT)
    for _ in range(data.draw(st.integers(1, 4))):
        target = snapshot
        path = data.draw(st.sampled_from([["account"], ["contract"], ["health"], ["usage", 0], ["contacts", 0],
                                          ["tickets", 0], ["requests", 0], ["limits", 0], ["touches", 0], []]))
        for step in path:  # an earlier mutation may have replaced what this path walks through
            inner = target.get(step) if isinstance(target, dict) else (
                target[step] if isinstance(target, list) and len(target) > step else None)  # type: ignore[index]
            if not isinstance(inner, (dict, list)):
                break
            target = inner
        if not isinstance(target, dict):
            continue
        key = data.draw(st.sampled_from(sorted(target) + ["extra"]))
        target[key] = data.draw(_JSON_VALUES)
    try:
        snap = validate_snapshot(snapshot, "mutated")
    except InputError:
        snap = None
    # The portfolio reader's fast path (pydantic-core parses and validates the bytes in one pass)
    # accepts exactly what the careful path accepts, and builds the same snapshot.
    try:
        fast = snapshot_from_bytes(json.dumps(snapshot, ensure_ascii=False).encode(), "book.jsonl", 7)
    except InputError as exc:
        assert str(exc).startswith("book.jsonl:7")
        fast = None
    assert fast == snap
    if snap is not None:
        ENGINE.evaluate(snap, as_of=_AS_OF)


@given(st.text(max_size=300))
def test_arbitrary_json_text_gives_located_errors(text: str) -> None:
    try:
        data = parse_json(text, "input.json")
    except InputError as exc:
        assert str(exc).startswith("input.json")
        return
    try:
        nba.AccountSnapshot.model_validate(data)
    except ValidationError:
        pass


def test_huge_numbers_and_strings_in_a_snapshot() -> None:
    snapshot = json.loads(SNAPSHOT_TEXT)
    snapshot["contract"]["price"] = 10**400
    with pytest.raises(InputError, match="contract.price"):
        validate_snapshot(snapshot, "big.json")
    snapshot = json.loads(SNAPSHOT_TEXT)
    snapshot["tickets"][0]["subject"] = "выгрузить " * 100_000
    decision = nba.Engine.default().evaluate(validate_snapshot(snapshot, "long.json"), as_of=_AS_OF)
    assert decision.actions


def test_deeply_nested_json_is_a_clean_error() -> None:
    with pytest.raises(InputError, match="input.json"):
        parse_json("[" * 100_000 + "]" * 100_000, "input.json")
    # A record of a JSON Lines book names its line, whichever reader path rejects it.
    with pytest.raises(InputError, match=r"^book\.jsonl:3: invalid JSON: nested too deeply"):
        snapshot_from_bytes(b"[" * 100_000 + b"]" * 100_000, "book.jsonl", 3)


def test_yaml_pack_cannot_reach_python(tmp_path: Path) -> None:
    MARKER.unlink(missing_ok=True)
    bad = yaml.safe_dump({"pack": "x", "version": 1}) + "rules: !!python/object/apply:os.system ['touch /tmp/nba-hostile-marker']\n"
    with pytest.raises(RulePackError, match="is not allowed"):
        nba.Engine.from_path(_write(tmp_path, bad))
    assert not MARKER.exists()


# -- every entry point answers in one located line, never a traceback ----------------------------------------
def _cli(*args: str) -> tuple[int, str]:
    import io

    from nba.cli import main

    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    assert "Traceback" not in err.getvalue()
    return code, out.getvalue() + err.getvalue()


@pytest.mark.parametrize("moment", ["0001-01-01", "9999-12-31T23:59"])
def test_an_as_of_no_plan_can_use_exits_2(moment: str) -> None:
    code, text = _cli("evaluate", str(EXAMPLES / "vostok.json"), "--as-of", moment)
    assert code == 2 and "outside the years nba plans for" in text


@pytest.mark.parametrize("count", ["0", "1000", "two"])
def test_workers_are_bounded(count: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from nba.cli import main

    with pytest.raises(SystemExit) as stopped:
        main(["evaluate-portfolio", str(EXAMPLES), "--out", str(tmp_path / "d.jsonl"), "--workers", count])
    assert stopped.value.code == 2 and "--workers" in capsys.readouterr().err


def test_a_folder_named_like_a_snapshot_is_passed_over(tmp_path: Path) -> None:
    (tmp_path / "book").mkdir()
    (tmp_path / "book" / "vostok.json").write_text(SNAPSHOT_TEXT, encoding="utf-8")
    (tmp_path / "book" / "archive.json").mkdir()
    code, text = _cli("evaluate-portfolio", str(tmp_path / "book"), "--as-of", "2025-03-31T09:00",
                      "--out", str(tmp_path / "d.jsonl"))
    assert code == 0 and "evaluated 1 account (" in text


def test_explain_json_is_strict_json_and_no_text_says_inf(tmp_path: Path) -> None:
    data = json.loads(SNAPSHOT_TEXT)
    data["limits"] = [{"resource": "seats", "used": 1e15, "limit": 1e-300}]  # a ratio beyond any float
    path = tmp_path / "s.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    code, text = _cli("explain", str(path), "--as-of", "2025-03-31T09:00", "--format", "json")
    assert code == 2 and "limits.0.limit" in text and "0.001" in text
    data["limits"] = [{"resource": "seats", "used": 1e15, "limit": 0.001}]  # the most extreme share allowed
    path.write_text(json.dumps(data), encoding="utf-8")
    code, text = _cli("explain", str(path), "--as-of", "2025-03-31T09:00", "--format", "json")
    assert code == 0 and "inf" not in text.lower().replace("info", "")

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} is not JSON")

    json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(("text", "needle"), [
    ("~\n", "holds no pack"),
    ("pack: p\nversion: 1\nlocales: []\n", "locales"),
    ("pack: p\nversion: 1\narbitration:\n  priority:\n    value_reference: {default: .nan}\n", "value_reference"),
    ("pack: p\nversion: 1\nrules:\n  - id: r\n    when: days_to_end" + " + 1" * 900 + " > 0\n    priority: 1\n"
     "    action: {kind: task, due: {asap: true}, title: {en: t, ru: t}, text: {en: t, ru: t}, reason: {en: t, ru: t}}\n",
     "nested more than 50 levels"),
])
def test_packs_that_used_to_pass_silently_or_crash_are_located_errors(tmp_path: Path, text: str, needle: str) -> None:
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(RulePackError) as caught:
        nba.Engine.from_path(tmp_path)
    assert needle in str(caught.value) and "p.yaml:" in str(caught.value)
    code, out = _cli("lint", str(tmp_path))
    assert code == 2 and needle in out


def test_a_pack_file_with_an_upper_case_suffix_is_loaded(tmp_path: Path) -> None:
    (tmp_path / "risk.YAML").write_text((RULES / "risk.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    assert nba.Engine.from_path(tmp_path).ruleset.packs == ("risk",)


def test_calendars_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"ics-{seed}"
        subprocess.run([sys.executable, "-m", "nba", "evaluate-portfolio", str(EXAMPLES), "--as-of", "2025-03-31T09:00",
                        "--format", "ics", "--out", str(out)], check=True, capture_output=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.ics"))})
    assert outputs[0] == outputs[1] and len(outputs[0]) >= 4
