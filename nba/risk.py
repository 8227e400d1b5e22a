"""Risk tiers: the scorecard's weighted measures give a score, the score a level, the level an owner."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .decision import Risk
from .packs.model import RiskOwners, RiskScorecard
from .ruleset import CompiledMeasure
from .signals import SignalValue
from .vocab import OwnerRole, RiskLevel

#: The level of an account when no pack defines a risk scorecard.
NO_SCORECARD = Risk(level="green", score=0, reasons=[], explanations=["no risk scorecard is loaded"])


def assess(
    scorecard: RiskScorecard | None,
    measures: Sequence[CompiledMeasure],
    signals: Mapping[str, SignalValue],
    explain: Callable[[list[CompiledMeasure]], list[str]],
) -> Risk:
    """Score an account: sum the points of every measure whose condition holds (capped at 100).

    `measures` come largest first (as `RuleSet.measures_by_weight`), so the reasons do too;
    `explain` words the measures that hit, in the account's locale.
    """
    if scorecard is None:
        return NO_SCORECARD
    hits = [m for m in measures if m.condition.test(signals) is True]
    score = min(100.0, float(sum(m.measure.points for m in hits)))
    level: RiskLevel = "green"
    if score >= scorecard.thresholds.red:
        level = "red"
    elif score >= scorecard.thresholds.yellow:
        level = "yellow"
    return Risk(level=level, score=score, reasons=[m.measure.id for m in hits], explanations=explain(hits) if hits else [])


def owner_for(level: RiskLevel, segment: str, owners: RiskOwners) -> OwnerRole:
    """Who owns an account's actions at this risk level (red key accounts go to `red_key`)."""
    if level == "red":
        return owners.red_key if segment == "key" else owners.red
    return owners.yellow if level == "yellow" else owners.green
