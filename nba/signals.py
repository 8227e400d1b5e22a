"""The signal catalogue: named, typed facts derived from a snapshot at an as-of time.

Signals are the only thing rule conditions and templates can read. Each is a pure function of
(snapshot, as_of); a signal whose data is missing is `None` ("unknown"), and a condition that
needs an unknown signal does not fire.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from .export_requests import EXPORT_CATEGORIES, is_export_text
from .snapshot import AccountSnapshot, CommercialRequest, Contract, Ticket, UsagePeriod
from .vocab import BILLING_PERIODS, CONTRACT_STATUSES, SEGMENTS, TERMS

if TYPE_CHECKING:
    from .decision import DiscountDecision, Renewal, Risk

SignalType = Literal["number", "text", "bool"]
SignalValue = float | str | bool | None

#: How many days back a contact counts as "new", a discount request as "open".
NEW_CONTACT_DAYS = 60
OPEN_REQUEST_DAYS = 30
ACTIVITY_WINDOW_DAYS = 30


@dataclass(frozen=True, slots=True)
class SignalSpec:
    """What one signal means: its name, type, unit and (for text) the values it can take."""

    name: str
    type: SignalType
    unit: str
    description: str
    values: tuple[str, ...] | None = None


def _spec(name: str, type_: SignalType, unit: str, description: str, values: Iterable[str] | None = None) -> SignalSpec:
    return SignalSpec(name, type_, unit, description, tuple(values) if values is not None else None)


#: Signals computed from the snapshot alone.
SNAPSHOT_SIGNALS: tuple[SignalSpec, ...] = (
    _spec("days_to_end", "number", "days", "calendar days from the as-of date to the contract end date (negative once past)"),
    _spec("days_since_start", "number", "days", "calendar days since the contract started"),
    _spec("contract_term", "text", "", "contract term", TERMS),
    _spec("billing_period", "text", "", "how often the client pays", BILLING_PERIODS),
    _spec("contract_status", "text", "", "contract status", CONTRACT_STATUSES),
    _spec("segment", "text", "", "account segment", SEGMENTS),
    _spec("plan", "text", "", "the client's plan name"),
    _spec("country", "text", "", "the account's country code (ISO 3166-1 alpha-2)"),
    _spec("contract_price", "number", "currency", "price per billing period"),
    _spec("annual_contract_value", "number", "currency", "price per year (price x billing periods per year)"),
    _spec("current_discount_pct", "number", "%", "discount the client already has"),
    _spec("ltv", "number", "currency", "lifetime value of the client"),
    _spec("activity_change_pct", "number", "%", "activity of the last 30 days vs the 30 days before (negative = drop)"),
    _spec("activity_drop_pct", "number", "%", "how much activity fell over the last 30 days (0 when it grew)"),
    _spec("activity_change_60d_pct", "number", "%", "activity of the last 60 days vs the 60 days before (negative = drop)"),
    _spec("activity_drop_60d_pct", "number", "%", "how much activity fell over the last 60 days (0 when it grew)"),
    _spec("days_since_activity", "number", "days", "days without any activity at the end of the reported usage (0 when the latest period had activity)"),
    _spec("usage_data_age_days", "number", "days", "days from the last day the usage data covers to the as-of date (0: it covers today); the activity figures end on that day"),
    _spec("usage_through", "text", "", "the last day the usage data covers, YYYY-MM-DD"),
    _spec("usage_data_stale", "bool", "", "whether newer usage data should have come: the data ends more than its last period's length (plus 3 days) before the as-of date"),
    _spec("max_limit_used_pct", "number", "%", "highest utilisation among the plan's limits"),
    _spec("max_limit_resource", "text", "", "the resource with the highest utilisation"),
    _spec("max_limit_used", "number", "units", "how much of that resource is used"),
    _spec("max_limit", "number", "units", "the plan's limit for that resource"),
    _spec("overage_cost", "number", "currency", "what the use beyond that limit costs per billing period (units over x overage_price; 0 within the limit)"),
    _spec("upgrade_saving", "number", "currency", "what upgrading now saves per billing period: overage_cost minus the next plan's extra price (negative: upgrading costs more)"),
    _spec("new_contact_ticket_days", "number", "days", f"days since a contact new within {NEW_CONTACT_DAYS} days (or unknown to us) opened a ticket"),
    _spec("new_contact_id", "text", "", "id of that new contact"),
    _spec("primary_silent_days", "number", "days", "days since we last heard from the primary contact: a reply, or a ticket or request they made"),
    _spec("has_primary_contact", "bool", "", "whether a primary contact is known"),
    _spec("export_request_days", "number", "days", "days since the latest ticket asking for the client's data out (by category, or by its words: see below)"),
    _spec("export_ticket_id", "text", "", "id of that ticket"),
    _spec("discount_requested_pct", "number", "%", f"percent asked in the open discount request (the latest within {OPEN_REQUEST_DAYS} days)"),
    _spec("discount_request_days", "number", "days", "days since that request"),
    _spec("discount_contact_id", "text", "", "id of the contact who asked for the discount"),
    _spec("discount_request_id", "text", "", "id of that request (the moment it was made, when it has no id)"),
    _spec("health_score", "number", "points", "health score, 0-100, higher is healthier"),
    _spec("nps", "number", "points", "the last NPS answer, 0-10"),
    _spec("tickets_30d", "number", "tickets", "tickets opened in the last 30 days"),
    _spec("days_since_touch", "number", "days", "days since our last contact with the client (any channel)"),
    _spec("touches_7d", "number", "touches", "our contacts with the client in the last 7 days"),
    _spec("unused_modules", "number", "modules", "modules available to the client but not active"),
)

#: Signals the engine derives after the snapshot signals: risk, renewal stage, discount outcome.
DERIVED_SIGNALS: tuple[SignalSpec, ...] = (
    _spec("risk_score", "number", "points", "risk score from the risk scorecard, 0-100, higher is riskier"),
    _spec("risk_level", "text", "", "risk tier from the risk scorecard", ("green", "yellow", "red")),
    _spec("renewal_stage", "text", "", "where the contract is in the renewal pipeline",
          ("not_started", "assessment", "value_call", "offer", "negotiation", "signing", "overdue", "renewed", "closed")),
    _spec("renewal_window_open", "bool", "", "whether the renewal window of the contract's term is open"),
    _spec("days_to_signing_deadline", "number", "days", "days until the contract must be signed (negative once past)"),
    _spec("days_since_renewal", "number", "days", "for a renewed contract: days since the new period started"),
    _spec("discount_outcome", "text", "", "the discount policy's answer to the open discount request",
          ("approve", "counter_offer", "needs_approval", "reject")),
    _spec("discount_best_offer_pct", "number", "%", "the largest percent the discount policy offers"),
    _spec("discount_approval_role", "text", "", "who must approve the discount decision before the client is answered "
          "(unknown when nobody needs to)", ("account_manager", "csm", "head_of_cs", "ceo")),
)

CATALOGUE: Mapping[str, SignalSpec] = {s.name: s for s in SNAPSHOT_SIGNALS + DERIVED_SIGNALS}

#: Placeholders that write a day count as words, for every signal counted in days: `{x_words}` reads
#: "21 день" / "21 days", `{x_ago}` reads "сегодня", "вчера", "21 день назад" / "today", "yesterday", "21 days ago".
DAY_PHRASES: Mapping[str, tuple[str, str]] = {
    f"{spec.name}_{kind}": (spec.name, kind) for spec in CATALOGUE.values() if spec.unit == "days" for kind in ("words", "ago")
}

#: Phrases written from signals, by the signals they read: which days the activity figures cover
#: ({usage_period}, {usage_period_60d}, and {usage_data_note}: nothing while the data is fresh, else the day
#: it stops at), and when the contract ends as a sentence ({contract_end_words}: «контракт закончился вчера»).
SIGNAL_PHRASES: Mapping[str, tuple[str, ...]] = {
    "usage_period": ("usage_data_age_days", "usage_through", "usage_data_stale"),
    "usage_period_60d": ("usage_data_age_days", "usage_through", "usage_data_stale"),
    "usage_data_note": ("usage_data_age_days", "usage_through", "usage_data_stale"),
    "contract_end_words": ("days_to_end",),
}
#: Days usage data may take to arrive after its period ends before it counts as stale.
USAGE_GRACE_DAYS = 3

_RISK_AND_DISCOUNT = frozenset({"risk_score", "risk_level", "discount_outcome", "discount_best_offer_pct",
                                "discount_approval_role"})
_DISCOUNT = frozenset({"discount_outcome", "discount_best_offer_pct", "discount_approval_role"})


def symbols_for(section: str) -> dict[str, SignalSpec]:
    """The signals a condition in a pack section may read: the risk scorecard cannot read its own result
    (nor the discount's), the discount policy cannot read its own; rules may read everything."""
    if section == "risk":
        return {k: v for k, v in CATALOGUE.items() if k not in _RISK_AND_DISCOUNT}
    if section == "discount_policy":
        return {k: v for k, v in CATALOGUE.items() if k not in _DISCOUNT}
    return dict(CATALOGUE)


def add_renewal_signals(signals: dict[str, SignalValue], renewal: Renewal, window_open: bool, contract: Contract,
                        today: dt.date) -> None:
    """The derived renewal signals (`renewal_stage` ... `days_since_renewal`), from the renewal stage of the day."""
    signals["renewal_stage"] = renewal.stage
    signals["renewal_window_open"] = window_open
    if renewal.deadline is not None and contract.status == "active":
        signals["days_to_signing_deadline"] = float((renewal.deadline - today).days)
    if contract.status == "renewed":
        signals["days_since_renewal"] = float((today - contract.end_date).days)


def add_risk_signals(signals: dict[str, SignalValue], risk: Risk) -> None:
    """The derived risk signals (`risk_score`, `risk_level`), from the scorecard's answer."""
    signals["risk_score"] = risk.score
    signals["risk_level"] = risk.level


def add_discount_signals(signals: dict[str, SignalValue], discount: DiscountDecision) -> None:
    """The derived discount signals (`discount_outcome`, `discount_best_offer_pct`, `discount_approval_role`)."""
    signals["discount_outcome"] = discount.outcome
    signals["discount_best_offer_pct"] = max((o.percent for o in discount.offers), default=0.0)
    signals["discount_approval_role"] = discount.approval_role


def show_value(value: SignalValue) -> str:
    """A signal value as people read it in explanations: unknown, true/false, 12.5, "text"."""
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.10g}"
    return f'"{value}"'


def is_export_request(ticket: Ticket) -> bool:
    """Whether a ticket asks for the client's data out: by its category, else by the words of its subject
    and body (see `nba.export_requests`)."""
    if ticket.category:
        return ticket.category.strip().lower() in EXPORT_CATEGORIES
    return is_export_text(f"{ticket.subject} {ticket.body or ''}")


def unused_modules(snapshot: AccountSnapshot) -> list[str]:
    """Modules available to the client but not active, in the snapshot's order, without repeats."""
    if snapshot.modules is None:
        return []
    active = set(snapshot.modules.active)
    return [m for m in dict.fromkeys(snapshot.modules.available) if m not in active]


def local_date(moment: dt.datetime, zone: dt.tzinfo) -> dt.date:
    """The calendar date of `moment` in `zone`; a naive `moment` is read as local time in `zone`."""
    if moment.tzinfo is None:
        return moment.date()
    return moment.astimezone(zone).date()


_ALL_UNKNOWN: dict[str, SignalValue] = dict.fromkeys(s.name for s in SNAPSHOT_SIGNALS)  # copied, never changed


def compute_signals(snapshot: AccountSnapshot, as_of: dt.datetime) -> dict[str, SignalValue]:
    """Compute every snapshot signal of the catalogue for `snapshot` at the aware datetime `as_of`."""
    zone = snapshot.account.zone
    today = as_of.astimezone(zone).date()
    contract = snapshot.contract
    out = _ALL_UNKNOWN.copy()

    out["days_to_end"] = float((contract.end_date - today).days)
    out["days_since_start"] = float((today - contract.start_date).days)
    out["contract_term"] = contract.term
    out["billing_period"] = contract.billing_period
    out["contract_status"] = contract.status
    out["segment"] = snapshot.account.segment
    out["plan"] = contract.plan
    out["country"] = snapshot.account.country
    out["contract_price"] = float(contract.price)
    out["annual_contract_value"] = contract.annual_value
    out["current_discount_pct"] = float(contract.discount_percent)
    if snapshot.revenue is not None and snapshot.revenue.ltv is not None:
        out["ltv"] = float(snapshot.revenue.ltv)

    _activity(snapshot.usage, today, out)
    _limits(snapshot, out)
    _contacts(snapshot, today, zone, out)
    _tickets(snapshot, today, zone, out)
    _requests(snapshot, today, zone, out)

    if snapshot.health is not None:
        if snapshot.health.score is not None:
            out["health_score"] = float(snapshot.health.score)
        if snapshot.health.nps is not None:
            out["nps"] = float(snapshot.health.nps)

    past_touches = [day for day in (local_date(t.at, zone) for t in snapshot.touches) if day <= today]
    if past_touches:
        out["days_since_touch"] = float((today - max(past_touches)).days)
    out["touches_7d"] = float(sum(1 for d in past_touches if (today - d).days < 7))
    if snapshot.modules is not None:
        out["unused_modules"] = float(len(unused_modules(snapshot)))
    return out


def _activity(usage: list[UsagePeriod], today: dt.date, out: dict[str, SignalValue]) -> None:
    if not usage:
        return
    today_ord = today.toordinal()
    # The windows end at the last reported day (or today): usage usually comes in order, so the last
    # period's end is a good first guess; a second reading corrects it for usage out of order.
    anchor = min(today_ord, usage[-1].period_end.toordinal())
    scan = _scan(usage, today_ord, anchor, sessions_metric=True)
    if scan is None:
        return
    if scan.anchor != anchor:
        anchor = scan.anchor
        scan = _scan(usage, today_ord, anchor, sessions_metric=True)
        assert scan is not None
    _record_changes(scan.windows, out)
    out["usage_data_age_days"] = float(today_ord - anchor)
    out["usage_through"] = dt.date.fromordinal(anchor).isoformat()
    out["usage_data_stale"] = today_ord - anchor > scan.last_length + USAGE_GRACE_DAYS
    if out["activity_change_pct"] is None or out["activity_change_60d_pct"] is None:
        # Sessions did not say enough: active users fill what is missing.
        users = _scan(usage, today_ord, anchor, sessions_metric=False)
        assert users is not None
        _record_changes(users.windows, out)
    # Silence is measured inside the reported data, so a report that is late does not look like inactivity.
    silent_since = min(scan.last_active, anchor) if scan.last_active is not None else scan.first_start
    out["days_since_activity"] = float(max(0, anchor - silent_since))


_Window = tuple[int, float]


def _record_changes(windows: tuple[_Window, _Window, _Window], out: dict[str, SignalValue]) -> None:
    """The 30- and 60-day changes from the three windows, for the signals still unknown."""
    (cov_a, sum_a), (cov_b, sum_b), (cov_c, sum_c) = windows
    last_30, before_30 = _level(cov_a, sum_a, ACTIVITY_WINDOW_DAYS), _level(cov_b, sum_b, ACTIVITY_WINDOW_DAYS)
    last_60 = _level(cov_a + cov_b, sum_a + sum_b, 2 * ACTIVITY_WINDOW_DAYS)
    before_60 = _level(cov_c, sum_c, 2 * ACTIVITY_WINDOW_DAYS)
    for change, change_key, drop_key in (
            (_change_pct(last_30, before_30), "activity_change_pct", "activity_drop_pct"),
            (_change_pct(last_60, before_60), "activity_change_60d_pct", "activity_drop_60d_pct")):
        if change is not None and out[change_key] is None:
            out[change_key] = change
            out[drop_key] = max(0.0, -change)


class _Scan:
    """One reading of the usage periods that started by today."""

    __slots__ = ("anchor", "first_start", "last_active", "last_length", "windows")

    def __init__(
        self,
        anchor: int,
        first_start: int,
        last_active: int | None,
        last_length: int,
        windows: tuple[_Window, _Window, _Window],
    ) -> None:
        self.anchor = anchor  # the last reported day, or today if the data reaches further (an ordinal)
        self.last_length = last_length  # days of the period that ends last: the data's reporting rhythm
        self.first_start = first_start
        self.last_active = last_active  # the end of the last period with any activity
        self.windows = windows  # days covered and weighted level: last 30, the 30 before, the 60 before


def _scan(usage: list[UsagePeriod], today: int, anchor: int, sessions_metric: bool) -> _Scan | None:
    """Read the usage once: where it ends, when it was last active, and one metric's level in three
    adjacent windows ending at `anchor` (the 30- and 60-day comparisons are built from them).

    Session counts are normalised to a daily rate first, so periods of any length compare.
    """
    a_first = anchor - ACTIVITY_WINDOW_DAYS + 1
    b_first = anchor - 2 * ACTIVITY_WINDOW_DAYS + 1
    c_first = anchor - 4 * ACTIVITY_WINDOW_DAYS + 1
    cov_a = cov_b = cov_c = 0
    sum_a = sum_b = sum_c = 0.0
    last_end = last_active = -1  # ordinals are positive: -1 is "none yet"
    last_length = 1
    first_start = today + 1
    for period in usage:
        start = period.period_start.toordinal()
        if start > today:
            continue
        end = period.period_end.toordinal()
        sessions = period.sessions
        users = period.active_users
        if end > last_end:
            last_end = end
            last_length = end - start + 1
        if start < first_start:
            first_start = start
        if end > last_active and (sessions or users):
            last_active = end
        value = sessions if sessions_metric else users
        if value is None or end < c_first or start > anchor:
            continue
        if start >= a_first and end <= anchor:  # the usual case: the period lies in one window
            cov_a += end - start + 1
            sum_a += value if sessions_metric else value * (end - start + 1)
            continue
        if start >= c_first and end < b_first:
            cov_c += end - start + 1
            sum_c += value if sessions_metric else value * (end - start + 1)
            continue
        if start >= b_first and end < a_first:
            cov_b += end - start + 1
            sum_b += value if sessions_metric else value * (end - start + 1)
            continue
        # A period across window edges (or past the anchor) is split by days.
        rate = value / (end - start + 1) if sessions_metric else float(value)
        first = start if start > c_first else c_first
        last = end if end < anchor else anchor
        days_a = max(0, last - max(first, a_first) + 1)
        days_b = max(0, min(last, a_first - 1) - max(first, b_first) + 1)
        days_c = max(0, min(last, b_first - 1) - first + 1)
        cov_a += days_a
        sum_a += rate * days_a
        cov_b += days_b
        sum_b += rate * days_b
        cov_c += days_c
        sum_c += rate * days_c
    if last_end < 0:
        return None
    return _Scan(min(today, last_end), first_start, last_active if last_active >= 0 else None, last_length,
                 ((cov_a, sum_a), (cov_b, sum_b), (cov_c, sum_c)))


def _level(covered: int, weighted: float, days: int) -> float | None:
    """The daily level of a window of `days` days; None when data covers under half of it."""
    if covered * 2 < days:
        return None
    return weighted / covered


def _change_pct(recent: float | None, before: float | None) -> float | None:
    """Change of a recent level vs the level before it, in percent; None when data is missing."""
    if recent is None or before is None:
        return None
    if before == 0:
        return 0.0 if recent == 0 else None
    return round((recent - before) / before * 100, 1)


def _limits(snapshot: AccountSnapshot, out: dict[str, SignalValue]) -> None:
    if not snapshot.limits:
        return
    top = max(snapshot.limits, key=lambda lim: (lim.used / lim.limit, lim.resource))
    out["max_limit_used_pct"] = round(top.used / top.limit * 100, 1)
    out["max_limit_resource"] = top.resource
    out["max_limit_used"] = float(top.used)
    out["max_limit"] = float(top.limit)
    if top.overage_price is not None:
        cost = max(0.0, top.used - top.limit) * top.overage_price
        out["overage_cost"] = float(cost)
        upgrade = snapshot.contract.upgrade_price
        if upgrade is not None:
            out["upgrade_saving"] = float(cost - (upgrade - snapshot.contract.price))


def _contacts(snapshot: AccountSnapshot, today: dt.date, zone: dt.tzinfo, out: dict[str, SignalValue]) -> None:
    primary = next((c for c in snapshot.contacts if c.is_primary), None)
    out["has_primary_contact"] = primary is not None
    if primary is not None:
        # Hearing from the person counts, whatever the channel: a reply, a ticket or a request they made.
        heard = [local_date(primary.last_reply_at, zone)] if primary.last_reply_at is not None else []
        heard += [d for d in (local_date(t.opened_at, zone) for t in snapshot.tickets if t.contact_id == primary.id)
                  if d <= today]
        heard += [d for d in (local_date(r.at, zone) for r in snapshot.requests if r.contact_id == primary.id)
                  if d <= today]
        if heard:
            out["primary_silent_days"] = float(max(0, (today - max(heard)).days))
    known = {c.id: c for c in snapshot.contacts}
    newest: tuple[dt.date, str, str] | None = None
    for ticket in snapshot.tickets:
        opened = local_date(ticket.opened_at, zone)
        if ticket.contact_id is None or opened > today:
            continue
        contact = known.get(ticket.contact_id)
        if contact is not None and (contact.is_primary or contact.first_seen is None
                                    or (opened - contact.first_seen).days > NEW_CONTACT_DAYS):
            continue
        key = (opened, ticket.id, ticket.contact_id)
        if newest is None or key > newest:
            newest = key
    if newest is not None:
        out["new_contact_ticket_days"] = float((today - newest[0]).days)
        out["new_contact_id"] = newest[2]


def _tickets(snapshot: AccountSnapshot, today: dt.date, zone: dt.tzinfo, out: dict[str, SignalValue]) -> None:
    latest: tuple[dt.date, str] | None = None
    recent = 0
    for ticket in snapshot.tickets:
        opened = local_date(ticket.opened_at, zone)
        if opened > today:
            continue
        if (today - opened).days < 30:
            recent += 1
        if is_export_request(ticket) and (latest is None or (opened, ticket.id) > latest):
            latest = (opened, ticket.id)
    out["tickets_30d"] = float(recent)
    if latest is not None:
        out["export_request_days"] = float((today - latest[0]).days)
        out["export_ticket_id"] = latest[1]


def _requests(snapshot: AccountSnapshot, today: dt.date, zone: dt.tzinfo, out: dict[str, SignalValue]) -> None:
    best: tuple[dt.date, float, str] | None = None
    chosen: CommercialRequest | None = None
    for req in snapshot.requests:
        if req.kind != "discount" or req.percent is None or req.status != "open":
            continue
        at = local_date(req.at, zone)
        if at > today or (today - at).days > OPEN_REQUEST_DAYS:
            continue
        key = (at, req.percent, req.contact_id or "")
        if best is None or key > best or (key == best and chosen is not None and _request_key(req) > _request_key(chosen)):
            best, chosen = key, req
    if best is not None and chosen is not None:
        out["discount_request_id"] = _request_key(chosen)
        out["discount_requested_pct"] = float(best[1])
        out["discount_request_days"] = float((today - best[0]).days)
        out["discount_contact_id"] = best[2] or None


def _request_key(request: CommercialRequest) -> str:
    """What identifies a commercial request: its id, else the moment it was made."""
    return request.id if request.id else request.at.isoformat()
