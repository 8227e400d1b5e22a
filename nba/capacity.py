"""Owner capacity: a person can make only so many calls and meetings a day; the rest move to their next day."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from .calendar import BusinessCalendar, HolidayBook, WorkingHours
from .decision import Decision, NextAction
from .discount import answers_the_client, dated_for_its_answer, offer_deadline
from .messages import counted, message, text_locale
from .ruleset import CompiledPolicy
from .locales import format_date_local, format_due, format_moment

#: How long the next-day search may go before an action is left where it is (and says so).
MAX_DAYS_AHEAD = 60


class CapacitySettings(BaseModel):
    """Daily capacity of each owner, in calls and meetings (offers count as calls)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    default_per_day: int = Field(default=8, ge=1, le=200, description="for owners not listed")
    owners: dict[str, int] = Field(default_factory=dict, description="owner's name -> calls and meetings a day")
    kinds: list[str] = Field(default_factory=lambda: ["call", "meeting", "offer"], description="action kinds that count")


@dataclass(frozen=True, slots=True)
class AccountPlace:
    """What capacity scheduling needs to know of an account: its calendar and language."""

    country: str
    timezone: str
    locale: str
    name: str = ""
    subdivision: str | None = None


def apply_capacity(items: Sequence[tuple[Decision, AccountPlace]], settings: CapacitySettings,
                   book: HolidayBook | None = None, policy: CompiledPolicy | None = None) -> list[Decision]:
    """The decisions with over-capacity actions moved to the owner's next day with room; nothing is dropped.

    Actions are placed highest priority first; an action that does not fit keeps its local time and moves
    to the next working day of its account with room, its text re-dated and a note saying why. An answer
    to a discount request that moves has its pay-by dates counted again from its new day (`policy`), in its
    text and in the decision's offers.
    """
    book = book or HolidayBook()
    calendars: dict[tuple[str, str, str | None], BusinessCalendar] = {}

    def calendar_of(place: AccountPlace) -> BusinessCalendar:
        """The account's business calendar, made once per country, zone and subdivision of the run."""
        key = (place.country, place.timezone, place.subdivision)
        found = calendars.get(key)
        if found is None:
            found = calendars[key] = BusinessCalendar(place.country, ZoneInfo(place.timezone), WorkingHours(), book,
                                                      place.subdivision)
        return found

    load: dict[tuple[str, dt.date], int] = defaultdict(int)
    order = sorted(
        ((d_index, a_index, action) for d_index, (decision, _) in enumerate(items)
         for a_index, action in enumerate(decision.actions) if action.owner and action.kind in settings.kinds),
        key=lambda t: (-t[2].priority, t[2].due.isoformat(), items[t[0]][0].account_id, t[2].rule),
    )
    moved: dict[tuple[int, int], NextAction] = {}
    for d_index, a_index, action in order:
        decision, place = items[d_index]
        owner = action.owner or ""
        limit = settings.owners.get(owner, settings.default_per_day)
        calendar = calendar_of(place)
        due = action.due.astimezone(calendar.zone)
        if action.status != "new":  # issued earlier: it keeps its due, and takes its place in the day's load
            load[(owner, due.date())] += 1
            continue
        for _ in range(MAX_DAYS_AHEAD):
            if load[(owner, due.date())] < limit:
                break
            next_day = calendar.next_working_day(due.date(), include=False)
            due = calendar.at(next_day, due.time())
        load[(owner, due.date())] += 1
        if due != action.due:
            moved[(d_index, a_index)] = _redate(action, due, decision, place, owner, limit, calendar, policy)
    out = []
    for d_index, (decision, place) in enumerate(items):
        actions = [moved.get((d_index, a_index), action) for a_index, action in enumerate(decision.actions)]
        if actions == decision.actions:
            out.append(decision)
            continue
        update: dict[str, object] = {"actions": actions}
        if policy is not None and decision.discount is not None:
            update["discount"] = dated_for_its_answer(decision.discount, actions, policy,
                                                      calendar_of(place).working_days_between)
        out.append(decision.model_copy(update=update))
    return out


def _redate(action: NextAction, due: dt.datetime, decision: Decision, place: AccountPlace, owner: str, limit: int,
            calendar: BusinessCalendar, policy: CompiledPolicy | None) -> NextAction:
    year = decision.as_of.year
    locale = text_locale(place.locale)  # the locale the engine wrote the action in
    old_local = action.due.astimezone(due.tzinfo)
    text = action.text.replace(format_due(old_local, locale, year), format_due(due, locale, year))
    text = text.replace(format_date_local(old_local.date(), locale), format_date_local(due.date(), locale))
    if policy is not None and decision.discount is not None and answers_the_client(action, policy.pack):
        # A pay-by date counts from the day the offer is made: the answer's new day.
        for offer in decision.discount.offers:
            if offer.deadline is not None:
                again = offer_deadline(policy, offer.condition, due.date(), calendar.working_days_between)
                if again is not None and again != offer.deadline:
                    text = text.replace(format_date_local(offer.deadline, locale), format_date_local(again, locale))
    why = message("capacity_full", locale, owner=owner, count=counted("call_or_meeting", limit, locale),
                  day=format_date_local(old_local.date(), locale))
    note = message("moved", locale, old=format_moment(old_local, locale), new=format_moment(due, locale), why=why)
    # The id names the situation, not the due: moving the action keeps it.
    return action.model_copy(update={"due": due, "text": text, "notes": [*action.notes, note]})
