"""`nba lint` through its real entry point: clean packs, every problem located, rules that can never fire."""

from __future__ import annotations

from pathlib import Path

from helpers import REPO, RULES, nba_cli

from nba.conditions import parse
from nba.tools.lint import never_true

BROKEN = REPO / "tests" / "packs" / "data" / "broken.yaml"



def test_the_shipped_packs_are_clean() -> None:
    result = nba_cli("lint", str(RULES))
    assert (result.returncode, result.stdout) == (0, f"{RULES}: no problems\n")


def test_a_broken_pack_gives_the_exact_located_messages() -> None:
    result = nba_cli("lint", str(BROKEN))
    assert result.returncode == 2
    assert result.stdout.splitlines() == [
        f"{BROKEN}:4:5: missing field `when` in rules.0 (add it)",
        f"{BROKEN}:5:5: unknown field `whenn` in rules.0 (did you mean `when`?)",
        f"{BROKEN}:14:52: `segment` is never \"kye\" (did you mean \"key\"?)",
        f"{BROKEN}:17:13: `rules.1.action.kind`: 'cal' is not one of: call, meeting, email, offer, task, escalation "
        "(did you mean 'call'?)",
        f"{BROKEN}:23:12: unknown signal `activty_drop_pct` (did you mean `activity_drop_pct`?)",
        "5 problems found",
    ]
    assert "Traceback" not in result.stderr


def test_rules_that_can_never_fire_and_shadowed_rules(tmp_path: Path) -> None:
    text = (RULES / "tariff_limit.yaml").read_text(encoding="utf-8")
    text = text.replace("when: max_limit_used_pct >= 100 and", "when: max_limit_used_pct >= 100 and max_limit_used_pct < 90 and")
    (tmp_path / "tariff_limit.yaml").write_text(text, encoding="utf-8")
    copy = (RULES / "data_export.yaml").read_text(encoding="utf-8")
    (tmp_path / "data_export.yaml").write_text(copy, encoding="utf-8")
    (tmp_path / "data_export_copy.yaml").write_text(copy.replace("pack: data_export", "pack: data_export_copy"), encoding="utf-8")
    result = nba_cli("lint", str(tmp_path))
    assert result.returncode == 2
    lines = result.stdout.splitlines()
    shadowed = copy.splitlines().index("    when: export_request_days <= 30 and contract_status == \"active\"") + 1
    never = text.splitlines().index("    when: max_limit_used_pct >= 100 and max_limit_used_pct < 90 and contract_status == \"active\"") + 1
    assert lines[0].startswith(f"{tmp_path / 'data_export_copy.yaml'}:{shadowed}:11: rule `data_export_copy/clarify_export_purpose` is shadowed: "
                               "`data_export/clarify_export_purpose` has the same condition, kind and contact")
    assert lines[1] == (f"{tmp_path / 'tariff_limit.yaml'}:{never}:11: rule `limit_reached` can never fire: `max_limit_used_pct` cannot be "
                        "at least 100 and below 90 (fix the bounds, or delete the rule)")


def test_never_true_analysis() -> None:
    assert never_true(parse("days_to_end > 10 and days_to_end < 5")) is not None
    assert never_true(parse("days_to_end >= 10 and days_to_end <= 10")) is None
    assert never_true(parse("days_to_end > 10 and days_to_end <= 10")) is not None
    assert never_true(parse('segment == "key" and segment == "standard"')) is not None
    assert never_true(parse("days_to_end > 10 or days_to_end < 5")) is None


def test_default_path_is_the_rules_folder_here(tmp_path: Path) -> None:
    (tmp_path / "rules").mkdir()
    (tmp_path / "rules" / "x.yaml").write_text("pack: x\nversion: 1\nrulez: []\n", encoding="utf-8")
    result = nba_cli("lint", cwd=tmp_path)
    assert result.returncode == 2
    assert "rules/x.yaml:3:1: unknown field `rulez` in the pack (did you mean `rules`?)" in result.stdout


def _copy_rules(tmp_path: Path) -> Path:
    import shutil

    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    return folder


def test_lint_checks_scenario_files_in_a_folder_and_given_alone(tmp_path: Path) -> None:
    from nba.tools.lint import lint

    folder = _copy_rules(tmp_path)
    scenarios = folder / "renewal.test.yaml"
    scenarios.write_text(scenarios.read_text(encoding="utf-8").replace("no_actions: [", "no_actions: [detractor_renewl, ", 1),
                         encoding="utf-8")
    for target in (folder, scenarios):
        (problem,) = lint([target])
        assert problem.file == str(scenarios) and problem.line is not None
        assert "no rule or pack `detractor_renewl`" in problem.message
    assert lint([RULES / "activity_drop.test.yaml"]) == []  # a scenario file is not read as a pack


def test_a_broken_pack_is_reported_once_not_once_per_scenario_file(tmp_path: Path) -> None:
    from nba.tools.lint import lint
    from nba.tools.scenarios import run

    folder = _copy_rules(tmp_path)
    pack = folder / "cadence.yaml"
    pack.write_text(pack.read_text(encoding="utf-8").replace("priority:", "priorty:", 1), encoding="utf-8")
    reported = [p for p in run([folder]).problems if p.file == str(pack)]
    assert reported and len(reported) == len({str(p) for p in reported})
    linted = [p for p in lint([folder]) if p.file == str(pack)]
    assert len(linted) == len({str(p) for p in linted}) == len(reported)
