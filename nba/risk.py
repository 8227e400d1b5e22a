"""Risk tiers: the scorecard's weighted measures give a score, the score a level, the level an owner."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .decision import Risk
from .packs.model import RiskOwners, RiskScorecard
from .ruleset import CompiledMeasure
from .signals import SignalValue
from .texts import pick_locale, render
from .vocab import OwnerRole, RiskLevel

#: The level of an account when no pack defines a risk scorecard.
NO_SCORECARD = Risk(level="green", score=0, reasons=[], explanations=["no risk scorecard is loaded"])


def assess(
    scorecard: RiskScorecard | None,
    measures: Sequence[CompiledMeasure],
    signals: Mapping[str, SignalValue],
    locale: str,
    fmt: Callable[[frozenset[str]], Mapping[str, str]],
) -> Risk:
    """Score an account: sum the points of every measure whose condition holds (capped at 100)."""
    if scorecard is None:
        return NO_SCORECARD
    hits = [m for m in measures if m.condition.test(signals) is True]
    hits.sort(key=lambda m: (-m.measure.points, m.measure.id))
    score = min(100.0, sum(m.measure.points for m in hits))
    level: RiskLevel = "green"
    if score >= scorecard.thresholds.red:
        level = "red"
    elif score >= scorecard.thresholds.yellow:
        level = "yellow"
    return Risk(
        level=level,
        score=score,
        reasons=[m.measure.id for m in hits],
        explanations=[render(pick_locale(m.measure.reason, locale), fmt(m.placeholders)) for m in hits],
    )


def owner_for(level: RiskLevel, segment: str, owners: RiskOwners) -> OwnerRole:
    """Who owns an account's actions at this risk level (red key accounts go to `red_key`)."""
    if level == "red":
        return owners.red_key if segment == "key" else owners.red
    return owners.yellow if level == "yellow" else owners.green
