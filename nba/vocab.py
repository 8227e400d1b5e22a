"""The closed vocabularies of the public contract, as `Literal` types shared by every model."""

from __future__ import annotations

from typing import Literal, get_args

ActionKind = Literal["call", "meeting", "email", "offer", "task", "escalation"]
OwnerRole = Literal["account_manager", "csm", "head_of_cs", "ceo"]
RiskLevel = Literal["green", "yellow", "red"]
DiscountOutcome = Literal["approve", "counter_offer", "needs_approval", "reject"]
OfferCondition = Literal["annual_prepayment", "payment_by_date", "longer_term", "case_study", "referral"]
Segment = Literal["key", "standard"]
Term = Literal["monthly", "quarterly", "annual", "multi_year"]
BillingPeriod = Literal["monthly", "quarterly", "annual"]
ContractStatus = Literal["active", "renewed", "cancelled", "churned"]
TouchChannel = Literal["call", "meeting", "email", "message"]
ChurnReason = Literal["competitor", "budget_cut", "closed_business", "no_value", "bad_service", "other"]
#: What became of an issued action (`withdrawn`: closed by nba because its situation was over).
HistoryStatus = Literal["open", "done", "dismissed", "withdrawn"]
#: How a done or dismissed action ended.
Outcome = Literal["accepted", "declined", "no_answer", "not_relevant", "withdrawn"]
#: An action's place in its lifecycle, as a decision reports it.
ActionStatus = Literal["new", "open", "overdue"]
RenewalStage = Literal[
    "not_started", "assessment", "value_call", "offer", "negotiation", "signing", "overdue", "renewed", "closed"
]

ACTION_KINDS: tuple[str, ...] = get_args(ActionKind)
OWNER_ROLES: tuple[str, ...] = get_args(OwnerRole)
RISK_LEVELS: tuple[str, ...] = get_args(RiskLevel)
OFFER_CONDITIONS: tuple[str, ...] = get_args(OfferCondition)
SEGMENTS: tuple[str, ...] = get_args(Segment)
TERMS: tuple[str, ...] = get_args(Term)
BILLING_PERIODS: tuple[str, ...] = get_args(BillingPeriod)
CONTRACT_STATUSES: tuple[str, ...] = get_args(ContractStatus)
RENEWAL_STAGES: tuple[str, ...] = get_args(RenewalStage)
DISCOUNT_OUTCOMES: tuple[str, ...] = get_args(DiscountOutcome)
HISTORY_STATUSES: tuple[str, ...] = get_args(HistoryStatus)
OUTCOMES: tuple[str, ...] = get_args(Outcome)
