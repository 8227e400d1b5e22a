"""`nba schema` (kept in docs/schema for editors) and `nba diff` (the review step before a pack change ships)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, RULES, nba_cli



@pytest.mark.parametrize("what", ["snapshot", "pack", "scenario", "decision"])
def test_the_committed_schemas_are_the_generated_ones(what: str) -> None:
    result = nba_cli("schema", what)
    assert result.returncode == 0
    assert json.loads(result.stdout)["$schema"].startswith("https://json-schema.org/")
    assert result.stdout == (REPO / "docs" / "schema" / f"{what}.schema.json").read_text(encoding="utf-8"), (
        f"regenerate with: nba schema {what} > docs/schema/{what}.schema.json")


def test_every_shipped_pack_names_its_schema() -> None:
    for path in RULES.glob("*.yaml"):
        kind = "scenario" if path.name.endswith(".test.yaml") else "pack"
        assert path.read_text(encoding="utf-8").splitlines()[0] == f"# yaml-language-server: $schema=../docs/schema/{kind}.schema.json"


def test_diff_shows_who_gains_and_loses_what(tmp_path: Path) -> None:
    new = tmp_path / "new"
    shutil.copytree(RULES, new)
    pack = new / "tariff_limit.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("max_limit_used_pct >= 85 and", "max_limit_used_pct >= 95 and"),
                    encoding="utf-8")
    result = nba_cli("diff", str(RULES), str(new), "--snapshots", str(EXAMPLES), "--as-of", "2025-03-31T09:00")
    assert result.returncode == 0, result.stderr
    assert "acc-7 (" in result.stdout and "  - tariff_limit/upgrade_offer" in result.stdout
    assert result.stdout.splitlines()[-1].endswith(f"of {len(list(EXAMPLES.glob('*.json')))} accounts change")
    as_json = json.loads(nba_cli("diff", str(RULES), str(new), "--snapshots", str(EXAMPLES), "--as-of", "2025-03-31T09:00",
                                 "--format", "json").stdout)
    lost = {a["account"]: a["lost"] for a in as_json["accounts"]}
    assert lost["acc-7"] == ["tariff_limit/upgrade_offer"]


def test_diff_reads_jsonl_and_reports_bad_lines(tmp_path: Path) -> None:
    good = (EXAMPLES / "vostok.json").read_text(encoding="utf-8")
    lines = tmp_path / "book.jsonl"
    lines.write_text(json.dumps(json.loads(good)) + "\n{not json\n", encoding="utf-8")
    result = nba_cli("diff", str(RULES), str(RULES), "--snapshots", str(lines), "--as-of", "2025-03-31T09:00")
    assert result.returncode == 0
    assert f"error: {lines}:2:2: invalid JSON" in result.stdout
    assert result.stdout.splitlines()[-1] == "0 of 1 accounts change"


def test_schema_of_something_unknown_is_a_usage_error() -> None:
    result = nba_cli("schema", "contract")
    assert result.returncode == 2 and "invalid choice: 'contract'" in result.stderr and "Traceback" not in result.stderr


def test_diff_failure_paths(tmp_path: Path) -> None:
    missing = nba_cli("diff", str(RULES), str(RULES), "--snapshots", str(tmp_path / "none.jsonl"))
    assert missing.returncode == 2 and "none.jsonl: no such file or folder" in missing.stderr
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "p.yaml").write_text("pack: p\nversion: 1\nrules: 3\n", encoding="utf-8")
    bad_pack = nba_cli("diff", str(RULES), str(broken), "--snapshots", str(EXAMPLES))
    assert bad_pack.returncode == 2 and f"{broken / 'p.yaml'}:3:8:" in bad_pack.stderr and "Traceback" not in bad_pack.stderr
    assert nba_cli("diff", str(RULES)).returncode == 2


def test_signals_prints_the_catalogue() -> None:
    result = nba_cli("signals")
    assert result.returncode == 0
    assert result.stdout.startswith("| signal | type | unit | meaning |")
    assert "| `activity_drop_pct` | number | % |" in result.stdout


def _validator(what: str):  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema", reason="jsonschema is in the test extra: pip install -e '.[test]'")
    from nba.tools.schema import schema

    validator = jsonschema.Draft202012Validator
    return validator(schema(what), format_checker=validator.FORMAT_CHECKER)


def _doc_blocks() -> list[tuple[str, str, str]]:
    """Every YAML example in the docs that is a whole pack or scenario file: (where, kind, text)."""
    import re

    found = []
    for page in sorted((REPO / "docs").glob("*.md")):
        for n, match in enumerate(re.finditer(r"```ya?ml\n(.*?)```", page.read_text(encoding="utf-8"), re.S)):
            text = match.group(1)
            kind = "pack" if re.search(r"^pack:", text, re.M) else "scenario" if re.search(r"^scenarios:", text, re.M) else None
            if kind:
                found.append((f"{page.name} example {n + 1}", kind, text))
    return found


def test_every_shipped_pack_scenario_file_and_doc_example_validates_against_the_published_schema() -> None:
    # With format checking on, as editors do: `at: "10:00"` and `contact: new_contact` must be accepted.
    import yaml

    checked = 0
    targets = [(str(p), "scenario" if p.name.endswith(".test.yaml") else "pack", p.read_text(encoding="utf-8"))
               for p in sorted(RULES.glob("*.yaml"))] + _doc_blocks()
    for where, kind, text in targets:
        errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator(kind).iter_errors(yaml.safe_load(text))]
        assert not errors, (where, errors[:5])
        checked += 1
    assert checked >= 25
    for example in sorted(EXAMPLES.glob("*.json")):
        assert not list(_validator("snapshot").iter_errors(json.loads(example.read_text(encoding="utf-8")))), example


@pytest.mark.parametrize(("change", "needle"), [
    (('"10:00"', '"9:00"'), "rules.0.action.due.at: '9:00' is not valid"),                 # write 09:00
    (("ru: Звонок", "de: Anruf"), "rules.0.action.title: 'ru' is a required property"),  # a text without Russian
    (("contact: primary", "contact: boss"), "rules.0.action.contact: 'boss' is not valid"),  # no such contact pick
])
def test_the_schema_catches_what_lint_catches(change: tuple[str, str], needle: str) -> None:
    import yaml

    text = ("pack: p\nversion: 1\nrules:\n  - id: r\n    when: nps <= 6\n    priority: 1\n    action:\n      kind: call\n"
            "      contact: primary\n      due: {next_weekday: thursday, at: \"10:00\"}\n      title: {en: Call, ru: Звонок}\n"
            "      text: {en: t, ru: t}\n      reason: {en: t, ru: t}\n")
    assert not list(_validator("pack").iter_errors(yaml.safe_load(text)))
    errors = [f"{'.'.join(map(str, e.absolute_path))}: {e.message}"
              for e in _validator("pack").iter_errors(yaml.safe_load(text.replace(*change)))]
    assert any(m.startswith(needle) for m in errors), errors


def test_the_decision_schema_marks_every_always_present_field_required() -> None:
    # Generated clients (OpenAPI from FastAPI's response models, `nba schema decision`) typed `actions`
    # and `suppressed` optional, though every decision has them.
    import nba

    body = nba.Decision.model_json_schema(mode="serialization")
    assert {"actions", "suppressed", "withdrawn", "discount"} <= set(body["required"])
    action = body["$defs"]["NextAction"]
    assert {"notes", "status", "merged_rules", "reasons"} <= set(action["required"])
    decision = nba.Engine.default().evaluate(
        nba.AccountSnapshot.model_validate_json((EXAMPLES / "vostok.json").read_text(encoding="utf-8")))
    assert not list(_validator("decision").iter_errors(json.loads(decision.model_dump_json())))
