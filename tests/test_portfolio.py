"""The portfolio: evaluate-portfolio's bad-record handling and outputs, owner capacity, and the report's formulas."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import icalendar
import pytest
from helpers import BASE_KZ, EXAMPLES, RULES, almaty, merge, nba_cli

import nba
from nba.capacity import AccountPlace, CapacitySettings, apply_capacity
from nba.portfolio import run_portfolio
from nba.report import PortfolioReport

Build = Callable[..., nba.AccountSnapshot]
AS_OF = "2025-03-31T09:00:00+05:00"



def book(tmp_path: Path) -> Path:
    """Five good accounts with two broken lines among them."""
    lines = []
    for path in sorted(EXAMPLES.glob("*.json")):
        lines.append(json.dumps(json.loads(path.read_text(encoding="utf-8")), ensure_ascii=False))
    lines.insert(2, "{not json")
    bad = json.loads((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    bad["account"]["timezone"] = "Mars/Olympus"
    lines.insert(4, json.dumps(bad))
    path = tmp_path / "book.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_records_are_reported_by_line_and_the_good_ones_evaluated(tmp_path: Path) -> None:
    out = tmp_path / "decisions.jsonl"
    result = nba_cli("evaluate-portfolio", str(book(tmp_path)), "--as-of", AS_OF, "--out", str(out))
    assert result.returncode == 2
    assert f"nba: skipped {tmp_path / 'book.jsonl'}:3:2: invalid JSON" in result.stderr
    assert f"nba: skipped {tmp_path / 'book.jsonl'}:5: the snapshot is invalid (1 problem):" in result.stderr
    assert "account.timezone: unknown time zone 'Mars/Olympus'" in result.stderr
    assert "Traceback" not in result.stderr
    decisions = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [d["account_id"] for d in decisions] == ["acc-7", "acc-3307", "acc-5120", "acc-2210", "acc-1042"]
    assert result.stdout.startswith("evaluated 5 accounts (") and "2 bad records skipped" in result.stdout
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temporary file left behind


def test_a_clean_book_exits_0_and_matches_one_by_one_evaluation(tmp_path: Path, engine: nba.Engine) -> None:
    out = tmp_path / "decisions.jsonl"
    result = nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(out), "--workers", "2")
    assert result.returncode == 0, result.stderr
    got = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    as_of = dt.datetime.fromisoformat(AS_OF)
    expected = [engine.evaluate(nba.AccountSnapshot.model_validate_json(p.read_text(encoding="utf-8")), as_of=as_of)
                .model_dump(mode="json") for p in sorted(EXAMPLES.glob("*.json"))]
    assert got == expected


def test_csv_has_one_row_per_action(tmp_path: Path) -> None:
    out = tmp_path / "actions.csv"
    assert nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(out), "--format", "csv").returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    decisions = [json.loads(line) for line in _jsonl(tmp_path).splitlines()]
    assert len(rows) == sum(len(d["actions"]) for d in decisions)
    first = rows[0]
    assert first["due"].endswith(("+05:00", "+03:00", "-04:00")) and first["rule"] and first["text"]


def _jsonl(tmp_path: Path) -> str:
    out = tmp_path / "d.jsonl"
    nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(out))
    return out.read_text(encoding="utf-8")


def test_ics_parses_back_with_one_event_per_action_per_owner(tmp_path: Path) -> None:
    folder = tmp_path / "calendars"
    assert nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(folder), "--format", "ics").returncode == 0
    decisions = [json.loads(line) for line in _jsonl(tmp_path).splitlines()]
    expected = {(a["id"], a["due"]) for d in decisions for a in d["actions"]}
    seen = set()
    for path in folder.glob("*.ics"):
        calendar = icalendar.Calendar.from_ical(path.read_bytes())
        owners = set()
        for event in calendar.walk("VEVENT"):
            start = event.decoded("dtstart")
            assert start.tzinfo is not None
            seen.add((str(event["uid"]).removesuffix("@nba"), start.isoformat()))
            owners.add(str(event["x-nba-account"]))
        assert calendar.walk("VTIMEZONE"), "each calendar carries its time zones"
    assert seen == expected
    assert "Ainur_Bekova.ics" in {p.name for p in folder.glob("*.ics")}


def test_owner_capacity_moves_the_lower_priorities_and_loses_nothing(engine: nba.Engine, kz: Build) -> None:
    ticket = [{"id": "t-1", "opened_at": "2025-03-20T10:00:00+05:00", "contact_id": "c1", "subject": "Экспорт всей базы"}]
    accounts = [kz(account={"id": f"acc-{i}", "segment": "standard"}, tickets=ticket,
                   contract={"end_date": "2025-12-31", "price": 200000 * (i + 1)}) for i in range(4)]
    decisions = [engine.evaluate(s, as_of=almaty(2025, 3, 31, 9, 0)) for s in accounts]
    assert {a.due.isoformat() for d in decisions for a in d.actions} == {"2025-03-31T10:00:00+05:00"}
    place = AccountPlace("KZ", "Asia/Almaty", "ru")
    planned = apply_capacity([(d, place) for d in decisions], CapacitySettings(owners={"Daniyar Omarov": 2}))
    dues = {d.account_id: d.actions[0].due.isoformat() for d in planned}
    # The two most valuable accounts keep Monday; the other two move to Tuesday at the same time.
    assert dues == {"acc-3": "2025-03-31T10:00:00+05:00", "acc-2": "2025-03-31T10:00:00+05:00",
                    "acc-1": "2025-04-01T10:00:00+05:00", "acc-0": "2025-04-01T10:00:00+05:00"}
    moved = next(d for d in planned if d.account_id == "acc-0").actions[0]
    assert "во вторник 1 апреля в 10:00" in moved.text and "в понедельник" not in moved.text
    assert moved.notes == ["перенесено с 31 марта 10:00 на 1 апреля 10:00: Daniyar Omarov: уже 2 звонка или встречи на "
                           "31 марта 2025\u202fг."]  # in the account's language, with the plural of 2
    assert sum(len(d.actions) for d in planned) == sum(len(d.actions) for d in decisions)


def test_capacity_moves_the_day_in_the_text_of_an_account_that_reads_english(engine: nba.Engine, kz: Build) -> None:
    # A Kazakh-language account reads English (nba has no Kazakh words): the moved text and its note must be the
    # English ones, not Kazakh dates that the English text does not contain.
    ticket = [{"id": "t-1", "opened_at": "2025-03-20T10:00:00+05:00", "contact_id": "c1", "subject": "Export all our data"}]
    accounts = [kz(account={"id": f"acc-{i}", "segment": "standard", "locale": "kk"}, tickets=ticket,
                   contract={"end_date": "2025-12-31", "price": 200000 * (i + 1)}) for i in range(3)]
    decisions = [engine.evaluate(s, as_of=almaty(2025, 3, 31, 9, 0)) for s in accounts]
    assert all("on Monday, March 31 at 10:00" in d.actions[0].text for d in decisions)
    planned = apply_capacity([(d, AccountPlace("KZ", "Asia/Almaty", "kk")) for d in decisions],
                             CapacitySettings(owners={"Daniyar Omarov": 2}))
    moved = next(d for d in planned if d.account_id == "acc-0").actions[0]
    assert "on Tuesday, April 1 at 10:00" in moved.text and "Monday" not in moved.text
    assert moved.notes == ["moved from March 31, 10:00 to April 1, 10:00: Daniyar Omarov already has 2 calls and "
                           "meetings on March 31, 2025"]


def test_capacity_file_from_the_command_line(tmp_path: Path) -> None:
    capacity = tmp_path / "capacity.yaml"
    capacity.write_text("default_per_day: 1\n", encoding="utf-8")
    out = tmp_path / "d.jsonl"
    result = nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(out), "--capacity", str(capacity))
    assert result.returncode == 0, result.stderr
    notes = [n for line in out.read_text(encoding="utf-8").splitlines() for a in json.loads(line)["actions"] for n in a["notes"]]
    assert any("уже 1 звонок или встреча" in n for n in notes)
    capacity.write_text("default_per_day: lots\n", encoding="utf-8")
    bad = nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(out), "--capacity", str(capacity))
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert f"{capacity}:1:18: `default_per_day`" in bad.stderr  # located like a pack's problems
    capacity.write_text("csm:\n  - name: Ivan\n", encoding="utf-8")
    bad = nba_cli("evaluate-portfolio", str(EXAMPLES), "--as-of", AS_OF, "--out", str(out), "--capacity", str(capacity))
    assert f"{capacity}:1:1: unknown field `csm` in the capacity file (allowed: default_per_day, owners" in bad.stderr


def account(i: int, **changes: Any) -> nba.AccountSnapshot:
    base = merge(BASE_KZ, {"account": {"id": f"r-{i}"}, "contract": {"start_date": "2024-01-01", "billing_period": "annual",
                                                                       "price": 1_000_000}})
    return nba.AccountSnapshot.model_validate(merge(base, changes))


def test_report_formulas_on_a_hand_checked_portfolio(engine: nba.Engine) -> None:
    as_of = almaty(2025, 6, 30, 9, 0)
    book_ = [
        # Due for renewal in the last year: 3 renewed, 1 churned, 1 still active past its end (overdue) -> 60%.
        account(1, contract={"end_date": "2025-01-31", "status": "renewed", "renewed_until": "2026-01-31", "was_red": True},
                revenue={"arr_year_ago": 1_000_000, "arr": 1_200_000, "expansion_arr": 200_000}),
        account(2, contract={"end_date": "2025-02-28", "status": "renewed", "renewed_until": "2026-02-28"},
                revenue={"arr_year_ago": 1_000_000, "arr": 900_000, "expansion_arr": 0}),
        account(3, contract={"end_date": "2025-03-31", "status": "renewed", "renewed_until": "2026-03-31"}),
        account(4, contract={"end_date": "2025-04-30", "status": "churned", "churn_reason": "competitor", "was_red": True},
                revenue={"arr_year_ago": 2_000_000}),
        account(5, contract={"end_date": "2025-06-15", "status": "active"}),
        # In the open pipeline: one red (health and NPS low, silent), one green.
        account(6, contract={"end_date": "2025-08-31"}, health={"score": 20, "nps": 2},
                contacts=[{"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "last_reply_at": "2025-03-01T10:00:00+05:00"}],
                tickets=[{"id": f"s{k}", "opened_at": f"2025-06-{10 + k}T10:00:00+05:00", "subject": "Ошибка"} for k in range(5)]
                + [{"id": "x", "opened_at": "2025-06-20T10:00:00+05:00", "subject": "Экспорт всей базы"}]),
        account(7, contract={"end_date": "2025-09-15", "price": 3_000_000}),
    ]
    report = PortfolioReport()
    for snapshot in book_:
        report.add(snapshot, engine.evaluate(snapshot, as_of=as_of))
    m = report.metrics()
    assert m["accounts"] == 7
    assert (m["due_for_renewal"], m["renewal_rate_pct"]) == (5, 60.0)
    assert m["save_rate_pct"] == 50.0  # two were red; one of them renewed
    assert m["expansion_rate_pct"] == 50.0  # of the renewed accounts with revenue data, one of two expanded
    # ARR a year ago 4.0M; now 1.2M + 0.9M + 0 = 2.1M -> NRR 52.5%; kept without expansion 1.0M + 0.9M + 0 -> GRR 47.5%.
    assert m["nrr_pct"] == {"KZT": 52.5} and m["grr_pct"] == {"KZT": 47.5}
    # Pipeline (active, window open): account 5 (overdue, 1M), account 6 (red, 1M), account 7 (3M) -> red share 20%.
    assert m["risk"]["red"] == 1
    assert m["at_risk_pipeline_pct"] == {"KZT": 20.0}
    assert m["churn_reasons"] == {"competitor": 1}
    svg = report.chart_svg()
    assert svg.startswith("<svg") and "2025-08" in svg and "red: 1" in svg
    _check_chart(svg, "accounts", {"2025-06": 1, "2025-08": 1, "2025-09": 1})
    # The value view sums annual contract values: the value at risk, in the pipeline's currency.
    _check_chart(report.chart_svg("value"), "annual contract value (KZT)", {"2025-06": 1_000_000, "2025-08": 1_000_000,
                                                                           "2025-09": 3_000_000})
    assert report.chart_svg("value", "kzt") == report.chart_svg("value", "KZT")  # the code as people type it
    with pytest.raises(nba.InputError, match="currency 'USD': no account in the renewal pipeline is billed in it; "
                                             "its currencies: KZT"):
        report.chart_svg("value", "USD")  # used to chart an empty pipeline without a word


def _check_chart(svg: str, counts: str, totals: dict[str, float]) -> None:
    """The chart says what it counts, has a y-axis with round ticks, and prints every bar's total over it."""
    import xml.etree.ElementTree as ET

    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    texts = [t.text or "" for t in root.iter(f"{ns}text")]
    assert any(counts in t for t in texts), texts[:3]
    lines = [line.attrib for line in root.iter(f"{ns}line")]
    assert any(a["x1"] == a["x2"] for a in lines), "no y-axis"
    labels = [float(t.replace(",", "").removesuffix("M")) * (1_000_000 if t.endswith("M") else 1)
              for t in texts if t and t.replace(",", "").replace(".", "").removesuffix("M").isdigit()]
    assert 0 in labels
    for month, total in totals.items():
        x = next(float(t.attrib["x"]) for t in root.iter(f"{ns}text") if t.text == month)
        above = [t for t in root.iter(f"{ns}text") if float(t.attrib["x"]) == x and t.text != month
                 and t.attrib.get("fill") != "#fff"]
        shown = above[0].text or ""
        value = float(shown.replace(",", "").removesuffix("M")) * (1_000_000 if shown.endswith("M") else 1)
        assert value == pytest.approx(total, rel=0.01), (month, shown)


def test_a_discount_answer_moved_by_capacity_gets_its_pay_by_date_counted_again(engine: nba.Engine, kz: Build) -> None:
    ask = [{"kind": "discount", "at": "2025-04-18T12:00:00+05:00", "contact_id": "c1", "percent": 20}]
    accounts = [kz(account={"id": f"acc-{i}", "segment": "standard"}, requests=ask,
                   contract={"end_date": "2025-12-31", "price": 200000 * (i + 1)}) for i in range(4)]
    decisions = [engine.evaluate(s, as_of=almaty(2025, 4, 21, 9, 0)) for s in accounts]
    place = AccountPlace("KZ", "Asia/Almaty", "ru")
    planned = apply_capacity([(d, place) for d in decisions], CapacitySettings(default_per_day=1),
                             engine.holiday_book, engine.ruleset.discount)
    by_day = {}
    for d in planned:
        call = next(a for a in d.actions if a.rule == "discount_request/present_counter_offer")
        assert d.discount is not None
        pay_by = next(o.deadline for o in d.discount.offers if o.condition == "payment_by_date")
        by_day[call.due.date().isoformat()] = (pay_by, call.text)
    # Offered on Monday 21 April, seven business days remain to 30 April; offered on Thursday 24 April, only
    # four: the client could not pay in time, so the pay-by date becomes 31 May, in the decision and the text.
    assert by_day["2025-04-21"][0] == dt.date(2025, 4, 30) and "30 апреля 2025" in by_day["2025-04-21"][1]
    assert by_day["2025-04-24"][0] == dt.date(2025, 5, 31)
    assert "31 мая 2025" in by_day["2025-04-24"][1] and "30 апреля" not in by_day["2025-04-24"][1]


# -- an output never replaces an input --------------------------------------------------------------------
def _book_copy(tmp_path: Path) -> Path:
    copy = tmp_path / "book.jsonl"
    copy.write_bytes((EXAMPLES / "book.jsonl").read_bytes())
    return copy


@pytest.mark.parametrize("case", ["out is the book", "out links to the book", "out is a hard link of the book",
                                  "out is the ledger", "changes is out", "out is the capacity file", "out is a rule pack",
                                  "chart is the book"])
def test_an_output_that_would_replace_an_input_exits_2_before_any_work(tmp_path: Path, case: str) -> None:
    # `--out book.jsonl` replaced the book with its decisions; `--out ledger.db` replaced the whole action history.
    book = _book_copy(tmp_path)
    ledger, capacity, rules = tmp_path / "ledger.db", tmp_path / "capacity.yaml", tmp_path / "rules"
    capacity.write_text("default_per_day: 4\n", encoding="utf-8")
    rules.mkdir()
    pack = rules / "activity_drop.yaml"
    pack.write_bytes((RULES / "activity_drop.yaml").read_bytes())
    (tmp_path / "link.jsonl").symlink_to(book)
    (tmp_path / "hard.jsonl").hardlink_to(book)
    base = ["evaluate-portfolio", str(book), "--as-of", AS_OF]
    args, named, what = {
        "out is the book": (base + ["--out", str(book)], book, "the book"),
        "out links to the book": (base + ["--out", str(tmp_path / "link.jsonl")], tmp_path / "link.jsonl", "the book"),
        "out is a hard link of the book": (base + ["--out", str(tmp_path / "hard.jsonl")], tmp_path / "hard.jsonl", "the book"),
        "out is the ledger": (base + ["--out", str(ledger), "--ledger", str(ledger)], ledger, "the ledger"),
        "changes is out": (base + ["--out", str(tmp_path / "d.jsonl"), "--ledger", str(ledger), "--changes",
                                   str(tmp_path / "d.jsonl")], tmp_path / "d.jsonl", "name the same file"),
        "out is the capacity file": (base + ["--out", str(capacity), "--capacity", str(capacity)], capacity,
                                     "the capacity file"),
        "out is a rule pack": (base + ["--out", str(pack), "--rules", str(rules)], pack, "a rule pack"),
        "chart is the book": (["report", str(book), "--as-of", AS_OF, "--chart", str(book)], book, "the book"),
    }[case]
    before = {p: p.read_bytes() for p in (book, capacity, pack)}
    result = nba_cli(*args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"nba: {named}: ") and what in result.stderr, result.stderr
    assert result.stderr.rstrip().endswith(("write it to another file", "give each its own"))
    assert {p: p.read_bytes() for p in before} == before  # nothing was touched
    assert not ledger.exists()  # refused before the ledger was opened (or made)
    assert not (tmp_path / "d.jsonl").exists()


def test_run_portfolio_refuses_to_replace_its_book_or_ledger(tmp_path: Path) -> None:
    book = _book_copy(tmp_path)
    engine = nba.Engine.default()
    moment = dt.datetime(2025, 3, 31, 9, 0)
    with pytest.raises(nba.InputError, match="the output would replace the book"):
        run_portfolio(engine, book, moment, out=book)
    with pytest.raises(nba.InputError, match="name the same file"):
        run_portfolio(engine, book, moment, out=tmp_path / "d.jsonl", changes=tmp_path / "d.jsonl")
    from nba.ledger import Ledger

    with Ledger(tmp_path / "ledger.db") as ledger, pytest.raises(nba.InputError, match="would replace the ledger"):
        run_portfolio(engine, book, moment, out=tmp_path / "ledger.db", ledger=ledger)
    assert book.read_bytes() == (EXAMPLES / "book.jsonl").read_bytes()


def test_outputs_that_replace_no_file_may_share_a_name(tmp_path: Path) -> None:
    # Both to /dev/null (a dry run that only fills the ledger): nothing is replaced, so nothing is refused.
    result = nba_cli("evaluate-portfolio", str(EXAMPLES / "book.jsonl"), "--as-of", AS_OF, "--out", "/dev/null",
                     "--ledger", str(tmp_path / "ledger.db"), "--changes", "/dev/null")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "ledger.db").is_file()


# -- a book piped in --------------------------------------------------------------------------------------
def _book_lines(count: int) -> bytes:
    return b"".join((EXAMPLES / "book.jsonl").read_bytes().splitlines(keepends=True)[:count])


@pytest.mark.parametrize("source", ["-", "/dev/stdin"])
def test_a_book_piped_in_is_read_as_json_lines(source: str, tmp_path: Path) -> None:
    # `zcat book.jsonl.gz | nba evaluate-portfolio - --out - | jq`: the whole book used to be read as one JSON
    # document ("Extra data" on line 2, no account evaluated), and `-` was "no such file".
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate-portfolio", source, "--as-of", AS_OF, "--out", "-"],
                          input=_book_lines(4), capture_output=True, timeout=120, cwd=tmp_path)  # `-` never a file here
    assert done.returncode == 0, done.stderr
    decisions = [json.loads(line) for line in done.stdout.splitlines()]
    assert [d["account_id"] for d in decisions] == [json.loads(line)["account"]["id"] for line in _book_lines(4).splitlines()]
    assert done.stderr.decode().startswith("evaluated 4 accounts (")


def test_a_bad_line_piped_in_is_named_by_its_line_and_the_rest_are_evaluated(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate-portfolio", "-", "--as-of", AS_OF, "--out", "-"],
                          input=_book_lines(1) + b"{not json\n" + _book_lines(2)[len(_book_lines(1)):],
                          capture_output=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 2
    assert len(done.stdout.splitlines()) == 2
    assert "nba: skipped stdin:2:2: invalid JSON" in done.stderr.decode()


def test_one_snapshot_piped_into_evaluate() -> None:
    done = subprocess.run([sys.executable, "-m", "nba", "evaluate", "-", "--as-of", AS_OF],
                          input=(EXAMPLES / "vostok.json").read_bytes(), capture_output=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["account_id"] == "acc-1042"


@pytest.mark.parametrize("extra", [["--currency", "KZT"], ["--chart", "CHART", "--currency", "KZT"],
                                   ["--chart", "CHART", "--chart-by", "value", "--currency", "XYZ"]])
def test_a_currency_the_chart_cannot_use_exits_2(tmp_path: Path, extra: list[str]) -> None:
    # `--currency` without a value chart changed nothing, and an unknown one drew an empty pipeline: both silent.
    chart = tmp_path / "chart.svg"
    result = nba_cli("report", str(EXAMPLES / "book.jsonl"), "--as-of", AS_OF,
                     *[str(chart) if a == "CHART" else a for a in extra])
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "currency" in result.stderr and not chart.exists()


@pytest.mark.parametrize("command, name", [("evaluate", "book.jsonl"), ("evaluate-portfolio", "book.json")])
def test_a_book_where_one_document_is_expected_says_what_it_is(tmp_path: Path, command: str, name: str) -> None:
    # `nba evaluate book.jsonl`, or a book saved as .json, said only "invalid JSON: Extra data".
    book = tmp_path / name
    book.write_bytes(_book_lines(3))
    args = [command, str(book), "--as-of", AS_OF] + (["--out", str(tmp_path / "d.jsonl")] if command != "evaluate" else [])
    result = nba_cli(*args)
    assert result.returncode == 2
    assert f"{book}:2:1: invalid JSON: Extra data; it holds a document per line, like a JSON Lines book" in result.stderr
