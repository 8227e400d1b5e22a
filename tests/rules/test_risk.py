"""risk pack: the scorecard's tiers at their thresholds, reasons largest first, owners, red escalation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from helpers import almaty, monthly_usage

import nba

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 4, 1, 9, 0)
EXPORT = {"id": "t-9", "opened_at": "2025-03-11T12:00:00+05:00", "contact_id": "c1", "subject": "Как выгрузить всю базу клиентов в Excel?"}
SILENT_PRIMARY = [{"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "last_reply_at": "2025-01-20T10:00:00+05:00"}]
BUSY_SUPPORT = [{"id": f"s{i}", "opened_at": f"2025-03-{10 + i}T10:00:00+05:00", "subject": "Ошибка"} for i in range(5)]
FAR_END = {"end_date": "2025-12-31"}  # the renewal window is closed


def risk_of(engine: nba.Engine, snap: nba.AccountSnapshot) -> nba.Risk:
    return engine.evaluate(snap, as_of=AS_OF).risk


@pytest.mark.parametrize(
    ("changes", "level", "score", "reasons"),
    [
        ({"contract": FAR_END}, "green", 0, []),
        ({"contract": FAR_END, "tickets": [EXPORT]}, "green", 25, ["data_export"]),  # just under yellow
        ({"tickets": [EXPORT]}, "yellow", 30, ["data_export", "renewal_near"]),  # at the yellow threshold (60 days left)
        ({"contract": FAR_END, "health": {"score": 45, "nps": 8}, "tickets": [EXPORT, *BUSY_SUPPORT]}, "yellow", 55,
         ["data_export", "low_health", "many_tickets"]),
        ({"contract": FAR_END, "health": {"score": 45, "nps": 5}, "contacts": SILENT_PRIMARY, "tickets": BUSY_SUPPORT}, "yellow", 55,
         ["low_health", "detractor", "many_tickets", "primary_silent"]),  # just under red
        ({"health": {"score": 45, "nps": 5}, "contacts": SILENT_PRIMARY, "tickets": BUSY_SUPPORT}, "red", 60,
         ["low_health", "detractor", "many_tickets", "primary_silent", "renewal_near"]),  # at the red threshold
    ],
)
def test_tiers_at_and_around_their_thresholds(pack_engine: Callable[[str], nba.Engine], kz: Build, changes: dict[str, Any],
                                              level: str, score: float, reasons: list[str]) -> None:
    risk = risk_of(pack_engine("risk"), kz(**changes))
    assert (risk.level, risk.score, risk.reasons) == (level, score, reasons)


def test_explanations_are_in_the_accounts_language_largest_first(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    risk = risk_of(pack_engine("risk"), kz(tickets=[EXPORT], health={"score": 45, "nps": 8}))
    assert risk.explanations == ["запрос на выгрузку данных 21 день назад", "индекс здоровья 45", "контракт заканчивается через 60 дней"]


def test_the_seed_worked_example_is_yellow_and_owned_by_a_csm(engine: nba.Engine, kz: Build) -> None:
    # A chain of five car-service stations, ~200,000 KZT a month, the contract ends in 60 days; activity fell
    # 30% over two months, and three weeks ago a ticket asked how to export the whole client base to Excel.
    snap = kz(
        account={"name": "ТОО «Автосервис Плюс»", "segment": "standard"},
        contract={"start_date": "2024-06-01", "end_date": "2025-05-31", "price": 200000},
        usage=monthly_usage(dt.date(2024, 10, 1), [3100, 3000, 3100, 3100, 1960, 2170]),
        tickets=[{**EXPORT, "opened_at": "2025-03-11T12:00:00+05:00"}],
    )
    decision = engine.evaluate(snap, as_of=almaty(2025, 4, 1, 9, 0))
    assert decision.renewal.days_left == 60
    assert decision.risk.level == "yellow"
    assert decision.risk.reasons == ["data_export", "activity_decline", "renewal_near"]
    assert decision.risk.explanations[1] == "активность снизилась на 30% за последние 60 дней"
    assert {a.owner_role for a in decision.actions if a.kind != "escalation"} == {"csm"}
    assert {a.owner for a in decision.actions if a.kind != "escalation"} == {"Ainur Bekova"}


@pytest.mark.parametrize(("segment", "owner"), [("standard", "head_of_cs"), ("key", "ceo")])
def test_red_accounts_are_owned_by_management_and_always_escalated(engine: nba.Engine, kz: Build, segment: str, owner: str) -> None:
    snap = kz(account={"segment": segment}, health={"score": 45, "nps": 5}, contacts=SILENT_PRIMARY,
              tickets=BUSY_SUPPORT, limits=[{"resource": "seats", "used": 50, "limit": 50}])
    decision = engine.evaluate(snap, as_of=AS_OF)
    assert decision.risk.level == "red"
    (escalation,) = [a for a in decision.actions if a.kind == "escalation"]
    assert escalation.rule == "risk/red_escalation" and escalation.owner_role == "head_of_cs"
    assert escalation.owner == "Gulnara Akhmetova"
    assert escalation.text.startswith("Во вторник 1 апреля в 10:00: TOO Vostok в красной зоне риска (балл 60: индекс здоровья 45;")
    others = [a for a in decision.actions if a.kind != "escalation"]
    assert others and {a.owner_role for a in others} == {owner}


def test_no_escalation_below_red(engine: nba.Engine, kz: Build) -> None:
    decision = engine.evaluate(kz(tickets=[EXPORT]), as_of=AS_OF)
    assert not [a for a in decision.actions if a.rule == "risk/red_escalation"]
