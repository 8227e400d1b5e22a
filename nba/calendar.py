"""The business calendar of one account: its country's days off, its working hours, its time zone."""

from __future__ import annotations

import datetime as dt
import threading
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from .errors import CalendarError

#: How far ahead a search for a working day may look before it gives up.
MAX_SEARCH_DAYS = 400
#: "As soon as possible" is placed on this grid of minutes (:00, :15, :30, :45).
SLOT_MINUTES = 15


@dataclass(frozen=True, slots=True)
class _Year:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # weekend days declared working days (transfers)
    weekend: frozenset[int]


_IMPORT_LOCK = threading.Lock()


def _country_holidays(country: str, year: int) -> holidays.HolidayBase:
    """`holidays.country_holidays(country, years=year)`, importing only that country's module.

    `holidays.country_holidays` imports the package `holidays.countries`, whose `__init__` imports all
    ~250 countries (55 ms, most of `nba evaluate`'s start-up). The registry names the one module and
    class a country needs; that module is loaded on its own (its imports are of `holidays`' core, not
    of other countries). Whenever that is not possible, the public function is used.
    """
    import importlib.util
    import sys

    try:
        from holidays import registry

        module_name, (class_name, *codes) = next((name, entry) for name, entry in registry.COUNTRIES.items()
                                                 if country in entry[1:])
        full_name = f"holidays.countries.{module_name}"
        with _IMPORT_LOCK:
            module = sys.modules.get(full_name)
            if module is None and "holidays.countries" not in sys.modules:
                location = Path(holidays.__file__).parent / "countries" / f"{module_name}.py"
                spec = importlib.util.spec_from_file_location(full_name, location)
                if spec is not None and spec.loader is not None and location.is_file():
                    module = importlib.util.module_from_spec(spec)
                    sys.modules[full_name] = module
                    try:
                        spec.loader.exec_module(module)
                    except BaseException:
                        del sys.modules[full_name]
                        raise
        if module is not None:
            table: holidays.HolidayBase = getattr(module, class_name)(years=year)
            return table
    except (ImportError, AttributeError, StopIteration, ValueError, OSError, TypeError):
        pass
    return holidays.country_holidays(country, years=year)


class HolidayBook:
    """Days off per (country, year) from the `holidays` package, computed once and shared safely between threads."""

    def __init__(self) -> None:
        self._years: dict[tuple[str, int], _Year] = {}
        self._lock = threading.Lock()

    def year(self, country: str, year: int) -> _Year:
        """Public holidays, working weekend days and weekend weekdays of `country` in `year`."""
        key = (country, year)
        found = self._years.get(key)
        if found is not None:
            return found
        table = _country_holidays(country, year)
        first, last = getattr(table, "start_year", year), getattr(table, "end_year", year)
        if not first <= year <= last:  # beyond its data every day would silently count as a working day
            raise CalendarError(f"the holidays package has no public holidays of {country} for {year} "
                                f"(it covers {first}-{last}); nothing can be scheduled in that year")
        entry = _Year(
            holidays=frozenset(d for d in table if d.year == year),
            workdays=frozenset(d for d in getattr(table, "weekend_workdays", ()) if d.year == year),
            weekend=frozenset(table.weekend),
        )
        with self._lock:
            return self._years.setdefault(key, entry)

    def is_working_day(self, country: str, day: dt.date) -> bool:
        """Whether `day` is a working day in `country` (weekends and public holidays are not)."""
        info = self.year(country, day.year)
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

    def __init__(self, country: str, zone: ZoneInfo, hours: WorkingHours, book: HolidayBook) -> None:
        self.country = country
        self.zone = zone
        self.hours = hours
        self._book = book

    def is_working_day(self, day: dt.date) -> bool:
        """Whether `day` is a working day of the account's country."""
        return self._book.is_working_day(self.country, day)

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
