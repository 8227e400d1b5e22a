"""The ledger: an embedded record of every action issued and what became of it, in one SQLite file.

For teams without a CRM pipeline to keep the action history for them. A morning run reads each
account's history from the ledger, evaluates, and records what changed, all in one transaction:
a run killed at any point leaves the ledger exactly as it was, and a second run waits for the first
or refuses with a clear message. The schema carries a version (`PRAGMA user_version`) and migrates
forward when an older ledger is opened.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .decision import Decision, NextAction
from .errors import InputError, UsageError
from .snapshot import HistoryEntry
from .vocab import HISTORY_STATUSES, OUTCOMES

#: The schema version this nba writes; older ledgers are migrated forward when opened.
SCHEMA_VERSION = 1

_MIGRATIONS: Mapping[int, str] = {
    # 0 -> 1: the first schema.
    0: """
    CREATE TABLE actions (
        id TEXT PRIMARY KEY,
        account_id TEXT NOT NULL,
        account_name TEXT,
        rule TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        text TEXT NOT NULL,
        due TEXT NOT NULL,
        timezone TEXT NOT NULL,
        locale TEXT NOT NULL,
        owner TEXT,
        owner_role TEXT NOT NULL,
        contact_id TEXT,
        contact_name TEXT,
        priority INTEGER NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('open', 'done', 'dismissed', 'withdrawn')),
        outcome TEXT,
        reason TEXT,
        issued_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed_at TEXT,
        sequence INTEGER NOT NULL DEFAULT 0,
        merged TEXT NOT NULL DEFAULT '[]'
    );
    CREATE INDEX actions_by_account ON actions (account_id);
    CREATE INDEX actions_by_owner ON actions (status, owner);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
}

_COLUMNS = ("id", "account_id", "account_name", "rule", "kind", "title", "text", "due", "timezone", "locale", "owner",
            "owner_role", "contact_id", "contact_name", "priority", "status", "outcome", "reason", "issued_at",
            "updated_at", "closed_at", "sequence", "merged")
_SELECT = f"SELECT {','.join(_COLUMNS)} FROM actions"
#: What makes an open action "changed" for a CRM or a calendar: an update is sent when one of these differs.
_TRACKED = ("kind", "title", "text", "due", "owner", "owner_role", "contact_id")


class LedgerError(InputError):
    """The ledger cannot be used: busy with another run, made by a newer nba, or not a ledger."""


class Change(BaseModel):
    """One change of a run, as a CRM or a calendar syncs it: an action created, updated, or closed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    change: Literal["create", "update", "close"]
    id: str
    account_id: str
    rule: str
    sequence: int = Field(ge=0, description="grows each time the action changes (iCalendar SEQUENCE)")
    fields: list[str] = Field(default_factory=list, description="for an update: what changed")
    reason: str | None = Field(default=None, description="for a close: why the situation is over")
    action: NextAction | None = Field(default=None, description="for a create or update: the action as it now is")


@dataclass(frozen=True, slots=True)
class LedgerAction:
    """One row of the ledger: an action as issued, with its status."""

    id: str
    account_id: str
    account_name: str | None
    rule: str
    kind: str
    title: str
    text: str
    due: dt.datetime
    timezone: str
    locale: str
    owner: str | None
    owner_role: str
    contact_id: str | None
    contact_name: str | None
    priority: int
    status: str
    outcome: str | None
    reason: str | None
    issued_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    sequence: int
    merged: str  # JSON: [[id, rule], ...] of the topics merged into it, which share its fate

    @classmethod
    def _of(cls, row: sqlite3.Row) -> LedgerAction:
        values = dict(zip(_COLUMNS, row, strict=True))
        for name in ("due", "issued_at", "updated_at", "closed_at"):
            if values[name] is not None:
                values[name] = dt.datetime.fromisoformat(values[name])
        return cls(**values)


#: The columns `_history_entries` reads, in its order (a morning run reads only these for every account).
_HISTORY_COLUMNS = ("id", "rule", "status", "contact_id", "issued_at", "due", "closed_at", "outcome", "merged")


def _history_entries(ident: str, rule: str, status: str, contact_id: str | None, issued_at: dt.datetime | str,
                     due: dt.datetime | str, closed_at: dt.datetime | str | None, outcome: str | None,
                     merged: str) -> list[HistoryEntry]:
    """One ledger row as `action_history` entries (times as stored, ISO text, or as datetimes): the action, and once
    it is closed, the topics merged into it, which share its fate."""
    entries = [HistoryEntry.model_validate({"id": ident, "rule": rule, "status": status, "contact_id": contact_id,
                                            "issued_at": issued_at, "due": due, "closed_at": closed_at, "outcome": outcome})]
    if status in ("done", "dismissed"):
        entries += [HistoryEntry.model_validate({"id": topic, "rule": topic_rule, "status": status, "contact_id": contact_id,
                                                 "issued_at": issued_at, "closed_at": closed_at, "outcome": outcome})
                    for topic, topic_rule in json.loads(merged)]
    return entries


def _busy(exc: sqlite3.Error) -> bool:
    """Whether SQLite gave up waiting for a lock another connection holds."""
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc))


class Ledger:
    """One ledger file; open it, then `run()` a morning's evaluation or query and close actions."""

    def __init__(self, path: str | Path, *, wait_seconds: float = 10.0) -> None:
        self.path = Path(path)
        if self.path.exists() and not self.path.is_file():
            raise LedgerError(f"{self.path}: is not a file; give the path of a ledger file such as ledger.sqlite")
        try:
            self._db = sqlite3.connect(self.path, timeout=wait_seconds, isolation_level=None)
            self._db.execute("PRAGMA foreign_keys = ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            if _busy(exc):  # a ledger another run holds: it is one, and waiting is the answer
                raise LedgerError(self._in_use()) from None
            raise LedgerError(f"{self.path}: not an nba ledger ({exc}); give a new file name or the ledger's path") from None

    def _in_use(self) -> str:
        """What to say when another process holds the ledger's lock past the wait."""
        return f"{self.path}: another run is writing to this ledger; try again when it has finished"

    def close(self) -> None:
        """Close the file."""
        self._db.close()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema --------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        if int(self._db.execute("PRAGMA user_version").fetchone()[0]) == SCHEMA_VERSION:
            return
        with self._transaction():
            version = int(self._db.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise LedgerError(f"{self.path}: written by a newer nba (schema {version}, this nba knows {SCHEMA_VERSION}); "
                                  "upgrade nba to use it")
            if version == 0 and self._db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                raise LedgerError(f"{self.path}: an SQLite database, but not an nba ledger; give another file name")
            while version < SCHEMA_VERSION:
                for statement in _MIGRATIONS[version].split(";"):  # not executescript: it would commit first
                    if statement.strip():
                        self._db.execute(statement)
                version += 1
                self._db.execute(f"PRAGMA user_version = {version}")

    @property
    def schema_version(self) -> int:
        """The schema version of the file."""
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if _busy(exc):
                raise LedgerError(self._in_use()) from None
            raise
        try:
            yield
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- a morning run -------------------------------------------------------------------------------
    @contextmanager
    def run(self, as_of: dt.datetime, *, wall_time: dt.datetime | None = None) -> Iterator[LedgerRun]:
        """One run as one transaction: committed when the block ends, rolled back if it raises (or the process dies).

        `as_of` (aware) stamps what the run records. `wall_time` is the run's as-of when it was given as each
        account's local time (naive, as `evaluate-portfolio --as-of 2025-03-31T09:00`): `last_as_of` keeps it,
        so that the brief judges 10:00 in Almaty by 09:00 in Almaty, not by 09:00 UTC.
        """
        if as_of.tzinfo is None:
            raise UsageError("a ledger run needs an aware as_of")
        if wall_time is not None and wall_time.tzinfo is not None:
            raise UsageError("a ledger run's wall_time is a local time: naive")
        with self._transaction():
            run = LedgerRun(self._db, as_of)
            yield run
            self._set_meta("last_run", as_of.isoformat())
            self._set_meta("last_run_wall_time", wall_time.isoformat() if wall_time is not None else None)

    def _set_meta(self, key: str, value: str | None) -> None:
        """Set (or, with None, remove) a meta value; an unchanged one is not written again."""
        if value is None:
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))
            return
        self._db.execute("INSERT INTO meta (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value != excluded.value", (key, value))

    # -- queries and updates -------------------------------------------------------------------------
    def actions(self, *, owner: str | None = None, statuses: Sequence[str] = ("open",)) -> list[LedgerAction]:
        """Actions with one of `statuses` (all owners, or one), by owner, then due."""
        marks = ",".join("?" for _ in statuses)
        query = f"{_SELECT} WHERE status IN ({marks})"
        params: list[object] = list(statuses)
        if owner is not None:
            query += " AND owner = ?"
            params.append(owner)
        rows = [LedgerAction._of(r) for r in self._db.execute(query, params)]
        rows.sort(key=lambda a: (a.owner or "", a.due, a.account_id, a.id))
        return rows

    def get(self, action_id: str) -> LedgerAction | None:
        """One action by id."""
        return _get(self._db, action_id)

    @property
    def last_run(self) -> dt.datetime | None:
        """The as-of of the last committed run, if any, as it stamped what it recorded (aware)."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'last_run'").fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else None

    @property
    def last_as_of(self) -> dt.datetime | None:
        """The last committed run's as-of as it was given: naive when it was each account's local time."""
        row = self._db.execute("SELECT value FROM meta WHERE key = 'last_run_wall_time'").fetchone()
        return dt.datetime.fromisoformat(row[0]) if row else self.last_run

    def close_action(self, action_id: str, *, outcome: str, at: dt.datetime, status: str | None = None) -> LedgerAction:
        """Record what became of an action: done (accepted, no_answer) or dismissed (declined, not_relevant)."""
        status = status or _status_for(outcome)
        _check_closing(status, outcome, f"action {action_id}")
        with self._transaction():
            found = self._update_closed(action_id, status, outcome, at)
        if not found:
            raise LedgerError(f"{self.path}: no action {action_id!r} in the ledger; `nba ledger list` shows the open ones")
        result = self.get(action_id)
        assert result is not None
        return result

    def import_csv(self, path: str | Path) -> int:
        """Apply status updates exported from a CRM: a CSV with columns id, status, outcome, closed_at.

        All rows or none: any bad row raises `LedgerError` naming its line, and nothing is changed.
        Returns how many actions changed.
        """
        source = Path(path)
        try:
            text = source.read_bytes().decode("utf-8-sig")
        except OSError as exc:
            raise LedgerError(f"{source}: cannot read the file: {exc.strerror or exc}") from None
        except UnicodeDecodeError as exc:
            raise LedgerError(f"{source}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
        lines = text.splitlines()
        reader = csv.DictReader(lines, strict=True)  # an open or stray quote is an error, not a row that eats the rest
        rows: list[tuple[int, dict[str, str | None]]] = []
        try:
            for row in reader:
                rows.append((reader.line_num, row))  # the line the row ends on
        except csv.Error as exc:  # a field over the csv module's limit (128 KiB), an open quote
            line = min(reader.line_num + 1, max(len(lines), 1))  # the line being read when it failed
            hint = ("export only the columns id, status, outcome and closed_at" if "field limit" in str(exc)
                    else "check the quotes on that line")
            raise LedgerError(f"{source}:{line}: not CSV the ledger can read ({exc}); {hint}") from None
        missing = {"id", "status"} - set(reader.fieldnames or ())
        if missing:
            raise LedgerError(f"{source}:1: the header needs the columns id and status (also outcome, closed_at); "
                              f"missing: {', '.join(sorted(missing))}")
        updates: list[tuple[int, str, str, str | None, dt.datetime]] = []
        for number, row in rows:
            ident = (row.get("id") or "").strip()
            status = (row.get("status") or "").strip()
            outcome = (row.get("outcome") or "").strip() or None
            when = (row.get("closed_at") or "").strip()
            where = f"{source}:{number}"
            if not ident:
                raise LedgerError(f"{where}: empty id")
            if status not in HISTORY_STATUSES or status == "withdrawn":
                raise LedgerError(f"{where}: status {status!r} must be one of open, done, dismissed")
            if outcome is not None and outcome not in OUTCOMES:
                raise LedgerError(f"{where}: outcome {outcome!r} must be one of {', '.join(OUTCOMES)}")
            try:
                closed = dt.datetime.fromisoformat(when) if when else dt.datetime.now(dt.timezone.utc)
            except ValueError:
                raise LedgerError(f"{where}: closed_at {when!r} is not an ISO 8601 date or datetime") from None
            updates.append((number, ident, status, outcome, closed))
        changed = 0
        with self._transaction():
            for number, ident, status, outcome, closed in updates:
                current = self.get(ident)
                if current is None:
                    raise LedgerError(f"{source}:{number}: no action {ident!r} in the ledger")
                if (current.status, current.outcome) == (status, outcome):
                    continue
                if status == "open":
                    self._db.execute("UPDATE actions SET status = 'open', outcome = NULL, closed_at = NULL, "
                                     "updated_at = ? WHERE id = ?", (_iso(closed), ident))
                else:
                    self._update_closed(ident, status, outcome, closed)
                changed += 1
        return changed

    def _update_closed(self, action_id: str, status: str, outcome: str | None, at: dt.datetime) -> bool:
        cursor = self._db.execute("UPDATE actions SET status = ?, outcome = ?, closed_at = ?, updated_at = ? WHERE id = ?",
                                  (status, outcome, _iso(at), _iso(at), action_id))
        return cursor.rowcount > 0


class LedgerRun:
    """One run inside its transaction: histories to read, decisions to record, and the changes so far."""

    def __init__(self, db: sqlite3.Connection, as_of: dt.datetime) -> None:
        self._db = db
        self.as_of = as_of
        self.changes: list[Change] = []

    def history(self, account_id: str) -> list[HistoryEntry]:
        """The account's action history as the ledger knows it."""
        query = f"SELECT {','.join(_HISTORY_COLUMNS)} FROM actions WHERE account_id = ? ORDER BY issued_at, id"
        rows = self._db.execute(query, (account_id,))
        return [entry for row in rows for entry in _history_entries(*row)]

    def histories(self) -> dict[str, list[HistoryEntry]]:
        """Every account's history at once (one query for a whole book)."""
        out: dict[str, list[HistoryEntry]] = {}
        query = f"SELECT account_id, {','.join(_HISTORY_COLUMNS)} FROM actions ORDER BY account_id, issued_at, id"
        for account_id, *row in self._db.execute(query):  # the times as stored: pydantic reads ISO text itself
            out.setdefault(account_id, []).extend(_history_entries(*row))
        return out

    def record(self, decision: Decision, *, timezone: str, locale: str, account_name: str | None = None) -> list[Change]:
        """Record a decision: new actions inserted, changed ones updated, withdrawn ones closed. Returns the changes."""
        changes: list[Change] = []
        now = _iso(self.as_of)
        stored = _get_many(self._db, [a.id for a in decision.actions])  # one query an account, not one an action
        seen: set[str] = set()
        for action in decision.actions:
            values = _row(action, decision, timezone, locale, account_name)
            row = stored.get(action.id) if action.id not in seen else _get(self._db, action.id)  # as this run left it
            seen.add(action.id)
            if row is None:
                self._db.execute(f"INSERT INTO actions ({','.join(_COLUMNS)}) VALUES ({','.join('?' for _ in _COLUMNS)})",
                                 _insert(values, now))
                changes.append(Change(change="create", id=action.id, account_id=decision.account_id, rule=action.rule,
                                      sequence=0, action=action))
                continue
            if row.status in ("done", "dismissed"):
                continue  # closed by a person: the engine only shows it again when the history says open
            changed = [name for name in _TRACKED if _stored(getattr(row, name)) != values[name]]
            if row.status == "open" and not changed:
                if row.merged != values["merged"]:  # not a change a CRM sees, but a closing must close these topics
                    self._db.execute("UPDATE actions SET merged = ? WHERE id = ?", (values["merged"], action.id))
                continue
            sequence = row.sequence + 1
            self._db.execute(
                "UPDATE actions SET kind = ?, title = ?, text = ?, due = ?, owner = ?, owner_role = ?, contact_id = ?, "
                "contact_name = ?, priority = ?, status = 'open', outcome = NULL, reason = NULL, closed_at = NULL, "
                "updated_at = ?, sequence = ?, merged = ? WHERE id = ?",
                (values["kind"], values["title"], values["text"], values["due"], values["owner"], values["owner_role"],
                 values["contact_id"], values["contact_name"], values["priority"], now, sequence, values["merged"], action.id))
            kind: Literal["create", "update"] = "create" if row.status == "withdrawn" else "update"
            changes.append(Change(change=kind, id=action.id, account_id=decision.account_id, rule=action.rule,
                                  sequence=sequence, fields=[] if kind == "create" else changed, action=action))
        for gone in decision.withdrawn:
            current = self._db.execute("SELECT status, sequence FROM actions WHERE id = ?", (gone.id,)).fetchone()
            if current is None or current[0] != "open":
                continue
            sequence = int(current[1]) + 1
            self._db.execute("UPDATE actions SET status = 'withdrawn', outcome = 'withdrawn', reason = ?, closed_at = ?, "
                             "updated_at = ?, sequence = ? WHERE id = ?", (gone.reason, now, now, sequence, gone.id))
            changes.append(Change(change="close", id=gone.id, account_id=decision.account_id, rule=gone.rule,
                                  sequence=sequence, reason=gone.reason))
        self.changes.extend(changes)
        return changes

    def sequences(self, ids: Sequence[str]) -> dict[str, int]:
        """The current sequence number of each action id (for iCalendar)."""
        out: dict[str, int] = {}
        for ident in ids:
            row = self._db.execute("SELECT sequence FROM actions WHERE id = ?", (ident,)).fetchone()
            if row is not None:
                out[ident] = int(row[0])
        return out

    def withdrawn_today(self) -> list[LedgerAction]:
        """The actions this run closed as withdrawn (for cancelled calendar events)."""
        found = (_get(self._db, c.id) for c in self.changes if c.change == "close")
        return [row for row in found if row is not None]


def _get(db: sqlite3.Connection, action_id: str) -> LedgerAction | None:
    """One row of the ledger by action id."""
    return _get_many(db, [action_id]).get(action_id)


def _get_many(db: sqlite3.Connection, ids: Sequence[str]) -> dict[str, LedgerAction]:
    """The rows of the ledger with these action ids (ids not in it are left out)."""
    found: dict[str, LedgerAction] = {}
    for start in range(0, len(ids), 500):  # well under SQLite's limit on parameters in one statement
        part = ids[start:start + 500]
        rows = db.execute(f"{_SELECT} WHERE id IN ({','.join('?' for _ in part)})", list(part))
        found.update((action.id, action) for action in map(LedgerAction._of, rows))
    return found


def changes_without_ledger(decision: Decision) -> list[Change]:
    """The changes a decision implies from its own action history: new actions created, withdrawn ones closed."""
    out = [Change(change="create", id=a.id, account_id=decision.account_id, rule=a.rule, sequence=0, action=a)
           for a in decision.actions if a.status == "new"]
    out += [Change(change="close", id=w.id, account_id=decision.account_id, rule=w.rule, sequence=1, reason=w.reason)
            for w in decision.withdrawn]
    return out


def _row(action: NextAction, decision: Decision, timezone: str, locale: str, account_name: str | None) -> dict[str, object]:
    return {
        "id": action.id, "account_id": decision.account_id, "account_name": account_name, "rule": action.rule,
        "kind": action.kind, "title": action.title, "text": action.text, "due": _iso(action.due), "timezone": timezone,
        "locale": locale, "owner": action.owner, "owner_role": action.owner_role,
        "contact_id": action.contact.id if action.contact else None,
        "contact_name": action.contact.name if action.contact else None, "priority": action.priority,
        "merged": json.dumps([[i, r] for i, r in zip(action.merged_ids, action.merged_rules, strict=True)]),
    }


def _insert(values: dict[str, object], now: str) -> list[object]:
    full = {**values, "status": "open", "outcome": None, "reason": None, "issued_at": now, "updated_at": now,
            "closed_at": None, "sequence": 0}
    return [full[c] for c in _COLUMNS]


def _stored(value: object) -> object:
    return _iso(value) if isinstance(value, dt.datetime) else value


def _iso(moment: dt.datetime) -> str:
    return moment.isoformat()


def _status_for(outcome: str) -> str:
    return "dismissed" if outcome in ("declined", "not_relevant") else "done"


def _check_closing(status: str, outcome: str, where: str) -> None:
    if status not in ("done", "dismissed"):
        raise LedgerError(f"{where}: status {status!r} must be done or dismissed")
    if outcome not in OUTCOMES or outcome == "withdrawn":
        raise LedgerError(f"{where}: outcome {outcome!r} must be one of accepted, declined, no_answer, not_relevant")
