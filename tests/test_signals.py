"""Signals: as-of-relative facts from a snapshot; missing data gives unknown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from helpers import almaty, monthly_usage

import nba
from nba.signals import CATALOGUE, DERIVED_SIGNALS, SNAPSHOT_SIGNALS, compute_signals, is_export_request
from nba.snapshot import Ticket

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 4, 2, 9, 0)


def _daily(start: dt.date, values: list[int]) -> list[dict]:
    return [{"period_start": (start + dt.timedelta(days=i)).isoformat(), "period_end": (start + dt.timedelta(days=i)).isoformat(),
             "sessions": v} for i, v in enumerate(values)]


def _weekly(start: dt.date, values: list[int]) -> list[dict]:
    return [{"period_start": (start + dt.timedelta(days=7 * i)).isoformat(),
             "period_end": (start + dt.timedelta(days=7 * i + 6)).isoformat(), "sessions": v} for i, v in enumerate(values)]


def test_every_signal_is_computed_or_unknown(kz: Build) -> None:
    signals = compute_signals(kz(), AS_OF)
    assert set(signals) == {s.name for s in SNAPSHOT_SIGNALS}
    assert set(nba.SIGNALS) == {s.name for s in SNAPSHOT_SIGNALS + DERIVED_SIGNALS}
    assert signals["days_to_end"] == 59
    assert signals["activity_change_pct"] is None  # no usage at all
    assert signals["export_request_days"] is None


def test_catalogue_entries_are_documented() -> None:
    for spec in CATALOGUE.values():
        assert spec.description and spec.type in ("number", "text", "bool")


def test_activity_drop_is_the_same_whatever_the_granularity(kz: Build) -> None:
    # The same activity, reported per day and per week: 56 days at 100 sessions a day, then 35 at 48.
    # Last 30 days: 48 a day; the 30 before: 25 days at 100 and 5 at 48, 91.33 a day -> -47.4%.
    start = dt.date(2025, 1, 2)
    by_day = compute_signals(kz(usage=_daily(start, [100] * 56 + [48] * 35)), almaty(2025, 4, 3, 9))
    by_week = compute_signals(kz(usage=_weekly(start, [700] * 8 + [336] * 5)), almaty(2025, 4, 3, 9))
    assert by_day["activity_change_pct"] == -47.4
    assert by_day["activity_drop_pct"] == 47.4
    assert by_week["activity_change_pct"] == by_day["activity_change_pct"]


def test_monthly_usage_gives_last_month_against_the_one_before(kz: Build) -> None:
    usage = monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 1488])  # Jan 100/day, Feb 100/day, Mar 48/day
    signals = compute_signals(kz(usage=usage), almaty(2025, 4, 2, 9))
    assert signals["activity_drop_pct"] == pytest.approx(52, abs=2)


def test_activity_growth_is_not_a_drop(kz: Build) -> None:
    usage = monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 4650])
    signals = compute_signals(kz(usage=usage), almaty(2025, 4, 2, 9))
    assert signals["activity_change_pct"] > 40  # type: ignore[operator]
    assert signals["activity_drop_pct"] == 0


def test_activity_uses_active_users_when_sessions_are_missing(kz: Build) -> None:
    usage = [{"period_start": "2025-02-01", "period_end": "2025-02-28", "active_users": 40},
             {"period_start": "2025-03-01", "period_end": "2025-03-31", "active_users": 20}]
    signals = compute_signals(kz(usage=usage), almaty(2025, 4, 2, 9))
    assert signals["activity_drop_pct"] == pytest.approx(50, abs=4)


def test_one_period_of_usage_is_not_enough_to_call_a_trend(kz: Build) -> None:
    usage = monthly_usage(dt.date(2025, 3, 1), [1500])
    signals = compute_signals(kz(usage=usage), almaty(2025, 4, 2, 9))
    assert signals["activity_change_pct"] is None
    assert signals["days_since_activity"] == 0  # the latest reported period had activity


def test_silence_is_measured_inside_the_reported_data(kz: Build) -> None:
    usage = monthly_usage(dt.date(2025, 1, 1), [3100, 0, 0])  # active in January, silent in February and March
    assert compute_signals(kz(usage=usage), almaty(2025, 4, 10, 9))["days_since_activity"] == 59
    late_report = monthly_usage(dt.date(2025, 1, 1), [3100, 2800])  # March not reported yet
    assert compute_signals(kz(usage=late_report), almaty(2025, 4, 10, 9))["days_since_activity"] == 0


def test_usage_after_as_of_is_ignored(kz: Build) -> None:
    usage = monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 3100, 0])  # April is in the future
    signals = compute_signals(kz(usage=usage), almaty(2025, 3, 31, 23))
    assert signals["activity_drop_pct"] == 0


@pytest.mark.parametrize(
    ("subject", "category", "expected"),
    [
        ("Как выгрузить всю базу клиентов в Excel?", None, True),
        ("Нужна выгрузка сделок за год", None, True),
        ("Экспорт контактов", None, True),
        ("How do I export all clients to Excel?", None, True),
        ("Can we download all our data as CSV?", None, True),
        ("Скачать всю базу в xlsx", None, True),
        ("Не приходит счёт за март", None, False),
        ("How to import contacts from Excel", None, False),
        ("Login is slow", None, False),
        ("Как выгрузить всю базу?", "billing", False),
        ("Question", "data_export", True),
        ("ВЫГРУЗКА ВСЕЙ БАЗЫ", None, True),  # letter case does not matter
        ("EXPORT everything", None, True),
        ("Need ALL contacts in CSV", None, True),
        ("Ёлки: всё в Эксель", None, True),
    ],
)
def test_export_requests_are_recognised_by_words_or_category(subject: str, category: str | None, expected: bool) -> None:
    ticket = Ticket(id="t", opened_at=almaty(2025, 3, 1, 10), subject=subject, category=category)
    assert is_export_request(ticket) is expected


def test_export_request_age_and_ticket(kz: Build) -> None:
    snap = kz(tickets=[
        {"id": "t-1", "opened_at": "2025-02-01T10:00:00+05:00", "subject": "Экспорт в CSV"},
        {"id": "t-77", "opened_at": "2025-03-12T15:02:00+05:00", "subject": "Как выгрузить всю базу клиентов в Excel?"},
        {"id": "t-78", "opened_at": "2025-03-20T15:02:00+05:00", "subject": "Ошибка входа"},
    ])
    signals = compute_signals(snap, AS_OF)
    assert signals["export_request_days"] == 21
    assert signals["export_ticket_id"] == "t-77"
    assert signals["tickets_30d"] == 2


def test_dates_are_local_to_the_account(kz: Build) -> None:
    # 20:30 UTC on 1 April is 01:30 on 2 April in Almaty: the ticket is from today, not yesterday.
    snap = kz(tickets=[{"id": "t", "opened_at": "2025-04-01T20:30:00+00:00", "subject": "export all"}])
    assert compute_signals(snap, AS_OF)["export_request_days"] == 0


def test_new_contact_writing_while_primary_is_silent(kz: Build) -> None:
    snap = kz(
        contacts=[
            {"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "first_seen": "2023-01-10",
             "last_reply_at": "2025-01-15T11:20:00+05:00"},
            {"id": "c2", "name": "Дана Ержанова", "first_seen": "2025-03-01"},
        ],
        tickets=[{"id": "t1", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c2", "subject": "Как добавить сотрудника?"}],
    )
    signals = compute_signals(snap, AS_OF)
    assert signals["new_contact_ticket_days"] == 5
    assert signals["new_contact_id"] == "c2"
    assert signals["primary_silent_days"] == 77


def test_primary_and_long_known_contacts_are_not_new(kz: Build) -> None:
    snap = kz(
        contacts=[{"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "first_seen": "2025-03-01"},
                  {"id": "c3", "name": "Old Timer", "first_seen": "2022-01-01"}],
        tickets=[{"id": "t1", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c1"},
                 {"id": "t2", "opened_at": "2025-03-29T10:00:00+05:00", "contact_id": "c3"}],
    )
    assert compute_signals(snap, AS_OF)["new_contact_ticket_days"] is None


def test_a_contact_we_do_not_know_is_new(kz: Build) -> None:
    snap = kz(tickets=[{"id": "t1", "opened_at": "2025-03-30T10:00:00+05:00", "contact_id": "c-unknown"}])
    signals = compute_signals(snap, AS_OF)
    assert signals["new_contact_id"] == "c-unknown"


def test_open_discount_request(kz: Build) -> None:
    snap = kz(requests=[
        {"kind": "discount", "at": "2025-01-10T12:00:00+05:00", "percent": 30},
        {"kind": "discount", "at": "2025-03-28T12:00:00+05:00", "contact_id": "c1", "percent": 20},
        {"kind": "discount", "at": "2025-03-30T12:00:00+05:00", "percent": 25, "status": "closed"},
        {"kind": "callback", "at": "2025-03-31T12:00:00+05:00"},
    ])
    signals = compute_signals(snap, AS_OF)
    assert signals["discount_requested_pct"] == 20
    assert signals["discount_request_days"] == 5
    assert signals["discount_contact_id"] == "c1"


def test_stale_discount_request_is_not_open(kz: Build) -> None:
    snap = kz(requests=[{"kind": "discount", "at": "2025-02-10T12:00:00+05:00", "percent": 20}])
    assert compute_signals(snap, AS_OF)["discount_requested_pct"] is None


def test_limit_utilisation_picks_the_tightest_resource(kz: Build) -> None:
    snap = kz(limits=[{"resource": "seats", "used": 47, "limit": 50}, {"resource": "storage_gb", "used": 99, "limit": 100}])
    signals = compute_signals(snap, AS_OF)
    assert signals["max_limit_used_pct"] == 99
    assert signals["max_limit_resource"] == "storage_gb"


def test_touches_and_modules(kz: Build) -> None:
    snap = kz(touches=[{"at": "2025-03-20T10:00:00+05:00", "channel": "call"},
                       {"at": "2025-03-31T10:00:00+05:00", "channel": "email"},
                       {"at": "2025-04-10T10:00:00+05:00", "channel": "call"}])
    signals = compute_signals(snap, AS_OF)
    assert signals["days_since_touch"] == 2
    assert signals["touches_7d"] == 1
    assert signals["unused_modules"] == 2


def test_annual_contract_value_follows_billing(kz: Build) -> None:
    assert compute_signals(kz(), AS_OF)["annual_contract_value"] == 2_400_000
    assert compute_signals(kz(contract={"billing_period": "quarterly", "price": 600000}), AS_OF)["annual_contract_value"] == 2_400_000


@pytest.mark.parametrize(("as_of", "age", "stale"), [
    (almaty(2025, 4, 2, 9), 2, False),   # March's figures two days into April: as fresh as monthly data gets
    (almaty(2025, 5, 3, 9), 33, False),  # April's figures may take 3 days to come
    (almaty(2025, 5, 5, 9), 35, True),   # ... but not five: newer data is overdue
])
def test_the_age_of_usage_data_is_measured_against_its_own_rhythm(kz: Build, as_of: dt.datetime, age: int, stale: bool) -> None:
    signals = compute_signals(kz(usage=monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 1400])), as_of)
    assert signals["usage_through"] == "2025-03-31"
    assert signals["usage_data_age_days"] == age
    assert signals["usage_data_stale"] is stale


def test_daily_usage_is_stale_within_days(kz: Build) -> None:
    usage = [{"period_start": f"2025-03-{d:02d}", "period_end": f"2025-03-{d:02d}", "sessions": 100} for d in range(1, 26)]
    signals = compute_signals(kz(usage=usage), almaty(2025, 3, 31, 9))
    assert (signals["usage_data_age_days"], signals["usage_data_stale"]) == (6, True)
    assert compute_signals(kz(usage=usage), almaty(2025, 3, 28, 9))["usage_data_stale"] is False
