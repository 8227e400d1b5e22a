"""Due policies: every kind, the slot already passed, days off, the end of the contract."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from nba.calendar import BusinessCalendar, HolidayBook, WorkingHours
from nba.packs.model import DuePolicy
from nba.scheduling import schedule

ALMATY = ZoneInfo("Asia/Almaty")
KZ = BusinessCalendar("KZ", ALMATY, WorkingHours(), HolidayBook())
END = dt.date(2025, 5, 31)


def due(as_of: dt.datetime, **policy: object) -> dt.datetime:
    return schedule(DuePolicy.model_validate(policy), KZ, as_of, END)


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=ALMATY)  # type: ignore[misc]


def test_asap_is_the_next_working_slot() -> None:
    assert due(at(2025, 3, 19, 12, 5), asap=True) == at(2025, 3, 19, 12, 15)
    assert due(at(2025, 3, 20, 19, 0), asap=True) == at(2025, 3, 26, 10, 0)  # evening before Nowruz


def test_within_business_days_takes_the_first_slot_at_the_time() -> None:
    assert due(at(2025, 3, 19, 9, 0), within_business_days=1, at="10:00") == at(2025, 3, 19, 10, 0)  # same day
    assert due(at(2025, 3, 19, 11, 0), within_business_days=1, at="10:00") == at(2025, 3, 20, 10, 0)  # next day
    assert due(at(2025, 3, 20, 11, 0), within_business_days=1, at="10:00") == at(2025, 3, 26, 10, 0)  # over Nowruz


def test_within_zero_business_days_keeps_the_same_day_when_the_time_has_passed() -> None:
    assert due(at(2025, 3, 19, 11, 0), within_business_days=0, at="10:00") == at(2025, 3, 19, 11, 0)
    assert due(at(2025, 3, 19, 17, 59), within_business_days=0, at="10:00") == at(2025, 3, 20, 10, 0)  # no slot left


def test_after_business_days() -> None:
    assert due(at(2025, 3, 18, 9, 0), after_business_days=3, at="15:00") == at(2025, 3, 26, 15, 0)
    assert due(at(2025, 3, 18, 16, 0), after_business_days=0, at="15:00") == at(2025, 3, 19, 15, 0)


def test_next_weekday() -> None:
    # Thursday 2025-03-20 counts as "next Thursday" until 10:00 has passed.
    assert due(at(2025, 3, 20, 9, 0), next_weekday="thursday", at="10:00") == at(2025, 3, 20, 10, 0)
    assert due(at(2025, 3, 20, 11, 0), next_weekday="thursday", at="10:00") == at(2025, 3, 27, 10, 0)
    # Friday 2025-03-21 is Nowruz: the next working day after it, at the same time.
    assert due(at(2025, 3, 17, 9, 0), next_weekday="friday", at="11:00") == at(2025, 3, 26, 11, 0)


def test_days_before_end() -> None:
    # 2025-05-31 minus 30 days is Thursday 1 May, a holiday in KZ: the working day before it.
    assert due(at(2025, 3, 1, 9, 0), days_before_end=30, at="11:00") == at(2025, 4, 30, 11, 0)
    # Already past: the next slot at that time from now, never before as-of.
    assert due(at(2025, 5, 20, 12, 0), days_before_end=30, at="11:00") == at(2025, 5, 21, 11, 0)


def test_without_a_time_the_day_starts_with_working_hours() -> None:
    assert due(at(2025, 3, 18, 9, 0), after_business_days=1) == at(2025, 3, 19, 10, 0)


@pytest.mark.parametrize(
    "policy",
    [
        {"asap": True},
        {"within_business_days": 0, "at": "10:00"},
        {"within_business_days": 2, "at": "17:45"},
        {"after_business_days": 5, "at": "10:00"},
        {"next_weekday": "saturday", "at": "12:00"},
        {"days_before_end": 90, "at": "10:00"},
        {"days_before_end": 0},
    ],
)
@pytest.mark.parametrize("hour", [0, 9, 10, 13, 17, 18, 23])
def test_every_policy_gives_a_valid_slot(policy: dict[str, object], hour: int) -> None:
    for day in (dt.date(2025, 3, 20), dt.date(2025, 3, 21), dt.date(2025, 5, 30), dt.date(2025, 12, 31)):
        as_of = at(day.year, day.month, day.day, hour, 30)
        result = due(as_of, **policy)
        assert KZ.is_valid_slot(result, as_of), (policy, as_of, result)
