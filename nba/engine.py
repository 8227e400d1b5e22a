"""The engine: loads packs once, then evaluates account snapshots into decisions, purely."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload
from zoneinfo import ZoneInfo

from .arbitration import Candidate, PlannedTouch, account_stake, arbitrate, order_key, priority_of
from .caches import CACHE_SIZE
from .calendar import BusinessCalendar, HolidayBook, WorkingHours
from .conditions import ConditionBackend, NativeBackend, trace
from .decision import ContactRef, Decision, DiscountDecision, NextAction, Renewal, Risk, Suppressed, Withdrawn
from .episodes import action_id, episode_values
from .inputs import SnapshotLike, as_snapshot
from .errors import InstallationError, NotPicklableError, UnknownRuleError, UsageError
from .lifecycle import EscalationPolicy, History, aware, escalate, screen, withdraw
from .discount import dated_for_its_answer, decide, offer_deadline
from .packs.loader import PackSource, load_packs
from .patterns import CHANNEL_OF_KIND
from .renewal import RenewalTerms, renewal_status
from .risk import assess, owner_for
from .ruleset import CompiledRule, RuleSet, compile_packs
from .scheduling import schedule
from .signals import SignalValue, add_discount_signals, add_renewal_signals, add_risk_signals, compute_signals
from .snapshot import AccountSnapshot
from .vocab import OwnerRole
from .locales import pick_locale
from .writing import ActionWriter, Facts, person_for

if TYPE_CHECKING:  # imported when used: one command needs neither worker processes nor explanations
    from functools import _CacheInfo as CacheInfo  # the named tuple lru_cache's cache_info() returns

    from .explain import Explanation

BackendName = Literal["native", "durable"]
_DEFAULT_HOURS = WorkingHours()

def _resolve_backend(backend: ConditionBackend | str) -> ConditionBackend:
    if not isinstance(backend, str):
        return backend
    if backend == "native":
        return NativeBackend()
    if backend == "durable":
        from .conditions.durable import DurableBackend

        return DurableBackend()
    raise UsageError(f"unknown backend {backend!r}: use 'native' or 'durable'")


def default_rules_path() -> Path:
    """Where the shipped packs are: inside the installed package, or the repo's rules/ in a source checkout."""
    # The package is a folder of files (its packs are read as files), so its own path says where they are, with no
    # `importlib.resources` lookup (it said the same, through more machinery).
    packaged = Path(__file__).resolve().parent / "_packs"
    if packaged.is_dir():
        return packaged
    checkout = Path(__file__).resolve().parent.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise InstallationError("the shipped rule packs are missing from this installation; reinstall nba")


class Engine:
    """Evaluates account snapshots against compiled rule packs; its rules never change, so it is safe to share
    between threads (the caches of pure results it fills are safe too)."""

    def __init__(self, ruleset: RuleSet, sources: Sequence[PackSource] = ()) -> None:
        self._ruleset = ruleset
        self._sources = tuple(sources)
        self._holidays = HolidayBook(ruleset.days_off)
        self._writer = ActionWriter(ruleset.display_names)
        # Pure results that repeat across a portfolio (same as-of, few countries and zones), bounded. Each cache
        # keys on the arguments of the function it remembers, so no input can be left out of its key.
        self._calendar_for = lru_cache(maxsize=CACHE_SIZE)(self._new_calendar)
        self._due_for = lru_cache(maxsize=CACHE_SIZE)(self._due)
        self._renewal_on = lru_cache(maxsize=CACHE_SIZE)(self._renewal)
        lifecycle = ruleset.arbitration.lifecycle
        self._escalation = EscalationPolicy(lifecycle.escalate_overdue_after_business_days, lifecycle.leads)

    # -- construction ------------------------------------------------------------------------------
    @classmethod
    def from_path(cls, path: str | Path | Iterable[str | Path], *, backend: ConditionBackend | BackendName = "native") -> Engine:
        """Load a folder of *.yaml packs (or one file, or several paths); raises `RulePackError` on any bad pack."""
        paths = [path] if isinstance(path, (str, Path)) else list(path)
        sources = load_packs(paths)
        return cls(compile_packs(sources, _resolve_backend(backend)), sources)

    def __reduce__(self) -> tuple[object, tuple[object, ...]]:
        """Pickle as the validated packs and the backend's name; the receiving process compiles them again."""
        if not self._sources:
            raise NotPicklableError("only engines built with Engine.from_path() or Engine.default() can be pickled")
        return (_rebuild, (self._sources, self._ruleset.backend))

    @classmethod
    def default(cls, *, extra: Iterable[str | Path] = (), backend: ConditionBackend | BackendName = "native") -> Engine:
        """The engine with the packs shipped with the library, and your own `extra` packs (files or folders) on top."""
        return cls.from_path([default_rules_path(), *extra], backend=backend)

    # -- introspection -----------------------------------------------------------------------------
    @property
    def ruleset(self) -> RuleSet:
        """The compiled packs this engine runs."""
        return self._ruleset

    @property
    def holiday_book(self) -> HolidayBook:
        """The days off this engine schedules around: public holidays plus its packs' `calendar.days_off`."""
        return self._holidays

    def cache_info(self) -> dict[str, CacheInfo]:
        """Hits, misses and sizes of the caches of pure results this engine fills (dues, calendars, renewal
        stages, phrases, names): for tuning a long run, or checking memory stays bounded."""
        return {"calendars": self._calendar_for.cache_info(), "dues": self._due_for.cache_info(),
                "renewals": self._renewal_on.cache_info(), **self._writer.cache_info()}

    @property
    def rule_ids(self) -> tuple[str, ...]:
        """Every enabled rule, as `pack/rule`."""
        return tuple(r.id for r in self._ruleset.rules)

    # -- evaluation --------------------------------------------------------------------------------
    def evaluate(self, snapshot: SnapshotLike, as_of: dt.datetime | None = None) -> Decision:
        """Decide the next actions for one account at `as_of` (naive: the account's local time; None: when the
        snapshot was taken, its `taken_at`, else now).

        `snapshot` is an `AccountSnapshot`, or its JSON (bytes or str) or dict, validated here (`InputError`
        lists every invalid field). An `as_of` that is not a datetime raises `UsageError`."""
        return self._run(snapshot, as_of).decision

    @overload
    def evaluate_many(self, snapshots: Iterable[SnapshotLike], as_of: dt.datetime | None = None, *, workers: int = 1,
                      chunk_size: int = 256, as_json: Literal[False] = False) -> Iterator[Decision]: ...

    @overload
    def evaluate_many(self, snapshots: Iterable[SnapshotLike], as_of: dt.datetime | None = None, *, workers: int = 1,
                      chunk_size: int = 256, as_json: Literal[True]) -> Iterator[str]: ...

    def evaluate_many(self, snapshots: Iterable[SnapshotLike], as_of: dt.datetime | None = None, *, workers: int = 1,
                      chunk_size: int = 256, as_json: bool = False) -> Iterator[Decision] | Iterator[str]:
        """Decisions for many accounts, streamed in input order: memory stays flat whatever the portfolio's size.

        Each snapshot may be an `AccountSnapshot`, its JSON (bytes or str, e.g. a line of a book) or a dict;
        JSON is parsed and validated in one pass. A snapshot that is not valid raises `InputError` naming its
        position (`snapshot #N`) once the decisions before it have been yielded. With `as_json=True` each
        decision comes as its JSON text, byte-identical to `evaluate(...).model_dump_json()`.

        With `workers > 1` the snapshots are evaluated in that many processes (each gets a copy of this
        engine); at most `2 x workers` chunks are in flight, so the input is read only as fast as it is used.
        The results are the same as evaluating one by one. `as_of=None` fixes "now" once for the whole run.
        The workers validate, evaluate and serialize; this process only hands them bytes and reads back the
        decisions. A list (or tuple) is inherited whole by workers that start by fork (Linux; they see it as it
        is at the first decision), so only positions cross and validated snapshots are never written out again;
        a stream of validated snapshots must be, so stream JSON instead. Take JSON back when you write the
        decisions out anyway: workers then scale with cores (docs/performance.md).
        """
        for name, count in (("workers", workers), ("chunk_size", chunk_size)):
            if isinstance(count, bool) or not isinstance(count, int):  # the compiled build refuses these at the call
                raise TypeError(f"{name} must be a whole number (int), not {type(count).__name__}")
        if workers < 1:
            raise UsageError(f"workers must be 1 or more (1: in this process), not {workers}")
        if chunk_size < 1:
            raise UsageError(f"chunk_size must be 1 or more, not {chunk_size}")
        check_as_of(as_of)
        moment = as_of if as_of is not None else dt.datetime.now(dt.timezone.utc)
        if workers > 1:
            from .parallel import parallel_map

            return parallel_map(self, snapshots, moment, workers=workers, chunk_size=chunk_size, as_json=as_json)
        return self._one_by_one(snapshots, moment, as_json)

    def _one_by_one(self, snapshots: Iterable[SnapshotLike], as_of: dt.datetime, as_json: bool) -> Iterator[Any]:
        """`evaluate_many` in this process, lazily: a generator function (mypyc may build a generator
        expression eagerly), so the input is read only as fast as decisions are taken."""
        from .inputs import as_snapshot

        for n, item in enumerate(snapshots, 1):
            decision = self.evaluate(as_snapshot(item, f"snapshot #{n}"), as_of=as_of)
            yield decision.model_dump_json() if as_json else decision

    def explain(self, snapshot: SnapshotLike, as_of: dt.datetime | None = None, *, rule: str | None = None) -> Explanation:
        """Evaluate and explain: each rule fired or not (with the first failing clause), signals, arbitration."""
        from .explain import Explanation, MeasureTrace, RuleTrace

        run = self._run(snapshot, as_of)
        decision = run.decision
        fate: dict[str, str] = {}
        for action in decision.actions:
            fate[action.rule] = f"kept: {action.kind} due {action.due.isoformat()} (priority {action.priority})"
            for merged in action.merged_rules:
                fate[merged] = f"merged into {action.rule}'s {action.kind}"
        for held in decision.suppressed:
            fate.setdefault(held.rule, f"held back: {held.reason}")
        traces: list[RuleTrace] = []
        for compiled in self._ruleset.rules:
            if rule is not None and compiled.id != rule:
                continue
            outcome = run.outcomes[compiled.id]
            condition = compiled.condition
            if outcome is True:
                traces.append(RuleTrace(rule=compiled.id, outcome="fired", condition=condition.text, result=fate.get(compiled.id)))
                continue
            clause = trace(condition.node, condition.text, run.signals)
            traces.append(RuleTrace(rule=compiled.id, outcome="unknown data" if outcome is None else "not fired",
                                    condition=condition.text, clause=clause.clause, values=dict(clause.values)))
        if rule is not None and not traces:
            raise UnknownRuleError(f"no rule {rule!r}; rules: {', '.join(self.rule_ids)}")
        measures = [MeasureTrace(measure=m.measure.id, points=m.measure.points, hit=m.measure.id in decision.risk.reasons,
                                 condition=m.condition.text) for m in self._ruleset.measures]
        return Explanation(decision=decision, signals=dict(run.signals), rules=traces, risk_measures=measures,
                           arbitration=list(run.notes))

    def signals(self, snapshot: SnapshotLike, as_of: dt.datetime | None = None) -> dict[str, SignalValue]:
        """Every signal of the catalogue for this account at `as_of`, derived ones included."""
        return dict(self._run(snapshot, as_of).signals)

    def _run(self, given: SnapshotLike, as_of: dt.datetime | None) -> _Run:
        snapshot = given if isinstance(given, AccountSnapshot) else as_snapshot(given, "snapshot")
        if as_of is not None and not isinstance(as_of, dt.datetime):
            check_as_of(as_of)
        zone = snapshot.account.zone
        if as_of is None:
            as_of = snapshot.taken_at if snapshot.taken_at is not None else dt.datetime.now(zone)
        if as_of.tzinfo is None:
            as_of = as_of.replace(tzinfo=zone)
        as_of = as_of.astimezone(zone)
        today = as_of.date()
        rs = self._ruleset

        signals = compute_signals(snapshot, as_of)
        terms = RenewalTerms.of(snapshot.contract)  # the same for many accounts on a given day
        renewal, window_open = self._renewal_on(terms, today)
        add_renewal_signals(signals, renewal, window_open, snapshot.contract, today)
        voice = self._writer.voice(snapshot.account.locale)
        risk = assess(rs.risk, rs.measures_by_weight, signals, lambda hits: self._writer.explain_risk(hits, signals, voice))
        if rs.risk is not None:
            add_risk_signals(signals, risk)
        history = History.of(snapshot)
        discount = None
        deadline_for: Callable[[str, dt.date], dt.date | None] | None = None
        business_days: Callable[[dt.date, dt.date], int] | None = None  # the account's, when there is a discount ask
        if rs.discount is not None and signals.get("discount_requested_pct") is not None:
            policy = rs.discount
            calendar = self._calendar(snapshot)
            count = business_days = calendar.working_days_between

            def pay_by(condition: str, day: dt.date) -> dt.date | None:
                return offer_deadline(policy, condition, day, count)

            deadline_for = pay_by

            declined = bool(history.declined) and self._counter_offer_declined(policy.pack, snapshot, signals, history)
            discount = decide(policy, signals, calendar.next_working_day(today), counter_offer_declined=declined,
                              business_days=count, locale=snapshot.account.locale)
        if discount is not None:
            add_discount_signals(signals, discount)

        fired: list[CompiledRule] = []
        outcomes: dict[str, bool | None] = {}
        for rule in rs.rules:
            result = rule.condition.test(signals)
            outcomes[rule.id] = result
            if result is True:
                fired.append(rule)
        facts = Facts(snapshot, signals, risk, renewal, discount, as_of, voice, deadline_for)
        formula = rs.arbitration.priority
        value = float(signals.get("annual_contract_value") or 0.0) + formula.ltv_share * float(signals.get("ltv") or 0.0)
        stake = account_stake(formula, value, snapshot.contract.currency, risk.level)
        candidates = [self._candidate(rule, facts, stake) for rule in fired]
        if rs.ordered:
            _after_prerequisites(candidates, rs.ordered)
        held: list[Suppressed] = []
        if history:
            screened = screen(candidates, history, rs.cooldowns, as_of, voice.locale,
                              lambda day: self._writer.date_phrase(day, voice.locale))
            held = screened.suppressed
            wanted = screened.candidates
        else:
            wanted = candidates
        touches = _touches(snapshot) if wanted else []  # only caps on planned contacts read them
        arbitrated = arbitrate(wanted, rs.arbitration, rs.conflicts, rs.cap_exempt, signals, touches, voice.locale)
        actions = arbitrated.actions
        suppressed = held + arbitrated.suppressed
        withdrawn: list[Withdrawn] = []
        if history:
            actions, suppressed, withdrawn = self._across_runs(history, candidates, actions, suppressed, facts)
        if discount is not None and rs.discount is not None and business_days is not None:
            discount = dated_for_its_answer(discount, actions, rs.discount, business_days)
        decision = Decision(
            account_id=snapshot.account.id,
            as_of=as_of,
            risk=risk,
            renewal=renewal,
            actions=actions,
            discount=discount,
            suppressed=suppressed,
            withdrawn=withdrawn,
        )
        return _Run(decision, signals, outcomes, arbitrated.notes)

    # -- building one action -----------------------------------------------------------------------
    def _candidate(self, rule: CompiledRule, facts: Facts, stake: float) -> Candidate:
        snapshot = facts.snapshot
        account = snapshot.account
        template = rule.rule.action
        policy = template.due
        end = snapshot.contract.end_date if policy.days_before_end is not None else None
        calendar, due = self._due_for(rule.id, account.country, account.subdivision, account.timezone, facts.as_of, end)
        role = self._owner_role(template.owner_role, facts.risk, snapshot, facts.discount)
        contact = _pick_contact(template.contact, snapshot, facts.signals)
        priority = priority_of(rule.rule.priority, stake)
        ident = self._action_id(rule, snapshot, facts.signals, contact)
        named = contact.name or self._writer.unnamed_contact(facts, contact.id) if contact is not None else None
        return Candidate(rule.id, template.kind, CHANNEL_OF_KIND.get(template.kind), contact.id if contact else None, due,
                         priority, policy.at, calendar, self._writer.draft(rule, facts, role, contact, ident), ident,
                         contact_name=named)

    def _calendar(self, snapshot: AccountSnapshot) -> BusinessCalendar:
        """The account's business calendar with the default working hours (for counting business days)."""
        account = snapshot.account
        return self._calendar_for(account.country, account.subdivision, account.timezone, _DEFAULT_HOURS)

    def _new_calendar(self, country: str, subdivision: str | None, timezone: str, hours: WorkingHours) -> BusinessCalendar:
        """A business calendar (remembered by `_calendar_for`)."""
        return BusinessCalendar(country, ZoneInfo(timezone), hours, self._holidays, subdivision)

    def _due(self, rule_id: str, country: str, subdivision: str | None, timezone: str, as_of: dt.datetime,
             end: dt.date | None) -> tuple[BusinessCalendar, dt.datetime]:
        """A rule's due for an account's calendar and as-of, `end` the contract's end when the rule counts back
        from it (remembered by `_due_for`: a morning run asks for the same few thousand dues again and again)."""
        rule = self._ruleset.by_id[rule_id]
        calendar = self._calendar_for(country, subdivision, timezone, rule.hours)
        return calendar, schedule(rule.rule.action.due, calendar, as_of, end)

    def _renewal(self, terms: RenewalTerms, today: dt.date) -> tuple[Renewal, bool]:
        """The renewal stage of a contract's terms on a day (remembered by `_renewal_on`)."""
        return renewal_status(terms, today, self._ruleset.renewal)

    @staticmethod
    def _action_id(rule: CompiledRule, snapshot: AccountSnapshot, signals: Mapping[str, SignalValue],
                   contact: ContactRef | None) -> str:
        """The stable id of the situation `rule` answers for this account (see `nba.episodes`)."""
        return action_id(snapshot.account.id, rule.id, contact.id if contact is not None else None,
                         episode_values(rule.episode, snapshot, signals))

    def _counter_offer_declined(self, pack: str, snapshot: AccountSnapshot, signals: Mapping[str, SignalValue],
                                history: History) -> bool:
        """Whether the client declined an answer of the discount pack to the open request (same situation, same id)."""
        for rule in self._ruleset.rules:
            if rule.pack != pack or rule.id not in history.declined:
                continue
            contact = _pick_contact(rule.rule.action.contact, snapshot, signals)
            entry = history.by_id.get(self._action_id(rule, snapshot, signals, contact))
            if entry is not None and entry.outcome == "declined":
                return True
        return False

    def _across_runs(self, history: History, candidates: Sequence[Candidate], actions: list[NextAction],
                     suppressed: list[Suppressed], facts: Facts) -> tuple[list[NextAction], list[Suppressed], list[Withdrawn]]:
        """Escalations of actions left overdue, and the open actions of the history whose situation is over."""
        rs = self._ruleset
        snapshot, voice = facts.snapshot, facts.voice
        if any(a.status == "overdue" for a in actions):
            reference = facts.as_of.year
            raised, held = escalate(
                actions, {c.id: c.calendar for c in candidates}, history, self._escalation, snapshot, facts.as_of,
                voice.locale, lambda due: self._writer.due_phrase(due, voice.locale, reference if due.year != reference else None),
                lambda role: person_for(role, snapshot))
            if raised:
                actions = sorted(actions + raised, key=order_key)
            suppressed = suppressed + held
        fired = {c.rule: c.id for c in candidates}
        by_id = rs.by_id

        def resolved(rule_id: str) -> str | None:
            texts = by_id[rule_id].rule.action.resolved
            return pick_locale(texts, voice.locale) if texts else None

        withdrawn = withdraw(history, actions, suppressed, fired, by_id.__contains__, resolved, voice.locale)
        return actions, suppressed, withdrawn

    def _owner_role(self, wanted: str, risk: Risk, snapshot: AccountSnapshot,
                    discount: DiscountDecision | None) -> OwnerRole:
        if wanted == "discount_approver":
            if discount is not None and discount.approval_role is not None:
                return discount.approval_role
            wanted = "auto"
        if wanted != "auto":
            return wanted  # type: ignore[return-value]
        if self._ruleset.risk is not None:
            return owner_for(risk.level, snapshot.account.segment, self._ruleset.owners)
        return snapshot.account.owner.role if snapshot.account.owner is not None else "csm"


def check_as_of(as_of: object) -> None:
    """Raise `UsageError` unless `as_of` is a datetime or None: a date or a text would fail deep inside a run."""
    if as_of is not None and not isinstance(as_of, dt.datetime):
        raise UsageError(f"as_of must be a datetime (naive: read in each account's local time) or None, not "
                         f"{type(as_of).__name__}; read text with datetime.fromisoformat")


def _rebuild(sources: Sequence[PackSource], backend: str) -> Engine:
    return Engine(compile_packs(sources, _resolve_backend(backend)), sources)


@dataclass(slots=True)
class _Run:
    """One evaluation's decision with the signals and rule outcomes behind it (for explanations)."""

    decision: Decision
    signals: Mapping[str, SignalValue]
    outcomes: Mapping[str, bool | None]
    notes: list[str]


def _after_prerequisites(candidates: Sequence[Candidate], ordered: Mapping[str, frozenset[str]]) -> None:
    """Move each candidate whose rule must come `after` others to the first slot an hour after the latest of them
    (the approver's step before the client is answered)."""
    due_of = {c.rule: c.due for c in candidates}
    for candidate in candidates:
        before = [due_of[r] for r in ordered.get(candidate.rule, ()) if r in due_of]
        if before and candidate.due <= max(before):
            candidate.due = candidate.calendar.next_slot(max(before) + dt.timedelta(hours=1), candidate.preferred_time)


def _touches(snapshot: AccountSnapshot) -> list[PlannedTouch]:
    """The snapshot's past contacts as aware moments (naive ones read in the account's zone), email for messages."""
    zone = snapshot.account.zone
    return [PlannedTouch(aware(t.at, zone), "email" if t.channel == "message" else t.channel, t.contact_id)
            for t in snapshot.touches]


def _pick_contact(picks: Sequence[str], snapshot: AccountSnapshot, signals: Mapping[str, SignalValue]) -> ContactRef | None:
    """The first of the rule's contact picks that finds someone (the contact's name when the snapshot knows it)."""
    for pick in picks:
        contact_id: object = None
        if pick == "primary":
            contact_id = next((c.id for c in snapshot.contacts if c.is_primary), None)
        elif pick == "new_contact":
            contact_id = signals.get("new_contact_id")
        elif pick == "discount_requester":
            contact_id = signals.get("discount_contact_id")
        elif pick == "export_ticket_author":
            ticket_id = signals.get("export_ticket_id")
            contact_id = next((t.contact_id for t in snapshot.tickets if t.id == ticket_id), None)
        elif pick == "latest_reply":
            replied = [c for c in snapshot.contacts if c.last_reply_at is not None]
            zone = snapshot.account.zone
            contact_id = max(replied, key=lambda c: (aware(c.last_reply_at, zone), c.id)).id if replied else None
        if isinstance(contact_id, str):
            known = next((c for c in snapshot.contacts if c.id == contact_id), None)
            if known is None:
                return ContactRef(id=contact_id)
            return ContactRef(id=contact_id, name=known.name, email=known.email, phone=known.phone)
    return None
