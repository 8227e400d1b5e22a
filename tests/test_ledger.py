"""The ledger: mornings in one SQLite file, one transaction a run, forward migration, closing and CRM import."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from helpers import EXAMPLES, REPO

from nba.cli import main
from nba.ledger import SCHEMA_VERSION, Ledger, LedgerError


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def morning(ledger: Path, day: str, tmp_path: Path, *extra: str) -> tuple[int, str, str]:
    return run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", f"{day}T09:00:00+05:00", "--out",
                   str(tmp_path / f"decisions-{day}.jsonl"), "--ledger", str(ledger), *extra)


def vostok_at_local_nine(tmp_path: Path) -> Path:
    """A ledger after the documented morning run of the Almaty example at a local as-of (each account's 09:00)."""
    ledger = tmp_path / "ledger.sqlite"
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES / "vostok.json"), "--as-of", "2025-03-31T09:00",
                           "--out", str(tmp_path / "d.jsonl"), "--ledger", str(ledger))
    assert code == 0, err
    return ledger


def dump(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as db:
        return sorted(db.execute("SELECT * FROM actions").fetchall()) + sorted(db.execute("SELECT * FROM meta").fetchall())


def test_two_mornings_with_nothing_changed_create_no_new_rows(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    code, out, err = morning(ledger, "2025-03-31", tmp_path, "--changes", str(tmp_path / "changes-1.jsonl"))
    assert code == 0, err
    first = dump(ledger)
    assert len([r for r in first if len(r) > 2]) >= 5
    # The same day re-run at 14:00: nothing changes at all.
    code, out, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", "2025-03-31T09:00:00+05:00", "--out",
                             str(tmp_path / "again.jsonl"), "--ledger", str(ledger), "--changes", str(tmp_path / "changes-2.jsonl"))
    assert code == 0, err
    assert dump(ledger) == first
    assert (tmp_path / "changes-2.jsonl").read_text(encoding="utf-8") == ""
    # Decisions read back from the ledger say open, with the ids of the first run.
    decisions = [json.loads(line) for line in (tmp_path / "again.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {a["status"] for d in decisions for a in d["actions"]} == {"open"}
    with Ledger(ledger) as book:
        assert {a["id"] for d in decisions for a in d["actions"]} == {a.id for a in book.actions()}


def test_the_next_morning_records_only_changes_and_the_changes_file_says_them(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    rows_before = len(dump(ledger))
    changes_file = tmp_path / "changes.jsonl"
    code, out, err = morning(ledger, "2025-04-01", tmp_path, "--changes", str(changes_file))
    assert code == 0, err
    changes = [json.loads(line) for line in changes_file.read_text(encoding="utf-8").splitlines()]
    assert {c["change"] for c in changes} <= {"create", "update", "close"}
    created = [c for c in changes if c["change"] == "create"]
    assert len(dump(ledger)) == rows_before + len(created)  # only new situations add rows
    for change in changes:
        if change["change"] == "close":
            assert change["reason"] and "action" not in change
        if change["change"] == "update":
            assert change["fields"] and change["sequence"] >= 1 and change["action"]["id"] == change["id"]
    assert f"{len(created)} created" in out


def test_a_run_killed_midway_leaves_the_ledger_exactly_as_it_was(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    before = dump(ledger)
    script = textwrap.dedent(f"""
        import datetime as dt, os, signal
        from pathlib import Path
        import nba
        from nba.ledger import Ledger
        engine = nba.Engine.default()
        ledger = Ledger({str(ledger)!r})
        as_of = dt.datetime(2025, 4, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=5)))
        with ledger.run(as_of) as run:
            for path in sorted(Path({str(EXAMPLES)!r}).glob("*.json")):
                snapshot = nba.AccountSnapshot.model_validate_json(path.read_text(encoding="utf-8"))
                snapshot = snapshot.model_copy(update={{"action_history": run.history(snapshot.account.id)}})
                run.record(engine.evaluate(snapshot, as_of=as_of), timezone=snapshot.account.timezone,
                           locale=snapshot.account.locale)
            assert run.changes, "the run must have written something before it dies"
            os.kill(os.getpid(), signal.SIGKILL)
        """)
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=120)
    assert result.returncode == -9, result.stderr
    assert dump(ledger) == before
    # And the ledger is usable at once.
    assert morning(ledger, "2025-04-01", tmp_path)[0] == 0


def test_a_second_concurrent_run_refuses_with_a_clear_message(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    with Ledger(ledger) as first, first.run(dt.datetime(2025, 3, 31, 9, tzinfo=dt.timezone.utc)):
        second = Ledger(ledger, wait_seconds=0.2)
        with pytest.raises(LedgerError, match="another run is writing to this ledger"):
            with second.run(dt.datetime(2025, 3, 31, 9, tzinfo=dt.timezone.utc)):
                pass
        second.close()
        code, out, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", "2025-03-31T09:00:00+05:00", "--out",
                                 str(tmp_path / "d.jsonl"), "--ledger", str(ledger), "--ledger-wait", "0.3")
        # The CLI waits (--ledger-wait) and then refuses; here the first run holds the lock throughout.
        assert code == 2 and "another run is writing to this ledger" in err and "Traceback" not in err
        assert not (tmp_path / "d.jsonl").exists()


def test_a_ledger_locked_outright_is_in_use_not_foreign(tmp_path: Path) -> None:
    # Another writer in the middle of its commit (or a CRM sync holding an exclusive transaction) blocks even the
    # schema check: that is a ledger in use, to wait for, never "not an nba ledger".
    import sqlite3

    ledger = tmp_path / "ledger.sqlite"
    Ledger(ledger).close()
    holder = sqlite3.connect(ledger, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(LedgerError, match="another run is writing to this ledger") as caught:
            Ledger(ledger, wait_seconds=0.2)
        assert "not an nba ledger" not in str(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    Ledger(ledger).close()  # and usable once the other one is done


def test_the_schema_carries_a_version_and_refuses_a_newer_or_foreign_file(tmp_path: Path) -> None:
    path = tmp_path / "ledger.sqlite"
    with Ledger(path) as ledger:
        assert ledger.schema_version == SCHEMA_VERSION
    with sqlite3.connect(path) as db:
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(LedgerError, match="written by a newer nba"):
        Ledger(path)
    foreign = tmp_path / "crm.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE deals (id TEXT)")
    with pytest.raises(LedgerError, match="not an nba ledger"):
        Ledger(foreign)
    garbage = tmp_path / "notes.sqlite"
    garbage.write_bytes(b"this is not a database at all" * 100)
    code, out, err = run_cli("ledger", str(garbage), "list")
    assert code == 2 and "not an nba ledger" in err


def test_closing_an_action_remembers_it_and_a_decline_holds_the_offer_back(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    with Ledger(ledger) as book:
        offer = next(a for a in book.actions() if a.rule == "tariff_limit/upgrade_offer")
    code, out, err = run_cli("ledger", str(ledger), "close", offer.id, "--outcome", "declined", "--at", "2025-03-31T15:00:00-04:00")
    assert code == 0, err
    assert "dismissed (declined)" in out
    code, out, err = morning(ledger, "2025-04-01", tmp_path)
    decisions = [json.loads(line) for line in (tmp_path / "decisions-2025-04-01.jsonl").read_text(encoding="utf-8").splitlines()]
    acme = next(d for d in decisions if d["account_id"] == "acc-7")
    assert offer.id not in {a["id"] for a in acme["actions"]}
    assert any(s["id"] == offer.id and s["cause"] == "dismissed" for s in acme["suppressed"])
    code, out, err = run_cli("ledger", str(ledger), "close", "nope", "--outcome", "accepted")
    assert code == 2 and "no action 'nope'" in err


def test_a_closing_time_without_an_offset_is_the_accounts_local_time(tmp_path: Path) -> None:
    # `close ID --at 2025-03-31T15:00` was read as 15:00 UTC, 20:00 in Almaty: a manager's "15:00" is their client's.
    ledger = vostok_at_local_nine(tmp_path)
    with Ledger(ledger) as book:
        action = book.actions()[0]
    code, _, err = run_cli("ledger", str(ledger), "close", action.id, "--outcome", "accepted", "--at", "2025-03-31T15:00")
    assert code == 0, err
    with Ledger(ledger) as book:
        closed = book.get(action.id)
    assert closed is not None and closed.closed_at == dt.datetime(2025, 3, 31, 10, 0, tzinfo=dt.timezone.utc)


def test_importing_a_crms_status_updates_is_all_or_nothing(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    with Ledger(ledger) as book:
        ids = [a.id for a in book.actions()][:2]
    before = dump(ledger)
    bad = tmp_path / "bad.csv"
    bad.write_text(f"id,status,outcome,closed_at\n{ids[0]},done,accepted,2025-03-31T12:00:00+05:00\n{ids[1]},finished,,\n",
                   encoding="utf-8")
    code, out, err = run_cli("ledger", str(ledger), "import", str(bad))
    assert code == 2 and "bad.csv:3: status 'finished'" in err
    assert dump(ledger) == before
    good = tmp_path / "crm.csv"
    good.write_text(f"id,status,outcome,closed_at\n{ids[0]},done,accepted,2025-03-31T12:00:00+05:00\n"
                    f"{ids[1]},dismissed,not_relevant,2025-03-31T12:30:00+05:00\n", encoding="utf-8")
    code, out, err = run_cli("ledger", str(ledger), "import", str(good))
    assert code == 0 and "2 actions updated" in out
    with Ledger(ledger) as book:
        assert {(book.get(i).status, book.get(i).outcome) for i in ids} == {("done", "accepted"), ("dismissed", "not_relevant")}  # type: ignore[union-attr]


@pytest.mark.parametrize("row, line, says", [
    ('{id},done,accepted,2025-03-31T12:00:00+05:00,"{long}"', 3, "export only the columns id, status, outcome and closed_at"),
    ('"{id},done,accepted,', 3, "check the quotes on that line"),  # an open quote: it used to swallow the rest
    ('"{id}"x,done,accepted,', 3, "check the quotes on that line"),
])
def test_a_crm_export_the_csv_reader_cannot_read_is_a_located_error(tmp_path: Path, row: str, line: int, says: str) -> None:
    # A CRM's notes column over 128 KiB was "internal error (Error: field larger than field limit)".
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    with Ledger(ledger) as book:
        first, second = [a.id for a in book.actions()][:2]
    before = dump(ledger)
    export = tmp_path / "crm.csv"
    export.write_text(f"id,status,outcome,closed_at,note\n{first},done,accepted,2025-03-31T12:00:00+05:00,ok\n"
                      + row.format(id=second, long="x" * 200_000) + "\n", encoding="utf-8")
    code, out, err = run_cli("ledger", str(ledger), "import", str(export))
    assert code == 2 and "internal error" not in err
    assert err.startswith(f"nba: {export}:{line}: not CSV the ledger can read (") and err.rstrip().endswith(says)
    assert dump(ledger) == before  # all or nothing: the good first row is not applied either


def test_the_calendar_uses_the_stable_id_with_a_growing_sequence_and_cancels_withdrawn_actions(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    book = tmp_path / "book"
    book.mkdir()
    vostok = json.loads((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    (book / "vostok.json").write_text(json.dumps(vostok), encoding="utf-8")

    def calendars(day: str) -> dict[str, icalendar.Event]:
        out = tmp_path / f"ics-{day}"
        code, _, err = run_cli("evaluate-portfolio", str(book), "--as-of", f"{day}T09:00:00+05:00", "--format", "ics",
                               "--out", str(out), "--ledger", str(ledger))
        assert code == 0, err
        events = {}
        for path in out.glob("*.ics"):
            for event in icalendar.Calendar.from_ical(path.read_text(encoding="utf-8")).walk("VEVENT"):
                events[str(event["uid"])] = event
        return events

    first = calendars("2025-03-31")
    assert all(int(e["sequence"]) == 0 for e in first.values())
    # The export ticket is answered: closed in the CRM and gone from the snapshot; the next calendar cancels its event.
    vostok["tickets"] = []
    (book / "vostok.json").write_text(json.dumps(vostok), encoding="utf-8")
    second = calendars("2025-04-01")
    with Ledger(ledger) as stored:
        gone = [a for a in stored.actions(statuses=("withdrawn",))]
    assert gone
    for action in gone:
        event = second[f"{action.id}@nba"]
        assert str(event["status"]) == "CANCELLED" and int(event["sequence"]) == action.sequence >= 1
    assert set(first) <= set(second)  # every earlier UID still there: updated, kept or cancelled


def test_the_brief_lists_overdue_then_today_then_new_in_the_owners_language(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    assert morning(ledger, "2025-04-02", tmp_path)[0] == 0
    code, out, err = run_cli("brief", "--ledger", str(ledger), "--owner", "Ainur Bekova")
    assert code == 0, err
    assert out.startswith("Ainur Bekova — что сделать сегодня, 2 апреля 2025")
    sections = [line for line in out.splitlines() if line.endswith("):")]
    order = [s.split(" (")[0] for s in sections]
    assert order == [s for s in ("Просрочено", "Сегодня", "Новое") if s in order] and order
    code, out, err = run_cli("brief", "--ledger", str(ledger), "--owner", "Dana Whitfield", "--format", "markdown")
    assert code == 0 and out.startswith("# Dana Whitfield — What to do today")
    code, out, err = run_cli("brief", "--ledger", str(tmp_path / "missing.sqlite"))
    assert code == 2 and "no such ledger" in err


def _counted(section: str, brief: str) -> int:
    """How many actions a brief lists under `section`, over every owner."""
    return sum(int(n) for n in re.findall(rf"^{section} \((\d+)\):$", brief, re.MULTILINE))


def test_after_a_run_in_local_time_the_brief_and_the_list_judge_dues_by_each_accounts_clock(tmp_path: Path) -> None:
    # The documented morning: `evaluate-portfolio --as-of 2025-03-31T09:00` (each account's 09:00), then `nba brief`.
    # The ledger kept the run as 09:00 UTC, so in Almaty (UTC+5) the brief called every 10:00 and 11:00 action of
    # that same morning overdue, and `ledger list` flagged them.
    ledger = vostok_at_local_nine(tmp_path)
    with Ledger(ledger) as book:
        dues = sorted(a.due.astimezone(ZoneInfo("Asia/Almaty")).strftime("%H:%M") for a in book.actions())
        assert book.last_as_of == dt.datetime(2025, 3, 31, 9, 0)  # as given: a local time
    assert dues and all("09:00" < d for d in dues)  # all later that morning in Almaty
    code, out, err = run_cli("brief", "--ledger", str(ledger))
    assert code == 0, err
    assert "Просрочено" not in out and _counted("Сегодня", out) == len(dues)
    code, out, err = run_cli("ledger", str(ledger), "list", "--overdue")
    assert code == 0 and out == "no open actions\n"
    # An explicit naive --as-of is each account's local time too; an aware one is that instant.
    code, out, _ = run_cli("brief", "--ledger", str(ledger), "--as-of", "2025-03-31T10:30")
    assert "Просрочено (" in out and "Сегодня (" in out
    code, out, _ = run_cli("brief", "--ledger", str(ledger), "--as-of", "2025-03-31T10:30:00+00:00")  # 15:30 there
    assert "Сегодня" not in out and _counted("Просрочено", out) == len(dues)
    code, out, _ = run_cli("brief", "--ledger", str(ledger), "--as-of", "2025-03-31T22:00:00+00:00")  # 03:00 on 1 April
    assert "что сделать сегодня, 1 апреля 2025" in out.splitlines()[0]  # the owner's date, not UTC's
    # A later run at an aware moment is judged as that instant again.
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES / "vostok.json"), "--as-of", "2025-03-31T09:00:00+05:00",
                           "--out", str(tmp_path / "d.jsonl"), "--ledger", str(ledger))
    with Ledger(ledger) as book:
        assert book.last_as_of == book.last_run == dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))


def test_ledger_list_flags_overdue_actions(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.sqlite"
    assert morning(ledger, "2025-03-31", tmp_path)[0] == 0
    code, out, err = run_cli("ledger", str(ledger), "list", "--as-of", "2025-04-03T09:00:00+05:00", "--format", "json")
    assert code == 0, err
    rows = json.loads(out)
    assert rows and all(r["overdue"] for r in rows if r["due"] < "2025-04-03")
    code, out, err = run_cli("ledger", str(ledger), "list", "--as-of", "2025-03-31T08:00:00+05:00")
    assert code == 0 and "OVERDUE" not in out and "Ainur Bekova:" in out


def test_a_crms_own_history_is_fresher_than_the_ledgers(tmp_path: Path) -> None:
    # The ledger says Monday's call is open; the CRM's export in the snapshot says it was done that evening.
    ledger = vostok_at_local_nine(tmp_path)
    with Ledger(ledger) as book:
        issued = book.actions()
    assert issued
    first = issued[0]
    snapshot = json.loads((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    snapshot["action_history"] = [{"id": first.id, "rule": first.rule, "status": "done", "outcome": "accepted",
                                   "contact_id": first.contact_id, "issued_at": first.issued_at.isoformat(),
                                   "closed_at": "2025-03-31T18:00:00+05:00"}]
    book_file = tmp_path / "tuesday.json"
    book_file.write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
    code, _, err = run_cli("evaluate-portfolio", str(book_file), "--as-of", "2025-04-01T09:00", "--out",
                           str(tmp_path / "tuesday.jsonl"), "--ledger", str(ledger))
    assert code == 0, err
    decision = json.loads((tmp_path / "tuesday.jsonl").read_text(encoding="utf-8"))
    assert first.id not in {a["id"] for a in decision["actions"]}
    assert {"id": first.id, "cause": "done"}.items() <= next(s for s in decision["suppressed"] if s["id"] == first.id).items()
    # The other actions the ledger holds open come back open: the ledger's history still counts.
    assert {a.id for a in issued[1:]} <= {a["id"] for a in decision["actions"] if a["status"] in ("open", "overdue")}


def test_a_bad_record_in_a_ledger_run_is_located_in_its_own_history(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The ledger has history for this account; the record's own entry is still named by its own position.
    ledger = vostok_at_local_nine(tmp_path)
    snapshot = json.loads((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    snapshot["action_history"] = [{"id": "crm-1", "rule": "activity_drop/usage_fell", "status": "maybe"}]
    book_file = tmp_path / "tuesday.json"
    book_file.write_text(json.dumps(snapshot, ensure_ascii=False), encoding="utf-8")
    code, _, err = run_cli("evaluate-portfolio", str(book_file), "--as-of", "2025-04-01T09:00", "--out",
                           str(tmp_path / "tuesday.jsonl"), "--ledger", str(ledger))
    assert code == 2
    skipped = capsys.readouterr().err  # a skipped record is reported as it happens, on standard error
    assert f"skipped {book_file}: " in skipped and "action_history.0.status" in skipped, skipped


def test_a_ledger_run_with_two_workers_records_what_one_worker_does(tmp_path: Path) -> None:
    monday = tmp_path / "monday.sqlite"
    assert morning(monday, "2025-03-31", tmp_path)[0] == 0
    results = []
    for workers in ("1", "2"):
        ledger, out, changes = tmp_path / f"l{workers}.sqlite", tmp_path / f"d{workers}.jsonl", tmp_path / f"c{workers}.jsonl"
        ledger.write_bytes(monday.read_bytes())
        code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", "2025-04-01T09:00:00+05:00", "--out", str(out),
                               "--ledger", str(ledger), "--changes", str(changes), "--workers", workers)
        assert code == 0, err
        results.append((out.read_bytes(), changes.read_bytes(), dump(ledger)))
    assert results[0] == results[1]
    statuses = {a["status"] for line in results[0][0].splitlines() for a in json.loads(line)["actions"]}
    assert statuses & {"open", "overdue"}, statuses  # the ledger's history reached the evaluations


def test_workers_started_by_spawn_get_the_ledgers_histories(tmp_path: Path) -> None:
    # Where workers do not fork (macOS, Windows; Linux from Python 3.14 on), the histories reach them pickled.
    monday = tmp_path / "monday.sqlite"
    assert morning(monday, "2025-03-31", tmp_path)[0] == 0
    (tmp_path / "spawned.sqlite").write_bytes(monday.read_bytes())
    script = textwrap.dedent(f"""
        import datetime as dt, multiprocessing
        from pathlib import Path
        if __name__ == "__main__":
            multiprocessing.set_start_method("spawn")
            import nba
            from nba.ledger import Ledger
            from nba.portfolio import run_portfolio
            with Ledger(Path({str(tmp_path / "spawned.sqlite")!r})) as ledger:
                run_portfolio(nba.Engine.default(), Path({str(EXAMPLES)!r}),
                              dt.datetime(2025, 4, 1, 9, tzinfo=dt.timezone(dt.timedelta(hours=5))),
                              out=Path({str(tmp_path / "spawned.jsonl")!r}), changes=Path({str(tmp_path / "spawned-changes.jsonl")!r}),
                              ledger=ledger, workers=2)
        """)
    (tmp_path / "run.py").write_text(script, encoding="utf-8")
    result = subprocess.run([sys.executable, str(tmp_path / "run.py")], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    ledger, out, changes = tmp_path / "one.sqlite", tmp_path / "one.jsonl", tmp_path / "one-changes.jsonl"
    ledger.write_bytes(monday.read_bytes())
    code, _, err = run_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", "2025-04-01T09:00:00+05:00", "--out", str(out),
                           "--ledger", str(ledger), "--changes", str(changes))
    assert code == 0, err
    assert (tmp_path / "spawned.jsonl").read_bytes() == out.read_bytes()
    assert (tmp_path / "spawned-changes.jsonl").read_bytes() == changes.read_bytes()
    assert dump(tmp_path / "spawned.sqlite") == dump(ledger)
