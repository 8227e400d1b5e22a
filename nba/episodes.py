"""Episodes: what makes "the same situation" for a rule, and the stable action id derived from it.

An action's id is a hash of the account, the rule, the contact and the rule's *episode*: the values of
a few episode parts (the export ticket, the discount request, the renewal cycle and stage, ...). None of
them reads `as_of` or the due, so the same situation keeps its id from one morning to the next.

A rule's episode defaults to the parts behind the signals its condition reads (a condition on
`export_request_days` is about the export ticket); a pack author can name the parts with `episode:`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from .signals import SignalValue
from .snapshot import AccountSnapshot


@dataclass(frozen=True, slots=True)
class EpisodePart:
    """One thing that tells situations apart: its name, what it means, and the signals that imply it."""

    name: str
    description: str
    signals: tuple[str, ...]


#: Every episode part a rule can name, with the signals whose rules default to it.
EPISODE_PARTS: Mapping[str, EpisodePart] = {p.name: p for p in (
    EpisodePart("export_ticket", "the ticket asking to export the data (its id)",
                ("export_request_days", "export_ticket_id")),
    EpisodePart("discount_request", "the open discount request (its id, else the moment it was made)",
                ("discount_requested_pct", "discount_request_days", "discount_contact_id", "discount_request_id", "discount_outcome",
                 "discount_best_offer_pct")),
    EpisodePart("new_contact", "the new contact who wrote in (their id)", ("new_contact_ticket_days", "new_contact_id")),
    EpisodePart("limit", "the plan limit closest to full (its resource)",
                ("max_limit_used_pct", "max_limit_resource", "max_limit_used", "max_limit")),
    EpisodePart("renewal_cycle", "the contract period up for renewal (its end date)",
                ("renewal_stage", "renewal_window_open", "days_to_signing_deadline", "days_since_renewal", "days_to_end",
                 "risk_level", "risk_score")),
    EpisodePart("renewal_stage", "the stage of the renewal pipeline", ("renewal_stage",)),
    EpisodePart("usage_month", "the month of the latest usage data (a drop reported for March is one situation)",
                ("activity_change_pct", "activity_drop_pct", "activity_change_60d_pct", "activity_drop_60d_pct",
                 "days_since_activity")),
    EpisodePart("last_touch", "the day of our last contact with the client (the period since it)",
                ("days_since_touch", "touches_7d")),
    EpisodePart("contract", "the contract (its start date)", ("days_since_start",)),
)}

_PART_OF_SIGNAL: Mapping[str, tuple[str, ...]] = {
    signal: tuple(p.name for p in EPISODE_PARTS.values() if signal in p.signals)
    for part in EPISODE_PARTS.values() for signal in part.signals
}


def default_episode(signals_read: Iterable[str]) -> tuple[str, ...]:
    """The episode parts implied by the signals a rule's condition reads, in catalogue order."""
    wanted = {part for name in signals_read for part in _PART_OF_SIGNAL.get(name, ())}
    return tuple(name for name in EPISODE_PARTS if name in wanted)


def episode_values(parts: Iterable[str], snapshot: AccountSnapshot, signals: Mapping[str, SignalValue]) -> tuple[str, ...]:
    """The values of `parts` for this account, as `part=value` (a dash where the account has none)."""
    return tuple(f"{part}={_value(part, snapshot, signals)}" for part in parts)


def action_id(account_id: str, rule_id: str, contact_id: str | None, episode: Iterable[str]) -> str:
    """The stable id of an action: 16 hex digits of SHA-256 over account, rule, contact and episode."""
    key = "|".join((account_id, rule_id, contact_id or "", *episode))
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def _value(part: str, snapshot: AccountSnapshot, signals: Mapping[str, SignalValue]) -> str:
    if part == "export_ticket":
        return _text(signals.get("export_ticket_id"))
    if part == "discount_request":
        return _text(signals.get("discount_request_id"))
    if part == "new_contact":
        return _text(signals.get("new_contact_id"))
    if part == "limit":
        return _text(signals.get("max_limit_resource"))
    if part == "renewal_cycle":
        return snapshot.contract.end_date.isoformat()
    if part == "renewal_stage":
        return _text(signals.get("renewal_stage"))
    if part == "usage_month":
        latest = max((u.period_end for u in snapshot.usage), default=None)
        return f"{latest:%Y-%m}" if latest is not None else "-"
    if part == "last_touch":
        zone = snapshot.account.zone
        latest_touch = max((_day(t.at, zone) for t in snapshot.touches), default=None)
        return latest_touch.isoformat() if latest_touch is not None else "-"
    if part == "contract":
        return snapshot.contract.start_date.isoformat()
    raise KeyError(part)  # pragma: no cover - parts are validated when a pack loads


def _day(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    return moment.astimezone(zone).date() if moment.tzinfo is not None else moment.date()


def _text(value: SignalValue) -> str:
    return "-" if value is None else str(value)
