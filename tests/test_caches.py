"""The caches an engine keeps of pure results: keyed by every input, bounded, and reported by `cache_info()`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import nba
from nba.caches import CACHE_SIZE
from nba.writing import ActionWriter
import pytest

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def book() -> list[nba.AccountSnapshot]:
    """The shipped 300-account example book: five countries, their zones, every term."""
    lines = (EXAMPLES / "book.jsonl").read_text(encoding="utf-8").splitlines()
    return [nba.AccountSnapshot.model_validate_json(line) for line in lines]


def test_one_instant_in_two_zones_is_two_phrases() -> None:
    # Aware datetimes of the same instant are equal and hash alike: a cache keyed on them would hand Almaty's
    # "10:00" to an account in Moscow. The phrase is keyed by the wall time it reads.
    writer = ActionWriter()
    almaty = dt.datetime(2025, 3, 4, 10, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    moscow = almaty.astimezone(ZoneInfo("Europe/Moscow"))
    assert almaty == moscow
    assert writer.due_phrase(almaty, "ru", 2025) == "во вторник 4 марта в 10:00"
    assert writer.due_phrase(moscow, "ru", 2025) == "во вторник 4 марта в 08:00"


def test_a_morning_run_is_served_from_the_caches_and_they_stay_bounded(book: list[nba.AccountSnapshot]) -> None:
    engine = nba.Engine.default()
    as_of = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)
    for snapshot in book:
        engine.evaluate(snapshot, as_of)
    info = engine.cache_info()
    assert set(info) == {"calendars", "dues", "renewals", "due_phrases", "date_phrases", "rule_texts", "risk_reasons",
                         "usage_phrases", "names"}
    for name, stats in info.items():
        assert stats.maxsize == CACHE_SIZE, name
        assert stats.currsize <= CACHE_SIZE, name
    # A few countries and zones and one as-of: most dues and calendars repeat across the book's accounts.
    assert info["dues"].hits > info["dues"].misses
    assert info["calendars"].currsize < 50


def test_a_cached_due_is_the_due_of_that_account(book: list[nba.AccountSnapshot]) -> None:
    # The same rules for accounts in different zones, in either order: each gets its own calendar's due.
    as_of = dt.datetime(2025, 3, 3, 9, 0, tzinfo=dt.timezone.utc)
    forward, backward = nba.Engine.default(), nba.Engine.default()
    first = [forward.evaluate(s, as_of).model_dump_json() for s in book]
    second = [backward.evaluate(s, as_of).model_dump_json() for s in reversed(book)]
    assert first == list(reversed(second))
