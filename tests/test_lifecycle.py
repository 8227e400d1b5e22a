"""Across runs: stable ids, statuses from the action history, done/dismissed/declined remembered, withdrawn, escalation."""

from __future__ import annotations

import datetime as dt
import textwrap
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import BASE_KZ, EXAMPLES, RULES, almaty, merge, monthly_usage

import nba

Build = Callable[..., nba.AccountSnapshot]
MONDAY = almaty(2025, 3, 31, 9, 0)

#: An account with an export ticket, an open 20% discount ask and a plan limit almost full.
BUSY: dict[str, Any] = {
    "contacts": [
        {"id": "c1", "name": "Алмат Сейткали", "role": "director", "is_primary": True, "first_seen": "2023-01-10",
         "last_reply_at": "2025-03-20T11:20:00+05:00"},
        {"id": "c2", "name": "Ерлан Жумабаев", "role": "accountant", "first_seen": "2023-05-01"},
    ],
    "tickets": [{"id": "t-77", "opened_at": "2025-03-28T15:02:00+05:00", "contact_id": "c2",
                 "subject": "Как выгрузить всю базу клиентов в Excel?"}],
    "requests": [{"kind": "discount", "at": "2025-03-28T12:00:00+05:00", "contact_id": "c1", "percent": 20}],
    "limits": [{"resource": "seats", "used": 46, "limit": 50}],
}


def busy(**changes: Any) -> nba.AccountSnapshot:
    return nba.AccountSnapshot.model_validate(merge(merge(BASE_KZ, BUSY), changes))


def with_history(snapshot: nba.AccountSnapshot, entries: list[nba.HistoryEntry]) -> nba.AccountSnapshot:
    return snapshot.model_copy(update={"action_history": entries})


def by_rule(decision: nba.Decision) -> dict[str, nba.NextAction]:
    return {a.rule: a for a in decision.actions}


# -- ids name the situation ----------------------------------------------------------------------------
def test_the_same_situation_keeps_its_id_across_mornings_and_a_same_day_rerun(engine: nba.Engine) -> None:
    snapshot = busy()
    monday = engine.evaluate(snapshot, as_of=MONDAY)
    afternoon = engine.evaluate(snapshot, as_of=MONDAY.replace(hour=14))
    wednesday = engine.evaluate(snapshot, as_of=almaty(2025, 4, 2, 9, 0))
    assert {a.rule for a in monday.actions} >= {"data_export/clarify_export_purpose", "discount_request/present_counter_offer"}
    for later in (afternoon, wednesday):
        for rule, action in by_rule(monday).items():
            if rule in by_rule(later):
                assert by_rule(later)[rule].id == action.id, rule
    # The due moved with as-of; the id did not.
    assert by_rule(wednesday)["data_export/clarify_export_purpose"].due != by_rule(monday)["data_export/clarify_export_purpose"].due


def test_a_new_episode_is_a_new_id(engine: nba.Engine) -> None:
    first = by_rule(engine.evaluate(busy(), as_of=MONDAY))["data_export/clarify_export_purpose"]
    newer_ticket = busy(tickets=[*BUSY["tickets"], {"id": "t-91", "opened_at": "2025-03-30T10:00:00+05:00",
                                                    "contact_id": "c2", "subject": "Нужна полная выгрузка базы в CSV"}])
    second = by_rule(engine.evaluate(newer_ticket, as_of=MONDAY))["data_export/clarify_export_purpose"]
    assert second.id != first.id
    asked_again = busy(requests=[{"kind": "discount", "at": "2025-03-30T12:00:00+05:00", "contact_id": "c1",
                                  "percent": 20, "id": "req-2"}])
    offer = by_rule(engine.evaluate(busy(), as_of=MONDAY))["discount_request/present_counter_offer"]
    assert by_rule(engine.evaluate(asked_again, as_of=MONDAY))["discount_request/present_counter_offer"].id != offer.id


def test_every_shipped_rule_has_a_documented_episode(engine: nba.Engine) -> None:
    docs = (Path(__file__).resolve().parent.parent / "docs" / "running-every-morning.md").read_text(encoding="utf-8")
    for rule in engine.ruleset.rules:
        assert rule.episode, f"{rule.id} has no episode: every morning would be the same situation forever"
        assert set(rule.episode) <= set(nba.EPISODE_PARTS)
        assert f"`{rule.id}`" in docs, f"{rule.id}'s episode is not in docs/running-every-morning.md"


def test_a_pack_author_sets_the_episode_and_a_wrong_part_is_located(tmp_path: Path, kz: Build) -> None:
    pack = tmp_path / "limits.yaml"
    pack.write_text(textwrap.dedent("""\
        pack: limits
        version: 1
        rules:
          - id: near_limit
            when: max_limit_used_pct >= 85
            priority: 50
            episode: [limit]
            action:
              kind: call
              due: {within_business_days: 1, at: "10:00"}
              title: {en: Call about the limit, ru: Звонок о лимите}
              text: {en: "Call {contact}", ru: "Позвонить {contact_dative}"}
              reason: {en: near the limit, ru: лимит близок}
        """), encoding="utf-8")
    engine = nba.Engine.from_path(pack)
    assert engine.ruleset.rules[0].episode == ("limit",)
    seats = kz(limits=[{"resource": "seats", "used": 46, "limit": 50}])
    storage = kz(limits=[{"resource": "storage_gb", "used": 95, "limit": 100}])
    assert engine.evaluate(seats, as_of=MONDAY).actions[0].id != engine.evaluate(storage, as_of=MONDAY).actions[0].id
    pack.write_text(pack.read_text(encoding="utf-8").replace("episode: [limit]", "episode: [limits]"), encoding="utf-8")
    with pytest.raises(nba.RulePackError) as caught:
        nba.Engine.from_path(pack)
    assert "limits.yaml:7" in str(caught.value) and "unknown episode part `limits`" in str(caught.value)
    assert "did you mean `limit`?" in str(caught.value)


# -- the history read back -----------------------------------------------------------------------------
def test_open_actions_keep_their_due_and_become_overdue(engine: nba.Engine) -> None:
    monday = engine.evaluate(busy(), as_of=MONDAY)
    history = nba.history_from(monday)
    again = engine.evaluate(with_history(busy(), history), as_of=MONDAY)
    assert [a.status for a in again.actions] == ["open"] * len(monday.actions)
    assert [(a.id, a.due) for a in again.actions] == [(a.id, a.due) for a in monday.actions]
    tuesday = engine.evaluate(with_history(busy(), history), as_of=almaty(2025, 4, 1, 15, 0))
    export = by_rule(tuesday)["data_export/clarify_export_purpose"]
    assert export.status == "overdue" and export.due == by_rule(monday)["data_export/clarify_export_purpose"].due


def test_done_and_dismissed_are_never_issued_again_for_the_same_situation(engine: nba.Engine) -> None:
    monday = engine.evaluate(busy(), as_of=MONDAY)
    closed = almaty(2025, 3, 31, 12, 0)
    done = nba.history_from(monday, status="done", outcome="accepted", closed_at=closed)
    for as_of in (almaty(2025, 4, 1, 9, 0), almaty(2025, 4, 9, 9, 0)):
        later = engine.evaluate(with_history(busy(), done), as_of=as_of)
        assert not {a.id for a in later.actions} & {a.id for a in monday.actions}
        held = {s.id: s for s in later.suppressed}
        for action in monday.actions:
            if action.rule in {c.rule for c in later.suppressed}:
                assert held[action.id].cause == "done"
                assert "уже выполнено 31 марта 2025\u202fг." in held[action.id].reason  # in the account's language
    dismissed = nba.history_from(monday, status="dismissed", outcome="not_relevant", closed_at=closed)
    later = engine.evaluate(with_history(busy(), dismissed), as_of=almaty(2025, 4, 1, 9, 0))
    assert not {a.id for a in later.actions} & {a.id for a in monday.actions}
    assert {s.cause for s in later.suppressed if s.id in {a.id for a in monday.actions}} == {"dismissed"}


def test_a_declined_offer_waits_for_the_rules_cooldown_even_in_a_new_episode(engine: nba.Engine) -> None:
    seats = busy(requests=[], tickets=[])
    offer = by_rule(engine.evaluate(seats, as_of=MONDAY))["tariff_limit/upgrade_offer"]
    declined = [nba.HistoryEntry(id=offer.id, rule=offer.rule, status="dismissed", outcome="declined",
                                 closed_at=almaty(2025, 4, 1, 12, 0))]
    # Another resource fills up a week later: a new situation, but the client said no to an upgrade 7 days ago.
    storage = busy(requests=[], tickets=[], limits=[{"resource": "storage_gb", "used": 96, "limit": 100}],
                   action_history=[d.model_dump() for d in declined])
    week_later = engine.evaluate(storage, as_of=almaty(2025, 4, 8, 9, 0))
    assert "tariff_limit/upgrade_offer" not in by_rule(week_later)
    [held] = [s for s in week_later.suppressed if s.rule == "tariff_limit/upgrade_offer"]
    assert held.cause == "cooldown" and held.id is not None and held.id != offer.id
    assert "клиент отказался 1 апреля 2025\u202fг." in held.reason and "до 1 мая 2025\u202fг." in held.reason
    after = engine.evaluate(storage, as_of=almaty(2025, 5, 5, 9, 0))
    assert "tariff_limit/upgrade_offer" in by_rule(after)


def test_a_rule_sets_its_own_cooldown(tmp_path: Path, kz: Build) -> None:
    for pack in RULES.glob("*.yaml"):
        if not pack.name.endswith(".test.yaml"):
            text = pack.read_text(encoding="utf-8")
            if pack.name == "tariff_limit.yaml":
                text = text.replace("  - id: upgrade_offer\n", "  - id: upgrade_offer\n    cooldown_days: 3\n")
            (tmp_path / pack.name).write_text(text, encoding="utf-8")
    engine = nba.Engine.from_path(tmp_path)
    assert engine.ruleset.cooldowns["tariff_limit/upgrade_offer"] == 3
    assert engine.ruleset.cooldowns["data_export/clarify_export_purpose"] == 30  # the lifecycle default


def test_a_declined_counter_offer_goes_up_the_approval_ladder(engine: nba.Engine) -> None:
    monday = engine.evaluate(busy(), as_of=MONDAY)
    assert monday.discount is not None and monday.discount.outcome == "counter_offer"
    counter = by_rule(monday)["discount_request/present_counter_offer"]
    declined = [nba.HistoryEntry(id=counter.id, rule=counter.rule, status="done", outcome="declined",
                                 closed_at=almaty(2025, 3, 31, 12, 0))]
    later = engine.evaluate(with_history(busy(), declined), as_of=almaty(2025, 4, 1, 9, 0))
    assert later.discount is not None
    assert later.discount.outcome == "needs_approval"
    assert later.discount.approval_role == "ceo"  # 20% is above the head of CS's 15% on the shipped ladder
    assert "discount_request/present_counter_offer" not in by_rule(later)
    approval = by_rule(later)["discount_request/request_approval"]
    assert approval.owner_role == "ceo" and approval.kind == "task"


def test_open_actions_whose_situation_is_over_are_withdrawn_with_the_reason(engine: nba.Engine) -> None:
    monday = engine.evaluate(busy(), as_of=MONDAY)
    history = nba.history_from(monday)
    gone_rule = nba.HistoryEntry(id="0123456789abcdef", rule="old_pack/old_rule", status="open")
    # The ticket is answered (more than 30 days pass) and the discount request is closed.
    answered = busy(requests=[{**BUSY["requests"][0], "status": "closed"}])
    later = engine.evaluate(with_history(answered, [*history, gone_rule]), as_of=almaty(2025, 5, 5, 9, 0))
    withdrawn = {w.id: w for w in later.withdrawn}
    export = by_rule(monday)["data_export/clarify_export_purpose"]
    counter = by_rule(monday)["discount_request/present_counter_offer"]
    assert withdrawn[export.id].reason == "запрос на выгрузку закрыт или старше 30 дней"
    assert withdrawn[counter.id].reason == "запрос скидки закрыт или на него уже ответили"
    assert "old_pack/old_rule" in withdrawn[gone_rule.id].reason
    assert not {a.id for a in later.actions} & set(withdrawn)


def test_an_open_action_held_back_by_a_conflict_is_withdrawn_with_the_conflicts_reason(engine: nba.Engine) -> None:
    seats = busy(requests=[], tickets=[])
    monday = engine.evaluate(seats, as_of=MONDAY)
    offer = by_rule(monday)["tariff_limit/upgrade_offer"]
    red = busy(requests=[], health={"score": 20, "nps": 2},
               contacts=[{**BUSY["contacts"][0], "last_reply_at": "2025-01-10T10:00:00+05:00"}, BUSY["contacts"][1]],
               action_history=[e.model_dump() for e in nba.history_from(monday)])
    later = engine.evaluate(red, as_of=almaty(2025, 4, 1, 9, 0))
    assert later.risk.level == "red"
    assert [w.reason for w in later.withdrawn if w.id == offer.id] == ["не предлагать расширение клиенту в красной зоне риска"]


def test_an_action_overdue_too_long_is_escalated_to_the_owners_lead_once(engine: nba.Engine) -> None:
    monday = engine.evaluate(busy(), as_of=MONDAY)
    export = by_rule(monday)["data_export/clarify_export_purpose"]
    history = [e for e in nba.history_from(monday) if e.id == export.id]
    one_day_late = engine.evaluate(with_history(busy(), history), as_of=almaty(2025, 4, 1, 15, 0))
    assert nba.OVERDUE_ESCALATION not in by_rule(one_day_late)  # 1 business day: not yet
    late = engine.evaluate(with_history(busy(), history), as_of=almaty(2025, 4, 3, 9, 0))
    escalation = by_rule(late)[nba.OVERDUE_ESCALATION]
    assert escalation.kind == "escalation" and escalation.status == "new"
    assert export.owner_role == "account_manager"
    assert escalation.owner_role == "head_of_cs" and escalation.owner == "Gulnara Akhmetova"
    assert "просрочено на 2 рабочих дня" in escalation.text
    # Named by its title for people, and by its id in brackets (as the brief shows ids) for a CRM to link them.
    assert escalation.reasons == [f"действие «{export.title}» открыто и просрочено на 2 рабочих дня [{export.id}]"]
    # The next morning it is the same escalation, open; once done, it is not raised again.
    issued = [*history, *nba.history_from(late.model_copy(update={"actions": [escalation]}))]
    next_day = engine.evaluate(with_history(busy(), issued), as_of=almaty(2025, 4, 4, 9, 0))
    assert by_rule(next_day)[nba.OVERDUE_ESCALATION].id == escalation.id
    assert by_rule(next_day)[nba.OVERDUE_ESCALATION].status in ("open", "overdue")
    # The overdue call done, the open escalation is withdrawn, and its reason says so in words (its id is the entry's).
    closed = [e.model_copy(update={"status": "done", "outcome": "accepted"}) if e.id == export.id else e for e in issued]
    settled = engine.evaluate(with_history(busy(), closed), as_of=almaty(2025, 4, 4, 9, 0))
    assert [w.reason for w in settled.withdrawn if w.id == escalation.id] == ["просроченное действие закрыто или перенесено"]
    done = [*history, nba.HistoryEntry(id=escalation.id, rule=nba.OVERDUE_ESCALATION, status="done", outcome="accepted")]
    after = engine.evaluate(with_history(busy(), done), as_of=almaty(2025, 4, 4, 9, 0))
    assert nba.OVERDUE_ESCALATION not in by_rule(after)
    assert escalation.id in {s.id for s in after.suppressed}


def test_a_week_of_mornings_over_the_examples_keeps_one_id_per_situation(engine: nba.Engine) -> None:
    snapshots = [nba.AccountSnapshot.model_validate_json(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]
    snapshots += [busy(), busy(account={"id": "acc-2", "locale": "en"}, usage=monthly_usage(dt.date(2024, 12, 1), [900, 880, 400]))]
    ids: dict[tuple[str, str, str | None], set[str]] = defaultdict(set)
    for day in range(7):
        for hour in (9, 14):
            for snapshot in snapshots:
                as_of = dt.datetime(2025, 3, 31, hour) + dt.timedelta(days=day)  # naive: each account's local time
                for action in engine.evaluate(snapshot, as_of=as_of).actions:
                    ids[(snapshot.account.id, action.rule, action.contact.id if action.contact else None)].add(action.id)
    assert len(ids) >= 12
    assert {situation: found for situation, found in ids.items() if len(found) > 1} == {}
