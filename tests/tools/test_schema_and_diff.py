"""`nba schema` (kept in docs/schema for editors) and `nba diff` (the review step before a pack change ships)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, RULES


def nba_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "nba", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("what", ["snapshot", "pack", "scenario"])
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
