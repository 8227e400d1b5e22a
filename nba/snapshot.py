"""The account snapshot: everything known about one client account, as validated input."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ConfigDict, Field, ValidationInfo, field_validator, model_validator

from .models import FrozenModel
from .holiday_data import subdivisions, supported_countries
from .vocab import BillingPeriod, ChurnReason, ContractStatus, HistoryStatus, Outcome, OwnerRole, Segment, Term, TouchChannel

__all__ = [
    "AccountSnapshot",
    "Account",
    "Person",
    "Contract",
    "UsagePeriod",
    "PlanLimit",
    "Contact",
    "Ticket",
    "CommercialRequest",
    "Health",
    "Modules",
    "Touch",
    "Revenue",
    "HistoryEntry",
]

#: Money, counts and sizes: never negative, and never beyond what any real account reaches (1e15),
#: so arithmetic on them stays exact and finite.
NonNegative = Annotated[float, Field(ge=0, le=1e15, allow_inf_nan=False)]
NonNegativeInt = Annotated[int, Field(ge=0, le=10**12)]
Id = Annotated[str, Field(min_length=1, max_length=200)]


class _Model(FrozenModel):
    model_config = ConfigDict(str_strip_whitespace=True)


#: Billing periods in a year, for a contract's annual value.
_PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}

#: Zone names that mean "whatever the host is set to": a decision must not depend on the machine.
_HOST_RELATIVE_ZONES = frozenset({"localtime", "posixrules", "Factory"})


@cache
def _known_language(lang: str) -> bool:
    """Whether Babel has data for the language (texts, dates and numbers are written with it)."""
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang)
    except (UnknownLocaleError, ValueError):
        return False
    return True


class Person(_Model):
    """A person on our side who owns work on the account."""

    name: str = Field(min_length=1)
    role: OwnerRole
    email: str | None = None


class Account(_Model):
    """Who the client is, where it is, and who owns it on our side."""

    id: Id
    name: str = Field(min_length=1)
    country: str = Field(description="ISO 3166-1 alpha-2; decides weekends and public holidays")
    subdivision: str | None = Field(default=None, max_length=64, description=(
        "state, land or region within the country (ISO 3166-2 without the country, e.g. BY for Bavaria, CA for "
        "California, TA for Tatarstan): adds its regional public holidays and the packs' days off for it"))
    timezone: str = Field(description="IANA time zone of the account, e.g. Asia/Almaty")
    locale: str = Field(default="en", description="language of action texts: ru or en")
    segment: Segment = "standard"
    owner: Person | None = None
    team: list[Person] = Field(default_factory=list, description="other people on our side, by role")

    @field_validator("country")
    @classmethod
    def _known_country(cls, value: str) -> str:
        code = value.upper()
        if code not in supported_countries():
            raise ValueError(
                f"unknown country code {value!r}: use an ISO 3166-1 alpha-2 code the `holidays` package knows, e.g. KZ, RU, US"
            )
        return code

    @field_validator("subdivision")
    @classmethod
    def _known_subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        if value is None or country is None:  # a bad country is reported on its own
            return value
        code = value.upper().removeprefix(country + "-")
        known = subdivisions(country)
        if known:
            found = known.get(code)
            if found is None:
                codes = sorted(set(known.values()))
                raise ValueError(f"unknown subdivision {value!r} of {country}: use one of "
                                 + ", ".join(codes[:60]) + (", ..." if len(codes) > 60 else ""))
            return found
        if not (1 <= len(code) <= 3 and code.isalnum() and code.isascii()):
            raise ValueError(f"unknown subdivision {value!r}: use the ISO 3166-2 code without the country, "
                             f"e.g. TA for {country}-TA")
        return code

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value in _HOST_RELATIVE_ZONES or len(value) > 64:
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Asia/Almaty or Europe/Moscow "
                             "(not one that depends on the host, such as localtime)")
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"unknown time zone {value!r}: use an IANA name such as Asia/Almaty or Europe/Moscow") from None
        return value

    @field_validator("locale")
    @classmethod
    def _locale_shape(cls, value: str) -> str:
        lang = value.replace("-", "_").split("_")[0].lower()
        if not lang.isalpha() or not 2 <= len(lang) <= 3 or not _known_language(lang):
            raise ValueError(f"unknown locale {value!r}: use a language code such as ru or en")
        return value

    @property
    def zone(self) -> ZoneInfo:
        """The account's time zone as a `ZoneInfo`."""
        return ZoneInfo(self.timezone)


class Contract(_Model):
    """The subscription contract under renewal."""

    start_date: dt.date
    end_date: dt.date
    term: Term
    billing_period: BillingPeriod = "monthly"
    price: NonNegative = Field(description="price per billing period")
    currency: str = Field(min_length=3, max_length=3)
    plan: str | None = None
    upgrade_price: NonNegative | None = Field(default=None, description="price per billing period of the next plan up, "
                                              "in the contract's currency: with overage prices it shows the saving of upgrading")
    status: ContractStatus = "active"
    discount_percent: Annotated[float, Field(ge=0, le=100)] = Field(
        default=0, description="discount the client already has on this contract"
    )
    renewed_until: dt.date | None = Field(default=None, description="for a renewed contract: the end of the new period")
    churn_reason: ChurnReason | None = Field(default=None, description="for a cancelled or churned contract: why")
    was_red: bool | None = Field(default=None, description="whether the account was at red risk during this renewal cycle")

    @property
    def annual_value(self) -> float:
        """The price per year: the price per billing period times the periods in a year."""
        return float(self.price) * _PERIODS_PER_YEAR[self.billing_period]

    @model_validator(mode="after")
    def _dates_in_order(self) -> Contract:
        if self.end_date < self.start_date:
            raise ValueError("end_date is before start_date: the contract must end after it starts")
        if self.renewed_until is not None and self.renewed_until <= self.end_date:
            raise ValueError("renewed_until must be after end_date: it is the end of the new period")
        return self


class UsagePeriod(_Model):
    """Product activity in one period; any granularity (day, week, month)."""

    period_start: dt.date
    period_end: dt.date
    active_users: NonNegativeInt | None = None
    sessions: NonNegativeInt | None = None

    @model_validator(mode="after")
    def _check(self) -> UsagePeriod:
        if self.period_end < self.period_start:
            raise ValueError("period_end is before period_start")
        if self.active_users is None and self.sessions is None:
            raise ValueError("a usage period needs active_users or sessions (or both)")
        return self


class PlanLimit(_Model):
    """A limit of the client's plan and how much of it is used."""

    resource: str = Field(min_length=1)
    used: NonNegative
    limit: Annotated[float, Field(ge=0.001, le=1e15, allow_inf_nan=False,
                                  description="the plan's limit, at least 0.001 (so the share used stays finite)")]
    overage_price: NonNegative | None = Field(default=None, description="price per unit beyond the limit, per billing "
                                              "period, in the contract's currency (when the plan charges for overage)")


class Contact(_Model):
    """A person on the client's side."""

    id: Id
    name: str = Field(min_length=1)
    role: str | None = None
    is_primary: bool = False
    first_seen: dt.date | None = None
    last_reply_at: dt.datetime | None = None
    email: str | None = None
    phone: str | None = None


class Ticket(_Model):
    """A support ticket; its subject's words decide what it is about when `category` is missing."""

    id: Id
    opened_at: dt.datetime
    contact_id: str | None = None
    subject: str = ""
    body: str | None = None
    category: str | None = None


class CommercialRequest(_Model):
    """A commercial request from the client, e.g. `kind: discount` with the percent asked."""

    kind: str = Field(min_length=1)
    at: dt.datetime
    id: str | None = Field(default=None, max_length=200, description="the request's id in the CRM, if it has one")
    contact_id: str | None = None
    percent: Annotated[float, Field(gt=0, le=100)] | None = None
    status: str = Field(default="open", description="open, or closed once answered")


class Health(_Model):
    """Health score (0-100, higher is healthier) and the last NPS answer (0-10)."""

    score: Annotated[float, Field(ge=0, le=100)] | None = None
    nps: Annotated[int, Field(ge=0, le=10)] | None = None


class Modules(_Model):
    """Product modules the client uses and those it could add."""

    active: list[str] = Field(default_factory=list)
    available: list[str] = Field(default_factory=list)


class Touch(_Model):
    """One of our past contacts with the client."""

    at: dt.datetime
    channel: TouchChannel
    contact_id: str | None = None


class Revenue(_Model):
    """Money facts about the client (annual amounts in the contract's currency)."""

    ltv: NonNegative | None = None
    arr: NonNegative | None = Field(default=None, description="annual recurring revenue now (default: the contract's annual value)")
    arr_year_ago: NonNegative | None = Field(default=None, description="annual recurring revenue twelve months ago")
    expansion_arr: NonNegative | None = Field(default=None, description="the part of `arr` won by upsell and cross-sell")


class HistoryEntry(_Model):
    """An action issued earlier and what became of it (exported from a CRM, or kept by `nba.Ledger`)."""

    id: Id
    rule: str = Field(min_length=1, description="pack/rule of the rule that issued it")
    status: HistoryStatus
    contact_id: str | None = None
    issued_at: dt.datetime | None = None
    due: dt.datetime | None = Field(default=None, description="the due it was issued with; an open action keeps it")
    closed_at: dt.datetime | None = None
    outcome: Outcome | None = Field(default=None, description="how a done or dismissed action ended")


class AccountSnapshot(_Model):
    """Everything known about one client account at one moment: the input of `Engine.evaluate`."""

    account: Account
    contract: Contract
    usage: list[UsagePeriod] = Field(default_factory=list)
    limits: list[PlanLimit] = Field(default_factory=list)
    contacts: list[Contact] = Field(default_factory=list)
    tickets: list[Ticket] = Field(default_factory=list)
    requests: list[CommercialRequest] = Field(default_factory=list)
    health: Health | None = None
    modules: Modules | None = None
    touches: list[Touch] = Field(default_factory=list)
    revenue: Revenue | None = None
    action_history: list[HistoryEntry] = Field(default_factory=list, description="actions issued earlier and what became of them")
    taken_at: dt.datetime | None = Field(default=None, description="when the snapshot was taken: the as-of used when none "
                                         "is given (naive: the account's local time)")
