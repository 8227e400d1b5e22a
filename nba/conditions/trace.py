"""Explains a condition's outcome: which clause decided it, with the signal values it saw."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from ..signals import SignalValue, show_value
from .ast import Arith, Compare, Known, ListLit, Logical, Name, Negate, Node, Not
from .backend import NativeBackend


@dataclass(frozen=True, slots=True)
class ClauseTrace:
    """The clause that decided a condition: its text, its outcome and the signals it read."""

    clause: str
    outcome: bool | None
    values: dict[str, SignalValue] = field(default_factory=dict)

    def describe(self) -> str:
        """One line for people: `activity_drop_pct >= 40 was false (activity_drop_pct = 12.5)`."""
        state = {True: "true", False: "false", None: "unknown"}[self.outcome]
        seen = ", ".join(f"{k} = {show_value(v)}" for k, v in self.values.items())
        return f"`{self.clause}` was {state}" + (f" ({seen})" if seen else "")


def trace(node: Node, text: str, signals: Mapping[str, SignalValue]) -> ClauseTrace:
    """Find the clause that decided `node`: for a failed `and`, its first operand that was not true."""
    (compiled,) = NativeBackend().compile([node])
    outcome = compiled(signals)
    while isinstance(node, Logical) and outcome is not True and node.op == "and":
        for operand in node.operands:
            (part,) = NativeBackend().compile([operand])
            sub = part(signals)
            if sub is not True:
                node, outcome = operand, sub
                break
        else:  # pragma: no cover - an `and` that is not true has a non-true operand
            break
    names: dict[str, SignalValue] = {}
    for name in _names(node):
        names[name] = signals.get(name)
    return ClauseTrace(text[node.start:node.end], outcome, names)


def _names(node: Node) -> list[str]:
    if isinstance(node, Name):
        return [node.name]
    if isinstance(node, Known):
        return [node.operand.name]
    if isinstance(node, (Not, Negate)):
        return _names(node.operand)
    if isinstance(node, (Compare, Arith)):
        return _names(node.left) + _names(node.right)
    if isinstance(node, Logical):
        return [n for op in node.operands for n in _names(op)]
    if isinstance(node, ListLit):
        return []
    return []

