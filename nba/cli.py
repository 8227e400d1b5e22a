"""The `nba` command line: evaluate snapshots; bad input exits 2 with one clear message, never a traceback."""

from __future__ import annotations

import argparse
import importlib.util
import contextlib
import datetime as dt
import json
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

# The command line loads no pydantic plugins (observability hooks for applications that use pydantic):
# looking for them scans every installed distribution, about 15 ms of each start. An explicit
# PYDANTIC_DISABLE_PLUGINS (even empty) is respected. Set before the models below are built.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

# Only what every command needs is imported here; each command imports its own machinery (the engine,
# pydantic's models, the holiday data), so `nba --help` and `nba --version` start in a few dozen ms.
from .calendar import pin_tz_database  # noqa: E402
from .errors import ExtraMissingError, InputError, NbaError  # noqa: E402
from .messages import english_count  # noqa: E402

if TYPE_CHECKING:
    from .capacity import CapacitySettings
    from .decision import Decision
    from .engine import Engine

EXIT_OK = 0
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # as shells report Ctrl-C
EXIT_TERMINATED = 143  # as shells report SIGTERM
EXIT_BROKEN_PIPE = 141  # as shells report SIGPIPE: the reader of our output (`| head`) stopped early


def parse_as_of(text: str | None) -> dt.datetime | None:
    """Parse --as-of as ISO 8601 (date, or date and time, with or without an offset)."""
    if text is None:
        return None
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not an ISO 8601 date or datetime, e.g. 2025-03-31T09:00:00+05:00") from None
    if not 1900 <= moment.year <= 2200:
        raise InputError(f"--as-of {text!r} is outside the years nba plans for (1900-2200); give the morning to plan")
    return moment


def load_engine(rules: str | None) -> Engine:
    """The engine for --rules (a folder or file of packs), or the shipped packs."""
    from .engine import Engine

    return Engine.from_path(rules) if rules else Engine.default()


def decision_json(decision: Decision) -> str:
    """The decision as stable, pretty JSON (byte-identical for identical inputs)."""
    return json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def cmd_evaluate(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba evaluate`: one snapshot in, one decision out."""
    from .inputs import load_snapshot
    from .table import decision_table

    snapshot = load_snapshot(Path(args.snapshot))
    as_of = parse_as_of(args.as_of)
    engine = load_engine(args.rules)
    decision = engine.evaluate(snapshot, as_of=as_of)
    account = snapshot.account
    stdout.write(decision_json(decision) if args.format == "json" else decision_table(decision, account.locale, account.name))
    return EXIT_OK


def cmd_explain(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba explain`: why each rule fired or not for one account, and what arbitration did."""
    from .inputs import load_snapshot

    snapshot = load_snapshot(Path(args.snapshot))
    engine = load_engine(args.rules)
    try:
        explanation = engine.explain(snapshot, as_of=parse_as_of(args.as_of), rule=args.rule)
    except KeyError as exc:
        raise InputError(f"--rule: {exc.args[0]}") from None
    if args.format == "json":
        stdout.write(json.dumps(_finite(explanation.model_dump(mode="json")), ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(explanation.text())
    return EXIT_OK


def _finite(value: object) -> object:
    """JSON has no infinity or NaN: such numbers become the strings "inf", "-inf", "nan" (valid JSON for any reader)."""
    if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_finite(v) for v in value]
    return value


def cmd_lint(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba lint`: every problem of the packs, as file:line:col: message (hint)."""
    from .tools.lint import lint

    paths = args.paths or [_default_rules()]
    problems = lint(paths)
    for problem in problems:
        stdout.write(f"{problem}\n")
    if problems:
        stdout.write(f"{english_count(len(problems), 'problem')} found\n")
        return EXIT_BAD_INPUT
    stdout.write(f"{', '.join(map(str, paths))}: no problems\n")
    return EXIT_OK


def cmd_test(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba test`: run the YAML scenario tests; exit codes like pytest (0 passed, 1 failed, 2 bad input, 5 none)."""
    from .tools.scenarios import run

    paths = args.paths or [_default_rules()]
    report = run(paths, rules=args.rules)
    for problem in report.problems:
        stdout.write(f"ERROR {problem}\n")
    for outcome in report.outcomes:
        stdout.write(f"{outcome.file}::{outcome.name} {'PASSED' if outcome.passed else 'FAILED'}\n")
    failed = [o for o in report.outcomes if not o.passed]
    if failed:
        stdout.write("\n=================================== FAILURES ===================================\n")
        for outcome in failed:
            stdout.write(f"___ {outcome.file}::{outcome.name} ___\n")
            for failure in outcome.failures:
                stdout.write(f"E   {failure}\n")
    passed = len(report.outcomes) - len(failed)
    if report.rule_count:
        covered = report.rule_count - len(report.uncovered)
        stdout.write(f"\nrule coverage: {covered}/{report.rule_count} rules exercised by a scenario\n")
        if report.uncovered:
            stdout.write("not exercised: " + ", ".join(report.uncovered) + "\n")
    parts = [f"{len(failed)} failed"] if failed else []
    parts.append(f"{passed} passed")
    if report.problems:
        parts.append(english_count(len(report.problems), "error"))
    stdout.write(f"{', '.join(parts)} in {report.seconds:.2f}s\n")
    if report.problems:
        return EXIT_BAD_INPUT
    if failed:
        return 1
    return EXIT_OK if report.outcomes else 5


def cmd_schema(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba schema`: the JSON Schema of snapshots, packs or scenario files."""
    from .tools.schema import schema_text

    stdout.write(schema_text(args.what))
    return EXIT_OK


def cmd_diff(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba diff`: which accounts gain or lose which actions between two sets of packs."""
    from .engine import Engine
    from .tools.diff import diff

    old, new = Engine.from_path(args.old), Engine.from_path(args.new)
    report = diff(old, new, Path(args.snapshots), parse_as_of(args.as_of))
    if args.format == "json":
        payload = {"accounts": [vars(a) for a in report.accounts], "errors": report.errors, "evaluated": report.total}
        stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for entry in report.accounts:
            stdout.write(f"{entry.account} ({entry.source})\n")
            stdout.writelines(f"  + {rule}\n" for rule in entry.gained)
            stdout.writelines(f"  - {rule}\n" for rule in entry.lost)
            stdout.writelines(f"  ~ {change}\n" for change in entry.changed)
        for error in report.errors:
            stdout.write(f"error: {error}\n")
        stdout.write(f"{len(report.accounts)} of {report.total} accounts change\n")
    return EXIT_OK


def cmd_timing(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba timing`: each rule's due policy, priority and caps, as a Markdown table."""
    from .tools.timing import timing_markdown

    stdout.write(timing_markdown(load_engine(args.rules)))
    return EXIT_OK


def cmd_signals(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba signals`: the signal catalogue, as a Markdown table."""
    stdout.write(signals_markdown())
    return EXIT_OK


def signals_markdown() -> str:
    """The signal catalogue as a Markdown table (docs/signals.md is this output)."""
    from .signals import CATALOGUE

    rows = ["| signal | type | unit | meaning |", "|---|---|---|---|"]
    for spec in CATALOGUE.values():
        meaning = spec.description + (f" (one of: {', '.join(spec.values)})" if spec.values else "")
        rows.append(f"| `{spec.name}` | {spec.type} | {spec.unit or '—'} | {meaning} |")
    return "\n".join(rows) + "\n"


def cmd_evaluate_portfolio(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba evaluate-portfolio`: every account of a book, bad records reported by line, output written whole."""
    from .portfolio import run_portfolio

    if args.format == "ics" and importlib.util.find_spec("icalendar") is None:  # before the work, not after it
        raise ExtraMissingError("--format ics needs icalendar: pip install 'nba[ics]'")
    _refuse_to_overwrite_inputs(args, {"--out": Path(args.out) if args.format != "ics" else None,
                                       "--changes": Path(args.changes) if args.changes else None})
    engine = load_engine(args.rules)
    as_of = parse_as_of(args.as_of) or dt.datetime.now(dt.timezone.utc)
    capacity = _load_capacity(args.capacity) if args.capacity else None
    progress = _Progress(sys.stderr)
    out = Path(args.out)
    start = time.perf_counter()

    def skipped(error: str) -> None:
        sys.stderr.write(f"{progress.clear()}nba: skipped {error}\n")

    with contextlib.ExitStack() as stack:
        ledger = None
        if args.ledger:
            from .ledger import Ledger

            ledger = stack.enter_context(Ledger(args.ledger, wait_seconds=args.ledger_wait))
        summary = run_portfolio(engine, Path(args.snapshots), as_of, out=out, output_format=args.format,
                                workers=args.workers, capacity=capacity, ledger=ledger,
                                changes=Path(args.changes) if args.changes else None,
                                on_error=skipped, on_progress=progress.tick)
    seconds = time.perf_counter() - start
    sys.stderr.write(progress.clear())
    errors = len(summary.errors)
    line = (f"evaluated {english_count(summary.accounts, 'account')} ({english_count(summary.actions, 'action')}) "
            f"in {seconds:.1f}s")
    if summary.unassigned:
        line += f"; {english_count(summary.unassigned, 'action')} with no owner (nobody on the team has the role)"
    if args.ledger or args.changes:
        line += "; changes: " + ", ".join(f"{summary.changes.get(k, 0)} {k}d" for k in ("create", "update", "close"))
    if errors:
        line += f"; {english_count(errors, 'bad record')} skipped"
    # Decisions or changes sent to standard output (--out /dev/stdout) keep it for themselves: a reader (jq, a
    # CRM import) must not find the summary as a last line. The summary then goes where messages go.
    data_on_stdout = _is_stdout(out, stdout) or (args.changes is not None and _is_stdout(Path(args.changes), stdout))
    (sys.stderr if data_on_stdout else stdout).write(line + f"; wrote {out}\n")
    return EXIT_BAD_INPUT if errors else EXIT_OK


def _refuse_to_overwrite_inputs(args: argparse.Namespace, outputs: dict[str, Path | None]) -> None:
    """Exit 2 before any work when an output option names a file the command reads (the book, the ledger, the
    capacity file, a rule pack) or another output's file."""
    from .inputs import snapshot_files
    from .output import refuse_to_overwrite
    from .packs.loader import pack_files

    inputs: dict[str, list[Path]] = {"the book": snapshot_files(Path(args.snapshots))}
    if getattr(args, "ledger", None):
        inputs["the ledger"] = [Path(args.ledger)]
    if getattr(args, "capacity", None):
        inputs["the capacity file"] = [Path(args.capacity)]
    if args.rules:
        try:
            inputs["a rule pack"] = pack_files([Path(args.rules)])
        except OSError:  # a folder that cannot be listed: loading the packs says so
            pass
    refuse_to_overwrite(outputs, inputs)


def _is_stdout(path: Path, stdout: TextIO) -> bool:
    """Whether `path` names this process's standard output (`-`, /dev/stdout, /dev/fd/1, a link to one of them)."""
    from .output import open_descriptor

    try:
        return open_descriptor(path) == stdout.fileno()
    except (OSError, ValueError, AttributeError):  # a stdout with no descriptor (io.StringIO), or closed
        return False


def _load_capacity(path: str) -> CapacitySettings:
    """The capacity file, read with the pack loader's safeguards; errors located and in plain words."""
    from .capacity import CapacitySettings
    from .packs.loader import load_yaml_model

    return load_yaml_model(Path(path), CapacitySettings, what="capacity file")


def cmd_ledger(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba ledger`: list open and overdue actions, close one with an outcome, import a CRM's status updates."""
    from .ledger import Ledger

    from zoneinfo import ZoneInfo

    with Ledger(args.ledger) as ledger:
        if args.ledger_command == "close":
            found = ledger.get(args.id)
            at = parse_as_of(args.at) or dt.datetime.now(dt.timezone.utc)
            if at.tzinfo is None:  # the account's local time, as everywhere else; UTC for an id the ledger lacks
                at = at.replace(tzinfo=ZoneInfo(found.timezone) if found is not None else dt.timezone.utc)
            action = ledger.close_action(args.id, outcome=args.outcome, at=at)
            stdout.write(f"{action.id} {action.status} ({action.outcome}): {action.title}\n")
            return EXIT_OK
        if args.ledger_command == "import":
            changed = ledger.import_csv(args.csv)
            stdout.write(f"{english_count(changed, 'action')} updated from {args.csv}\n")
            return EXIT_OK
        from .lifecycle import aware

        now = _ledger_now(args.as_of, ledger.last_as_of)
        rows = ledger.actions(owner=args.owner)
        late = {r.id for r in rows if r.due < aware(now, ZoneInfo(r.timezone))}  # naive now: each account's wall time
        if args.overdue:
            rows = [r for r in rows if r.id in late]
        if args.format == "json":
            payload = [{**{k: getattr(r, k) for k in ("id", "account_id", "account_name", "rule", "kind", "title", "owner",
                                                         "owner_role", "contact_id", "status", "sequence")},
                        "due": r.due.isoformat(), "issued_at": r.issued_at.isoformat(), "overdue": r.id in late}
                       for r in rows]
            stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
            return EXIT_OK
        if not rows:
            stdout.write("no open actions\n")
        owner: str | None = "\x00"
        for r in rows:
            if r.owner != owner:
                owner = r.owner
                stdout.write(f"{owner or 'unassigned'}:\n")
            flag = "OVERDUE " if r.id in late else ""
            stdout.write(f"  {flag}{r.due:%Y-%m-%d %H:%M %z}  {r.id}  {r.kind:<10} {r.account_name or r.account_id}: {r.title}\n")
        return EXIT_OK


def _ledger_now(text: str | None, last_as_of: dt.datetime | None) -> dt.datetime:
    """The moment the ledger's views judge dues by: --as-of, else the last run's as-of as it was given, else now.
    Naive is each account's local time, as for `evaluate-portfolio`."""
    return parse_as_of(text) or last_as_of or dt.datetime.now(dt.timezone.utc)


def cmd_brief(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba brief`: what each person must do today, from the ledger."""
    from .brief import morning_brief
    from .ledger import Ledger

    if not Path(args.ledger).is_file():
        raise InputError(f"{args.ledger}: no such ledger; run `nba evaluate-portfolio BOOK --ledger {args.ledger}` first")
    with Ledger(args.ledger) as ledger:
        as_of = _ledger_now(args.as_of, ledger.last_as_of)
        text = morning_brief(ledger.actions(owner=args.owner), as_of, last_run=ledger.last_run, fmt=args.format)
    stdout.write(text)
    return EXIT_OK


def cmd_report(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba report`: portfolio metrics as a table or JSON, and a chart of risk by renewal month."""
    from .inputs import read_portfolio
    from .output import write_atomically
    from .report import PortfolioReport

    if args.chart:
        _refuse_to_overwrite_inputs(args, {"--chart": Path(args.chart)})
    if args.currency and (not args.chart or args.chart_by != "value"):  # said, and it would change nothing
        raise InputError("--currency picks the currency of a value chart: use it with --chart FILE.svg --chart-by value")
    engine = load_engine(args.rules)
    as_of = parse_as_of(args.as_of) or dt.datetime.now(dt.timezone.utc)
    report = PortfolioReport(as_of=as_of.date())  # the accounts' own dates replace it; an empty book keeps it
    errors = 0
    for record in read_portfolio(Path(args.snapshots)):
        if record.snapshot is None:
            errors += 1
            sys.stderr.write(f"nba: skipped {record.error}\n")
            continue
        report.add(record.snapshot, engine.evaluate(record.snapshot, as_of=as_of))
    if args.chart:
        write_atomically(Path(args.chart), report.chart_svg(args.chart_by, args.currency))
    if args.format == "json":
        stdout.write(json.dumps(report.metrics(), ensure_ascii=False, indent=2) + "\n")
    else:
        stdout.write(report.table())
    return EXIT_BAD_INPUT if errors else EXIT_OK


class _Progress:
    """A one-line progress counter on a terminal; silent when the stream is not a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._on = stream.isatty()
        self._start = self._last = time.perf_counter()

    def tick(self, count: int) -> None:
        """Show `count` accounts done, at most five times a second."""
        now = time.perf_counter()
        if self._on and now - self._last >= 0.2:
            self._last = now
            self._stream.write(f"\r{count:,} accounts evaluated, {count / (now - self._start):,.0f}/s")
            self._stream.flush()

    def clear(self) -> str:
        """The text that clears the progress line (empty when not on a terminal)."""
        return "\r\x1b[K" if self._on else ""


def _default_rules() -> str:
    """`rules` in the current folder when there is one, else the shipped packs."""
    from .engine import default_rules_path

    return "rules" if Path("rules").is_dir() else str(default_rules_path())


def _workers(text: str) -> int:
    """--workers: a whole number from 1 to 64 (more processes than that only fight for the cores)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= 64:
        raise argparse.ArgumentTypeError(f"{value} is not between 1 and 64")
    return value


class _ArgumentParser(argparse.ArgumentParser):
    """argparse that reports usage errors with exit status 2 and no traceback (as argparse does), to stderr."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"nba: error: {message}\n")


class _Versions(argparse.Action):
    """`--version`: nba's release and the data releases its decisions are reproducible against."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        import platform
        from importlib.metadata import version

        from .calendar import tz_database
        sys.stdout.write(f"nba {version('nba')}\nholidays {version('holidays')}\ntime zones {tz_database()}\n"
                         f"python {platform.python_version()}\n")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `nba` command."""
    parser = _ArgumentParser(prog="nba", description="Next-Best-Action engine for customer-success and renewal teams.")
    parser.add_argument("--version", action=_Versions,
                        help="print the versions of nba, its holiday data and time-zone database, and exit")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_ArgumentParser)
    ev = sub.add_parser("evaluate", help="evaluate one account snapshot and print the decision")
    ev.add_argument("snapshot", help="account snapshot, a JSON file (- reads standard input)")
    ev.add_argument("--rules", help="folder (or file) of rule packs; default: the shipped packs")
    ev.add_argument("--as-of", help="ISO 8601 moment to evaluate at; naive = the account's local time; default: now")
    ev.add_argument("--format", choices=("json", "table"), default="json", help="output format (default: json)")
    ev.set_defaults(handler=cmd_evaluate)

    ex = sub.add_parser("explain", help="explain, for one account, why each rule fired or not")
    ex.add_argument("snapshot", help="account snapshot, a JSON file (- reads standard input)")
    ex.add_argument("--rules", help="folder (or file) of rule packs; default: the shipped packs")
    ex.add_argument("--as-of", help="ISO 8601 moment; naive = the account's local time; default: now")
    ex.add_argument("--rule", help="explain only this rule (pack/rule)")
    ex.add_argument("--format", choices=("text", "json"), default="text")
    ex.set_defaults(handler=cmd_explain)

    li = sub.add_parser("lint", help="check packs without a snapshot; every problem as file:line:col")
    li.add_argument("paths", nargs="*", help="pack files or folders; default: ./rules, else the shipped packs")
    li.set_defaults(handler=cmd_lint)

    te = sub.add_parser("test", help="run the YAML scenario tests (*.test.yaml) next to the packs")
    te.add_argument("paths", nargs="*", help="scenario files or folders; default: ./rules, else the shipped packs")
    te.add_argument("--rules", help="packs to test against; default: each scenario file's own folder")
    te.set_defaults(handler=cmd_test)

    sc = sub.add_parser("schema", help="print the JSON Schema of snapshots, packs, scenario files or decisions")
    sc.add_argument("what", choices=("snapshot", "pack", "scenario", "decision"))
    sc.set_defaults(handler=cmd_schema)

    di = sub.add_parser("diff", help="which accounts gain or lose which actions between two sets of packs")
    di.add_argument("old", help="the packs as they are")
    di.add_argument("new", help="the packs as they would be")
    di.add_argument("--snapshots", required=True, help="a folder of *.json, a .jsonl file, or one .json file; "
                    "- reads JSON Lines from standard input")
    di.add_argument("--as-of", help="ISO 8601 moment; default: now")
    di.add_argument("--format", choices=("table", "json"), default="table")
    di.set_defaults(handler=cmd_diff)

    ep = sub.add_parser("evaluate-portfolio", help="evaluate a whole book of accounts into JSONL, CSV or iCalendar")
    ep.add_argument("snapshots", help="a .jsonl file (one snapshot a line), a folder of *.json, or one .json file; "
                    "- (or a pipe) reads JSON Lines from standard input")
    ep.add_argument("--as-of", help="ISO 8601 moment; default: now")
    ep.add_argument("--out", required=True, help="output file (jsonl, csv; - for standard output) or folder (ics: one "
                    "calendar per owner)")
    ep.add_argument("--format", choices=("jsonl", "csv", "ics"), default="jsonl")
    ep.add_argument("--rules", help="folder (or file) of rule packs; default: the shipped packs")
    ep.add_argument("--workers", type=_workers, default=1, help="worker processes, 1 to 64 (default 1)")
    ep.add_argument("--capacity", help="YAML file of daily call and meeting capacity per owner")
    ep.add_argument("--ledger", help="SQLite ledger file: read each account's action history from it and record "
                    "what this run issued, changed and withdrew (created when missing)")
    ep.add_argument("--ledger-wait", type=float, default=10.0, metavar="SECONDS",
                    help="how long to wait for another run holding the ledger before refusing (default 10)")
    ep.add_argument("--changes", help="write the run's changes (create, update, close) as JSON Lines to this file")
    ep.set_defaults(handler=cmd_evaluate_portfolio)

    rp = sub.add_parser("report", help="portfolio metrics: renewal rate, at-risk pipeline, GRR/NRR, risk, workload")
    rp.add_argument("snapshots", help="a .jsonl file, a folder of *.json, or one .json file; - reads JSON Lines "
                    "from standard input")
    rp.add_argument("--as-of", help="ISO 8601 moment; default: now")
    rp.add_argument("--rules", help="folder (or file) of rule packs; default: the shipped packs")
    rp.add_argument("--format", choices=("table", "json"), default="table")
    rp.add_argument("--chart", help="write an SVG chart of the pipeline's risk by renewal month")
    rp.add_argument("--chart-by", choices=("accounts", "value"), default="accounts",
                    help="count accounts, or sum their annual contract value (the value at risk); default: accounts")
    rp.add_argument("--currency", help="with --chart-by value: the currency to chart (default: the one with the most value)")
    rp.set_defaults(handler=cmd_report)

    le = sub.add_parser("ledger", help="the action ledger: list open actions, close one, import a CRM's updates")
    le.add_argument("ledger", help="the ledger file (SQLite)")
    lsub = le.add_subparsers(dest="ledger_command", required=True, parser_class=_ArgumentParser,
                            prog="nba ledger LEDGER")  # not "nba ledger ledger": the file comes first
    ll = lsub.add_parser("list", help="open actions per owner, overdue ones flagged")
    ll.add_argument("--owner", help="only this owner's actions")
    ll.add_argument("--overdue", action="store_true", help="only overdue actions")
    ll.add_argument("--as-of", help="ISO 8601 moment that decides what is overdue; naive = each account's local time; "
                    "default: the ledger's last run")
    ll.add_argument("--format", choices=("table", "json"), default="table")
    lc = lsub.add_parser("close", help="record what became of an action")
    lc.add_argument("id", help="the action's id")
    lc.add_argument("--outcome", required=True, choices=("accepted", "declined", "no_answer", "not_relevant"),
                    help="declined and not_relevant dismiss it; accepted and no_answer mark it done")
    lc.add_argument("--at", help="when (ISO 8601; naive = the account's local time); default: now")
    li2 = lsub.add_parser("import", help="apply status updates exported from a CRM (CSV: id,status,outcome,closed_at)")
    li2.add_argument("csv", help="the CSV file")
    le.set_defaults(handler=cmd_ledger)

    br = sub.add_parser("brief", help="what each person must do today: overdue, today's and new actions, from the ledger")
    br.add_argument("--ledger", required=True, help="the ledger file")
    br.add_argument("--owner", help="only this person's brief")
    br.add_argument("--as-of", help="ISO 8601 moment; naive = each account's local time; default: the ledger's last run")
    br.add_argument("--format", choices=("text", "markdown"), default="text")
    br.set_defaults(handler=cmd_brief)

    ti = sub.add_parser("timing", help="how each rule decides when its action is due and how urgent it is (Markdown)")
    ti.add_argument("--rules", help="folder (or file) of rule packs; default: the shipped packs")
    ti.set_defaults(handler=cmd_timing)

    si = sub.add_parser("signals", help="print the signal catalogue (Markdown)")
    si.set_defaults(handler=cmd_signals)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 bad input)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    pin_tz_database()  # the same dues on every host: the pinned tzdata, not the host's files
    args = build_parser().parse_args(argv)
    restore = _on_sigterm()
    try:
        return int(args.handler(args, out))
    except Terminated:
        err.write("nba: terminated\n")
        return EXIT_TERMINATED
    except NbaError as exc:
        err.write(f"nba: {exc}\n")
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        err.write("nba: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `nba … --out - | head`: the reader has what it wanted; as Unix tools do, end quietly
        _detach_stdout(out)
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # the file system said no: a read-only folder, a full disk, a path that is a file
        where = f"{exc.filename}: " if exc.filename else ""
        err.write(f"nba: {where}{exc.strerror or exc}\n")
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 - the promise is one clear line, never a traceback
        if os.environ.get("NBA_DEBUG"):
            raise
        err.write(f"nba: internal error ({type(exc).__name__}: {exc}). "
                  "Run again with NBA_DEBUG=1 to see where, and please report it\n")
        return EXIT_BAD_INPUT
    finally:
        restore()


def _detach_stdout(stdout: TextIO) -> None:
    """Point a closed pipe's standard output at /dev/null, so that flushing it at exit raises nothing more."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # a stdout with no descriptor (io.StringIO): nothing to flush there
        pass


class Terminated(BaseException):
    """SIGTERM arrived: raised where the program is, so temporary files and the ledger's transaction are undone."""


def _on_sigterm() -> Callable[[], None]:
    """Turn SIGTERM into `Terminated` (in the main thread only); returns what puts the previous handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def stop(signum: int, frame: FrameType | None) -> None:
        raise Terminated

    previous = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, stop)

    def restore() -> None:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)

    return restore


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
