"""The decision: what `Engine.evaluate` returns, as frozen models whose JSON is the public contract."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field, ValidationInfo, field_validator

from .models import FrozenModel
from .vocab import ActionKind, ActionStatus, DiscountOutcome, OfferCondition, OwnerRole, RenewalStage, RiskLevel


class _Model(FrozenModel):
    # Every field is always in the output: the serialization schema (OpenAPI responses, `nba schema
    # decision`) marks the ones with defaults required too, so generated clients do not type them optional.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)


def _in_zone(value: dt.datetime, info: ValidationInfo) -> dt.datetime:
    """A moment read from JSON (a fixed UTC offset) put back in the account's zone, when the reader knows it
    (`model_validate_json(data, context={"zone": ZoneInfo(...)})`): a decision read back from a worker process
    then equals, zone included, the one `evaluate` made."""
    zone = info.context.get("zone") if isinstance(info.context, dict) else None
    return value.astimezone(zone) if isinstance(zone, dt.tzinfo) else value


class ContactRef(_Model):
    """The client-side person an action is addressed to."""

    id: str
    name: str | None = None
    email: str | None = Field(default=None, description="the contact's e-mail, when the snapshot has it")
    phone: str | None = Field(default=None, description="the contact's phone, when the snapshot has it")


class NextAction(_Model):
    """One concrete, dated step for a manager: who, with whom, when, what about, and why."""

    id: str = Field(description="stable id of the situation: a hash of account, rule, contact and the rule's episode; "
                            "never of as-of or the due")
    rule: str = Field(description="pack/rule id of the rule that produced it")
    kind: ActionKind
    title: str
    text: str
    due: AwareDatetime
    owner_role: OwnerRole
    owner: str | None = None
    contact: ContactRef | None = None
    priority: int = Field(ge=0)
    reasons: list[str] = Field(default_factory=list)
    merged_rules: list[str] = Field(default_factory=list, description="other rules whose action was merged into this one")
    merged_ids: list[str] = Field(default_factory=list, description="the ids of those merged actions, in the same order: "
                                  "when this action is done or dismissed, so are they")
    notes: list[str] = Field(default_factory=list, description="what arbitration did to this action, e.g. moved by a contact cap")
    status: ActionStatus = Field(default="new", description="new: not in the action history; open: issued and still open "
                                 "(it keeps the due it was issued with); overdue: open and its due has passed")

    _due_in_zone = field_validator("due")(_in_zone)


class Risk(_Model):
    """Risk tier of the account, with the scorecard measures that contributed, largest first."""

    level: RiskLevel
    score: float
    reasons: list[str] = Field(default_factory=list, description="ids of the measures that contributed")
    explanations: list[str] = Field(default_factory=list, description="the same measures, in words, in the account's locale")


class Renewal(_Model):
    """Where the contract stands in the renewal pipeline."""

    end_date: dt.date
    days_left: int
    stage: RenewalStage
    window_opens: dt.date | None = Field(default=None, description="when the renewal window opens (for renewed contracts: the next one)")
    deadline: dt.date | None = Field(default=None, description="the date the contract must be signed by")
    stage_ends: dt.date | None = Field(default=None, description="the last day of the current stage")


class DiscountOffer(_Model):
    """One counter-offer: a percent tied to a commitment."""

    percent: float
    condition: OfferCondition
    deadline: dt.date | None = None


class DiscountDecision(_Model):
    """The answer to the client's open discount request."""

    requested_percent: float
    outcome: DiscountOutcome
    offers: list[DiscountOffer] = Field(default_factory=list)
    approval_role: OwnerRole | None = None
    ceiling: float | None = None
    reasons: list[str] = Field(default_factory=list)


SuppressionCause = Literal["conflict", "cap", "top_n", "done", "dismissed", "cooldown"]


class Suppressed(_Model):
    """An action held back, and why: by arbitration, or because the history says it was done, dismissed or declined."""

    rule: str
    reason: str
    id: str | None = Field(default=None, description="the id the action would have had")
    cause: SuppressionCause | None = Field(default=None, description="what held it back, for tools")


class Withdrawn(_Model):
    """An open action of the history whose situation is over, so that a CRM can close it."""

    id: str
    rule: str
    reason: str


class Decision(_Model):
    """Everything the engine decided for one account at one as-of time."""

    account_id: str
    as_of: AwareDatetime
    risk: Risk
    renewal: Renewal
    actions: list[NextAction] = Field(default_factory=list)
    discount: DiscountDecision | None = None
    suppressed: list[Suppressed] = Field(default_factory=list)
    withdrawn: list[Withdrawn] = Field(default_factory=list, description="open actions of the history whose situation is over")

    _as_of_in_zone = field_validator("as_of")(_in_zone)
