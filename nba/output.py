"""Writing decisions out: JSON Lines, CSV (one row per action), iCalendar (one calendar per owner)."""

from __future__ import annotations

import csv
import datetime as dt
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import icalendar

from .decision import Decision, NextAction

CSV_COLUMNS = ("account_id", "action_id", "rule", "kind", "due", "owner_role", "owner", "contact_id", "contact_name",
               "priority", "title", "text", "reasons", "merged_rules", "notes", "risk_level", "renewal_stage")
_MINUTES = {"call": 30, "offer": 30, "meeting": 60, "email": 15, "task": 30, "escalation": 60}


@contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """Write the whole file or nothing: a temporary file beside it, renamed into place when the block ends."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            yield stream
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, text: str) -> None:
    """Write `text` to `path` whole or not at all."""
    with atomic_writer(path) as stream:
        stream.write(text)


class CsvRows:
    """Writes one row per action, with the account's risk and renewal stage, header first."""

    def __init__(self, stream: TextIO) -> None:
        self._writer = csv.writer(stream, lineterminator="\n")
        self._writer.writerow(CSV_COLUMNS)

    def write(self, d: Decision) -> None:
        """The rows of one decision."""
        for a in d.actions:
            self._writer.writerow([d.account_id, a.id, a.rule, a.kind, a.due.isoformat(), a.owner_role, a.owner or "",
                                   a.contact.id if a.contact else "", (a.contact.name or "") if a.contact else "", a.priority,
                                   a.title, a.text, "; ".join(a.reasons), " ".join(a.merged_rules), "; ".join(a.notes),
                                   d.risk.level, d.renewal.stage])


def ics_calendars(decisions: Iterable[Decision]) -> dict[str, str]:
    """One iCalendar text per owner (file name -> text): an event per dated action, in the account's zone."""
    events: dict[str, list[tuple[Decision, NextAction]]] = defaultdict(list)
    for d in decisions:
        for a in d.actions:
            events[a.owner or f"unassigned {a.owner_role}"].append((d, a))
    out = {}
    for owner, items in sorted(events.items()):
        calendar = icalendar.Calendar()
        calendar.add("prodid", "-//nba//next best actions//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", f"Next actions: {owner}")
        for decision, action in items:
            event = icalendar.Event()
            event.add("uid", f"{action.id}@nba")
            event.add("dtstamp", decision.as_of.astimezone(dt.timezone.utc))
            event.add("dtstart", action.due)
            event.add("duration", dt.timedelta(minutes=_MINUTES.get(action.kind, 30)))
            event.add("summary", action.title)
            event.add("description", action.text + "\n\n" + "\n".join(f"- {r}" for r in action.reasons))
            event.add("categories", [action.kind])
            event.add("x-nba-rule", action.rule)
            event.add("x-nba-account", decision.account_id)
            calendar.add_component(event)
        calendar.add_missing_timezones()
        out[_slug(owner) + ".ics"] = calendar.to_ical().decode("utf-8")
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^\w.-]+", "_", name, flags=re.UNICODE).strip("_") or "owner"
