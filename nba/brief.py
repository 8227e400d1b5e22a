"""The morning brief: what each person must do today, from the ledger, in their own language."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Literal
from zoneinfo import ZoneInfo

from .ledger import LedgerAction
from .lifecycle import aware
from .messages import catalogue_language, counted, message
from .locales import format_date_local, format_due

BriefFormat = Literal["text", "markdown"]


def morning_brief(actions: Sequence[LedgerAction], as_of: dt.datetime, *, last_run: dt.datetime | None = None,
                  fmt: BriefFormat = "text") -> str:
    """Open actions per owner: overdue first, then today's, then new ones (issued by the last run), each by due.

    A naive `as_of` is each account's local time (as a run's `--as-of 2025-03-31T09:00` is): an action due at
    10:00 in Almaty is today's at 09:00 there, whatever UTC says. An owner's brief is in the language most of
    their accounts use.
    """
    by_owner: dict[str, list[LedgerAction]] = defaultdict(list)
    for action in actions:
        if action.status == "open":
            by_owner[action.owner or ""].append(action)
    parts: list[str] = []
    for owner in sorted(by_owner):
        mine = sorted(by_owner[owner], key=lambda a: (a.due, -a.priority, a.account_id, a.id))
        locale = Counter(a.locale for a in mine).most_common(1)[0][0]
        locale = catalogue_language(locale)
        sections: list[tuple[str, list[LedgerAction]]] = [("brief_overdue", []), ("brief_today", []), ("brief_new", [])]
        for action in mine:
            zone = ZoneInfo(action.timezone)
            local_due, local_now = action.due.astimezone(zone), aware(as_of, zone).astimezone(zone)
            if local_due < local_now:
                sections[0][1].append(action)
            elif local_due.date() == local_now.date():
                sections[1][1].append(action)
            elif last_run is not None and action.issued_at == last_run:
                sections[2][1].append(action)
        name = owner or message("nobody", locale)
        home = ZoneInfo(Counter(a.timezone for a in mine).most_common(1)[0][0])  # where most of their accounts are
        today = format_date_local(aware(as_of, home).astimezone(home).date(), locale)
        parts.append(_render(name, today, sections, locale, as_of, fmt))
    if not parts:
        return message("brief_nothing", "en") + "\n"
    return "\n".join(parts)


def _render(owner: str, today: str, sections: list[tuple[str, list[LedgerAction]]], locale: str, as_of: dt.datetime,
            fmt: BriefFormat) -> str:
    lines: list[str] = []
    total = sum(len(items) for _, items in sections)
    head = f"{owner} — {message('brief_title', locale, date=today)} ({counted('action', total, locale)})"
    lines.append(f"# {head}" if fmt == "markdown" else head)
    if not total:
        lines.append(message("brief_nothing", locale))
    for key, items in sections:
        if not items:
            continue
        title = message(key, locale)
        lines.append("")
        lines.append(f"## {title} ({len(items)})" if fmt == "markdown" else f"{title} ({len(items)}):")
        for action in items:
            due = format_due(action.due.astimezone(ZoneInfo(action.timezone)), locale, as_of.year)
            company = action.account_name or action.account_id
            bullet = "- " if fmt == "markdown" else "  • "
            lines.append(f"{bullet}{'**' + action.title + '**' if fmt == 'markdown' else action.title} — {company}, "
                         f"{message('brief_due', locale, due=due)} [{action.id}]")
            lines.append(("  " if fmt == "markdown" else "    ") + action.text)
    return "\n".join(lines) + "\n"
