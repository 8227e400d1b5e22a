"""The rule pack format: pydantic models that validate a pack and generate its JSON Schema."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated, Literal, get_args

from pydantic import ConfigDict, Field, WithJsonSchema, field_validator, model_validator

from ..models import FrozenModel
from ..calendar import SLOT_MINUTES
from ..vocab import ActionKind, OfferCondition, OwnerRole, RiskLevel, Term

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Texts = Annotated[dict[str, str], Field(min_length=1, description="one text per locale, e.g. {en: ..., ru: ...}",
                                        json_schema_extra={"required": ["en", "ru"]})]
"""Texts per locale. The schema asks for `en` and `ru`, the default `locales`; `nba lint` checks a pack's own."""

#: A local time of day as YAML text, "HH:MM" in quotes (the schema's pattern, not `format: time`, which
#: demands seconds and an offset).
LocalTime = Annotated[dt.time, WithJsonSchema({"type": "string", "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$",
                                               "description": 'local time of day, "HH:MM" in quotes',
                                               "examples": ["10:00"]})]
Weekday = Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
ContactPick = Literal["primary", "new_contact", "export_ticket_author", "discount_requester", "latest_reply"]


class _Model(FrozenModel):
    model_config = ConfigDict(allow_inf_nan=False)


class WorkingHoursSettings(_Model):
    """Local working hours of the accounts, `start` inclusive, `end` exclusive."""

    start: LocalTime = dt.time(10, 0)
    end: LocalTime = dt.time(18, 0)

    @model_validator(mode="after")
    def _ordered(self) -> WorkingHoursSettings:
        if self.end <= self.start:
            raise ValueError("working hours end must be after their start")
        start = self.start.hour * 60 + self.start.minute + (1 if self.start.second or self.start.microsecond else 0)
        first = -(-start // SLOT_MINUTES) * SLOT_MINUTES  # the first quarter hour from the start
        if first >= self.end.hour * 60 + self.end.minute + (1 if self.end.second or self.end.microsecond else 0):
            raise ValueError(f"working hours {self.start:%H:%M}-{self.end:%H:%M} hold no slot: actions due as soon as "
                             f"possible start on the quarter hour; make the hours reach {first // 60:02d}:{first % 60:02d}"
                             " or later")
        return self


_MONTH_DAY = r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
#: A day off's date: "MM-DD" in quotes for every year, or YYYY-MM-DD for one day.
DayOffDate = Annotated[dt.date | str, WithJsonSchema({
    "anyOf": [{"type": "string", "pattern": _MONTH_DAY, "description": 'a day of every year, "MM-DD" in quotes'},
              {"type": "string", "format": "date", "description": "one day, YYYY-MM-DD"}],
    "examples": ["12-24", "2026-12-31"]})]


class DayOff(_Model):
    """A day people are away though it is no public holiday (24 December in Germany, the Friday after US
    Thanksgiving): nothing is scheduled on it. Exactly one of `date` and `after_holiday`."""

    date: DayOffDate | None = Field(default=None, description='"MM-DD" for every year, or one day as YYYY-MM-DD')
    after_holiday: str | None = Field(default=None, min_length=3, max_length=80,
                                      description="the day after the public holiday of this name, in English "
                                                  "(part of the name is enough: Thanksgiving, Ascension Day)")
    days: int = Field(default=1, ge=1, le=7, description="with `after_holiday`: how many days after it")
    countries: list[Annotated[str, Field(pattern=r"^[A-Z]{2,3}$")]] | None = Field(
        default=None, min_length=1, description="the countries it applies to (ISO codes); every country when left out")
    subdivisions: list[Annotated[str, Field(pattern=r"^[A-Z0-9]{1,3}$")]] | None = Field(
        default=None, min_length=1, description="only accounts in these subdivisions (account.subdivision)")
    name: str = Field(default="", max_length=200, description="what the day is, for people reading the pack")

    @field_validator("date")
    @classmethod
    def _month_day(cls, value: dt.date | str | None) -> dt.date | str | None:
        if isinstance(value, str):
            if not re.match(_MONTH_DAY, value):
                raise ValueError(f'{value!r} is neither "MM-DD" (every year) nor YYYY-MM-DD (one day)')
            month, day = (int(part) for part in value.split("-"))
            try:
                dt.date(2024, month, day)  # a leap year: 02-29 is a day of some years
            except ValueError:
                raise ValueError(f"{value!r} is no day of the year") from None
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> DayOff:
        if (self.date is None) == (self.after_holiday is None):
            raise ValueError("give exactly one of date (\"12-24\" or 2026-12-24) and after_holiday")
        if self.after_holiday is not None and self.countries is None:
            raise ValueError("after_holiday needs `countries`: holidays of that name differ by country")
        return self

    def applies_to(self, country: str, subdivision: str | None) -> bool:
        """Whether the day off concerns an account of this country and subdivision."""
        if self.countries is not None and country not in self.countries:
            return False
        return self.subdivisions is None or subdivision in self.subdivisions

    def dates_in(self, year: int, public: Mapping[dt.date, str]) -> set[dt.date]:
        """Its days in `year`, given the public holidays of the account's place (date -> English name)."""
        if isinstance(self.date, dt.date):
            return {self.date} if self.date.year == year else set()
        if isinstance(self.date, str):
            month, day = (int(part) for part in self.date.split("-"))
            try:
                return {dt.date(year, month, day)}
            except ValueError:  # 02-29 outside a leap year
                return set()
        wanted = (self.after_holiday or "").casefold()
        return {day + dt.timedelta(days=self.days) for day, name in public.items() if wanted in name.casefold()}


class CalendarSettings(_Model):
    """Calendar settings of a pack's actions."""

    working_hours: WorkingHoursSettings = WorkingHoursSettings()
    days_off: list[DayOff] = Field(default_factory=list,
                                   description="days people are away beyond public holidays; they hold for every pack's actions")


class DuePolicy(_Model):
    """When an action is due; exactly one of `asap`, `within_business_days`, `after_business_days`,
    `next_weekday`, `days_before_end`, optionally with `at` (local time)."""

    asap: bool | None = Field(default=None, description="the next working slot")
    within_business_days: int | None = Field(default=None, ge=0, le=60, description="the first slot at `at`, no later than N business days from as-of")
    after_business_days: int | None = Field(default=None, ge=0, le=60, description="on the N-th business day after as-of, at `at`")
    next_weekday: Weekday | None = Field(default=None, description="the next such weekday (today counts), at `at`")
    days_before_end: int | None = Field(default=None, ge=0, le=1000, description="N days before the contract ends, at `at`")
    at: LocalTime | None = Field(default=None, description="local time, HH:MM; inside working hours")

    @model_validator(mode="after")
    def _exactly_one(self) -> DuePolicy:
        chosen = [name for name in self.policy_names() if self._is_set(name)]
        if len(chosen) != 1:
            raise ValueError(
                "a due policy needs exactly one of: asap, within_business_days, after_business_days, next_weekday, days_before_end"
                + (f" (found {', '.join(chosen)})" if chosen else "")
            )
        if self.asap and self.at is not None:
            raise ValueError("`asap` takes no `at`: remove `at` or use within_business_days: 0")
        return self

    @staticmethod
    def policy_names() -> tuple[str, ...]:
        """The names of the mutually exclusive policy fields."""
        return ("asap", "within_business_days", "after_business_days", "next_weekday", "days_before_end")

    def _is_set(self, name: str) -> bool:
        value = getattr(self, name)
        return value is True if name == "asap" else value is not None

    @property
    def kind(self) -> str:
        """Which policy this is."""
        return next(name for name in self.policy_names() if self._is_set(name))


_CONTACT_PICK = {"type": "string", "enum": list(get_args(ContactPick))}


class ActionTemplate(_Model):
    """What a rule asks a manager to do, in which words, with whom and when."""

    kind: ActionKind
    owner_role: OwnerRole | Literal["auto", "discount_approver"] = Field(
        default="auto",
        description="who does it; auto: by risk level (green account_manager, yellow csm, red head_of_cs); "
        "discount_approver: the role the discount decision needs approval from",
    )
    contact: Annotated[list[ContactPick], WithJsonSchema({"anyOf": [_CONTACT_PICK, {"type": "array", "items": _CONTACT_PICK,
                                                                                      "minItems": 1}]})] = Field(
        default_factory=lambda: list[ContactPick](["primary"]),
        description="whom to contact: one, or a list of which the first that exists")
    title: Texts
    text: Texts
    reason: Texts
    due: DuePolicy
    after: list[str] = Field(default_factory=list, description="rules (pack/rule) whose action, when there is one, "
                             "must come first: this one is then due at least an hour after it (e.g. an approval)")
    topic: Texts | None = Field(default=None, description="how the action reads when merged into another call, with its "
                                "figures (e.g. the offers); default: its title")
    resolved: Texts | None = Field(default=None, description="why an open action of this rule is withdrawn once its "
                                   "situation is over, e.g. {en: activity recovered, ru: активность восстановилась}")

    @field_validator("contact", mode="before")
    @classmethod
    def _one_or_many(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class Rule(_Model):
    """One signal → action rule."""

    id: Identifier
    description: str = ""
    when: str = Field(min_length=1, description="condition over signals, e.g. activity_drop_pct >= 40")
    priority: int = Field(ge=0, le=100)
    enabled: bool = True
    episode: list[str] | None = Field(
        default=None, description="what makes the same situation, as episode parts (export_ticket, discount_request, "
        "new_contact, limit, renewal_cycle, renewal_stage, usage_month, last_touch, contract); default: the parts "
        "behind the signals the condition reads. The action's id derives from it")
    cooldown_days: int | None = Field(default=None, ge=0, le=365, description="after the client declines this action, "
                                      "do not issue it again for this many days; default: arbitration.lifecycle")
    action: ActionTemplate


class RiskMeasure(_Model):
    """One line of the risk scorecard: points added when its condition holds."""

    id: Identifier
    when: str = Field(min_length=1)
    points: float = Field(gt=0, le=100)
    reason: Texts


class RiskThresholds(_Model):
    """Scores at which an account turns yellow and red."""

    yellow: float = Field(default=30, ge=0, le=100)
    red: float = Field(default=60, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> RiskThresholds:
        if self.red <= self.yellow:
            raise ValueError("the red threshold must be above the yellow one")
        return self


class RiskOwners(_Model):
    """Who owns the account's actions at each risk level."""

    green: OwnerRole = "account_manager"
    yellow: OwnerRole = "csm"
    red: OwnerRole = "head_of_cs"
    red_key: OwnerRole = Field(default="ceo", description="owner of a red account in the key segment")


class RiskScorecard(_Model):
    """Weighted measures over signals whose total (capped at 100) gives the risk level."""

    thresholds: RiskThresholds = RiskThresholds()
    owners: RiskOwners = RiskOwners()
    measures: list[RiskMeasure] = Field(min_length=1)


class RenewalSettings(_Model):
    """When the renewal window opens and when the contract must be signed, per term."""

    window_days: dict[Term, int] = Field(
        default_factory=lambda: dict[Term, int]({"annual": 90, "quarterly": 45, "monthly": 14, "multi_year": 270})
    )
    signing_deadline_days: dict[Term, int] = Field(
        default_factory=lambda: dict[Term, int]({"annual": 30, "quarterly": 14, "monthly": 5, "multi_year": 60})
    )

    @model_validator(mode="after")
    def _deadline_inside_window(self) -> RenewalSettings:
        for term, window in self.window_days.items():
            deadline = self.signing_deadline_days.get(term)
            if window <= 0:
                raise ValueError(f"window_days.{term} must be positive")
            if deadline is not None and not 0 <= deadline < window:
                raise ValueError(f"signing_deadline_days.{term} must be between 0 and window_days.{term}")
        return self


class Commitment(_Model):
    """What a client gives in exchange for a discount, and what that is worth."""

    percent: float = Field(gt=0, le=100)
    when: str | None = Field(default=None, description="condition under which this commitment can be offered")
    deadline: Literal["end_of_month", "end_of_next_month"] | None = Field(
        default=None, description="for payment_by_date: the date to pay by, counted from the day the offer is made"
    )
    pay_within_business_days: int = Field(
        default=5, ge=0, le=60, description="for a deadline: the business days the client needs to get an invoice "
        "approved and paid; a month end closer than this moves to the next month's end")


class ApprovalStep(_Model):
    """Who may grant discounts up to a percent."""

    up_to: float = Field(gt=0, le=100)
    role: OwnerRole


class CeilingAdjustment(_Model):
    """A different ceiling (and optionally a forced approver) for accounts matching a condition."""

    when: str = Field(min_length=1)
    ceiling: float = Field(ge=0, le=100)
    approval_role: OwnerRole | None = None
    reason: str | Texts = Field(default="", description="why, as people read it: one text per locale ({en: ..., ru: ...})")


class DiscountPolicy(_Model):
    """Which discounts can be given, for what, and who approves them."""

    commitments: dict[OfferCondition, Commitment]
    counter_offers: list[OfferCondition] = Field(description="commitments to offer back, in this order")
    approval: list[ApprovalStep] = Field(min_length=1)
    ceiling: float = Field(ge=0, le=100, description="the most the policy grants without a special case")
    adjustments: list[CeilingAdjustment] = Field(default_factory=list)
    reject_above: float = Field(ge=0, le=100, description="asks above this are rejected outright")

    @model_validator(mode="after")
    def _coherent(self) -> DiscountPolicy:
        missing = [c for c in self.counter_offers if c not in self.commitments]
        if missing:
            raise ValueError(f"counter_offers names commitments that are not defined: {', '.join(missing)}")
        steps = [s.up_to for s in self.approval]
        if steps != sorted(steps):
            raise ValueError("approval steps must be in increasing order of up_to")
        if self.reject_above < self.ceiling:
            raise ValueError("reject_above must not be below the ceiling")
        return self


Channel = Literal["call", "meeting", "email"]


class PriorityFormula(_Model):
    """How an action's priority combines its rule's priority with the value at stake and the risk.

    priority = rule priority
             + value_weight x min(1, (annual contract value + ltv_share x LTV) / value_reference[currency])
             + risk_bonus[risk level]        (rounded to a whole number)
    """

    value_weight: float = Field(default=20, ge=0, le=100)
    ltv_share: float = Field(default=0.1, ge=0, le=1)
    value_reference: dict[str, float] = Field(
        default_factory=lambda: dict[str, float]({"default": 20_000, "USD": 20_000, "EUR": 20_000, "GBP": 16_000,
                                                  "RUB": 2_000_000, "KZT": 10_000_000}),
        description="value at stake, per currency, that earns the full value_weight; `default` for other currencies",
    )
    risk_bonus: dict[RiskLevel, float] = Field(default_factory=lambda: dict[RiskLevel, float]({"green": 0, "yellow": 10, "red": 20}))

    @field_validator("value_reference")
    @classmethod
    def _has_default(cls, value: dict[str, float]) -> dict[str, float]:
        if "default" not in value:
            raise ValueError("value_reference needs a `default` entry for currencies not listed")
        if any(v <= 0 for v in value.values()):
            raise ValueError("value_reference values must be positive")
        return value


class Conflict(_Model):
    """A precedence rule: when its condition holds (and any `if_any` action is present), hold back matching actions."""

    when: str | None = Field(default=None, description="condition over signals; omitted = always")
    if_any: list[str] = Field(default_factory=list, description="patterns; applies only if such an action is among the candidates")
    suppress: list[str] = Field(min_length=1, description="patterns of actions to hold back: pack/rule globs, kind:NAME, channel:NAME")
    reason: str | Texts = Field(description="why, as people read it: one text, or one per locale ({en: ..., ru: ...})")


class ContactCaps(_Model):
    """How often the client may be contacted, counting the snapshot's touches and the actions already planned."""

    window_days: int = Field(default=7, ge=1, le=90)
    per_contact: dict[Channel, int] = Field(default_factory=lambda: dict[Channel, int]({"call": 2, "meeting": 1, "email": 3}))
    per_account: dict[Channel, int] = Field(default_factory=lambda: dict[Channel, int]({"call": 4, "meeting": 2, "email": 6}))
    quiet_hours: float = Field(default=24, ge=0, le=24 * 14, description="no new contact this soon after a touch with that person")
    when_capped: Literal["reschedule", "suppress"] = "reschedule"
    max_delay_days: int = Field(default=14, ge=0, le=90, description="a capped action moved further than this is held back")
    exempt: list[str] = Field(default_factory=list, description="patterns of actions the caps never hold back")


class LifecycleSettings(_Model):
    """What happens across runs: cooldowns after a decline, and escalation of actions left overdue."""

    decline_cooldown_days: int = Field(default=30, ge=0, le=365,
                                       description="after a client declines an action, its rule waits this many days")
    escalate_overdue_after_business_days: int = Field(
        default=2, ge=1, le=60, description="an open action overdue by this many business days is escalated to the owner's lead, once")
    leads: dict[OwnerRole, OwnerRole] = Field(
        default_factory=lambda: dict[OwnerRole, OwnerRole]({"account_manager": "head_of_cs", "csm": "head_of_cs",
                                                            "head_of_cs": "ceo"}),
        description="whom an overdue action of each role is escalated to; a role not listed is not escalated")


class ArbitrationSettings(_Model):
    """How all candidate actions become the short, ordered list a manager sees."""

    priority: PriorityFormula = PriorityFormula()
    merge_same_day: bool = Field(default=True, description="one call (or meeting) per contact per day; topics are merged")
    conflicts: list[Conflict] = Field(default_factory=list)
    caps: ContactCaps = ContactCaps()
    max_actions: int = Field(default=5, ge=1, le=100)
    lifecycle: LifecycleSettings = LifecycleSettings()


class Pack(_Model):
    """A rule pack: one YAML file of rules (and, for some packs, a scorecard or a policy)."""

    pack: Identifier
    version: int | str
    description: str = ""
    locales: list[str] = Field(default_factory=lambda: ["en", "ru"], min_length=1,
                               description="locales every text must be written in")
    calendar: CalendarSettings = CalendarSettings()
    rules: list[Rule] = Field(default_factory=list)
    risk: RiskScorecard | None = None
    renewal: RenewalSettings | None = None
    discount_policy: DiscountPolicy | None = None
    arbitration: ArbitrationSettings | None = None
    display_names: dict[Annotated[str, Field(min_length=1, max_length=100)], Texts] = Field(
        default_factory=dict,
        description="how the snapshot's codes read in texts, per locale: resources and modules "
                    "(seats: {en: users, ru: пользователи}); they hold for every pack's texts")
