"""renewal pack: the window by term, each stage boundary, escalation at the signing deadline, the new period."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from helpers import almaty

import nba

Build = Callable[..., nba.AccountSnapshot]
END = dt.date(2025, 9, 30)
LENGTH = {"annual": 365, "quarterly": 91, "monthly": 30, "multi_year": 1095}
WINDOW = {"annual": 90, "quarterly": 45, "monthly": 14, "multi_year": 270}
DEADLINE = {"annual": 30, "quarterly": 14, "monthly": 5, "multi_year": 60}


def at_days_left(engine: nba.Engine, kz: Build, term: str, days_left: int, **contract: object) -> nba.Decision:
    snap = kz(contract={"term": term, "start_date": (END - dt.timedelta(days=LENGTH[term])).isoformat(),
                        "end_date": END.isoformat(), **contract},
              touches=[{"at": "2025-01-10T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}])
    today = END - dt.timedelta(days=days_left)
    return engine.evaluate(snap, as_of=almaty(today.year, today.month, today.day, 9, 0))


def renewal_rules(decision: nba.Decision) -> set[str]:
    rules = {a.rule for a in decision.actions} | {m for a in decision.actions for m in a.merged_rules}
    return {r for r in rules if r.startswith("renewal/")}


@pytest.mark.parametrize("term", list(WINDOW))
def test_nothing_fires_the_day_before_the_window_opens(pack_engine: Callable[[str], nba.Engine], kz: Build, term: str) -> None:
    decision = at_days_left(pack_engine("renewal"), kz, term, WINDOW[term] + 1)
    assert decision.renewal.stage == "not_started"
    assert decision.renewal.window_opens == END - dt.timedelta(days=WINDOW[term])
    assert renewal_rules(decision) == set()


@pytest.mark.parametrize("term", list(WINDOW))
def test_the_day_the_window_opens_the_account_enters_the_pipeline(pack_engine: Callable[[str], nba.Engine], kz: Build,
                                                                   term: str) -> None:
    decision = at_days_left(pack_engine("renewal"), kz, term, WINDOW[term])
    assert decision.renewal.stage == "assessment"
    assert renewal_rules(decision) == {"renewal/enter_pipeline"}
    (task,) = decision.actions
    # The count of days left is in the reason; the text names dates, so it does not change every morning.
    days = {90: "90 дней", 45: "45 дней", 14: "14 дней", 270: "270 дней"}[WINDOW[term]]  # plural forms, not "дн."
    assert task.kind == "task" and f"открылось окно продления: {days} до конца контракта" in task.reasons
    assert "дней" not in task.text.split("на что обратить внимание")[0]


@pytest.mark.parametrize("term", list(WINDOW))
def test_the_signing_deadline_escalates_and_the_day_before_does_not(pack_engine: Callable[[str], nba.Engine], kz: Build,
                                                                     term: str) -> None:
    before = at_days_left(pack_engine("renewal"), kz, term, DEADLINE[term] + 1)
    assert before.renewal.stage == "negotiation"
    assert "renewal/unsigned_escalation" not in renewal_rules(before)
    on = at_days_left(pack_engine("renewal"), kz, term, DEADLINE[term])
    assert on.renewal.stage == "signing"
    (escalation,) = [a for a in on.actions if a.rule == "renewal/unsigned_escalation"]
    assert escalation.kind == "escalation" and escalation.owner_role == "head_of_cs"
    assert escalation.due.date() >= END - dt.timedelta(days=DEADLINE[term])


@pytest.mark.parametrize(
    ("days_left", "stage", "rule", "stage_ends_days_left"),
    [
        (90, "assessment", "renewal/enter_pipeline", 76),
        (76, "assessment", "renewal/enter_pipeline", 76),
        (75, "value_call", "renewal/value_call", 61),
        (61, "value_call", "renewal/value_call", 61),
        (60, "offer", "renewal/retention_offer", 46),
        (46, "offer", "renewal/retention_offer", 46),
        (45, "negotiation", "renewal/negotiation_follow_up", 31),
        (31, "negotiation", "renewal/negotiation_follow_up", 31),
        (30, "signing", "renewal/unsigned_escalation", 0),
        (-1, "overdue", "renewal/overdue_escalation", None),
    ],
)
def test_annual_stage_boundaries(pack_engine: Callable[[str], nba.Engine], kz: Build, days_left: int, stage: str, rule: str,
                                 stage_ends_days_left: int | None) -> None:
    decision = at_days_left(pack_engine("renewal"), kz, "annual", days_left)
    assert decision.renewal.stage == stage
    assert decision.renewal.days_left == days_left
    assert decision.renewal.deadline == END - dt.timedelta(days=30)
    expected_end = None if stage_ends_days_left is None else END - dt.timedelta(days=stage_ends_days_left)
    assert decision.renewal.stage_ends == expected_end
    assert rule in renewal_rules(decision)


def test_value_call_never_asks_will_you_renew(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    (call,) = at_days_left(pack_engine("renewal"), kz, "annual", 70).actions
    assert call.kind == "call"
    assert "подвести итоги года и обсудить планы на следующий" in call.text


def test_active_accounts_get_an_expansion_offer(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    usage = [{"period_start": f"2025-{m:02d}-01", "period_end": f"2025-{m:02d}-28", "sessions": 3000} for m in range(4, 8)]
    snap = kz(contract={"end_date": END.isoformat(), "start_date": "2024-10-01"}, usage=usage,
              touches=[{"at": "2025-06-10T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}])
    decision = pack_engine("renewal").evaluate(snap, as_of=almaty(2025, 8, 5, 9, 0))  # 56 days left: offer
    (offer,) = decision.actions
    assert offer.rule == "renewal/expansion_offer"
    assert "подключить модули: аналитика, sms" in offer.text  # a module without a display name reads as written


def test_an_open_discount_ask_goes_to_the_discount_pack(engine: nba.Engine, kz: Build) -> None:
    decision = at_days_left(engine, kz, "annual", 40, discount_percent=0)
    assert "renewal/negotiation_follow_up" in renewal_rules(decision)
    with_ask = kz(contract={"start_date": "2024-09-30", "end_date": END.isoformat()},
                  requests=[{"kind": "discount", "at": "2025-08-19T10:00:00+05:00", "contact_id": "c1", "percent": 20}],
                  touches=[{"at": "2025-01-10T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}])
    decision = engine.evaluate(with_ask, as_of=almaty(2025, 8, 21, 9, 0))
    rules = {a.rule for a in decision.actions} | {m for a in decision.actions for m in a.merged_rules}
    assert "renewal/negotiation_follow_up" not in rules and "discount_request/present_counter_offer" in rules


def test_renewed_contract_onboards_the_new_period(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    decision = at_days_left(pack_engine("renewal"), kz, "annual", -5, status="renewed", renewed_until="2026-09-30")
    assert decision.renewal.stage == "renewed"
    assert decision.renewal.end_date == dt.date(2026, 9, 30)
    assert decision.renewal.window_opens == dt.date(2026, 7, 2)
    (meeting,) = decision.actions
    assert meeting.rule == "renewal/new_period_onboarding"
    assert "следующее окно продления откроется 2 июля 2026" in meeting.text


def test_closed_contracts_are_left_alone(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    decision = at_days_left(pack_engine("renewal"), kz, "annual", 20, status="churned")
    assert decision.renewal.stage == "closed" and decision.actions == []


def test_entering_the_pipeline_with_nothing_to_watch_says_so(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    # A healthy account: no risk measure hits, and the text must not end on a bare dash.
    snap = kz(contract={"term": "annual", "start_date": "2024-10-01", "end_date": END.isoformat()},
              contacts=[{"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "last_reply_at": "2025-06-30T10:00:00+05:00"}],
              touches=[{"at": "2025-06-30T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}])
    decision = pack_engine("renewal").evaluate(snap, as_of=almaty(2025, 7, 2, 9, 0))  # 90 days left
    (enter,) = [a for a in decision.actions if a.rule == "renewal/enter_pipeline"]
    assert decision.risk.explanations == []
    assert enter.text.endswith("на что обратить внимание: тревожных сигналов нет")
