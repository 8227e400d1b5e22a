"""cadence pack: quarterly touches, onboarding check-ins, detractor follow-ups, reactivation — and their negatives."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from helpers import almaty, monthly_usage

import nba

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 4, 1, 9, 0)
LATER = {"start_date": "2024-10-01", "end_date": "2025-12-31"}


def touched(days_ago: int) -> list[dict[str, str]]:
    day = AS_OF.date() - dt.timedelta(days=days_ago)
    return [{"at": f"{day.isoformat()}T10:00:00+05:00", "channel": "call", "contact_id": "c1"}]


def cadence(engine: nba.Engine, snap: nba.AccountSnapshot) -> set[str]:
    return {a.rule for a in engine.evaluate(snap, as_of=AS_OF).actions if a.rule.startswith("cadence/")}


def test_key_account_untouched_for_a_quarter(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("cadence")
    assert cadence(engine, kz(contract=LATER, touches=touched(95))) == {"cadence/quarterly_touch"}
    assert cadence(engine, kz(contract=LATER)) == {"cadence/quarterly_touch"}  # never touched
    assert cadence(engine, kz(contract=LATER, touches=touched(30))) == set()
    assert cadence(engine, kz(contract=LATER, touches=touched(95), account={"segment": "standard"})) == set()


def test_onboarding_check_ins_in_the_first_weeks(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("cadence")
    fresh = {"start_date": "2025-03-20", "end_date": "2026-03-19"}
    snap = kz(contract=fresh, account={"segment": "standard"})
    assert cadence(engine, snap) == {"cadence/onboarding_check_in"}
    (action,) = engine.evaluate(snap, as_of=AS_OF).actions
    assert action.text.startswith("Позвонить Алмату Сейткали (TOO Vostok) во вторник 1 апреля в 11:00: как идёт внедрение")
    assert cadence(engine, kz(contract=fresh, account={"segment": "standard"}, touches=touched(3))) == set()
    assert cadence(engine, kz(contract={"start_date": "2025-02-01", "end_date": "2026-01-31"}, account={"segment": "standard"})) == set()


def test_detractors_get_a_follow_up(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("cadence")
    standard = {"segment": "standard"}
    assert cadence(engine, kz(contract=LATER, account=standard, health={"score": 70, "nps": 6})) == {"cadence/detractor_follow_up"}
    assert cadence(engine, kz(contract=LATER, account=standard, health={"score": 70, "nps": 7})) == set()
    assert cadence(engine, kz(contract=LATER, account=standard, health={"score": 70})) == set()  # no NPS answer


def test_silent_clients_get_a_reactivation_call(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("cadence")
    standard = {"segment": "standard"}
    silent = monthly_usage(dt.date(2024, 12, 1), [3100, 2000, 0, 0])
    assert cadence(engine, kz(contract=LATER, account=standard, usage=silent)) == {"cadence/reactivation"}
    busy = monthly_usage(dt.date(2024, 12, 1), [3100, 2000, 1500, 1400])
    assert cadence(engine, kz(contract=LATER, account=standard, usage=busy)) == set()


def test_an_escalation_replaces_routine_touches(engine: nba.Engine, kz: Build) -> None:
    red = kz(contract=LATER, health={"score": 30, "nps": 2}, tickets=[
        {"id": f"s{i}", "opened_at": f"2025-03-{10 + i}T10:00:00+05:00", "subject": "Ошибка"} for i in range(5)]
        + [{"id": "t-x", "opened_at": "2025-03-20T10:00:00+05:00", "subject": "Экспорт всей базы"}],
        contacts=[{"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "last_reply_at": "2025-01-20T10:00:00+05:00"}])
    decision = engine.evaluate(red, as_of=AS_OF)
    assert decision.risk.level == "red"
    assert "risk/red_escalation" in {a.rule for a in decision.actions}
    assert not [a for a in decision.actions if a.rule.startswith("cadence/")]
    held = {s.rule: s.reason for s in decision.suppressed}
    assert held["cadence/quarterly_touch"] == "эскалация заменяет плановые контакты"
    assert held["cadence/detractor_follow_up"] == "эскалация заменяет плановые контакты"


def test_a_key_account_never_touched_reads_as_such(kz: Build) -> None:
    snap = kz(account={"segment": "key", "locale": "en"}, touches=[])
    decision = nba.Engine.default().evaluate(snap, as_of=almaty(2025, 3, 31, 9))
    touch = next(a for a in decision.actions
                 if a.rule == "cadence/quarterly_touch" or "cadence/quarterly_touch" in a.merged_rules)
    assert "key account, no touch for as long as we have records" in touch.reasons
