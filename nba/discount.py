"""The discount policy: answers a discount ask with an approval, counter-offers tied to commitments, or a no."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Callable, Mapping, Sequence

from .decision import DiscountDecision, DiscountOffer, NextAction
from .messages import message
from .ruleset import CompiledPolicy
from .signals import SignalValue
from .locales import NumberStyle, pick_locale
from .vocab import OwnerRole


#: Counts the business days from one date to another (the account's calendar), for pay-by deadlines.
BusinessDays = Callable[[dt.date, dt.date], int]


def decide(policy: CompiledPolicy, signals: Mapping[str, SignalValue], today: dt.date, *,
           counter_offer_declined: bool = False, business_days: BusinessDays | None = None,
           locale: str = "en") -> DiscountDecision | None:
    """The decision on the open discount request, or None when there is none; its reasons in `locale`.

    When the client already declined the counter-offer for this request, it is not proposed again:
    the ask goes up the approval ladder instead (`needs_approval`, approver by the ladder).

    Invariants: every offer has a condition; no offer exceeds the ask or the ceiling.
    """
    asked = signals.get("discount_requested_pct")
    if not isinstance(asked, float):
        return None
    rules = policy.policy
    reasons: list[str] = []

    def say(key: str, **values: object) -> None:
        reasons.append(message(f"discount_{key}", locale, **{k: _shown(v, locale) for k, v in values.items()}))

    ceiling = rules.ceiling
    forced_role: OwnerRole | None = None
    for adjustment, condition in zip(rules.adjustments, policy.adjustment_conditions, strict=True):
        if condition.test(signals) is True:
            ceiling = adjustment.ceiling
            forced_role = adjustment.approval_role
            if adjustment.reason:
                reasons.append(adjustment.reason if isinstance(adjustment.reason, str) else pick_locale(adjustment.reason, locale))
            else:
                say("adjusted", ceiling=ceiling)
            break
    ceiling = min(ceiling, rules.reject_above)

    standard: list[DiscountOffer] = []
    for name in rules.counter_offers:
        commitment = rules.commitments[name]
        test = policy.commitment_conditions.get(name)
        if test is not None and test.test(signals) is not True:
            continue
        percent = min(commitment.percent, ceiling, asked)
        if percent <= 0 or any(o.condition == name for o in standard):
            continue
        standard.append(DiscountOffer(percent=percent, condition=name,
                                      deadline=offer_deadline(policy, name, today, business_days)))

    if asked > rules.reject_above:
        say("above_hard_limit", asked=asked, limit=rules.reject_above)
        return DiscountDecision(requested_percent=asked, outcome="reject", offers=[], ceiling=ceiling, reasons=reasons)
    if not standard:
        say("no_commitment")
        return DiscountDecision(requested_percent=asked, outcome="reject", offers=[], ceiling=ceiling, reasons=reasons)

    covering = [o for o in standard if o.percent >= asked]
    owner_may_grant = _approver(policy, asked) == rules.approval[0].role  # the ladder as written: its first rung
    if covering and forced_role is None and owner_may_grant:
        best = min(covering, key=lambda o: (rules.commitments[o.condition].percent, o.condition))
        say("within_policy", asked=asked, condition=message(f"commitment_{best.condition}", locale))
        grant = DiscountOffer(percent=asked, condition=best.condition, deadline=best.deadline)
        return DiscountDecision(requested_percent=asked, outcome="approve", offers=[grant], ceiling=ceiling, reasons=reasons)
    if asked <= ceiling:
        role = _senior(forced_role, _approver(policy, asked), policy)
        lead = max(standard, key=lambda o: (o.percent, o.condition))
        grant = DiscountOffer(percent=asked, condition=lead.condition, deadline=lead.deadline)
        fallback = [o for o in standard if o.percent < asked]
        say("needs_approval", asked=asked, ceiling=ceiling, role=message(f"role_{role}", locale))
        return DiscountDecision(requested_percent=asked, outcome="needs_approval", offers=[grant, *fallback],
                                approval_role=role, ceiling=ceiling, reasons=reasons)
    if counter_offer_declined:
        role = _senior(forced_role, _approver(policy, asked), policy)
        lead = max(standard, key=lambda o: (o.percent, o.condition))
        say("declined_goes_up", asked=asked, role=message(f"role_{role}", locale))
        return DiscountDecision(requested_percent=asked, outcome="needs_approval",
                                offers=[DiscountOffer(percent=asked, condition=lead.condition, deadline=lead.deadline)],
                                approval_role=role, ceiling=ceiling, reasons=reasons)
    say("counter_offer", asked=asked, ceiling=ceiling)
    # The ladder applies to what we offer too: a 15% counter-offer needs whoever the ladder names for 15%.
    ladder = _approver(policy, max(o.percent for o in standard))
    approver = _senior(forced_role, ladder, policy) if ladder != rules.approval[0].role else forced_role
    if approver is not None:
        say("counter_needs_approval", role=message(f"role_{approver}", locale))
    return DiscountDecision(requested_percent=asked, outcome="counter_offer", offers=standard, approval_role=approver,
                            ceiling=ceiling, reasons=reasons)


#: The kinds of action that answer the client (an approval task or an escalation is our own step).
_CLIENT_FACING = frozenset({"call", "meeting", "email", "offer"})


def answers_the_client(action: NextAction, pack: str) -> bool:
    """Whether `action` gives the client the discount pack's answer (its own rule, or one merged into it)."""
    prefix = pack + "/"
    return action.kind in _CLIENT_FACING and (action.rule.startswith(prefix) or any(r.startswith(prefix) for r in action.merged_rules))


def dated_for_its_answer(discount: DiscountDecision, actions: Sequence[NextAction], policy: CompiledPolicy,
                         business_days: BusinessDays) -> DiscountDecision:
    """The decision's pay-by dates counted from the day the client is answered: the earliest of the discount
    pack's calls, meetings, e-mails and offers (the engine places them; owner capacity may move them)."""
    answers = [a for a in actions if answers_the_client(a, policy.pack)]
    if not answers or not any(o.deadline for o in discount.offers):
        return discount
    day = min(a.due for a in answers).date()
    offers = [o.model_copy(update={"deadline": offer_deadline(policy, o.condition, day, business_days)}) if o.deadline
              else o for o in discount.offers]
    return discount.model_copy(update={"offers": offers}) if offers != discount.offers else discount


def _shown(value: object, locale: str) -> str:
    """A figure of a reason as the locale writes it (15, 12,5 in Russian); words as they are."""
    return NumberStyle.for_locale(locale).format(value) if isinstance(value, float) else str(value)


def _approver(policy: CompiledPolicy, percent: float) -> OwnerRole:
    for step in policy.policy.approval:
        if percent <= step.up_to:
            return step.role
    return policy.policy.approval[-1].role


def _senior(forced: OwnerRole | None, ladder: OwnerRole, policy: CompiledPolicy) -> OwnerRole:
    """The more senior of a forced approver and the ladder's, by their order in the approval ladder."""
    if forced is None:
        return ladder
    order = [step.role for step in policy.policy.approval]
    rank = {role: order.index(role) for role in order}
    return forced if rank.get(forced, -1) > rank.get(ladder, -1) else ladder


def offer_deadline(policy: CompiledPolicy, condition: str, offer_day: dt.date,
                   business_days: BusinessDays | None) -> dt.date | None:
    """The pay-by date of a commitment offered on `offer_day`, leaving the client the business days it needs.

    The end of the month (or of the next one); when fewer than `pay_within_business_days` business days
    remain to it, the end of the following month. Recomputed for the day the offer is actually made.
    """
    commitment = policy.policy.commitments.get(condition)  # type: ignore[call-overload]
    if commitment is None or commitment.deadline is None:
        return None
    deadline = _month_end(offer_day, 1 if commitment.deadline == "end_of_next_month" else 0)
    needed = commitment.pay_within_business_days
    count = business_days or _weekdays_between
    if count(offer_day, deadline) < needed:
        deadline = _month_end(deadline, 1)
    return deadline


def _month_end(day: dt.date, months_ahead: int) -> dt.date:
    year, month = day.year, day.month + months_ahead
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return dt.date(year, month, _calendar.monthrange(year, month)[1])


def _weekdays_between(start: dt.date, end: dt.date) -> int:
    """Monday-to-Friday days after `start` up to and including `end` (when no calendar is at hand)."""
    return sum(1 for n in range(1, (end - start).days + 1) if (start + dt.timedelta(days=n)).weekday() < 5)
