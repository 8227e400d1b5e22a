"""A morning run over a whole book: read records, evaluate, plan capacity, record in the ledger, write outputs.

`run_portfolio` is what `nba evaluate-portfolio` does; the command line only parses its arguments and
prints the summary. Bad records are skipped and reported with their line; outputs are written whole or
not at all; with a ledger, the run is one transaction committed after every output is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal
from zoneinfo import ZoneInfo

from .capacity import AccountPlace, CapacitySettings, apply_capacity
from .decision import Decision
from .engine import Engine
from .inputs import read_raw, snapshot_files
from .output import CancelledEvent, CsvRows, atomic_writer, ics_calendars, refuse_to_overwrite, write_atomically
from .parallel import RawRecord, evaluate_raw

if TYPE_CHECKING:  # a run without a ledger or a changes file never loads the ledger (sqlite3 and its models)
    from .ledger import Ledger, LedgerRun

OutputFormat = Literal["jsonl", "csv", "ics"]


@dataclass(slots=True)
class PortfolioSummary:
    """What a run did: accounts evaluated, actions, records skipped (with why), changes recorded."""

    accounts: int = 0
    actions: int = 0
    unassigned: int = 0
    errors: list[str] = field(default_factory=list)
    changes: dict[str, int] = field(default_factory=dict)  # by kind, when a ledger or a changes file asks for them


def run_portfolio(engine: Engine, source: Path, as_of: dt.datetime, *, out: Path, output_format: OutputFormat = "jsonl",
                  workers: int = 1, capacity: CapacitySettings | None = None, ledger: Ledger | None = None,
                  changes: Path | None = None, on_error: Callable[[str], None] | None = None,
                  on_progress: Callable[[int], None] | None = None) -> PortfolioSummary:
    """Evaluate every record of `source` at `as_of` and write the outputs; see the module's docstring.

    Raises `InputError` before any work when `out` or `changes` would replace the book or the ledger, or each other.
    """
    refuse_to_overwrite(_outputs(out, output_format, changes), _inputs(source, ledger))
    summary = PortfolioSummary()
    # A naive as-of is each account's local time; the ledger stamps the run with it read as UTC.
    stamp = as_of if as_of.tzinfo is not None else as_of.replace(tzinfo=dt.timezone.utc)
    with contextlib.ExitStack() as stack:
        run = stack.enter_context(ledger.run(stamp, wall_time=as_of if as_of.tzinfo is None else None)) \
            if ledger is not None else None
        records: Iterable[RawRecord] = read_raw(source)
        histories = run.histories() if run is not None else None  # joined to each account's own once it is read
        # Unless capacity moves dues after the fact or calendars are asked for, each decision goes to the file (JSON
        # Lines, CSV), to the ledger and to the changes file as it comes, and memory stays flat; else all are kept.
        streaming = capacity is None and output_format != "ics"
        stream = stack.enter_context(atomic_writer(out, binary=True)) if streaming and output_format == "jsonl" else None
        text = stack.enter_context(atomic_writer(out)) if streaming and stream is None else None
        rows = CsvRows(text) if text is not None else None
        log = stack.enter_context(atomic_writer(changes)) if changes is not None else None
        recording = run is not None or log is not None  # changes are asked for: the ledger records them, or the file

        def record(decision: Decision, place: AccountPlace) -> None:
            """The decision's changes: recorded in the ledger (or read off its own history), counted, written out."""
            if run is not None:
                made = run.record(decision, timezone=place.timezone, locale=place.locale, account_name=place.name)
            else:
                from .ledger import changes_without_ledger  # only a run that records loads the ledger's module

                made = changes_without_ledger(decision)
            for change in made:
                summary.changes[change.change] = summary.changes.get(change.change, 0) + 1
                if log is not None:
                    log.write(change.model_dump_json(exclude_none=True) + "\n")

        collected: list[tuple[Decision, AccountPlace]] = []
        for result in evaluate_raw(engine, records, as_of, workers=workers, histories=histories):
            if result.error is not None:
                summary.errors.append(result.error)
                if on_error is not None:
                    on_error(result.error)
                continue
            assert result.decision_json is not None and result.place is not None
            summary.accounts += 1
            summary.actions += result.actions
            summary.unassigned += result.unassigned
            if on_progress is not None:
                on_progress(summary.accounts)
            if stream is not None:
                stream.write(result.decision_json + b"\n")
                if not recording:
                    continue
            place = AccountPlace(*result.place)
            decision = result.decision if result.decision is not None else \
                Decision.model_validate_json(result.decision_json, context={"zone": ZoneInfo(place.timezone)})
            if rows is not None:
                rows.write(decision, place)
            if not streaming:
                collected.append((decision, place))
            elif recording:
                record(decision, place)
        if streaming:
            return summary
        decisions = apply_capacity(collected, capacity, engine.holiday_book, engine.ruleset.discount) if capacity is not None else [d for d, _ in collected]
        places = [p for _, p in collected]
        if recording:
            for decision, place in zip(decisions, places, strict=True):
                record(decision, place)
        _write(out, output_format, decisions, places, run)
    return summary


def _outputs(out: Path, output_format: OutputFormat, changes: Path | None) -> dict[str, Path | None]:
    """The files a run writes, by what they are (calendars go into a folder: they replace no input file)."""
    return {"the output": out if output_format != "ics" else None, "the changes file": changes}


def _inputs(source: Path, ledger: Ledger | None) -> dict[str, list[Path]]:
    """The files a run reads, by what they are."""
    return {"the book": snapshot_files(source), "the ledger": [ledger.path] if ledger is not None else []}


def _write(out: Path, output_format: OutputFormat, decisions: list[Decision], places: list[AccountPlace],
           run: LedgerRun | None) -> None:
    """The decisions in `output_format`, once they are all known (capacity has moved them, or calendars)."""
    if output_format == "ics":
        ids = [a.id for d in decisions for a in d.actions]
        sequences = run.sequences(ids) if run is not None else {}
        cancelled = [CancelledEvent(a.id, a.account_id, a.rule, a.kind, a.title, a.due, a.owner or f"unassigned {a.owner_role}",
                                    a.sequence) for a in run.withdrawn_today()] if run is not None else []
        locales = {d.account_id: p.locale for d, p in zip(decisions, places, strict=True)}
        for name, text in ics_calendars(decisions, sequences=sequences, cancelled=cancelled, locales=locales).items():
            write_atomically(out / name, text)
        return
    with atomic_writer(out) as handle:
        rows = CsvRows(handle) if output_format == "csv" else None
        for decision, place in zip(decisions, places, strict=True):
            if rows is not None:
                rows.write(decision, place)
            else:
                handle.write(decision.model_dump_json() + "\n")
