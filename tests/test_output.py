"""Outputs lose nothing: one calendar file per owner, writes through links and pipes, modes honoured, no CSV formulas,
and a record that fails in evaluation does not abort the book."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import icalendar
import pytest
from helpers import BASE_KZ, EXAMPLES, merge

import nba
from nba.cli import main

AS_OF = "2025-03-31T09:00:00+05:00"


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def export_account(index: int, owner: str, contact: str = "Алмат Сейткали") -> dict[str, Any]:
    return merge(BASE_KZ, {
        "account": {"id": f"acc-{index}", "owner": {"name": owner, "role": "account_manager"}, "team": []},
        "contacts": [{"id": "c1", "name": contact, "is_primary": True, "first_seen": "2023-01-10",
                      "last_reply_at": "2025-03-20T11:20:00+05:00"}],
        "tickets": [{"id": f"t-{index}", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c1",
                     "subject": "Как выгрузить всю базу клиентов в Excel?"}],
    })


def write_book(path: Path, accounts: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in accounts), encoding="utf-8")
    return path


def test_owners_whose_names_look_alike_get_calendar_files_of_their_own(tmp_path: Path) -> None:
    owners = ["Ivan Petrov", "Ivan/Petrov", "Ivan_Petrov!", "ivan petrov"]
    book = write_book(tmp_path / "book.jsonl", [export_account(i, o) for i, o in enumerate(owners)])
    out = tmp_path / "ics"
    code, _, err = run_cli("evaluate-portfolio", str(book), "--as-of", AS_OF, "--format", "ics", "--out", str(out))
    assert code == 0, err
    files = sorted(out.glob("*.ics"))
    assert len(files) == len(owners)
    calendars = {str(icalendar.Calendar.from_ical(f.read_text(encoding="utf-8"))["x-wr-calname"]): f for f in files}
    # The accounts are Russian: each calendar is named in their language.
    assert set(calendars) == {f"Следующие действия: {o}" for o in owners}
    events = [e for f in files for e in icalendar.Calendar.from_ical(f.read_text(encoding="utf-8")).walk("VEVENT")]
    export_calls = [e for e in events if str(e["x-nba-rule"]) == "data_export/clarify_export_purpose"]
    assert sorted(str(e["x-nba-account"]) for e in export_calls) == [f"acc-{i}" for i in range(len(owners))]


def test_out_through_a_symlink_replaces_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.jsonl"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o640)
    link = tmp_path / "latest.jsonl"
    link.symlink_to(target)
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(link))
    assert code == 0, err
    assert link.is_symlink() and link.resolve() == target
    assert len(target.read_text(encoding="utf-8").splitlines()) == 5
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the replaced file's mode is kept


def test_out_to_a_fifo_feeds_its_reader(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(fifo))
    reader.join(timeout=30)
    assert code == 0, err
    assert stat.S_ISFIFO(fifo.stat().st_mode)  # still a pipe, not replaced by a file
    assert len(received[0].splitlines()) == 5


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="a system without /dev/stdout")
def test_out_to_dev_stdout_feeds_a_pipe(tmp_path: Path) -> None:
    # `nba evaluate-portfolio … --out /dev/stdout | jq`: /dev/stdout is then a link to "pipe:[N]", no file path.
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF,
                           "--out", "/dev/stdout"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # Every line a reader gets is a decision: the run's summary goes to standard error, not into the data.
    decisions = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(decisions) == 5
    assert done.stderr.startswith("evaluated 5 accounts (") and done.stderr.rstrip().endswith("wrote /dev/stdout")


@pytest.mark.parametrize("out", ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "link"])
def test_out_to_standard_output_appended_to_a_file_keeps_what_was_there(tmp_path: Path, out: str) -> None:
    # `nba evaluate-portfolio … --out /dev/stdout >> all.jsonl`: the shell opened the file to append; the run
    # must add to it, not replace it (which lost every earlier line) nor reopen it (which truncates it).
    if out == "link":  # a name of the user's that leads to standard output
        (tmp_path / "to-stdout").symlink_to("/dev/stdout")
        out = str(tmp_path / "to-stdout")
    book = tmp_path / "all.jsonl"
    book.write_text('{"earlier": "run"}\n', encoding="utf-8")
    with book.open("a", encoding="utf-8") as appended:
        done = subprocess.run([sys.executable, "-m", "nba", "evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF,
                               "--out", out], stdout=appended, stderr=subprocess.PIPE, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = book.read_text(encoding="utf-8").splitlines()
    assert lines[0] == '{"earlier": "run"}'
    assert len(lines) == 6 and all(json.loads(line)["account_id"] for line in lines[1:])
    assert done.stderr.startswith("evaluated 5 accounts (")
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_a_reader_that_stops_early_ends_the_run_quietly_with_the_pipe_status(tmp_path: Path) -> None:
    # `nba evaluate-portfolio book.jsonl --out - | head -1` said "nba: Broken pipe" and exited 2 (bad input).
    # Now it ends as Unix tools do: nothing on stderr, status 141 (SIGPIPE), and the ledger records nothing.
    ledger = tmp_path / "ledger.db"
    run = subprocess.Popen([sys.executable, "-m", "nba", "evaluate-portfolio", str(EXAMPLES / "book.jsonl"), "--as-of",
                            AS_OF, "--out", "-", "--ledger", str(ledger)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           cwd=tmp_path)  # were `-` ever taken for a file name, it lands here, not in the checkout
    assert run.stdout is not None and run.stderr is not None
    first = run.stdout.readline()
    run.stdout.close()
    status = run.wait(timeout=120)
    assert json.loads(first)["account_id"]
    assert status == 141 and run.stderr.read() == b""
    code, out, _ = run_cli("ledger", str(ledger), "list")
    assert code == 0 and "no open actions" in out


def test_changes_to_standard_output_are_not_followed_by_the_summary(tmp_path: Path) -> None:
    # `--changes /dev/stdout | crm-import`: the importer reads JSON lines only.
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF,
                           "--out", str(tmp_path / "d.jsonl"), "--ledger", str(tmp_path / "l.db"), "--changes", "/dev/stdout"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    changes = [json.loads(line) for line in done.stdout.splitlines()]
    assert changes and {c["change"] for c in changes} == {"create"}
    assert "changes: " in done.stderr and "created" in done.stderr


def test_descriptor_names_are_recognised_and_files_are_not(tmp_path: Path) -> None:
    from nba.output import open_descriptor

    (tmp_path / "to-stderr").symlink_to("/dev/stderr")
    (tmp_path / "file.jsonl").write_text("", encoding="utf-8")
    (tmp_path / "to-file").symlink_to(tmp_path / "file.jsonl")
    assert [open_descriptor(Path(p)) for p in ("/dev/stdout", "/dev/stderr", "/dev/fd/2", "/proc/self/fd/1",
                                               str(tmp_path / "to-stderr"))] == [1, 2, 2, 1, 2]
    closed = os.open(tmp_path / "file.jsonl", os.O_RDONLY)
    os.close(closed)  # a descriptor number nothing holds now
    assert open_descriptor(Path(f"/dev/fd/{closed}")) is None
    assert open_descriptor(tmp_path / "file.jsonl") is None and open_descriptor(tmp_path / "to-file") is None
    assert open_descriptor(tmp_path / "missing.jsonl") is None and open_descriptor(Path("/dev/null")) is None


def test_new_output_files_honour_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0o022)
    try:
        code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(tmp_path / "d.csv"),
                               "--format", "csv")
    finally:
        os.umask(previous)
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "d.csv").stat().st_mode) == 0o644  # readable by a BI loader running as another user


def test_out_is_a_folder_or_under_a_file_exits_2_with_a_message(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(folder))
    assert code == 2 and "is a folder" in err and "Traceback" not in err
    a_file = tmp_path / "file"
    a_file.write_text("x", encoding="utf-8")
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(a_file / "d.jsonl"))
    assert code == 2 and f"{a_file} is a file, not a folder" in err and "Traceback" not in err


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+7 701", "-1+1", "@SUM(A1:A9)"])
def test_csv_cells_never_start_a_formula(tmp_path: Path, name: str) -> None:
    book = write_book(tmp_path / "book.jsonl", [export_account(1, "@SUM(1+1)", contact=name)])
    out = tmp_path / "actions.csv"
    code, _, err = run_cli("evaluate-portfolio", str(book), "--as-of", AS_OF, "--format", "csv", "--out", str(out))
    assert code == 0, err
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert rows
    for row in rows:
        for column, cell in row.items():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), (column, cell)
        assert row["contact_name"] == "'" + name and row["owner"] == "'@SUM(1+1)"


def test_a_text_cell_starting_with_a_tab_or_cr_is_neutralised_too() -> None:
    from nba.output import safe_cell

    assert safe_cell("\tcmd") == "'\tcmd" and safe_cell("\r=1") == "'\r=1" and safe_cell("Anna") == "Anna"


def test_a_record_that_cannot_be_evaluated_is_skipped_and_the_others_are_written(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = export_account(1, "Ainur Bekova")
    odd = merge(export_account(2, "Ainur Bekova"), {"account": {"locale": "zz"}})
    huge = merge(export_account(3, "Ainur Bekova"), {"usage": [{"period_start": "2025-03-01", "period_end": "2025-03-30",
                                                                 "sessions": 10 ** 400}]})
    localtime = merge(export_account(4, "Ainur Bekova"), {"account": {"timezone": "localtime"}})
    long_zone = merge(export_account(5, "Ainur Bekova"), {"account": {"timezone": "A" * 300}})
    book = write_book(tmp_path / "book.jsonl", [good, odd, huge, localtime, long_zone, good])
    out = tmp_path / "d.jsonl"
    code, stdout, err = run_cli("evaluate-portfolio", str(book), "--as-of", AS_OF, "--out", str(out))
    err += capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert len(out.read_text(encoding="utf-8").splitlines()) == 2
    for line in (2, 3, 4, 5):
        assert f"book.jsonl:{line}" in err
    assert "unknown locale 'zz'" in err and "unknown time zone 'localtime'" in err
    assert "4 bad records skipped" in stdout


def test_one_row_per_action_as_a_data_frame() -> None:
    pandas = pytest.importorskip("pandas", reason="actions_frame needs pandas (nba[dask] brings it)")
    from nba.output import CSV_COLUMNS

    snapshots = [nba.AccountSnapshot.model_validate(export_account(i, "Ainur Bekova")) for i in range(3)]
    engine = nba.Engine.default()
    decisions = [engine.evaluate(s, as_of=dt.datetime.fromisoformat(AS_OF)) for s in snapshots]
    frame = nba.actions_frame(decisions, snapshots)
    assert list(frame.columns) == list(CSV_COLUMNS)
    assert len(frame) == sum(len(d.actions) for d in decisions) > 0
    assert set(frame["account_name"]) == {s.account.name for s in snapshots}
    assert set(frame["timezone"]) == {"Asia/Almaty"}
    assert str(frame["due_utc"].dtype).startswith("datetime64") and str(frame["due_utc"].dt.tz) == "UTC"
    first = decisions[0].actions[0]
    row = frame[frame["action_id"] == first.id].iloc[0]
    assert row["due_utc"] == pandas.Timestamp(first.due)
    assert first.contact is not None and row["contact_name"] == first.contact.name
    # Without snapshots: the time zone is the due's own, the name is blank.
    bare = nba.actions_frame(decisions)
    assert set(bare["timezone"]) == {"Asia/Almaty"} and set(bare["account_name"]) == {""}


def test_the_csv_has_the_columns_people_look_for(tmp_path: Path) -> None:
    account = export_account(1, "Ainur Bekova")
    account["contacts"][0].update({"email": "almat@vostok.kz", "phone": "+7 701 555 12 34"})
    book = write_book(tmp_path / "book.jsonl", [account])
    out = tmp_path / "actions.csv"
    code, _, err = run_cli("evaluate-portfolio", str(book), "--as-of", AS_OF, "--format", "csv", "--out", str(out))
    assert code == 0, err
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    call = next(r for r in rows if r["rule"] == "data_export/clarify_export_purpose")
    assert (call["account_name"], call["timezone"], call["contact_email"], call["contact_phone"]) == (
        "TOO Vostok", "Asia/Almaty", "almat@vostok.kz", "'+7 701 555 12 34")  # a leading + is neutralised for spreadsheets
    assert call["due"] == "2025-03-31T10:00:00+05:00" and call["due_utc"] == "2025-03-31T05:00:00+00:00"


def test_calendar_files_without_icalendar_say_which_extra_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util
    import sys

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "icalendar" else real(name, *a))
    monkeypatch.setitem(sys.modules, "icalendar", None)  # `import icalendar` fails as if it were not installed
    book = write_book(tmp_path / "book.jsonl", [export_account(1, "Ainur Bekova")])
    code, _, err = run_cli("evaluate-portfolio", str(book), "--as-of", AS_OF, "--format", "ics", "--out", str(tmp_path / "ics"))
    assert code == 2 and "--format ics needs icalendar: pip install 'nba[ics]'" in err and "Traceback" not in err
    assert not (tmp_path / "ics").exists()
    from nba.output import ics_calendars

    with pytest.raises(nba.ExtraMissingError, match=r"pip install 'nba\[ics\]'"):
        ics_calendars([])
