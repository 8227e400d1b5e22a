"""The business calendar of one account: its country's days off, its working hours, its time zone."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

from .errors import CalendarError
from .holiday_data import country_holidays, subdivisions

#: How far ahead a search for a working day may look before it gives up.
MAX_SEARCH_DAYS = 400
#: "As soon as possible" is placed on this grid of minutes (:00, :15, :30, :45).
SLOT_MINUTES = 15


@dataclass(frozen=True, slots=True)
class _Year:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # weekend days declared working days (transfers)
    weekend: frozenset[int]


class DaysOffRule(Protocol):
    """A day people are away beyond public holidays (a pack's `calendar.days_off` entry)."""

    def applies_to(self, country: str, subdivision: str | None) -> bool:
        """Whether it concerns accounts of this country and subdivision."""

    def dates_in(self, year: int, public: Mapping[dt.date, str]) -> set[dt.date]:
        """Its days in `year`, given the public holidays there (date -> English name)."""


class HolidayBook:
    """Days off per (country, subdivision, year): the `holidays` package's public holidays plus the packs'
    own days off, computed once and shared safely between threads."""

    def __init__(self, days_off: Sequence[DaysOffRule] = ()) -> None:
        self._years: dict[tuple[str, str | None, int], _Year] = {}
        self._lock = threading.Lock()
        self._days_off = tuple(days_off)

    def year(self, country: str, year: int, subdivision: str | None = None) -> _Year:
        """Days off, working weekend days and weekend weekdays of `country` (and `subdivision`) in `year`."""
        key = (country, subdivision, year)
        found = self._years.get(key)
        if found is not None:
            return found
        # A subdivision `holidays` does not know (a Russian republic) has only the packs' days off of its own.
        known = subdivision if subdivision is not None and subdivision in subdivisions(country).values() else None
        table = country_holidays(country, year, known)
        first, last = table.start_year, table.end_year
        if not first <= year <= last:  # beyond its data every day would silently count as a working day
            raise CalendarError(f"the holidays package has no public holidays of {country} for {year} "
                                f"(it covers {first}-{last}); nothing can be scheduled in that year")
        public = {d: str(name) for d, name in table.items() if d.year == year}
        extra = {d for rule in self._days_off if rule.applies_to(country, subdivision) for d in rule.dates_in(year, public)}
        entry = _Year(
            holidays=frozenset(public.keys() | {d for d in extra if d.year == year}),
            workdays=frozenset(d for d in table.weekend_workdays if d.year == year),
            weekend=frozenset(table.weekend),
        )
        with self._lock:
            return self._years.setdefault(key, entry)

    def is_working_day(self, country: str, day: dt.date, subdivision: str | None = None) -> bool:
        """Whether `day` is a working day in `country` (weekends, public holidays and days off are not)."""
        info = self.year(country, day.year, subdivision)
        if day in info.holidays:
            return False
        if day in info.workdays:
            return True
        return day.weekday() not in info.weekend


@dataclass(frozen=True, slots=True)
class WorkingHours:
    """Local working hours: a slot is inside when `start <= time < end`."""

    start: dt.time = dt.time(10, 0)
    end: dt.time = dt.time(18, 0)

    def contains(self, moment: dt.time) -> bool:
        """Whether a local time of day lies inside working hours."""
        return self.start <= moment < self.end


class BusinessCalendar:
    """Working days and slots of one account; every datetime it returns is aware, in the account's zone."""

    def __init__(self, country: str, zone: ZoneInfo, hours: WorkingHours, book: HolidayBook,
                 subdivision: str | None = None) -> None:
        self.country = country
        self.subdivision = subdivision
        self.zone = zone
        self.hours = hours
        self._book = book

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day of the account's country and subdivision."""
        return self._book.is_working_day(self.country, day, self.subdivision)

    def next_working_day(self, day: dt.date, *, include: bool = True) -> dt.date:
        """The first working day on or after `day` (strictly after when `include` is false)."""
        current = day if include else day + dt.timedelta(days=1)
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(current):
                return current
            current += dt.timedelta(days=1)
        raise CalendarError(f"no working day in {self.country} within {MAX_SEARCH_DAYS} days of {day}")

    def previous_working_day(self, day: dt.date) -> dt.date:
        """The last working day on or before `day`."""
        current = day
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(current):
                return current
            current -= dt.timedelta(days=1)
        raise CalendarError(f"no working day in {self.country} within {MAX_SEARCH_DAYS} days before {day}")

    def add_business_days(self, day: dt.date, count: int) -> dt.date:
        """The `count`-th working day after `day` (`count` = 0: `day` itself if working, else the next one)."""
        current = self.next_working_day(day)
        for _ in range(count):
            current = self.next_working_day(current, include=False)
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` is not after `start`)."""
        return sum(1 for n in range(1, min((end - start).days, MAX_SEARCH_DAYS) + 1)
                   if self.is_working_day(start + dt.timedelta(days=n)))

    def at(self, day: dt.date, moment: dt.time) -> dt.datetime:
        """The aware local datetime of `day` at `moment` (normalised through UTC across DST gaps)."""
        naive = dt.datetime.combine(day, moment)
        return naive.replace(tzinfo=self.zone).astimezone(dt.timezone.utc).astimezone(self.zone)

    def local(self, moment: dt.datetime) -> dt.datetime:
        """`moment` in the account's time zone."""
        return moment.astimezone(self.zone)

    def next_slot(self, earliest: dt.datetime, moment: dt.time | None = None, *,
                  round_minutes: int = SLOT_MINUTES) -> dt.datetime:
        """The first working slot not before `earliest`: at `moment` if given, else as soon as possible.

        "As soon as possible" rounds up to the next `round_minutes` inside working hours. A wall time a
        time zone skips on that day (a DST gap, or a whole day, as Samoa skipped 30 December 2011) is no
        slot: the slot must fall on the day it was planned for.
        """
        local = self.local(earliest)
        day = local.date()
        for _ in range(MAX_SEARCH_DAYS):
            if self.is_working_day(day):
                if moment is not None:
                    candidate = self.at(day, moment)
                    if (candidate >= local and candidate.date() == day
                            and self.hours.contains(candidate.timetz().replace(tzinfo=None))):
                        return candidate
                else:
                    candidate = max(local, self.at(day, self.hours.start))
                    candidate = _round_up(candidate, round_minutes)
                    if candidate.date() == day and self.hours.contains(candidate.time()):
                        return candidate
            day += dt.timedelta(days=1)
        raise CalendarError(f"no working slot in {self.country} within {MAX_SEARCH_DAYS} days of {earliest}")

    def is_valid_slot(self, moment: dt.datetime, not_before: dt.datetime) -> bool:
        """The contract's rule for a due: aware, not before `not_before`, on a working day, inside hours."""
        local = self.local(moment)
        return (
            moment.tzinfo is not None
            and moment >= not_before
            and self.is_working_day(local.date())
            and self.hours.contains(local.time())
        )


def tz_database() -> str:
    """Which time-zone database `ZoneInfo` reads in this process, with its release: dues are reproducible against it.

    `ZoneInfo` looks in the folders of `zoneinfo.TZPATH` (the host's files) before the `tzdata` package.
    """
    for root in zoneinfo.TZPATH:
        folder = Path(root)
        if folder.is_dir() and any(folder.iterdir()):
            release = "unknown release"
            try:
                with (folder / "tzdata.zi").open(encoding="utf-8") as first:
                    release = first.readline().removeprefix("# version").strip() or release
            except OSError:
                pass
            return f"host {folder} ({release})"
    import tzdata
    return f"tzdata {tzdata.IANA_VERSION}"


def pin_tz_database() -> None:
    """Read time zones from the `tzdata` package nba depends on, never the host's files (the command line does).

    This sets process-wide state (`zoneinfo.reset_tzpath`), so the library leaves it to applications.
    """
    zoneinfo.reset_tzpath(to=())
    ZoneInfo.clear_cache()


def _round_up(moment: dt.datetime, minutes: int) -> dt.datetime:
    base = moment.replace(second=0, microsecond=0)
    if base < moment:
        base += dt.timedelta(minutes=1)
    extra = (-base.minute) % minutes
    return base + dt.timedelta(minutes=extra)
