"""Due policies: turn a rule's "when" (asap, within N business days, next Thursday…) into a working slot."""

from __future__ import annotations

import datetime as dt

from .calendar import BusinessCalendar
from .errors import UsageError
from .packs.model import WEEKDAYS, DuePolicy


def schedule(policy: DuePolicy, calendar: BusinessCalendar, as_of: dt.datetime, contract_end: dt.date | None) -> dt.datetime:
    """The due of an action: aware, not before `as_of`, on a working day, inside working hours (`contract_end` is
    read only by a `days_before_end` due)."""
    now = calendar.local(as_of)
    today = now.date()
    kind = policy.kind
    at = policy.at
    if kind == "asap":
        return calendar.next_slot(now)
    if kind == "within_business_days":
        limit = calendar.add_business_days(today, policy.within_business_days or 0)
        due = calendar.next_slot(now, at) if at is not None else calendar.next_slot(now)
        if due.date() > limit:  # the preferred time is gone for the whole window: the earliest slot instead
            due = calendar.next_slot(now)
        return due
    if kind == "after_business_days":
        day = calendar.add_business_days(today, policy.after_business_days or 0)
        return _on_or_after(calendar, day, at, now)
    if kind == "next_weekday":
        target = WEEKDAYS.index(policy.next_weekday or "monday")
        day = today + dt.timedelta(days=(target - today.weekday()) % 7)
        if at is not None and calendar.at(day, at) < now:
            day += dt.timedelta(days=7)
        return _on_or_after(calendar, calendar.next_working_day(day), at, now)
    if kind == "days_before_end":
        if contract_end is None:
            raise UsageError("a days_before_end due counts back from the contract's end: pass its end date")
        day = calendar.previous_working_day(contract_end - dt.timedelta(days=policy.days_before_end or 0))
        return _on_or_after(calendar, day, at, now)
    raise ValueError(f"unknown due policy {kind!r}")  # pragma: no cover - the model admits no other


def _on_or_after(calendar: BusinessCalendar, day: dt.date, at: dt.time | None, now: dt.datetime) -> dt.datetime:
    """The slot on `day` at `at` (or the start of working hours); once that is past, the next slot at `at` from now."""
    wanted = calendar.at(day, at if at is not None else calendar.hours.start)
    return calendar.next_slot(max(wanted, now), at)
