"""Across runs: what the action history changes in a decision.

Before arbitration, `screen` holds back what was done or dismissed for the same situation and what a
client declined within the rule's cooldown, and pins open actions to the due they were issued with.
After it, `withdraw` lists the open actions whose situation is over and `escalate` raises an
escalation for actions left overdue too long. All of it reads only the snapshot and as-of: pure.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from .arbitration import Candidate
from .calendar import BusinessCalendar
from .decision import Decision, NextAction, Suppressed, Withdrawn
from .episodes import action_id
from .messages import counted, message
from .snapshot import AccountSnapshot, HistoryEntry
from .locales import format_date_local
from .vocab import ActionStatus, HistoryStatus, Outcome, OwnerRole

#: The rule id of the escalations the lifecycle raises for actions left overdue.
OVERDUE_ESCALATION = "lifecycle/overdue_escalation"


def with_history(snapshot: AccountSnapshot, kept: Sequence[HistoryEntry]) -> AccountSnapshot:
    """The snapshot with a history kept outside it (the ledger's) before its own `action_history`.

    The snapshot's own entries are a CRM's export, fresher than the ledger: an id it has drops the kept
    entry of that id. Both sides are validated already, so the entries are joined, not read again."""
    own = snapshot.action_history
    exported = {entry.id for entry in own}
    merged = [entry for entry in kept if entry.id not in exported] + own
    return snapshot.model_copy(update={"action_history": merged})


class History:
    """An account's action history, indexed for the questions a decision asks of it (computed on first use)."""

    __slots__ = ("by_id", "_zone", "_open", "_declined")

    def __init__(self, by_id: Mapping[str, HistoryEntry], zone: dt.tzinfo) -> None:
        self.by_id = by_id
        self._zone = zone
        self._open: tuple[HistoryEntry, ...] | None = None
        self._declined: Mapping[str, tuple[dt.datetime, ...]] | None = None

    @classmethod
    def of(cls, snapshot: AccountSnapshot) -> History:
        """The snapshot's `action_history`; when an id repeats, the last entry wins (the freshest export)."""
        entries = snapshot.action_history
        if not entries:
            return _NO_HISTORY
        by_id: dict[str, HistoryEntry] = {}
        opened: list[HistoryEntry] = []
        declined = False
        for entry in entries:
            by_id[entry.id] = entry
            if entry.status == "open":
                opened.append(entry)
            elif entry.outcome == "declined":
                declined = True
        history = cls(by_id, snapshot.account.zone)
        if len(by_id) == len(entries):  # no id repeats: what the loop saw is final
            history._open = tuple(opened)
        if not declined:
            history._declined = {}
        return history

    @property
    def open(self) -> tuple[HistoryEntry, ...]:
        """The entries still open."""
        if self._open is None:
            self._open = tuple(e for e in self.by_id.values() if e.status == "open")
        return self._open

    @property
    def declined(self) -> Mapping[str, tuple[dt.datetime, ...]]:
        """Rule -> when the client declined its actions (aware, oldest first)."""
        if self._declined is None:
            found: dict[str, list[dt.datetime]] = defaultdict(list)
            for entry in self.by_id.values():
                if entry.outcome == "declined":
                    moment = entry.closed_at or entry.issued_at
                    if moment is not None:
                        found[entry.rule].append(aware(moment, self._zone))
            self._declined = {rule: tuple(sorted(times)) for rule, times in found.items()}
        return self._declined

    def __bool__(self) -> bool:
        return bool(self.by_id)


_NO_HISTORY = History({}, dt.timezone.utc)


@dataclass(slots=True)
class Screened:
    """The candidates left after the history was read, and those it held back."""

    candidates: list[Candidate]
    suppressed: list[Suppressed] = field(default_factory=list)


def screen(candidates: Sequence[Candidate], history: History, cooldowns: Mapping[str, int], as_of: dt.datetime,
           locale: str, date_phrase: Callable[[dt.date], str] | None = None) -> Screened:
    """Hold back done, dismissed and cooled-down actions; pin open ones to the due they were issued with.

    `date_phrase` writes a date for people (default: `format_date_local` in `locale`; the engine passes its cached one).
    """
    day = date_phrase or (lambda d: format_date_local(d, locale))
    out = Screened([])
    zone = as_of.tzinfo
    assert zone is not None
    for candidate in candidates:
        entry = history.by_id.get(candidate.id)
        if entry is not None and entry.status in ("done", "dismissed"):
            when = message("on", locale, date=day(aware(entry.closed_at, zone).date())) if entry.closed_at is not None else ""
            out.suppressed.append(Suppressed(rule=candidate.rule, reason=message(entry.status, locale, when=when),
                                             id=candidate.id, cause=entry.status))
            continue
        if entry is not None and entry.status == "open":
            if entry.due is not None:
                candidate.pinned = aware(entry.due, zone)
            candidate.status = "overdue" if (candidate.pinned or candidate.due) < as_of else "open"
            out.candidates.append(candidate)
            continue
        days = cooldowns.get(candidate.rule, 0)
        last = history.declined.get(candidate.rule)
        if days > 0 and last:
            until = last[-1] + dt.timedelta(days=days)
            if as_of < until:
                reason = message("cooldown", locale, closed=day(last[-1].astimezone(zone).date()),
                                 until=day(until.astimezone(zone).date()))
                out.suppressed.append(Suppressed(rule=candidate.rule, reason=reason, id=candidate.id, cause="cooldown"))
                continue
        out.candidates.append(candidate)
    return out


def withdraw(history: History, actions: Sequence[NextAction], suppressed: Sequence[Suppressed],
             fired: Mapping[str, str], known_rules: Callable[[str], bool], resolved: Callable[[str], str | None],
             locale: str) -> list[Withdrawn]:
    """The open actions of the history that this decision no longer carries, each with why its situation is over.

    `fired` maps each rule that fired to the id it produced; `resolved` gives a rule's own words for its
    situation being over (None: the generic words).
    """
    if not history.open:
        return []
    issued = {a.id for a in actions}
    held: dict[str, Suppressed] | None = None
    out: list[Withdrawn] = []
    for entry in history.open:
        if entry.id in issued:
            continue
        if held is None:
            held = {s.id: s for s in suppressed if s.id is not None}
        if entry.id in held:
            reason = held[entry.id].reason
        elif entry.rule == OVERDUE_ESCALATION:
            reason = message("escalation_over", locale)  # the withdrawn entry carries its id
        elif not known_rules(entry.rule):
            reason = message("rule_gone", locale, rule=entry.rule)
        elif entry.rule in fired and fired[entry.rule] != entry.id:
            reason = message("superseded", locale, new_id=fired[entry.rule])
        else:
            reason = resolved(entry.rule) or message("resolved", locale)
        out.append(Withdrawn(id=entry.id, rule=entry.rule, reason=reason))
    out.sort(key=lambda w: (w.rule, w.id))
    return out


@dataclass(frozen=True, slots=True)
class EscalationPolicy:
    """When an overdue action is escalated, and to whom."""

    after_business_days: int
    leads: Mapping[OwnerRole, OwnerRole]
    priority_bonus: int = 5


def escalate(actions: Iterable[NextAction], calendars: Mapping[str, BusinessCalendar], history: History,
             policy: EscalationPolicy, snapshot: AccountSnapshot, as_of: dt.datetime, locale: str,
             due_phrase: Callable[[dt.datetime], str], person: Callable[[str], str | None]) -> tuple[list[NextAction], list[Suppressed]]:
    """An escalation to the owner's lead for each action overdue by `after_business_days` or more, once each.

    Its id derives from the overdue action's id, so it is stable; done or dismissed, it is not raised again.
    """
    raised: list[NextAction] = []
    held: list[Suppressed] = []
    for action in actions:
        if action.status != "overdue" or action.rule == OVERDUE_ESCALATION:
            continue
        lead = policy.leads.get(action.owner_role)
        calendar = calendars.get(action.id)
        if lead is None or calendar is None:
            continue
        if (as_of - action.due).days < policy.after_business_days:
            continue  # cheap first check: too few calendar days to hold that many business days
        # Whole working days overdue: those strictly between the due's day and as-of's day.
        late = calendar.working_days_between(calendar.local(action.due).date(),
                                             calendar.local(as_of).date() - dt.timedelta(days=1))
        if late < policy.after_business_days:
            continue
        ident = action_id(snapshot.account.id, OVERDUE_ESCALATION, None, (f"action={action.id}",))
        entry = history.by_id.get(ident)
        if entry is not None and entry.status in ("done", "dismissed"):
            held.append(Suppressed(rule=OVERDUE_ESCALATION, reason=message(entry.status, locale, when=""), id=ident,
                                   cause=entry.status))
            continue
        status: ActionStatus = "new"
        due = calendar.next_slot(as_of)
        if entry is not None and entry.status == "open" and entry.due is not None:
            due = aware(entry.due, as_of.tzinfo)  # type: ignore[arg-type]
            status = "overdue" if due < as_of else "open"
        elif entry is not None and entry.status == "open":
            status = "open"
        late_words = counted("business_day", late, locale)
        raised.append(NextAction(
            id=ident,
            rule=OVERDUE_ESCALATION,
            kind="escalation",
            title=message("escalation_title", locale, title=action.title),
            text=message("escalation_text", locale, title=action.title, company=snapshot.account.name, late=late_words,
                         due=due_phrase(action.due), owner=action.owner or message(f"role_{action.owner_role}", locale)),
            due=due,
            owner_role=lead,
            owner=person(lead),
            contact=action.contact,
            priority=action.priority + policy.priority_bonus,
            reasons=[message("escalation_reason", locale, title=action.title, late=late_words, id=action.id)],
            status=status,
        ))
    return raised, held


def history_from(decision: Decision, *, status: HistoryStatus = "open", outcome: Outcome | None = None,
                 closed_at: dt.datetime | None = None) -> list[HistoryEntry]:
    """The decision's actions as action-history entries, as a CRM (or the ledger) records them when issued.

    Feed them back in `AccountSnapshot.action_history` to tell the next evaluation what was issued. Closed
    (done or dismissed) actions close the topics merged into them too, with the same status and outcome.
    """
    out = []
    for a in decision.actions:
        contact = a.contact.id if a.contact else None
        out.append(HistoryEntry(id=a.id, rule=a.rule, status=status, contact_id=contact, issued_at=decision.as_of, due=a.due,
                                closed_at=closed_at, outcome=outcome))
        if status in ("done", "dismissed"):
            out += [HistoryEntry(id=i, rule=r, status=status, contact_id=contact, issued_at=decision.as_of,
                                 closed_at=closed_at, outcome=outcome) for i, r in zip(a.merged_ids, a.merged_rules, strict=True)]
    return out


def aware(moment: dt.datetime | None, zone: dt.tzinfo) -> dt.datetime:
    """`moment` made aware: a naive time is the account's local time, as everywhere in a snapshot."""
    assert moment is not None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=zone)
