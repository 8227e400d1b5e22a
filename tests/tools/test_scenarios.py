"""`nba test` through its real entry point: the shipped scenarios, failures, bad files, coverage, exit codes."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

from helpers import RULES, nba_cli



def test_every_shipped_scenario_passes_and_covers_every_rule() -> None:
    result = nba_cli("test", str(RULES))
    assert result.returncode == 0, result.stdout
    assert "FAILED" not in result.stdout
    assert "rule coverage: 25/25 rules exercised by a scenario" in result.stdout
    assert result.stdout.splitlines()[-1].startswith("63 passed in ")


def copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    return target


def edit(path: Path, old: str, new: str) -> Path:
    """Replace `old` (which must be there) with `new` in a copied file."""
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_failing_expectation_is_reported_like_pytest(tmp_path: Path) -> None:
    rules = copy_rules(tmp_path)
    scenario = rules / "activity_drop.test.yaml"
    edit(rules / "activity_drop.yaml", "activity_drop_pct >= 40", "activity_drop_pct >= 70")
    result = nba_cli("test", str(scenario))
    assert result.returncode == 1
    assert f"{scenario}::a halved month books a usage-audit call on Monday FAILED" in result.stdout
    assert "E   expected an action from activity_drop/usage_audit_call; actions came from: none" in result.stdout
    assert "rule coverage: 1/25" in result.stdout and "not exercised: activity_drop/usage_audit_call," in result.stdout
    # The four scenarios that expect the call (drops of 51% and 60%) fail; the two without a drop pass.
    assert result.stdout.splitlines()[-1].startswith("4 failed, 2 passed in ")


def test_a_bad_scenario_file_is_located(tmp_path: Path) -> None:
    scenario = edit(copy_rules(tmp_path) / "data_export.test.yaml", "    expect:\n      no_actions: [data_export]\n\n",
                    "    expectt:\n      no_actions: [data_export]\n\n")
    result = nba_cli("test", str(scenario))
    assert result.returncode == 2
    line = scenario.read_text(encoding="utf-8").splitlines().index("    expectt:") + 1
    assert f"ERROR {scenario}:{line}:5: unknown field `expectt` in scenarios.3 (did you mean `expect`?)" in result.stdout


def test_a_bad_snapshot_in_a_scenario_is_located(tmp_path: Path) -> None:
    scenario = edit(copy_rules(tmp_path) / "tariff_limit.test.yaml", "timezone: America/New_York", "timezone: America/NewYork")
    result = nba_cli("test", str(scenario))
    assert result.returncode == 2
    assert f"ERROR {scenario}:5:76: `snapshots.acme.account.timezone`" in result.stdout and "unknown time zone 'America/NewYork'" in result.stdout


def test_no_scenarios_exits_5(tmp_path: Path) -> None:
    result = nba_cli("test", str(tmp_path))
    assert result.returncode == 5


def test_missing_path_exits_2(tmp_path: Path) -> None:
    result = nba_cli("test", str(tmp_path / "none"))
    assert result.returncode == 2 and "no such file or folder" in result.stdout


def test_a_history_entry_for_a_rule_that_made_no_action_is_a_located_error(tmp_path: Path) -> None:
    from nba.tools.scenarios import run

    text = (RULES / "data_export.test.yaml").read_text(encoding="utf-8")
    start = text.index("scenarios:")
    scenario = textwrap.dedent("""\
        scenarios:
          - name: a past call from a rule that never fired
            snapshot: vostok
            as_of: "2025-04-02T09:00:00+05:00"
            history:
              - {rule: activity_drop/usage_audit_call, status: done, outcome: accepted}
            expect: {no_actions: [activity_drop]}
        """)
    path = tmp_path / "x.test.yaml"
    path.write_text(text[:start] + scenario, encoding="utf-8")
    report = run([path], rules=RULES)
    assert len(report.problems) == 1
    problem = str(report.problems[0])
    assert "x.test.yaml:" in problem and "activity_drop/usage_audit_call produces no action" in problem


def test_a_scenario_that_names_a_rule_the_packs_do_not_have_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    from nba.tools.scenarios import run

    text = (RULES / "data_export.test.yaml").read_text(encoding="utf-8")
    start = text.index("scenarios:")
    scenario = textwrap.dedent("""\
        scenarios:
          - name: a typo must not pass
            snapshot: vostok
            as_of: "2025-04-02T09:00:00+05:00"
            expect:
              no_actions: [renewal/detractor_renewl, data_exprt]
              owner_role: {data_export/clarify_export_purpse: csm}
        """)
    path = tmp_path / "x.test.yaml"
    path.write_text(text[:start] + scenario, encoding="utf-8")
    report = run([path], rules=RULES)
    messages = [str(p) for p in report.problems]
    assert len(messages) == 3 and not report.outcomes
    assert any("no rule or pack `data_exprt`" in m and "did you mean `data_export`?" in m for m in messages)
    assert any("`data_export/clarify_export_purpse`" in m and "did you mean `data_export/clarify_export_purpose`?" in m
               for m in messages)
    assert all(m.startswith(f"{path}:") for m in messages)
