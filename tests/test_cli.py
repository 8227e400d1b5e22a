"""The command line, through its real entry point: output, and every bad-input path (exit 2, no traceback)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO, RULES, nba_cli

AS_OF = "2025-03-31T09:00:00+05:00"



def assert_clean_failure(result: subprocess.CompletedProcess[str], *needles: str) -> None:
    assert result.returncode == 2, result
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in result.stderr, result.stderr


def test_evaluate_prints_the_decision_as_json() -> None:
    result = nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["account_id"] == "acc-1042"
    assert data["as_of"] == AS_OF
    assert data["actions"][0]["rule"] == "data_export/clarify_export_purpose"


def test_two_runs_are_byte_identical() -> None:
    first = nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF)
    second = nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF, "--rules", str(RULES))
    assert first.returncode == second.returncode == 0
    assert first.stdout.encode() == second.stdout.encode()


def test_table_format_is_for_people() -> None:
    result = nba_cli("evaluate", str(EXAMPLES / "sever_logistics.json"), "--as-of", "2025-04-04T15:00", "--format", "table")
    assert result.returncode == 0, result.stderr
    assert "Позвонить Павлу Громову (ООО «Север Логистика») в понедельник 7 апреля в 10:00" in result.stdout
    assert result.stdout.startswith("Клиент ООО «Север Логистика» (")  # named as people know it, not by its id alone
    # A Russian account's table reads in Russian: headers, levels, stages, kinds and roles in words, not codes.
    assert "Риск:     жёлтый (балл 30)" in result.stdout and "Продление: не начато" in result.stdout
    assert "№  срок" in result.stdout and "звонок  менеджер по клиентскому успеху (Ирина Соколова)" in result.stdout
    english = [line for line in result.stdout.splitlines()
               if re.search(r"\b(Risk|Renewal|due|status|owner|call|csm|yellow|why|suppressed)\b", line)]
    assert not english
    result = nba_cli("evaluate", str(EXAMPLES / "acme_us.json"), "--as-of", "2025-03-31T09:00", "--format", "table")
    assert "Risk:     green (score 0)" in result.stdout and "account manager (Dana Whitfield)" in result.stdout
    assert result.stdout.startswith("Account Acme Logistics Inc. (acc-7) as of 2025-03-31 09:00 (-0400)")


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "nba"
    result = subprocess.run([str(script), "evaluate", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_missing_snapshot_file(tmp_path: Path) -> None:
    assert_clean_failure(nba_cli("evaluate", str(tmp_path / "nope.json")), "nope.json: no such file")


def test_snapshot_is_a_folder(tmp_path: Path) -> None:
    assert_clean_failure(nba_cli("evaluate", str(tmp_path)), "is a folder")


def test_invalid_json_names_line_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "account": {"id": "a",}\n}\n', encoding="utf-8")
    assert_clean_failure(nba_cli("evaluate", str(bad)), f"{bad}:2:", "invalid JSON")


def test_not_utf8(tmp_path: Path) -> None:
    bad = tmp_path / "cp1251.json"
    bad.write_bytes('{"account": {"name": "Восток"}}'.encode("cp1251"))
    assert_clean_failure(nba_cli("evaluate", str(bad)), "not UTF-8")


def test_invalid_snapshot_names_every_field(tmp_path: Path) -> None:
    data = json.loads((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    data["account"]["timezone"] = "Asia/Almatyy"
    data["contract"]["price"] = -1
    del data["contract"]["end_date"]
    bad = tmp_path / "snap.json"
    bad.write_text(json.dumps(data), encoding="utf-8")
    assert_clean_failure(nba_cli("evaluate", str(bad)), f"{bad}: the snapshot is invalid (3 problems)",
                         "account.timezone: unknown time zone 'Asia/Almatyy'", "contract.price:", "contract.end_date: missing required field")


def test_bad_pack_names_file_line_and_column(tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    text = (RULES / "activity_drop.yaml").read_text(encoding="utf-8").replace("when: activity_drop_pct >= 40", "whenn: activity_drop_pct >= 40")
    (rules / "activity_drop.yaml").write_text(text, encoding="utf-8")
    result = nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--rules", str(rules))
    assert_clean_failure(result, f"{rules / 'activity_drop.yaml'}:", "unknown field `whenn`", "did you mean `when`?")


def test_invalid_yaml_pack(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text("pack: x\nrules: [\n", encoding="utf-8")
    assert_clean_failure(nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--rules", str(pack)), f"{pack}:", "invalid YAML")


def test_missing_rules_folder(tmp_path: Path) -> None:
    assert_clean_failure(nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--rules", str(tmp_path / "none")), "no such file or folder")


@pytest.mark.parametrize("as_of", ["yesterday", "2025-13-01", "31.03.2025"])
def test_bad_as_of(as_of: str) -> None:
    assert_clean_failure(nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--as-of", as_of), "--as-of", "ISO 8601")


def test_bad_format_and_usage_errors() -> None:
    assert_clean_failure(nba_cli("evaluate", str(EXAMPLES / "vostok.json"), "--format", "xml"), "invalid choice")
    assert_clean_failure(nba_cli("evaluate"), "the following arguments are required: snapshot")
    assert_clean_failure(nba_cli(), "required")


def test_dues_do_not_depend_on_the_hosts_time_zone_files(tmp_path: Path) -> None:
    # A host whose files say Almaty is UTC (an old or broken tz database): the command line reads the
    # pinned tzdata package instead, so the dues keep Almaty's offset.
    zones = tmp_path / "zoneinfo"
    (zones / "Asia").mkdir(parents=True)
    (zones / "Asia" / "Almaty").write_bytes(_utc_tzif())
    import os
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate", str(EXAMPLES / "vostok.json"),
                           "--as-of", "2025-03-20T09:00"], capture_output=True, text=True,
                          env={**os.environ, "PYTHONTZPATH": str(zones)}, check=True)
    dues = [a["due"] for a in json.loads(done.stdout)["actions"]]
    assert dues and all(d.endswith("+05:00") for d in dues)


def _utc_tzif() -> bytes:
    """A minimal TZif file for UTC (version 1, no transitions)."""
    import struct
    header = b"TZif" + b"\0" * 16 + struct.pack(">6l", 0, 0, 0, 0, 1, 4)
    return header + struct.pack(">lbB", 0, 0, 0) + b"UTC\0"


def test_version_names_the_data_releases_decisions_depend_on() -> None:
    done = subprocess.run([sys.executable, "-m", "nba", "--version"], capture_output=True, text=True, check=True)
    lines = done.stdout.splitlines()
    assert lines[0].startswith("nba ") and lines[1].startswith("holidays 0.")
    assert lines[2].startswith("time zones tzdata 20")  # the pinned package, not the host's files


def test_the_time_zone_database_in_use_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import zoneinfo

    from nba.calendar import tz_database
    (tmp_path / "Europe").mkdir()
    (tmp_path / "tzdata.zi").write_text("# version 2019c\n", encoding="utf-8")
    monkeypatch.setattr(zoneinfo, "TZPATH", (str(tmp_path),))
    assert tz_database() == f"host {tmp_path} (2019c)"
    monkeypatch.setattr(zoneinfo, "TZPATH", ())
    assert tz_database().startswith("tzdata 20")


def test_start_up_imports_only_what_the_command_needs() -> None:
    # Start-up time is measured in bench/ (docs/performance.md); this holds what makes it short:
    # `import nba` builds no models, and `nba evaluate` loads neither all ~250 countries' holidays,
    # nor worker processes, nor explanations.
    probe = ("import sys, nba; assert 'pydantic' not in sys.modules and 'nba.engine' not in sys.modules; "
             "from nba.cli import main; code = main(sys.argv[1:]); "
             "loaded = [m for m in ('holidays.countries', 'nba.parallel', 'nba.explain', "
             "'icalendar', 'sqlite3') if m in sys.modules]; assert not loaded, loaded; sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", probe, "evaluate", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["actions"]


@pytest.mark.parametrize("asked", [[], ["--format", "csv"], ["--capacity"]])
def test_a_book_with_one_worker_starts_no_process_machinery_and_no_ledger(tmp_path: Path, asked: list[str]) -> None:
    # The morning run without --ledger, --changes or --workers: no sqlite3, no process pool, no ctypes, and no
    # changes worked out that nobody asked for (capacity keeps every decision, but records none).
    probe = ("import sys; from nba.cli import main; code = main(sys.argv[1:]); "
             "loaded = [m for m in ('sqlite3', 'nba.ledger', 'concurrent.futures.process', 'ctypes', 'icalendar') "
             "if m in sys.modules]; assert not loaded, loaded; sys.exit(code)")
    if asked == ["--capacity"]:
        asked = ["--capacity", str(tmp_path / "capacity.yaml")]
        (tmp_path / "capacity.yaml").write_text("default_per_day: 4\n", encoding="utf-8")
    out = tmp_path / "decisions.out"
    done = subprocess.run([sys.executable, "-c", probe, "evaluate-portfolio", str(EXAMPLES / "book.jsonl"), "--as-of",
                           AS_OF, "--out", str(out), *asked], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("evaluated 300 accounts (")
    lines = out.read_bytes().splitlines()
    assert len(lines) > 300 if asked[:1] == ["--format"] else len(lines) == 300  # CSV: a row an action and a header


@pytest.mark.parametrize("asked", [["--help"], ["--version"], ["evaluate", "--help"]])
def test_help_and_versions_start_without_the_engine(asked: list[str]) -> None:
    # `nba --help` and `nba --version` print a few lines: they must not pay for the engine, pydantic's models or
    # the holiday data (about 150 ms), only for argparse.
    probe = ("import sys; from nba.__main__ import run\n"
             "try:\n    run()\nexcept SystemExit as stop:\n    code = stop.code\n"
             "loaded = [m for m in ('nba.engine', 'pydantic', 'holidays', 'yaml') if m in sys.modules]\n"
             "print(code, loaded, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe, *asked], capture_output=True, text=True, timeout=120)
    assert done.stderr.strip().splitlines()[-1] == "0 []", done.stderr
    assert ("holidays " in done.stdout and "time zones " in done.stdout) if asked == ["--version"] else "usage: nba" in done.stdout


def test_every_public_name_resolves_and_is_listed() -> None:
    # The public names load on first use (PEP 562): each name of `__all__` must import, and nothing importable
    # lazily may be missing from `__all__` (or `from nba import *` and the docs would not show it).
    import nba

    names = set(nba.__all__)
    assert set(nba._LAZY) <= names, set(nba._LAZY) - names
    assert [n for n in nba.__all__ if getattr(nba, n, None) is None] == []
    assert names <= set(dir(nba))


def test_the_command_freezes_its_start_up_and_leaves_the_collector_on() -> None:
    # The command pauses the cyclic collector while it imports and freezes what start-up built (some 50 ms
    # of a 250 ms start otherwise); a long run's own cycles must still be collected afterwards.
    code = ("import gc, sys\n"
            "from nba.__main__ import run\n"
            f"sys.argv = ['nba', 'evaluate', {str(EXAMPLES / 'vostok.json')!r}, '--as-of', {AS_OF!r}]\n"
            "status = run()\n"
            "print(status, gc.isenabled(), gc.get_freeze_count(), file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    status, enabled, frozen = done.stderr.split()
    assert (status, enabled) == ("0", "True"), done.stderr
    assert int(frozen) > 20_000  # the modules, classes and models the import built, out of every later collection
    assert json.loads(done.stdout)["account_id"] == "acc-1042"


@pytest.mark.parametrize("broken", ["raise ImportError(\"No module named 'pydantic_core._pydantic_core'\")",
                                    "raise RuntimeError('incompatible build')"])
def test_an_installation_that_cannot_load_says_so_in_one_line(tmp_path: Path, broken: str) -> None:
    # A dependency missing or broken (a half-finished upgrade, a wheel for another Python) fails while the command
    # line itself is imported: the promise of one line and exit status 2 holds there too.
    shadow = tmp_path / "pydantic"
    shadow.mkdir()
    (shadow / "__init__.py").write_text(broken + "\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(REPO)])}
    env.pop("NBA_DEBUG", None)
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate", str(EXAMPLES / "vostok.json"), "--as-of", AS_OF],
                          capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("nba: cannot start: ") and "reinstall nba" in done.stderr
    assert done.stderr.count("\n") == 1
    assert ("pydantic_core" in done.stderr) if "ImportError" in broken else ("incompatible build" in done.stderr)
    shown = subprocess.run([sys.executable, "-m", "nba", "evaluate", str(EXAMPLES / "vostok.json")], capture_output=True,
                           text=True, timeout=120, env={**env, "NBA_DEBUG": "1"}, cwd=tmp_path)
    assert shown.returncode == 1 and "Traceback" in shown.stderr  # asked for: where it failed


def test_a_ledger_command_misused_shows_the_usage_with_the_ledger_file_first(tmp_path: Path) -> None:
    done = nba_cli("ledger", str(tmp_path / "l.db"), "close", "a1b2", "--outcome", "done")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "usage: nba ledger LEDGER close " in done.stderr and "ledger ledger" not in done.stderr


def test_a_report_on_an_empty_book_names_its_day(tmp_path: Path) -> None:
    empty = tmp_path / "book.jsonl"
    empty.write_text("", encoding="utf-8")
    done = nba_cli("report", str(empty), "--as-of", "2025-03-31T09:00")
    assert done.returncode == 0
    assert done.stdout.splitlines()[0] == "Portfolio as of 2025-03-31: 0 accounts"
