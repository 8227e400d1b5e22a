"""The snapshot model: what validates, and how bad data is reported."""

from __future__ import annotations

import json
import re

import pytest
from helpers import BASE_KZ, REPO, merge
from pydantic import ValidationError

import nba


def _locs(exc: ValidationError) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.errors()}


def test_the_contract_example_validates() -> None:
    text = (REPO.parent / "shared" / "contract.md").read_text(encoding="utf-8") if (REPO.parent / "shared").exists() else None
    if text is None:
        pytest.skip("../shared is not beside the repo")
    data = json.loads(re.findall(r"```json\n(.*?)```", text, re.S)[0])
    snap = nba.AccountSnapshot.model_validate(data)
    assert snap.account.country == "KZ"
    assert snap.requests[0].percent == 20
    assert snap.tickets[0].category is None


def test_only_account_and_contract_are_required() -> None:
    snap = nba.AccountSnapshot.model_validate({"account": BASE_KZ["account"], "contract": BASE_KZ["contract"]})
    assert snap.usage == [] and snap.health is None and snap.revenue is None


@pytest.mark.parametrize(
    ("changes", "loc", "words"),
    [
        ({"account": {"timezone": "Asia/Almatyy"}}, "account.timezone", "unknown time zone"),
        ({"account": {"country": "XX"}}, "account.country", "unknown country code"),
        ({"contract": {"price": -5}}, "contract.price", "greater than or equal to 0"),
        ({"contract": {"term": "yearly"}}, "contract.term", "'annual'"),
        ({"contract": {"end_date": "2024-01-01"}}, "contract", "end_date is before start_date"),
        ({"health": {"nps": 11}}, "health.nps", "less than or equal to 10"),
        ({"limits": [{"resource": "seats", "used": -1, "limit": 50}]}, "limits.0.used", "greater than or equal to 0"),
        ({"usage": [{"period_start": "2025-02-01", "period_end": "2025-02-28", "sessions": -3}]}, "usage.0.sessions", "greater"),
        ({"usage": [{"period_start": "2025-02-01", "period_end": "2025-02-28"}]}, "usage.0", "active_users or sessions"),
        ({"account": {"segmnt": "key"}}, "account.segmnt", "Extra inputs"),
        ({"account": {"country": "DE", "timezone": "Europe/Berlin", "subdivision": "XY"}}, "account.subdivision",
         "unknown subdivision 'XY' of DE: use one of"),
        ({"account": {"country": "RU", "timezone": "Europe/Moscow", "subdivision": "Tatarstan"}}, "account.subdivision",
         "use the ISO 3166-2 code without the country, e.g. TA for RU-TA"),
    ],
)
def test_bad_data_names_the_field(changes: dict, loc: str, words: str) -> None:
    with pytest.raises(ValidationError) as info:
        nba.AccountSnapshot.model_validate(merge(BASE_KZ, changes))
    assert loc in _locs(info.value)
    assert words in str(info.value)


def test_links_may_be_missing_or_dangling() -> None:
    snap = nba.AccountSnapshot.model_validate(merge(BASE_KZ, {
        "tickets": [{"id": "t1", "opened_at": "2025-03-10T15:02:00+05:00", "contact_id": "nobody"},
                    {"id": "t2", "opened_at": "2025-03-11T15:02:00"}],
        "touches": [{"at": "2025-03-20T10:00:00+05:00", "channel": "call"}],
        "contacts": [{"id": "c9", "name": "Сауле Нурланова"}],
    }))
    assert snap.tickets[0].contact_id == "nobody"
    assert snap.tickets[1].opened_at.tzinfo is None


def test_country_is_normalised_to_upper_case() -> None:
    snap = nba.AccountSnapshot.model_validate(merge(BASE_KZ, {"account": {"country": "kz"}}))
    assert snap.account.country == "KZ"


@pytest.mark.parametrize(("country", "given", "kept"), [
    ("DE", "BY", "BY"), ("DE", "de-by", "BY"), ("DE", "Bayern", "BY"), ("US", "US-CA", "CA"), ("US", "California", "CA"),
    ("RU", "TA", "TA"), ("RU", "RU-BA", "BA"),  # `holidays` has no Russian regions: the code is kept for the packs' days off
])
def test_a_subdivision_is_kept_as_its_code(country: str, given: str, kept: str) -> None:
    zone = {"DE": "Europe/Berlin", "US": "America/Los_Angeles", "RU": "Europe/Moscow"}[country]
    snap = nba.AccountSnapshot.model_validate(merge(BASE_KZ, {"account": {"country": country, "timezone": zone,
                                                                         "subdivision": given}}))
    assert snap.account.subdivision == kept


def test_snapshots_are_immutable() -> None:
    snap = nba.AccountSnapshot.model_validate(BASE_KZ)
    with pytest.raises(ValidationError):
        snap.account.name = "changed"  # type: ignore[misc]


def test_the_known_countries_are_exactly_those_holidays_lists() -> None:
    import holidays

    from nba.holiday_data import supported_countries

    # Read from holidays' registry table (fast) — the same set its slow listing gives.
    assert supported_countries() == frozenset(holidays.list_supported_countries())
