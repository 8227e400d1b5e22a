"""Arbitration: from every candidate action the rules produced to the short, ordered list a manager sees."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .decision import NextAction, Suppressed


@dataclass(frozen=True, slots=True)
class Arbitrated:
    """The outcome of arbitration: the actions kept, in order, and those held back with their reasons."""

    actions: list[NextAction]
    suppressed: list[Suppressed]


def order_key(action: NextAction) -> tuple[int, str, str, str]:
    """The total order of actions: priority (highest first), then due, then rule id, then action id."""
    return (-action.priority, action.due.isoformat(), action.rule, action.id)


def arbitrate(candidates: Sequence[NextAction]) -> Arbitrated:
    """Order candidates deterministically by priority, then due date, then rule id."""
    return Arbitrated(sorted(candidates, key=order_key), [])
