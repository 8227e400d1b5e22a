"""The `nba` command line: evaluate snapshots; bad input exits 2 with one clear message, never a traceback."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn, TextIO

from pydantic import ValidationError

from .decision import Decision
from .engine import Engine
from .errors import InputError, NbaError
from .snapshot import AccountSnapshot

EXIT_OK = 0
EXIT_BAD_INPUT = 2


def read_json(path: Path) -> Any:
    """Read a JSON file; raises `InputError` naming the file (and line and column) on any problem."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a JSON file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{path}: invalid JSON: nested too deeply") from None


def describe_validation(source: str, exc: ValidationError) -> str:
    """One paragraph listing every invalid field of a snapshot by its path."""
    lines = [f"{source}: the snapshot is invalid ({exc.error_count()} problem{'s' if exc.error_count() != 1 else ''}):"]
    for error in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in error["loc"]) or "(top)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field; remove it or check its spelling against the snapshot format"
        elif error["type"] == "missing":
            message = "missing required field"
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)


def load_snapshot(path: Path) -> AccountSnapshot:
    """Read and validate one snapshot file; raises `InputError` with every problem located."""
    data = read_json(path)
    try:
        return AccountSnapshot.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation(str(path), exc)) from None


def parse_as_of(text: str | None) -> dt.datetime | None:
    """Parse --as-of as ISO 8601 (date, or date and time, with or without an offset)."""
    if text is None:
        return None
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"--as-of {text!r} is not an ISO 8601 date or datetime, e.g. 2025-03-31T09:00:00+05:00") from None


def load_engine(rules: str | None) -> Engine:
    """The engine for --rules (a folder or file of packs), or the shipped packs."""
    return Engine.from_path(rules) if rules else Engine.default()


def decision_json(decision: Decision) -> str:
    """The decision as stable, pretty JSON (byte-identical for identical inputs)."""
    return json.dumps(decision.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def decision_table(decision: Decision) -> str:
    """The decision as a table for people."""
    out: list[str] = []
    as_of = decision.as_of
    out.append(f"Account {decision.account_id} as of {as_of:%Y-%m-%d %H:%M} ({as_of:%z})")
    risk = decision.risk
    reasons = "; ".join(risk.explanations) if risk.reasons else "no risk measure fired"
    out.append(f"Risk:     {risk.level} (score {risk.score:g}) — {reasons}")
    ren = decision.renewal
    out.append(f"Renewal:  {ren.stage}, {ren.days_left} days left (ends {ren.end_date}"
               + (f", sign by {ren.deadline}" if ren.deadline else "") + ")")
    if decision.discount is not None:
        d = decision.discount
        offers = "; ".join(f"{o.percent:g}% {o.condition}" + (f" by {o.deadline}" if o.deadline else "") for o in d.offers)
        approval = f", approval: {d.approval_role}" if d.approval_role else ""
        out.append(f"Discount: {d.requested_percent:g}% asked → {d.outcome}" + (f": {offers}" if offers else "") + approval)
    out.append("")
    if not decision.actions:
        out.append("No actions.")
    rows = [("#", "due", "kind", "owner", "contact", "pri", "rule")]
    for i, a in enumerate(decision.actions, 1):
        owner = f"{a.owner_role}" + (f" ({a.owner})" if a.owner else "")
        contact = (a.contact.name or a.contact.id) if a.contact else "—"
        rows.append((str(i), a.due.strftime("%a %Y-%m-%d %H:%M"), a.kind, owner, contact, str(a.priority), a.rule))
    if decision.actions:
        widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
        for n, row in enumerate(rows):
            out.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
            if n > 0:
                action = decision.actions[n - 1]
                out.append(f"     {action.text}")
                out.append(f"     why: {'; '.join(action.reasons)}")
                if action.merged_rules:
                    out.append(f"     merged: {', '.join(action.merged_rules)}")
                for note in action.notes:
                    out.append(f"     note: {note}")
    for s in decision.suppressed:
        out.append(f"suppressed {s.rule}: {s.reason}")
    return "\n".join(out) + "\n"


def cmd_evaluate(args: argparse.Namespace, stdout: TextIO) -> int:
    """`nba evaluate`: one snapshot in, one decision out."""
    snapshot = load_snapshot(Path(args.snapshot))
    as_of = parse_as_of(args.as_of)
    engine = load_engine(args.rules)
    decision = engine.evaluate(snapshot, as_of=as_of)
    stdout.write(decision_json(decision) if args.format == "json" else decision_table(decision))
    return EXIT_OK


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with exit status 2 and no traceback (as argparse does), to stderr."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"nba: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the `nba` command."""
    parser = _Parser(prog="nba", description="Next-Best-Action engine for customer-success and renewal teams.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ev = sub.add_parser("evaluate", help="evaluate one account snapshot and print the decision")
    ev.add_argument("snapshot", help="account snapshot, a JSON file")
    ev.add_argument("--rules", help="folder (or file) of rule packs; default: the shipped packs")
    ev.add_argument("--as-of", help="ISO 8601 moment to evaluate at; naive = the account's local time; default: now")
    ev.add_argument("--format", choices=("json", "table"), default="json", help="output format (default: json)")
    ev.set_defaults(handler=cmd_evaluate)
    return parser


def main(argv: Sequence[str] | None = None, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (0 success, 2 bad input)."""
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args, out))
    except NbaError as exc:
        err.write(f"nba: {exc}\n")
        return EXIT_BAD_INPUT


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
