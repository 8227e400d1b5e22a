"""Writing decisions out: JSON Lines, CSV (one row per action), iCalendar (one calendar per owner)."""

from __future__ import annotations

import contextlib
import csv
import glob
import hashlib
import datetime as dt
import os
import re
import tempfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Literal, TextIO, overload

from .decision import Decision, NextAction
from .errors import ExtraMissingError, InputError
from .messages import message, value_words

if TYPE_CHECKING:
    import pandas  # type: ignore[import-not-found,unused-ignore]  # optional: nba[dask] brings it

    from .capacity import AccountPlace
    from .snapshot import AccountSnapshot

CSV_COLUMNS = ("account_id", "action_id", "rule", "kind", "due", "owner_role", "owner", "contact_id", "contact_name",
               "priority", "title", "text", "reasons", "merged_rules", "notes", "risk_level", "renewal_stage",
               "status", "account_name", "timezone", "due_utc", "contact_email", "contact_phone")
_MINUTES = {"call": 30, "offer": 30, "meeting": 60, "email": 15, "task": 30, "escalation": 60}
#: A cell a spreadsheet would read as a formula starts with one of these (OWASP's list for CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: How a path names one of this process's open descriptors: /dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N.
_DESCRIPTOR_PATH = re.compile(r"/dev/(?:(stdout)|(stderr)|fd/(\d+))|/proc/(?:self|(\d+))/fd/(\d+)")
_TEXT: dict[str, Any] = {"encoding": "utf-8", "newline": ""}  # how output text files are opened
_FILE_BUFFER = 1 << 20  # bytes buffered before a write to a temporary output file


@overload
def atomic_writer(path: Path, *, binary: Literal[False] = False) -> contextlib.AbstractContextManager[TextIO]: ...
@overload
def atomic_writer(path: Path, *, binary: Literal[True]) -> contextlib.AbstractContextManager[IO[bytes]]: ...


def atomic_writer(path: Path, *, binary: bool = False) -> contextlib.AbstractContextManager[IO[Any]]:
    """Write the whole file or nothing (UTF-8 text, or bytes with `binary`); see `_atomic_writer`."""
    return _atomic_writer(path, binary)


@contextlib.contextmanager
def _atomic_writer(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """Write the whole file or nothing: a temporary file beside it, renamed into place when the block ends.

    The new file gets the mode an ordinary new file would (the umask honoured), or the mode of the file it
    replaces. A symbolic link is written through (its target is replaced); a pipe or a device is written to
    directly, as there is nothing to replace, and one of this process's descriptors by name (/dev/stdout)
    through that descriptor. A folder is refused.
    """
    descriptor = open_descriptor(path)
    if descriptor is not None:
        # /dev/stdout, /dev/fd/N: a stream the caller opened (a shell's `>`, `>>` or `|`). Written through a copy
        # of that descriptor: reopening the name would truncate what `>>` appends to, replacing it would leave
        # the caller's descriptor on a deleted file.
        try:
            stream = os.fdopen(os.dup(descriptor), "wb" if binary else "w", **({} if binary else _TEXT))
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        with stream:
            yield stream
        return
    # Decided on the path itself, whose checks follow links: a named pipe or a device names no file to replace.
    if path.is_dir():
        raise InputError(f"{path}: is a folder; give a file name for the output")
    if path.exists() and not path.is_file():  # a named pipe (FIFO) or a character device such as /dev/null
        try:
            stream = path.open("wb") if binary else path.open("w", encoding="utf-8", newline="")
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
        with stream:
            yield stream
        return
    target = path.resolve() if path.is_symlink() else path
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale_temporaries(target)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    except OSError as exc:
        blocking = next((p for p in target.parents if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise InputError(f"{path}: cannot write there: {blocking} is a file, not a folder") from None
        raise InputError(f"{path}: cannot write there: {exc.strerror or exc}") from None
    try:
        os.fchmod(handle, _mode_for(target))
        # A large buffer: a book's output is written in a few dozen system calls, not one per 8 KiB (nobody reads
        # the temporary file while it grows).
        with (os.fdopen(handle, "wb", buffering=_FILE_BUFFER) if binary
              else os.fdopen(handle, "w", encoding="utf-8", newline="", buffering=_FILE_BUFFER)) as stream:
            yield stream
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def open_descriptor(path: Path) -> int | None:
    """The descriptor of this process that `path` names (1 for `-` and /dev/stdout, N for /dev/fd/N or
    /proc/self/fd/N, through any links to such a name), or None when it names a file, a folder or nothing open."""
    if str(path) == "-":  # standard output, as Unix tools write it
        return 1
    current = Path(os.path.abspath(path))
    for _ in range(40):  # the kernel's own limit on links followed
        found = _DESCRIPTOR_PATH.fullmatch(str(current))
        if found is not None:
            stdout, stderr, dev_fd, pid, proc_fd = found.groups()
            if pid is not None and int(pid) != os.getpid():
                return None  # another process's descriptor: a file like any other
            number = 1 if stdout else 2 if stderr else int(dev_fd or proc_fd)
            try:
                os.fstat(number)
            except OSError:
                return None  # not open here
            return number
        try:
            link = os.readlink(current)
        except OSError:  # not a link (or gone): a plain name
            return None
        current = Path(os.path.normpath(current.parent / link))
    return None


def refuse_to_overwrite(outputs: Mapping[str, Path | None], inputs: Mapping[str, Iterable[Path]]) -> None:
    """Raise `InputError`, before any work, when an output (by what it is) would replace one of the run's inputs
    (the book, the ledger, a rule pack), or when two outputs name one file: either file would be lost.

    Outputs that replace nothing are not checked: a folder (calendars), a pipe, a device, /dev/stdout.
    """
    named = [(what, path) for what, path in outputs.items() if path is not None and _replaced_whole(path)]
    for n, (what, path) in enumerate(named):
        for source, files in inputs.items():
            found = next((file for file in files if _same_file(path, file)), None)
            if found is not None:
                raise InputError(f"{path}: {what} would replace {source} ({found}); write it to another file")
        for other, other_path in named[:n]:
            if _same_file(path, other_path):
                raise InputError(f"{path}: {other} and {what} name the same file; give each its own")


def _replaced_whole(path: Path) -> bool:
    """Whether writing `path` replaces a file: a regular file, or a name with nothing there yet."""
    return open_descriptor(path) is None and (path.is_file() or not path.exists())


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file (through links, hard links included), or one name when nothing is there."""
    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return os.path.realpath(a) == os.path.realpath(b)


def _remove_stale_temporaries(target: Path) -> None:
    """Temporary files a killed run left beside `target` (named .NAME.PID.RANDOM.tmp): removed when their process is gone."""
    for leftover in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        pid_text = leftover.name[len(target.name) + 2:].split(".", 1)[0]
        if pid_text.isdigit() and not _alive(int(pid_text)):
            leftover.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True


def _mode_for(target: Path) -> int:
    """The mode of the file being replaced, or 0666 less the umask for a new one."""
    try:
        return target.stat().st_mode & 0o7777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all."""
    with atomic_writer(path) as stream:
        stream.write(text)


def safe_cell(value: str) -> str:
    """A text cell that no spreadsheet runs as a formula: one starting with = + - @ tab or CR gets a leading '."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class CsvRows:
    """Writes one row per action, with the account's risk and renewal stage, header first.

    Text cells that a spreadsheet would run as a formula are neutralised with a leading apostrophe.
    """

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(CSV_COLUMNS)

    def write(self, d: Decision, place: AccountPlace | None = None) -> None:
        """The rows of one decision (`place` adds the account's name and time zone)."""
        for row in action_rows(d, place.name if place else "", place.timezone if place else None):
            self._writer.writerow([safe_cell(v) if isinstance(v, str) else v for v in row])


def action_rows(d: Decision, account_name: str = "", timezone: str | None = None) -> list[tuple[object, ...]]:
    """One row per action of the decision, in the order of `CSV_COLUMNS` (the time zone defaults to the due's own)."""
    rows: list[tuple[object, ...]] = []
    for a in d.actions:
        zone = timezone if timezone is not None else str(getattr(a.due.tzinfo, "key", "") or "")
        rows.append((
            d.account_id, a.id, a.rule, a.kind, a.due.isoformat(), a.owner_role, a.owner or "",
            a.contact.id if a.contact else "", (a.contact.name or "") if a.contact else "", a.priority,
            a.title, a.text, "; ".join(a.reasons), " ".join(a.merged_rules), "; ".join(a.notes),
            d.risk.level, d.renewal.stage, a.status, account_name, zone, a.due.astimezone(dt.timezone.utc).isoformat(),
            (a.contact.email or "") if a.contact else "", (a.contact.phone or "") if a.contact else "",
        ))
    return rows


def actions_frame(decisions: Iterable[Decision], snapshots: Iterable[AccountSnapshot] | None = None) -> pandas.DataFrame:
    """One row per action of every decision, as a pandas DataFrame with the CSV's columns (pandas is optional).

    `snapshots`, in the same order as `decisions`, add each account's name and time zone; without them the
    time zone is the due's own. `due_utc` is a timestamp (UTC); `due` stays the local time with its offset, as
    in the CSV.
    """
    try:
        import pandas
    except ImportError:
        raise ExtraMissingError("nba.actions_frame needs pandas: pip install pandas (or 'nba[dask]', which brings it)") from None
    rows: list[tuple[object, ...]] = []
    if snapshots is None:
        for d in decisions:
            rows += action_rows(d)
    else:
        for d, snap in zip(decisions, snapshots, strict=True):
            rows += action_rows(d, snap.account.name, snap.account.timezone)
    frame = pandas.DataFrame.from_records(rows, columns=list(CSV_COLUMNS))
    frame["due_utc"] = pandas.to_datetime(frame["due_utc"], utc=True)
    return frame


@dataclass(frozen=True, slots=True)
class CancelledEvent:
    """A calendar event to cancel: an action withdrawn this run."""

    id: str
    account_id: str
    rule: str
    kind: str
    title: str
    due: dt.datetime
    owner: str
    sequence: int


def ics_calendars(decisions: Iterable[Decision], *, sequences: Mapping[str, int] | None = None,
                  cancelled: Sequence[CancelledEvent] = (), locales: Mapping[str, str] | None = None) -> dict[str, str]:
    """One iCalendar text per owner (file name -> text): an event per dated action, in the account's zone.

    The UID is the action's stable id, SEQUENCE grows each time it changes (from the ledger), and withdrawn
    actions go out as cancelled events. Every owner gets a file name of their own. `locales` (account id ->
    locale) names each calendar and its categories in the language of the owner's accounts.
    """
    try:
        import icalendar
    except ImportError:
        raise ExtraMissingError("calendar files need icalendar: pip install 'nba[ics]'") from None
    sequences = sequences or {}
    locales = locales or {}
    events: dict[str, list[tuple[Decision, NextAction]]] = defaultdict(list)
    stamps: list[dt.datetime] = []
    for d in decisions:
        stamps.append(d.as_of)
        for a in d.actions:
            events[a.owner or f"unassigned {a.owner_role}"].append((d, a))
    gone: dict[str, list[CancelledEvent]] = defaultdict(list)
    for item in cancelled:
        gone[item.owner].append(item)
    stamp = max(stamps, default=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)).astimezone(dt.timezone.utc)
    names = calendar_file_names(set(events) | set(gone))
    out = {}
    for owner in sorted(set(events) | set(gone)):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//nba//next best actions//EN")
        calendar.add("version", "2.0")
        spoken = Counter(locales.get(d.account_id, "en") for d, _ in events.get(owner, []))
        locale = min(spoken, key=lambda loc: (-spoken[loc], loc)) if spoken else "en"
        who = owner
        if owner.startswith("unassigned "):
            who = message("calendar_unassigned", locale, role=message(f"role_{owner.removeprefix('unassigned ')}", locale))
        calendar.add("x-wr-calname", message("calendar_name", locale, owner=who))
        for decision, action in events.get(owner, []):
            event = icalendar.Event()
            event.add("uid", f"{action.id}@nba")
            event.add("sequence", sequences.get(action.id, 0))
            event.add("dtstamp", decision.as_of.astimezone(dt.timezone.utc))
            event.add("dtstart", action.due)
            event.add("duration", dt.timedelta(minutes=_MINUTES.get(action.kind, 30)))
            event.add("summary", action.title)
            event.add("description", action.text + "\n\n" + "\n".join(f"- {r}" for r in action.reasons))
            event.add("categories", [value_words("action_kind", action.kind, locale) or action.kind])
            event.add("status", "CONFIRMED")
            event.add("x-nba-rule", action.rule)
            event.add("x-nba-account", decision.account_id)
            calendar.add_component(event)
        for item in sorted(gone.get(owner, []), key=lambda e: (e.due, e.id)):
            cancel = icalendar.Event()
            cancel.add("uid", f"{item.id}@nba")
            cancel.add("sequence", item.sequence)
            cancel.add("dtstamp", stamp)
            cancel.add("dtstart", item.due)
            cancel.add("duration", dt.timedelta(minutes=_MINUTES.get(item.kind, 30)))
            cancel.add("summary", item.title)
            cancel.add("status", "CANCELLED")
            cancel.add("x-nba-rule", item.rule)
            cancel.add("x-nba-account", item.account_id)
            calendar.add_component(cancel)
        calendar.add_missing_timezones()
        # Time zones first, by TZID, then the events in their order: the file must not depend on set order.
        zones = sorted((c for c in calendar.subcomponents if c.name == "VTIMEZONE"), key=lambda c: str(c.get("tzid")))
        calendar.subcomponents = zones + [c for c in calendar.subcomponents if c.name != "VTIMEZONE"]
        out[names[owner]] = calendar.to_ical().decode("utf-8")
    return out


def calendar_file_names(owners: Iterable[str]) -> dict[str, str]:
    """A distinct .ics file name per owner: the readable slug, with a short hash when two owners share it."""
    by_slug: dict[str, list[str]] = defaultdict(list)
    for owner in sorted(set(owners)):
        by_slug[_slug(owner).casefold()].append(owner)
    names = {}
    for owners_of_slug in by_slug.values():
        for owner in owners_of_slug:
            slug = _slug(owner)
            if len(owners_of_slug) > 1:
                slug += "-" + hashlib.sha256(owner.encode()).hexdigest()[:8]
            names[owner] = slug + ".ics"
    return names


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("_.") or "owner"
