"""Arbitration: from every candidate action the rules produced to the short, ordered list a manager sees.

Steps, in order: priority (rule priority + value at stake + risk), precedence conflicts, one call per
contact per day (topics merged), contact caps and quiet periods (reschedule or hold back), top N.
Actions are built last, so a moved action's text names its new date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .calendar import BusinessCalendar
from .decision import NextAction, Suppressed
from .packs.model import ArbitrationSettings, ContactCaps, PriorityFormula
from .ruleset import CompiledConflict
from .signals import SignalValue
from .messages import counted, message
from .locales import format_moment
from .vocab import ActionStatus
from .writing import Draft, Words


@dataclass(slots=True)
class Candidate:
    """An action a rule wants, before arbitration decides its fate."""

    rule: str
    kind: str
    channel: str | None  # how it reaches the client (call, meeting, email), or None for internal work
    contact_id: str | None
    due: dt.datetime
    priority: int
    preferred_time: dt.time | None
    calendar: BusinessCalendar
    draft: Draft
    id: str = ""  # the stable id of its situation
    status: ActionStatus = "new"  # open or overdue: issued earlier and still open
    contact_name: str | None = None  # how a note calls the contact (unnamed: by the ticket they wrote)
    pinned: dt.datetime | None = None  # the due it was issued with, which it keeps

    @property
    def issued(self) -> bool:
        """Whether it was issued earlier and is still open: arbitration neither caps, merges nor drops it."""
        return self.status != "new"


@dataclass(frozen=True, slots=True)
class PlannedTouch:
    """A contact with the client in time: a past touch from the snapshot or an action already planned."""

    at: dt.datetime
    channel: str
    contact_id: str | None


@dataclass(slots=True)
class _Kept:
    """A candidate arbitration keeps: its final due, what happened to it, and the topics merged into it."""

    candidate: Candidate
    due: dt.datetime
    notes: list[str] = field(default_factory=list)
    merged: list[Candidate] = field(default_factory=list)


@dataclass(slots=True)
class Arbitrated:
    """The outcome of arbitration: the actions kept, in order, those held back, and what was done."""

    actions: list[NextAction]
    suppressed: list[Suppressed]
    notes: list[str]


def order_key(action: NextAction) -> tuple[int, dt.datetime, str, str]:
    """The total order of actions: priority (highest first), then due, then rule id, then action id."""
    return (-action.priority, action.due, action.rule, action.id)


def _candidate_order(candidate: Candidate) -> tuple[int, dt.datetime, str]:
    return (-candidate.priority, candidate.due, candidate.rule)


def priority_of(base: int, stake: float) -> int:
    """The documented priority formula (see `PriorityFormula`): a rule's priority plus the account's stake."""
    return int(round(base + stake))


def account_stake(formula: PriorityFormula, value_at_stake: float, currency: str, risk_level: str) -> float:
    """What an account adds to the priority of each of its actions: value at stake and risk."""
    reference = formula.value_reference.get(currency, formula.value_reference["default"])
    share = min(1.0, max(0.0, value_at_stake) / reference)
    bonus: float = formula.risk_bonus.get(risk_level, 0.0)  # type: ignore[call-overload]
    return formula.value_weight * share + bonus


def arbitrate(
    candidates: Sequence[Candidate],
    settings: ArbitrationSettings,
    conflicts: Sequence[CompiledConflict],
    cap_exempt: frozenset[str],
    signals: Mapping[str, SignalValue],
    touches: Sequence[PlannedTouch],
    locale: str,
) -> Arbitrated:
    """Decide which candidates become actions, when, and in which order.

    `conflicts` and `cap_exempt` name rules by id: the settings' patterns resolved at load time.
    """
    suppressed: list[Suppressed] = []
    notes: list[str] = []
    remaining = list(candidates)

    for conflict in conflicts:
        if conflict.condition is not None and conflict.condition.test(signals) is not True:
            continue
        if conflict.if_any is not None and not any(c.rule in conflict.if_any for c in remaining):
            continue
        held = [c for c in remaining if c.rule in conflict.suppress]
        for c in held:
            suppressed.append(Suppressed(rule=c.rule, reason=conflict.reason_in(locale), id=c.id, cause="conflict"))
        remaining = [c for c in remaining if c.rule not in conflict.suppress]

    remaining.sort(key=_candidate_order)
    kept: list[_Kept] = []
    planned: list[PlannedTouch] = list(touches)
    caps = settings.caps
    for candidate in remaining:
        channel = candidate.channel
        if channel is None:
            kept.append(_Kept(candidate, candidate.pinned or candidate.due))
            continue
        exempt = candidate.rule in cap_exempt
        placed = _place(candidate, channel, kept, planned, caps, settings.merge_same_day, exempt, locale)
        if candidate.issued and (not isinstance(placed, _Scheduled)
                                 or (candidate.pinned is not None and placed.due != candidate.pinned)):
            # Issued earlier and still open: it keeps its due, whatever caps and merging would do to a new one.
            # (Placed where it was issued, it keeps arbitration's notes too: a re-run changes nothing but statuses.)
            moment = candidate.pinned or candidate.due
            kept.append(_Kept(candidate, moment))
            planned.append(PlannedTouch(moment, channel, candidate.contact_id))
            continue
        if isinstance(placed, _MergedInto):
            placed.host.merged.append(candidate)
            notes.append(f"{candidate.rule} merged into {placed.host.candidate.rule}: one {channel} per contact per day")
            continue
        if isinstance(placed, _HeldBack):
            suppressed.append(Suppressed(rule=candidate.rule, reason=placed.reason, id=candidate.id, cause="cap"))
            notes.append(f"{candidate.rule} held back: {placed.reason}")
            continue
        moment, why = placed.due, placed.moved_by
        entry = _Kept(candidate, moment)
        if moment != candidate.due:
            note = message("moved", locale, old=format_moment(candidate.due, locale), new=format_moment(moment, locale), why=why)
            entry.notes.append(note)
            notes.append(f"{candidate.rule} {note}")
        kept.append(entry)
        planned.append(PlannedTouch(moment, channel, candidate.contact_id))

    # The top N: actions issued earlier stay whatever their rank (the manager already has them).
    kept.sort(key=lambda k: (not k.candidate.issued, -k.candidate.priority, k.due, k.candidate.rule))
    room = max(settings.max_actions, sum(1 for k in kept if k.candidate.issued))
    for extra in kept[room:]:
        reason = message("top_n", locale, count=counted("action_of", settings.max_actions, locale))
        suppressed.append(Suppressed(rule=extra.candidate.rule, reason=reason, id=extra.candidate.id, cause="top_n"))
        suppressed.extend(Suppressed(rule=m.rule, reason=reason, id=m.id, cause="top_n") for m in extra.merged)
    actions = [_build(k, locale) for k in kept[:room]]
    actions.sort(key=order_key)
    return Arbitrated(actions, suppressed, notes)


@dataclass(frozen=True, slots=True)
class _Scheduled:
    """Placed: its due after the caps, and why it moved ("" when it did not)."""

    due: dt.datetime
    moved_by: str = ""


@dataclass(frozen=True, slots=True)
class _MergedInto:
    """Merged as a topic into a kept call or meeting with the same person that day."""

    host: _Kept


@dataclass(frozen=True, slots=True)
class _HeldBack:
    """Held back by the caps, and why (in the account's language)."""

    reason: str


def _place(candidate: Candidate, channel: str, kept: list[_Kept], planned: list[PlannedTouch], caps: ContactCaps,
           merge: bool, exempt: bool, locale: str) -> _Scheduled | _MergedInto | _HeldBack:
    """Where the candidate goes: its due after caps, a kept action to merge into, or held back."""
    calendar = candidate.calendar
    latest = candidate.due + dt.timedelta(days=caps.max_delay_days)
    moment = candidate.due
    moved_by = ""
    for _ in range(caps.max_delay_days + 30):
        if merge and channel in ("call", "meeting") and candidate.contact_id is not None:
            day = calendar.local(moment).date()
            for host in kept:  # one call or meeting per person per day, whichever of the two each one is
                if (host.candidate.channel in ("call", "meeting") and host.candidate.contact_id == candidate.contact_id
                        and calendar.local(host.due).date() == day):
                    return _MergedInto(host)
        if exempt:
            return _Scheduled(moment, moved_by)
        blocked_until, why = _blocked(moment, channel, candidate.contact_id, candidate.contact_name, planned, caps, locale)
        if blocked_until is None:
            return _Scheduled(moment, moved_by)
        if caps.when_capped == "suppress":
            return _HeldBack(why)
        moved_by = why
        moment = calendar.next_slot(max(blocked_until, moment + dt.timedelta(minutes=1)), candidate.preferred_time)
        if moment > latest:
            return _HeldBack(message("no_slot", locale, why=why, days=counted("day", caps.max_delay_days, locale)))
    return _HeldBack(message("no_slot", locale, why="", days=counted("day", caps.max_delay_days, locale)))  # pragma: no cover


def _blocked(moment: dt.datetime, channel: str, contact_id: str | None, contact_name: str | None,
             planned: Sequence[PlannedTouch], caps: ContactCaps, locale: str) -> tuple[dt.datetime | None, str]:
    """When a contact at `moment` would break a cap or a quiet period: until when, and why (in the account's language)."""
    person = contact_name or contact_id or ""
    if contact_id is not None and caps.quiet_hours > 0:
        quiet = dt.timedelta(hours=caps.quiet_hours)
        recent = [t.at for t in planned if t.contact_id == contact_id and moment - quiet < t.at <= moment]
        if recent:
            return max(recent) + quiet, message("quiet", locale, person=person,
                                                hours=counted("hour", int(round(caps.quiet_hours)), locale))
    window = dt.timedelta(days=caps.window_days)
    per_contact = caps.per_contact.get(channel)  # type: ignore[call-overload]
    if contact_id is not None and per_contact is not None:
        until = _window_full_until(moment, [t.at for t in planned if t.channel == channel and t.contact_id == contact_id],
                                   window, per_contact)
        if until is not None:
            return until, message("cap_contact", locale, person=person, count=counted(channel, per_contact, locale),
                                  days=counted("day", caps.window_days, locale))
    per_account = caps.per_account.get(channel)  # type: ignore[call-overload]
    if per_account is not None:
        until = _window_full_until(moment, [t.at for t in planned if t.channel == channel], window, per_account)
        if until is not None:
            return until, message("cap_account", locale, count=counted(channel, per_account, locale),
                                  days=counted("day", caps.window_days, locale))
    return None, ""  # the words for a cap are made only when one is hit: most placements hit none


def _window_full_until(moment: dt.datetime, times: Sequence[dt.datetime], window: dt.timedelta, cap: int) -> dt.datetime | None:
    """If adding a touch at `moment` puts more than `cap` touches in some window of that length, the time
    when the oldest touch in the way leaves it; else None."""
    if len(times) < cap:  # even all of them and this one fit in any window
        return None
    near = sorted(t for t in times if moment - window < t < moment + window)
    starts = [moment - window + dt.timedelta(microseconds=1)] + [t for t in near if t <= moment]
    for start in starts:
        inside = [t for t in near if start <= t < start + window]
        if len(inside) + 1 > cap:
            past = [t for t in inside if t <= moment]
            # The oldest touch in the way leaves the window then; touches only ahead of us: go past them.
            return (min(past) if past else max(inside)) + window
    return None


def _then(text: str, sentence: str) -> str:
    """`sentence` after `text`, with one full stop between («… 2025 г.» or «… blocked.» end a sentence already)."""
    return f"{text} {sentence}" if text.endswith((".", "!", "?", "…")) else f"{text}. {sentence}"


def _build(entry: _Kept, locale: str) -> NextAction:
    candidate = entry.candidate
    words = candidate.draft.words(entry.due)
    if not entry.merged:
        return candidate.draft.action(entry.due, candidate.priority, words, notes=entry.notes, status=candidate.status)
    others = [m.draft.words(entry.due) for m in entry.merged]
    topics = "; ".join(o.topic or _lower_first(o.title) for o in others)  # a topic keeps its figures and dates
    merged = Words(words.title, _then(words.text, message("also_discuss", locale, topics=topics)),
                   words.reasons + [r for o in others for r in o.reasons])
    return candidate.draft.action(entry.due, candidate.priority, merged, merged_rules=[m.rule for m in entry.merged],
                                  merged_ids=[m.id for m in entry.merged],
                                  notes=entry.notes, status=candidate.status)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text
