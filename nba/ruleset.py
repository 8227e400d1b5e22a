"""Compiles loaded packs into a rule set: conditions type-checked and compiled, templates checked."""

from __future__ import annotations

from collections.abc import Sequence
import dataclasses
from dataclasses import dataclass, field

from .calendar import WorkingHours
from .holiday_data import country_holidays, supported_countries
from .conditions import CompiledCondition, ConditionBackend, Node, check, parse
from .conditions.checker import suggest
from .errors import ConditionError, Problem, RulePackError
from .packs.loader import Loc, PackSource, condition_problem, sort_problems
from .packs.model import (
    ArbitrationSettings,
    DayOff,
    DiscountPolicy,
    RenewalSettings,
    RiskMeasure,
    RiskOwners,
    RiskScorecard,
    Rule,
)
from .episodes import EPISODE_PARTS, default_episode
from .signals import CATALOGUE, DAY_PHRASES, SIGNAL_PHRASES, symbols_for
from .patterns import matches, pattern_problem
from .texts import TemplateError, language, pick_locale, placeholders
from .writing import CONTEXT_PLACEHOLDERS

@dataclass(frozen=True, slots=True)
class Condition:
    """A checked condition: its source text, syntax tree, the signals it reads and its compiled form."""

    text: str
    node: Node
    signals: frozenset[str]
    test: CompiledCondition


@dataclass(frozen=True, slots=True, eq=False)
class CompiledRule:
    """A rule ready to run: its pack, full id, condition and the pack's working hours (one object per rule of a
    ruleset, equal only to itself, so it keys caches cheaply)."""

    pack: str
    rule: Rule
    condition: Condition
    hours: WorkingHours
    placeholders: frozenset[str]
    id: str = field(default="", compare=False)  # `pack/rule`, set from pack and rule
    signal_placeholders: tuple[str, ...] = field(default=(), compare=False)  # the placeholders that are signals
    context_placeholders: tuple[str, ...] = field(default=(), compare=False)  # the others: names, dates, offers
    episode: tuple[str, ...] = field(default=(), compare=False)  # the episode parts that make its situation
    cooldown_days: int = field(default=0, compare=False)  # after a decline, days before it is issued again

    def __post_init__(self) -> None:
        object.__setattr__(self, "id", f"{self.pack}/{self.rule.id}")
        object.__setattr__(self, "signal_placeholders", tuple(sorted(self.placeholders - CONTEXT_PLACEHOLDERS.keys())))
        object.__setattr__(self, "context_placeholders", tuple(sorted(self.placeholders & CONTEXT_PLACEHOLDERS.keys())))
        if self.rule.episode is not None:
            object.__setattr__(self, "episode", tuple(self.rule.episode))
        else:
            object.__setattr__(self, "episode", default_episode(self.condition.signals))


@dataclass(frozen=True, slots=True, eq=False)
class CompiledMeasure:
    """A risk scorecard measure with its compiled condition (equal only to itself, like `CompiledRule`)."""

    measure: RiskMeasure
    condition: Condition
    placeholders: frozenset[str]


@dataclass(frozen=True, slots=True)
class CompiledPolicy:
    """A discount policy with its commitment and adjustment conditions compiled."""

    policy: DiscountPolicy
    pack: str
    commitment_conditions: dict[str, Condition | None]
    adjustment_conditions: tuple[Condition, ...]


@dataclass(frozen=True, slots=True)
class CompiledConflict:
    """A precedence conflict with its condition compiled and its patterns resolved to the rules they match."""

    condition: Condition | None
    if_any: frozenset[str] | None  # rule ids; None when the conflict has no `if_any`
    suppress: frozenset[str]  # rule ids
    reason: str | dict[str, str]  # one text, or one per locale

    def reason_in(self, locale: str) -> str:
        """The reason as the account's people read it."""
        return self.reason if isinstance(self.reason, str) else pick_locale(self.reason, locale)


@dataclass(frozen=True, slots=True)
class RuleSet:
    """Everything the engine runs, compiled once at load time and never mutated."""

    rules: tuple[CompiledRule, ...]
    measures: tuple[CompiledMeasure, ...]  # as declared
    measures_by_weight: tuple[CompiledMeasure, ...]  # largest points first, then by id: the order of risk reasons
    risk: RiskScorecard | None
    owners: RiskOwners
    renewal: RenewalSettings
    discount: CompiledPolicy | None
    arbitration: ArbitrationSettings
    conflicts: tuple[CompiledConflict, ...]
    cap_exempt: frozenset[str]  # ids of the rules the contact caps do not apply to
    cooldowns: dict[str, int]  # rule id -> days a declined action waits before it is issued again
    ordered: dict[str, frozenset[str]]  # rule id -> the rules whose actions must come before its own
    packs: tuple[str, ...]
    backend: str
    days_off: tuple[DayOff, ...] = ()  # every pack's, in pack order: they are about people, not one pack
    display_names: dict[str, dict[str, str]] = field(default_factory=dict)  # code -> locale -> words, every pack's
    files: tuple[str, ...] = field(default=())
    by_id: dict[str, CompiledRule] = field(default_factory=dict, compare=False)  # the rules by `pack/rule`

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {r.id: r for r in self.rules})


def compile_packs(sources: Sequence[PackSource], backend: ConditionBackend) -> RuleSet:
    """Check and compile every condition and template; raises `RulePackError` listing all problems."""
    problems: list[Problem] = []
    pending: list[tuple[PackSource, Loc, str]] = []  # conditions to compile, in a stable order

    def want(source: PackSource, loc: Loc, text: str) -> None:
        pending.append((source, loc, text))

    risk_sources = [s for s in sources if s.pack.risk is not None]
    renewal_sources = [s for s in sources if s.pack.renewal is not None]
    discount_sources = [s for s in sources if s.pack.discount_policy is not None]
    arbitration_sources = [s for s in sources if s.pack.arbitration is not None]
    for label, found in (("risk", risk_sources), ("renewal", renewal_sources), ("discount_policy", discount_sources),
                         ("arbitration", arbitration_sources)):
        for extra in found[1:]:
            problems.append(extra.problem((label,), f"`{label}` is already defined in {found[0].file}",
                                          f"keep one `{label}` section across all packs", code="pack.duplicate"))

    for source in sources:
        pack = source.pack
        seen_ids: dict[str, int] = {}
        for i, rule in enumerate(pack.rules):
            if rule.id in seen_ids:
                problems.append(source.problem(("rules", i, "id"), f"duplicate rule id `{rule.id}` in pack `{pack.pack}`", code="rule.duplicate_id", hint=
                                               f"rule #{seen_ids[rule.id] + 1} already uses it; rename one"))
            seen_ids.setdefault(rule.id, i)
            want(source, ("rules", i, "when"), rule.when)
            problems.extend(_check_action(source, i, rule, pack.locales))
        if pack.risk is not None:
            for j, measure in enumerate(pack.risk.measures):
                want(source, ("risk", "measures", j, "when"), measure.when)
                problems.extend(_check_texts(source, ("risk", "measures", j, "reason"), measure.reason, pack.locales))
        if pack.discount_policy is not None:
            for name, commitment in pack.discount_policy.commitments.items():
                if commitment.when is not None:
                    want(source, ("discount_policy", "commitments", name, "when"), commitment.when)
            for k, adjustment in enumerate(pack.discount_policy.adjustments):
                want(source, ("discount_policy", "adjustments", k, "when"), adjustment.when)
                if adjustment.reason:
                    problems.extend(_check_reason(source, ("discount_policy", "adjustments", k, "reason"), adjustment.reason))
        if pack.arbitration is not None:
            for k, conflict in enumerate(pack.arbitration.conflicts):
                if conflict.when is not None:
                    want(source, ("arbitration", "conflicts", k, "when"), conflict.when)

        for code, words in pack.display_names.items():
            problems.extend(_check_texts(source, ("display_names", code), words, pack.locales))
        for k, day_off in enumerate(pack.calendar.days_off):
            problems.extend(_check_day_off(source, ("calendar", "days_off", k), day_off))

    all_rule_ids = [f"{s.pack.pack}/{r.id}" for s in sources for r in s.pack.rules]
    for source in sources:
        for i, rule in enumerate(source.pack.rules):
            for k, other in enumerate(rule.action.after):
                if other not in all_rule_ids:
                    close = suggest(other, all_rule_ids)
                    problems.append(source.problem(("rules", i, "action", "after", k), f"`after` names no rule `{other}`", code="rule.unknown", hint=
                                                   f"did you mean `{close}`?" if close else "write pack/rule"))
    for source in arbitration_sources:
        settings = source.pack.arbitration
        assert settings is not None
        for k, conflict in enumerate(settings.conflicts):
            problems.extend(_check_reason(source, ("arbitration", "conflicts", k, "reason"), conflict.reason))
            for field_name in ("if_any", "suppress"):
                for m, pattern in enumerate(getattr(conflict, field_name)):
                    problem = pattern_problem(pattern, all_rule_ids)
                    if problem:
                        problems.append(source.problem(("arbitration", "conflicts", k, field_name, m), *problem, code="pattern"))
        for m, pattern in enumerate(settings.caps.exempt):
            problem = pattern_problem(pattern, all_rule_ids)
            if problem:
                problems.append(source.problem(("arbitration", "caps", "exempt", m), *problem, code="pattern"))

    checked: dict[tuple[int, Loc], tuple[str, Node, frozenset[str]]] = {}
    for source, loc, text in pending:
        try:
            node = parse(text)
            used = check(node, symbols_for(str(loc[0])))
            backend.check(node)
        except ConditionError as exc:
            problems.append(condition_problem(source, loc, exc))
            continue
        checked[(id(source), loc)] = (text, node, used)
    if problems:
        raise RulePackError(sort_problems(problems))

    order = list(checked)
    try:
        compiled = backend.compile([checked[key][1] for key in order])
    except ConditionError as exc:  # a backend's own limit, found only when it builds the conditions together
        source, loc, _ = next(item for item in pending if (id(item[0]), item[1]) == order[exc.condition or 0])
        raise RulePackError([condition_problem(source, loc, exc)]) from exc
    conditions = {key: Condition(checked[key][0], checked[key][1], checked[key][2], test)
                  for key, test in zip(order, compiled, strict=True)}

    rules: list[CompiledRule] = []
    cooldowns: dict[str, int | None] = {}
    measures: list[CompiledMeasure] = []
    policy: CompiledPolicy | None = None
    for source in sources:
        pack = source.pack
        hours = WorkingHours(pack.calendar.working_hours.start, pack.calendar.working_hours.end)
        for i, rule in enumerate(pack.rules):
            if rule.enabled:
                used = _placeholders(rule.action.title, rule.action.text, rule.action.reason, rule.action.topic or {})
                rules.append(CompiledRule(pack.pack, rule, conditions[(id(source), ("rules", i, "when"))], hours, used))
                cooldowns[rules[-1].id] = rule.cooldown_days
        if pack.risk is not None:
            for j, measure in enumerate(pack.risk.measures):
                measures.append(CompiledMeasure(measure, conditions[(id(source), ("risk", "measures", j, "when"))],
                                                _placeholders(measure.reason)))
        if pack.discount_policy is not None:
            dp = pack.discount_policy
            policy = CompiledPolicy(
                dp,
                pack.pack,
                {name: (conditions[(id(source), ("discount_policy", "commitments", name, "when"))] if c.when else None)
                 for name, c in dp.commitments.items()},
                tuple(conditions[(id(source), ("discount_policy", "adjustments", k, "when"))] for k in range(len(dp.adjustments))),
            )
    scorecard = risk_sources[0].pack.risk if risk_sources else None
    arbitration = ArbitrationSettings()
    conflict_conditions: tuple[Condition | None, ...] = ()
    if arbitration_sources:
        source = arbitration_sources[0]
        assert source.pack.arbitration is not None
        arbitration = source.pack.arbitration
        conflict_conditions = tuple(
            conditions[(id(source), ("arbitration", "conflicts", k, "when"))] if c.when is not None else None
            for k, c in enumerate(arbitration.conflicts)
        )

    def matching(patterns: Sequence[str]) -> frozenset[str]:
        return frozenset(r.id for r in rules if any(matches(p, r.id, r.rule.action.kind) for p in patterns))

    default_cooldown = arbitration.lifecycle.decline_cooldown_days
    rules = [dataclasses.replace(r, cooldown_days=_or(cooldowns[r.id], default_cooldown)) for r in rules]
    conflicts = tuple(CompiledConflict(condition, matching(c.if_any) if c.if_any else None, matching(c.suppress), c.reason)
                      for c, condition in zip(arbitration.conflicts, conflict_conditions, strict=True))
    return RuleSet(
        rules=tuple(rules),
        measures=tuple(measures),
        measures_by_weight=tuple(sorted(measures, key=lambda m: (-m.measure.points, m.measure.id))),
        risk=scorecard,
        owners=scorecard.owners if scorecard is not None else RiskOwners(),
        renewal=renewal_sources[0].pack.renewal if renewal_sources and renewal_sources[0].pack.renewal else RenewalSettings(),
        discount=policy,
        arbitration=arbitration,
        conflicts=conflicts,
        cap_exempt=matching(arbitration.caps.exempt),
        cooldowns={r.id: r.cooldown_days for r in rules},
        ordered={r.id: frozenset(r.rule.action.after) for r in rules if r.rule.action.after},
        packs=tuple(s.pack.pack for s in sources),
        backend=backend.name,
        days_off=tuple(d for s in sources for d in s.pack.calendar.days_off),
        display_names={code: dict(words) for s in sources for code, words in s.pack.display_names.items()},
        files=tuple(s.file for s in sources),
    )


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


def _placeholders(*texts: dict[str, str]) -> frozenset[str]:
    """Every placeholder the templates use, in any locale (templates were checked before this runs)."""
    return frozenset(name for by_locale in texts for template in by_locale.values() for name in placeholders(template))


def _check_action(source: PackSource, index: int, rule: Rule, locales: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    base: Loc = ("rules", index, "action")
    action = rule.action
    for name in ("title", "text", "reason"):
        problems.extend(_check_texts(source, (*base, name), getattr(action, name), locales))
    if action.resolved is not None:
        problems.extend(_check_texts(source, (*base, "resolved"), action.resolved, locales))
    if action.topic is not None:
        problems.extend(_check_texts(source, (*base, "topic"), action.topic, locales))
    for k, part in enumerate(rule.episode or ()):
        if part not in EPISODE_PARTS:
            close = suggest(part, EPISODE_PARTS)
            problems.append(source.problem(("rules", index, "episode", k), f"unknown episode part `{part}`", code="episode.unknown_part", hint=
                                           f"did you mean `{close}`?" if close else "parts: " + ", ".join(EPISODE_PARTS)))
    due = action.due
    if due.at is not None:
        start, end = source.pack.calendar.working_hours.start, source.pack.calendar.working_hours.end
        if not start <= due.at < end:
            problems.append(source.problem((*base, "due", "at"),
                                           f"due time {due.at:%H:%M} is outside working hours {start:%H:%M}-{end:%H:%M}, so it can never be scheduled",
                                           "pick a time inside working hours or change calendar.working_hours",
                                           code="due.outside_hours"))
    return problems


#: The years a day off's holiday name is looked up in: fixed, so loading a pack never depends on the clock.
_DAY_OFF_YEARS = (2025, 2026, 2027)


def _check_day_off(source: PackSource, loc: Loc, day_off: DayOff) -> list[Problem]:
    """Countries and subdivisions the `holidays` package knows, and a holiday name each country has."""
    problems: list[Problem] = []
    known = supported_countries()
    for k, country in enumerate(day_off.countries or ()):
        if country not in known:
            close = suggest(country, known)
            problems.append(source.problem((*loc, "countries", k), f"unknown country code `{country}`", code="calendar.country", hint=
                                           f"did you mean `{close}`?" if close else "use an ISO 3166-1 alpha-2 code, e.g. DE"))
            continue
        if day_off.after_holiday is None:
            continue
        names = {name for year in _DAY_OFF_YEARS for name in country_holidays(country, year).values()}
        wanted = day_off.after_holiday.casefold()
        if not any(wanted in name.casefold() for name in names):
            close = suggest(day_off.after_holiday, names)
            problems.append(source.problem((*loc, "after_holiday"),
                                           f"{country} has no public holiday named like `{day_off.after_holiday}`",
                                           f"did you mean `{close}`?" if close else "its holidays: " + ", ".join(sorted(names)),
                                           code="calendar.holiday"))
    return problems


def _check_reason(source: PackSource, loc: Loc, reason: str | dict[str, str]) -> list[Problem]:
    """A reason people read: one text per locale when the pack speaks more than one language."""
    locales = source.pack.locales
    if isinstance(reason, dict):
        return _check_texts(source, loc, reason, locales)
    if len({language(locale) for locale in locales}) > 1:
        return [source.problem(loc, f"one text for a pack in {', '.join(locales)}: people would read it untranslated", code="text.untranslated", hint=
                               "give it per locale, e.g. reason: {" + ", ".join(f"{x}: ..." for x in locales) + "}")]
    return []


def _check_texts(source: PackSource, loc: Loc, texts: dict[str, str], locales: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for locale in locales:
        if locale not in texts:
            problems.append(source.problem(loc, f"missing `{locale}` text", f"the pack declares locales {', '.join(locales)}; add `{locale}:`",
                                           code="text.missing_locale"))
    allowed = set(CATALOGUE) | set(CONTEXT_PLACEHOLDERS) | set(DAY_PHRASES) | set(SIGNAL_PHRASES)
    for locale, template in texts.items():
        try:
            names = placeholders(template)
        except TemplateError as exc:
            problems.append(source.problem((*loc, locale), str(exc), code="text.template"))
            continue
        for name in names:
            if name not in allowed:
                close = suggest(name, allowed)
                problems.append(source.problem((*loc, locale), f"unknown placeholder {{{name}}}", code="text.placeholder", hint=
                                               f"did you mean {{{close}}}?" if close else "see docs/authoring.md for placeholders",
                                               offset=template.find("{" + name)))
    return problems

