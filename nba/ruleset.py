"""Builds the rule set the engine runs from loaded packs, once `packs.checks` found no problem in them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from .calendar import WorkingHours
from .conditions import CompiledCondition, ConditionBackend, Node
from .episodes import default_episode
from .errors import ConditionError, RulePackError
from .packs.checks import CheckedCondition, check_packs, condition_problem
from .packs.loader import Loc, PackSource, sort_problems
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
from .patterns import matches
from .locales import pick_locale, placeholders
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
    problems, checked = check_packs(sources, backend)
    if problems:
        raise RulePackError(sort_problems(problems))
    return _build(sources, _compile_conditions(checked, backend), backend)


def _compile_conditions(checked: Sequence[CheckedCondition],
                        backend: ConditionBackend) -> dict[tuple[int, Loc], Condition]:
    """The checked conditions compiled together by the backend, by (pack source, place)."""
    try:
        compiled = backend.compile([c.node for c in checked])
    except ConditionError as exc:  # a backend's own limit, found only when it builds the conditions together
        culprit = checked[exc.condition or 0]
        raise RulePackError([condition_problem(culprit.source.file, culprit.source.marks, culprit.loc, exc)]) from exc
    return {(id(c.source), c.loc): Condition(c.text, c.node, c.signals, test) for c, test in zip(checked, compiled, strict=True)}


def _build(sources: Sequence[PackSource], conditions: Mapping[tuple[int, Loc], Condition],
           backend: ConditionBackend) -> RuleSet:
    """The rule set of checked packs, with their compiled conditions."""
    risk_sources = [s for s in sources if s.pack.risk is not None]
    renewal_sources = [s for s in sources if s.pack.renewal is not None]
    arbitration_sources = [s for s in sources if s.pack.arbitration is not None]
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


