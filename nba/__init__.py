"""nba: a rule-based Next-Best-Action engine for customer-success and renewal teams.

    import nba
    engine = nba.Engine.default()
    decision = engine.evaluate(nba.AccountSnapshot.model_validate(data), as_of=...)
"""

from .decision import ContactRef, Decision, DiscountDecision, DiscountOffer, NextAction, Renewal, Risk, Suppressed, Withdrawn
from .engine import Engine, default_rules_path
from .errors import ConditionError, InputError, NbaError, Problem, RulePackError
from .explain import Explanation, MeasureTrace, RuleTrace
from .signals import CATALOGUE as SIGNALS
from .signals import SignalSpec
from .episodes import EPISODE_PARTS, EpisodePart
from .lifecycle import OVERDUE_ESCALATION, history_from
from .snapshot import AccountSnapshot, HistoryEntry

__version__ = "0.1.0"

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
    "Problem",
    "SIGNALS",
    "SignalSpec",
    "__version__",
]
