"""Explanations: for one account, why each rule fired or not, the signals seen, and what arbitration did."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from .models import FrozenModel
from .decision import Decision
from .signals import show_value

SignalJSON = float | str | bool | None


class RuleTrace(FrozenModel):
    """Why one rule fired or did not, and what became of its action."""

    rule: str
    outcome: Literal["fired", "not fired", "unknown data"]
    condition: str
    clause: str | None = Field(default=None, description="for a rule that did not fire: the first clause that failed")
    values: dict[str, SignalJSON] = Field(default_factory=dict, description="the signals that clause read")
    result: str | None = Field(default=None, description="for a rule that fired: kept, merged into …, or held back: …")

    def describe(self) -> str:
        """One line for people."""
        if self.outcome == "fired":
            return f"{self.rule}: fired — {self.result}"
        seen = ", ".join(f"{k} = {show_value(v)}" for k, v in self.values.items())
        why = "has no data" if self.outcome == "unknown data" else "was false"
        return f"{self.rule}: not fired — `{self.clause}` {why}" + (f" ({seen})" if seen else "")


class MeasureTrace(FrozenModel):
    """One risk scorecard measure: whether it added its points."""

    measure: str
    points: float
    hit: bool
    condition: str


class Explanation(FrozenModel):
    """The full trace of one evaluation: the decision, the signals, every rule and every measure."""

    decision: Decision
    signals: dict[str, SignalJSON]
    rules: list[RuleTrace]
    risk_measures: list[MeasureTrace]
    arbitration: list[str] = Field(default_factory=list, description="what arbitration did: merged, moved, held back")

    def text(self) -> str:
        """The explanation as text for people."""
        d = self.decision
        lines = [f"Account {d.account_id} as of {d.as_of.isoformat()}", "", "Rules:"]
        lines += [f"  {r.describe()}" for r in self.rules]
        lines += ["", f"Risk: {d.risk.level} (score {d.risk.score:g})"]
        lines += [f"  {'+' if m.hit else ' '} {m.measure} ({m.points:g}): {m.condition}" for m in self.risk_measures]
        if self.arbitration:
            lines += ["", "Arbitration:"] + [f"  {note}" for note in self.arbitration]
        lines += ["", "Signals:"]
        width = max((len(k) for k in self.signals), default=0)
        lines += [f"  {k.ljust(width)}  {show_value(v)}" for k, v in self.signals.items()]
        return "\n".join(lines) + "\n"

