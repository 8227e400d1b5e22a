"""activity_drop pack: a 40% drop over the last month → a usage-audit call."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from helpers import almaty, monthly_usage

import nba

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 4, 4, 15, 0)  # a Friday afternoon


def test_a_halved_month_books_a_call_on_monday(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("activity_drop")
    # March at 48 sessions a day against ~98 a day in the 30 days before it (Jan 31 - Mar 1): -51%.
    snap = kz(usage=monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 1488]))
    (action,) = [a for a in engine.evaluate(snap, as_of=AS_OF).actions if a.rule == "activity_drop/usage_audit_call"]
    assert action.kind == "call"
    assert action.due.isoformat() == "2025-04-07T10:00:00+05:00"
    assert action.contact == nba.ContactRef(id="c1", name="Алмат Сейткали", email="almat@example.kz")  # how to reach them
    assert action.text.startswith("Позвонить Алмату Сейткали (TOO Vostok) в понедельник 7 апреля в 10:00: активность упала на 51% за 30 дней по 31 марта 2025\u202fг.")
    assert "аудит использования" in action.text
    assert action.reasons == ["активность упала на 51% за 30 дней по 31 марта 2025\u202fг."]


def test_a_small_drop_does_not_fire(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("activity_drop")
    snap = kz(usage=monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 2480]))  # -20%
    rules = {a.rule for a in engine.evaluate(snap, as_of=AS_OF).actions}
    assert "activity_drop/usage_audit_call" not in rules


def test_no_usage_data_does_not_fire(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("activity_drop")
    assert not [a for a in engine.evaluate(kz(), as_of=AS_OF).actions if a.rule.startswith("activity_drop/")]


def test_a_churned_contract_gets_no_audit(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("activity_drop")
    snap = kz(usage=monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 1488]), contract={"status": "churned"})
    assert not [a for a in engine.evaluate(snap, as_of=AS_OF).actions if a.rule.startswith("activity_drop/")]


def test_a_slow_two_month_slide_gets_an_email(pack_engine: Callable[[str], nba.Engine], us: Build) -> None:
    engine = pack_engine("activity_drop")
    usage = monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 3100, 2100, 1860])  # Feb-Mar 100/day, Apr 70/day, May 60/day
    snap = us(usage=usage)
    actions = engine.evaluate(snap, as_of=dt.datetime(2025, 6, 3, 9, 0)).actions
    (action,) = [a for a in actions if a.rule.startswith("activity_drop/")]
    assert action.rule == "activity_drop/slow_decline_check_in"
    assert action.kind == "email"
    assert action.text.startswith("Write to Maria Lopez (Acme Logistics Inc.) on Tuesday, June 3 at 11:00: usage fell 35% over the 60 days to May 31, 2025")
