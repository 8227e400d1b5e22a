"""What the `holidays` package knows: its country codes, their subdivisions and their public holidays.

One place reads the package, so the snapshot (which validates codes) and the calendar (which counts
days off) agree, and only the one country module an account needs is imported. The package itself is
imported on first use, so commands that count no days (`nba --help`, `nba schema`) start without it.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

_IMPORT_LOCK = threading.Lock()


@cache
def supported_countries() -> frozenset[str]:
    """The country codes the installed `holidays` knows (immutable after the first call).

    Read from its registry (a table, 0.1 ms) rather than `list_supported_countries()`, which imports every
    country module (80 ms) just to list them.
    """
    import holidays

    try:
        from holidays import registry

        return frozenset(code for entry in registry.COUNTRIES.values() for code in entry[1:]
                         if 2 <= len(code) <= 3 and code.isalpha() and code.isupper())
    except (ImportError, AttributeError, IndexError):  # pragma: no cover - a holidays without the registry table
        return frozenset(holidays.list_supported_countries())


def _country_class(country: str) -> type[holidays.HolidayBase] | None:
    """The `holidays` class of `country`, importing only that country's module (None when that is not possible).

    `holidays.country_holidays` imports the package `holidays.countries`, whose `__init__` imports all
    ~250 countries (55 ms, most of `nba evaluate`'s start-up). The registry names the one module and
    class a country needs; that module is loaded on its own (its imports are of `holidays`' core, not
    of other countries).
    """
    import holidays

    try:
        from holidays import registry

        module_name, (class_name, *_codes) = next((name, entry) for name, entry in registry.COUNTRIES.items()
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
            if module is None:
                import holidays.countries as countries

                module = getattr(countries, module_name, None) or sys.modules.get(full_name)
        found = getattr(module, class_name, None)
        return found if isinstance(found, type) and issubclass(found, holidays.HolidayBase) else None
    except (ImportError, AttributeError, StopIteration, ValueError, OSError, TypeError):
        return None


def country_holidays(country: str, year: int, subdivision: str | None = None) -> holidays.HolidayBase:
    """Public holidays of `country` (and its `subdivision`) in `year`, named in English where the package can."""
    cls = _country_class(country)
    if cls is None:
        import holidays

        return holidays.country_holidays(country, subdiv=subdivision, years=year)
    language = "en_US" if "en_US" in cls.supported_languages else None
    return cls(years=year, subdiv=subdivision, language=language)


@cache
def subdivisions(country: str) -> dict[str, str]:
    """The subdivision codes of `country` `holidays` has holidays for, by every name it accepts (code or alias)."""
    cls = _country_class(country)
    if cls is None:
        return {}
    names = {code.upper(): code for code in cls.subdivisions}
    for alias, code in cls.subdivisions_aliases.items():
        names.setdefault(alias.upper(), code)
    return names
