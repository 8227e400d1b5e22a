"""nba: a rule-based Next-Best-Action engine for customer-success and renewal teams.

    import nba
    engine = nba.Engine.default()
    decision = engine.evaluate(nba.AccountSnapshot.model_validate(data), as_of=...)

The public names below are imported when first used (PEP 562), so `import nba` is quick and a
command pays only for what it needs; `from nba import Engine` works as usual.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (BackendError, CalendarError, ConditionError, ExtraMissingError, InputError, InstallationError,
                     NbaError, NotPicklableError, Problem, RulePackError, UnknownRuleError, UsageError)

if TYPE_CHECKING:
    from .decision import (ContactRef, Decision, DiscountDecision, DiscountOffer, NextAction, Renewal, Risk, Suppressed,
                           Withdrawn)
    from .engine import Engine, default_rules_path
    from .episodes import EPISODE_PARTS, EpisodePart
    from .explain import Explanation, MeasureTrace, RuleTrace
    from .lifecycle import OVERDUE_ESCALATION, history_from
    from .output import actions_frame
    from .signals import CATALOGUE as SIGNALS
    from .signals import SignalSpec
    from .snapshot import AccountSnapshot, HistoryEntry

__version__ = "0.1.0"

#: Where each lazily imported public name lives: (module, name in it).
_LAZY: dict[str, tuple[str, str]] = {
    **{name: (".decision", name) for name in ("ContactRef", "Decision", "DiscountDecision", "DiscountOffer",
                                              "NextAction", "Renewal", "Risk", "Suppressed", "Withdrawn")},
    "Engine": (".engine", "Engine"),
    "default_rules_path": (".engine", "default_rules_path"),
    "EPISODE_PARTS": (".episodes", "EPISODE_PARTS"),
    "EpisodePart": (".episodes", "EpisodePart"),
    "Explanation": (".explain", "Explanation"),
    "MeasureTrace": (".explain", "MeasureTrace"),
    "RuleTrace": (".explain", "RuleTrace"),
    "OVERDUE_ESCALATION": (".lifecycle", "OVERDUE_ESCALATION"),
    "history_from": (".lifecycle", "history_from"),
    "actions_frame": (".output", "actions_frame"),
    "SIGNALS": (".signals", "CATALOGUE"),
    "SignalSpec": (".signals", "SignalSpec"),
    "AccountSnapshot": (".snapshot", "AccountSnapshot"),
    "HistoryEntry": (".snapshot", "HistoryEntry"),
}


def __getattr__(name: str) -> Any:
    """Import a public name on first use and keep it in the package's namespace."""
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module 'nba' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    """The public names, including those not imported yet."""
    return sorted(set(globals()) | set(_LAZY))


__all__ = [
    "Engine",
    "default_rules_path",
    "AccountSnapshot",
    "Decision",
    "NextAction",
    "DiscountDecision",
    "DiscountOffer",
    "Risk",
    "Renewal",
    "ContactRef",
    "Suppressed",
    "Withdrawn",
    "HistoryEntry",
    "history_from",
    "EPISODE_PARTS",
    "EpisodePart",
    "OVERDUE_ESCALATION",
    "Explanation",
    "RuleTrace",
    "MeasureTrace",
    "NbaError",
    "RulePackError",
    "ConditionError",
    "InputError",
    "UsageError",
    "UnknownRuleError",
    "InstallationError",
    "CalendarError",
    "BackendError",
    "ExtraMissingError",
    "NotPicklableError",
    "Problem",
    "SIGNALS",
    "SignalSpec",
    "__version__",
    "actions_frame",
]
