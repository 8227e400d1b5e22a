"""The business calendar: days off of the account's country, working hours, its time zone."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from nba.calendar import BusinessCalendar, HolidayBook, WorkingHours

BOOK = HolidayBook()


def cal(country: str, zone: str, start: int = 10, end: int = 18) -> BusinessCalendar:
    return BusinessCalendar(country, ZoneInfo(zone), WorkingHours(dt.time(start), dt.time(end)), BOOK)


@pytest.mark.parametrize(
    ("country", "day", "working"),
    [
        ("KZ", "2025-03-21", False),  # Nowruz
        ("KZ", "2025-03-24", False),  # Nowruz, observed
        ("KZ", "2025-03-26", True),
        ("KZ", "2025-12-16", False),  # Independence Day
        ("KZ", "2025-03-29", False),  # Saturday
        ("RU", "2025-01-08", False),  # New Year holidays
        ("RU", "2025-01-09", True),
        ("RU", "2025-05-09", False),  # Victory Day
        ("RU", "2025-11-01", True),   # a Saturday made a working day (transfer)
        ("RU", "2025-11-03", False),  # the Monday it was transferred to
        ("US", "2025-07-04", False),  # Independence Day
        ("US", "2025-11-27", False),  # Thanksgiving
        ("US", "2025-11-28", True),
        ("US", "2025-05-26", False),  # Memorial Day
    ],
)
def test_working_days_follow_the_country(country: str, day: str, working: bool) -> None:
    zone = {"KZ": "Asia/Almaty", "RU": "Europe/Moscow", "US": "America/New_York"}[country]
    assert cal(country, zone).is_working_day(dt.date.fromisoformat(day)) is working


def test_weekends_of_the_country_are_used() -> None:
    # Saudi Arabia's weekend is Friday and Saturday.
    riyadh = cal("SA", "Asia/Riyadh")
    assert not riyadh.is_working_day(dt.date(2025, 10, 3))  # Friday
    assert riyadh.is_working_day(dt.date(2025, 10, 5))  # Sunday


def test_business_day_arithmetic_skips_days_off() -> None:
    kz = cal("KZ", "Asia/Almaty")
    assert kz.add_business_days(dt.date(2025, 3, 20), 1) == dt.date(2025, 3, 26)  # over Nowruz and a weekend
    assert kz.add_business_days(dt.date(2025, 3, 22), 0) == dt.date(2025, 3, 26)
    assert kz.previous_working_day(dt.date(2025, 3, 25)) == dt.date(2025, 3, 20)
    assert kz.next_working_day(dt.date(2025, 3, 20), include=False) == dt.date(2025, 3, 26)


def test_next_slot_as_soon_as_possible_rounds_up_inside_hours() -> None:
    kz = cal("KZ", "Asia/Almaty")
    zone = ZoneInfo("Asia/Almaty")
    assert kz.next_slot(dt.datetime(2025, 3, 19, 12, 7, tzinfo=zone)) == dt.datetime(2025, 3, 19, 12, 15, tzinfo=zone)
    assert kz.next_slot(dt.datetime(2025, 3, 19, 8, 0, tzinfo=zone)) == dt.datetime(2025, 3, 19, 10, 0, tzinfo=zone)
    assert kz.next_slot(dt.datetime(2025, 3, 19, 17, 50, tzinfo=zone)) == dt.datetime(2025, 3, 20, 10, 0, tzinfo=zone)
    assert kz.next_slot(dt.datetime(2025, 3, 20, 18, 0, tzinfo=zone)) == dt.datetime(2025, 3, 26, 10, 0, tzinfo=zone)


def test_next_slot_is_in_the_accounts_zone_whatever_the_input_zone() -> None:
    kz = cal("KZ", "Asia/Almaty")
    utc_evening = dt.datetime(2025, 3, 19, 14, 0, tzinfo=dt.timezone.utc)  # 19:00 in Almaty
    slot = kz.next_slot(utc_evening)
    assert slot.tzinfo == ZoneInfo("Asia/Almaty")
    assert (slot.date(), slot.time()) == (dt.date(2025, 3, 20), dt.time(10, 0))


def test_slots_across_a_dst_change_keep_local_time() -> None:
    ny = cal("US", "America/New_York")
    # 2025-03-09 is the spring-forward Sunday; Monday 10:00 is EDT (-04:00).
    slot = ny.next_slot(dt.datetime(2025, 3, 8, 12, 0, tzinfo=ZoneInfo("America/New_York")), dt.time(10, 0))
    assert slot.isoformat() == "2025-03-10T10:00:00-04:00"


def test_valid_slot_rule() -> None:
    kz = cal("KZ", "Asia/Almaty")
    zone = ZoneInfo("Asia/Almaty")
    as_of = dt.datetime(2025, 3, 19, 9, 0, tzinfo=zone)
    assert kz.is_valid_slot(dt.datetime(2025, 3, 19, 10, 0, tzinfo=zone), as_of)
    assert not kz.is_valid_slot(dt.datetime(2025, 3, 19, 18, 0, tzinfo=zone), as_of)  # end is exclusive
    assert not kz.is_valid_slot(dt.datetime(2025, 3, 21, 10, 0, tzinfo=zone), as_of)  # Nowruz
    assert not kz.is_valid_slot(dt.datetime(2025, 3, 18, 10, 0, tzinfo=zone), as_of)  # before as-of


def test_custom_working_hours() -> None:
    early = cal("RU", "Europe/Moscow", 9, 17)
    moment = early.next_slot(dt.datetime(2025, 4, 1, 8, 30, tzinfo=ZoneInfo("Europe/Moscow")))
    assert moment.time() == dt.time(9, 0)


def test_a_day_the_time_zone_skipped_gets_no_slot() -> None:
    # Samoa skipped Friday 30 December 2011: 11:00 that "day" resolves to Saturday. The slot goes to the
    # next real working day at 11:00, never to a weekend.
    apia = cal("WS", "Pacific/Apia")
    thursday_evening = dt.datetime(2011, 12, 29, 18, 0, tzinfo=ZoneInfo("Pacific/Apia"))
    for slot in (apia.next_slot(thursday_evening, dt.time(11, 0)), apia.next_slot(thursday_evening)):
        assert apia.is_working_day(slot.date()) and slot.weekday() < 5
        assert slot.date() > dt.date(2011, 12, 31)
    assert apia.next_slot(thursday_evening, dt.time(11, 0)).time() == dt.time(11, 0)


def test_no_slot_in_reach_is_a_calendar_error() -> None:
    from nba.errors import CalendarError, NbaError

    almaty = cal("KZ", "Asia/Almaty")
    with pytest.raises(CalendarError) as info:  # 20:00 is never inside 10:00-18:00
        almaty.next_slot(dt.datetime(2025, 3, 20, 9, tzinfo=ZoneInfo("Asia/Almaty")), dt.time(20, 0))
    assert isinstance(info.value, NbaError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize(("country", "year"), [("KZ", 2150), ("KZ", 1985), ("US", 2199)])
def test_a_year_beyond_the_holiday_data_is_an_error_not_all_working_days(country: str, year: int) -> None:
    from nba.errors import CalendarError

    with pytest.raises(CalendarError, match=f"no public holidays of {country} for {year}"):
        BOOK.is_working_day(country, dt.date(year, 3, 2))


_ONE_COUNTRY_AT_A_TIME = """
import sys
from holidays import registry
from nba.holiday_data import country_holidays
def table(code):
    found = country_holidays(code, 2025)
    return (sorted(found.keys()), sorted(found.weekend), sorted(getattr(found, "weekend_workdays", ())),
            found.start_year, found.end_year)
main = ["KZ", "RU", "US", "DE", "GB", "FR", "UZ", "KG", "BY", "AM", "GE", "AZ", "TR", "PL", "IN", "BR", "JP", "CN"]
ours = {code: table(code) for code in main}
assert "holidays.countries" not in sys.modules, "the package of all countries was imported"
codes = sorted({code for entry in registry.COUNTRIES.values() for code in entry[1:2]})
ours.update({code: table(code) for code in codes if code not in ours})  # territories import their country's package
import holidays
for code in codes:
    found = holidays.country_holidays(code, years=2025)
    assert ours[code] == (sorted(found.keys()), sorted(found.weekend), sorted(getattr(found, "weekend_workdays", ())),
                          found.start_year, found.end_year), code
print(len(codes))
"""


def test_loading_one_countrys_holidays_alone_gives_what_the_package_gives() -> None:
    # nba imports only the account's country module (the package imports all of them, 55 ms of start-up);
    # for every country the holidays package knows, the days must be the same (nba names them in English).
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _ONE_COUNTRY_AT_A_TIME], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert int(done.stdout) > 150


# -- regions and the packs' days off ---------------------------------------------------------------

def test_a_subdivision_adds_its_regional_holidays() -> None:
    epiphany = dt.date(2027, 1, 6)  # a public holiday in Bavaria, a working day in Berlin
    assert not BOOK.is_working_day("DE", epiphany, "BY")
    assert BOOK.is_working_day("DE", epiphany, "BE")
    assert BOOK.is_working_day("DE", epiphany)
    texas_independence = dt.date(2026, 3, 2)  # Texas only
    assert not BOOK.is_working_day("US", texas_independence, "TX")
    assert BOOK.is_working_day("US", texas_independence, "NY")


def _days_off(*entries: dict[str, object]) -> HolidayBook:
    from nba.packs.model import DayOff

    return HolidayBook([DayOff.model_validate(e) for e in entries])


def test_days_off_are_kept_for_their_countries_and_subdivisions_only() -> None:
    book = _days_off({"date": "12-24", "countries": ["DE"]}, {"date": "11-06", "countries": ["RU"], "subdivisions": ["TA"]},
                     {"date": "12-31"})
    assert not book.is_working_day("DE", dt.date(2026, 12, 24))
    assert book.is_working_day("FR", dt.date(2026, 12, 24))
    assert not book.is_working_day("RU", dt.date(2026, 11, 6), "TA")
    assert book.is_working_day("RU", dt.date(2026, 11, 6))
    assert book.is_working_day("RU", dt.date(2026, 11, 6), "BA")
    assert not book.is_working_day("KZ", dt.date(2025, 12, 31))  # every country: 31 Dec 2025 is a Wednesday
    assert BOOK.is_working_day("KZ", dt.date(2025, 12, 31))


def test_a_day_after_a_named_holiday_moves_with_it() -> None:
    book = _days_off({"after_holiday": "Thanksgiving", "countries": ["US"]},
                     {"after_holiday": "Ascension", "countries": ["DE"]})
    for year, friday in ((2025, dt.date(2025, 11, 28)), (2026, dt.date(2026, 11, 27)), (2027, dt.date(2027, 11, 26))):
        assert not book.is_working_day("US", friday), year
        assert book.is_working_day("US", friday - dt.timedelta(days=7))
    assert not book.is_working_day("DE", dt.date(2026, 5, 15))  # the bridge day after Ascension, 14 May 2026


def test_one_dated_day_off_and_the_29th_of_february() -> None:
    book = _days_off({"date": dt.date(2026, 3, 10), "countries": ["KZ"]}, {"date": "02-29", "countries": ["KZ"]})
    assert not book.is_working_day("KZ", dt.date(2026, 3, 10))
    assert book.is_working_day("KZ", dt.date(2027, 3, 10))
    assert not book.is_working_day("KZ", dt.date(2028, 2, 29))
    assert book.is_working_day("KZ", dt.date(2027, 3, 1))  # no 29 February in 2027: nothing else moves
