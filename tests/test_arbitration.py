"""Arbitration with realistic multi-rule accounts: priority, conflicts, merging, caps, top N."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import RULES, almaty, monthly_usage

import nba
from nba.errors import RulePackError

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 3, 31, 9, 0)  # Monday

CONTACTS = [
    {"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "first_seen": "2023-01-10", "last_reply_at": "2025-03-20T11:20:00+05:00"},
    {"id": "c2", "name": "Дана Ержанова", "first_seen": "2024-02-01"},
]


def many_signals(kz: Build, **changes: object) -> nba.AccountSnapshot:
    """An account where four packs fire: activity drop, discount ask, tariff limit (all to c1), export (from c2).

    The contract ends in December, so the renewal window is still closed, and we met them this month.
    """
    base: dict[str, object] = dict(
        contract={"start_date": "2025-01-01", "end_date": "2025-12-31"},
        touches=[{"at": "2025-03-03T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}],
        contacts=CONTACTS,
        usage=monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 1488]),
        limits=[{"resource": "seats", "used": 47, "limit": 50}],
        tickets=[{"id": "t-77", "opened_at": "2025-03-10T15:02:00+05:00", "contact_id": "c2", "subject": "Выгрузка всей базы в Excel"}],
        requests=[{"kind": "discount", "at": "2025-03-28T12:00:00+05:00", "contact_id": "c1", "percent": 20}],
    )
    base.update(changes)
    return kz(**base)


def test_two_rules_calling_one_person_on_one_day_become_one_call(engine: nba.Engine, kz: Build) -> None:
    decision = engine.evaluate(many_signals(kz), as_of=AS_OF)
    calls_to_c1 = [a for a in decision.actions if a.contact and a.contact.id == "c1" and a.kind != "task"]
    assert len(calls_to_c1) == 1
    call = calls_to_c1[0]
    assert call.rule == "discount_request/present_counter_offer"  # the highest priority keeps the lead
    assert call.merged_rules == ["activity_drop/usage_audit_call"]
    assert "Также обсудить: звонок о падении активности и аудит использования" in call.text
    assert call.reasons == ["запрошена скидка 20% 3 дня назад", "активность упала на 51% за последние 30 дней"]
    # The export request makes an upgrade offer wrong, also as a topic of another call.
    assert "переход на старший тариф" not in call.text
    assert [(s.rule, s.cause) for s in decision.suppressed] == [("tariff_limit/upgrade_offer", "conflict")]


def test_different_people_are_not_merged(engine: nba.Engine, kz: Build) -> None:
    decision = engine.evaluate(many_signals(kz), as_of=AS_OF)
    assert {a.contact.id for a in decision.actions if a.contact} == {"c1", "c2"}


def test_no_two_calls_to_one_contact_on_one_day(engine: nba.Engine, kz: Build) -> None:
    for day in range(24, 32):
        decision = engine.evaluate(many_signals(kz), as_of=almaty(2025, 3, day, 9, 0))
        seen = set()
        for a in decision.actions:
            if a.kind in ("call", "offer") and a.contact:
                key = (a.contact.id, a.due.date())
                assert key not in seen
                seen.add(key)


def test_contact_cap_moves_the_call_and_the_text_names_the_new_day(engine: nba.Engine, kz: Build) -> None:
    touches = [{"at": "2025-03-03T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"},
               {"at": "2025-03-26T10:00:00+05:00", "channel": "call", "contact_id": "c1"},
               {"at": "2025-03-28T15:00:00+05:00", "channel": "call", "contact_id": "c1"}]
    decision = engine.evaluate(many_signals(kz, touches=touches, requests=[]), as_of=AS_OF)
    (call,) = [a for a in decision.actions if a.contact and a.contact.id == "c1"]
    # Two calls to c1 in the last 7 days: the next one may come once the 26 March call leaves the window.
    assert call.rule == "activity_drop/usage_audit_call"
    assert call.due.isoformat() == "2025-04-02T10:00:00+05:00"
    assert "в среду 2 апреля в 10:00" in call.text
    # In the account's language, with the person's name and plural forms: no codes, no "call(s)".
    assert call.notes == ["перенесено с 31 марта 10:00 на 2 апреля 10:00: лимит контактов — Алмат Сейткали: "
                          "уже 2 звонка за 7 дней"]


def test_the_clients_own_request_is_answered_on_time_whatever_the_caps(engine: nba.Engine, kz: Build) -> None:
    touches = [{"at": "2025-03-26T10:00:00+05:00", "channel": "call", "contact_id": "c1"},
               {"at": "2025-03-28T15:00:00+05:00", "channel": "call", "contact_id": "c1"},
               {"at": "2025-03-31T08:30:00+05:00", "channel": "email", "contact_id": "c1"}]
    decision = engine.evaluate(many_signals(kz, touches=touches), as_of=AS_OF)
    (call,) = [a for a in decision.actions if a.rule == "discount_request/present_counter_offer"]
    assert call.due.isoformat() == "2025-03-31T11:00:00+05:00" and call.notes == []


def test_quiet_period_after_a_touch(engine: nba.Engine, kz: Build) -> None:
    touches = [{"at": "2025-03-31T08:30:00+05:00", "channel": "email", "contact_id": "c1"}]  # this morning
    decision = engine.evaluate(many_signals(kz, touches=touches, requests=[]), as_of=AS_OF)
    (call,) = [a for a in decision.actions if a.contact and a.contact.id == "c1"]
    assert call.due.isoformat() == "2025-04-01T10:00:00+05:00"


def test_a_note_calls_an_unnamed_contact_by_their_ticket_never_by_an_id(engine: nba.Engine, kz: Build) -> None:
    # Someone new wrote ticket T-9; the snapshot has their id only, and we wrote to them this morning.
    tickets = [{"id": "T-9", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c-new", "subject": "Как настроить отчёт?"}]
    touches = [{"at": "2025-03-31T08:30:00+05:00", "channel": "email", "contact_id": "c-new"}]
    decision = engine.evaluate(kz(tickets=tickets, touches=touches), as_of=AS_OF)
    (action,) = [a for a in decision.actions if a.contact and a.contact.id == "c-new"]
    moved = [n for n in action.notes if n.startswith("перенесено")]
    assert moved and "пауза после контакта — неизвестный автор обращения T-9: связывались менее 24 часов назад" in moved[0]
    assert "c-new" not in " ".join(action.notes)


def test_export_calls_are_exempt_from_caps(engine: nba.Engine, kz: Build) -> None:
    touches = [{"at": f"2025-03-{d}T10:00:00+05:00", "channel": "call", "contact_id": "c2"} for d in (27, 28)]
    touches.append({"at": "2025-03-31T08:45:00+05:00", "channel": "call", "contact_id": "c2"})
    decision = engine.evaluate(many_signals(kz, touches=touches), as_of=AS_OF)
    (export,) = [a for a in decision.actions if a.rule == "data_export/clarify_export_purpose"]
    assert export.due.isoformat() == "2025-03-31T10:00:00+05:00"


def write_arbitration(tmp_path: Path, extra: str) -> Path:
    rules = tmp_path / "rules"
    rules.mkdir()
    for path in RULES.glob("*.yaml"):
        if path.name != "arbitration.yaml":
            (rules / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    (rules / "arbitration.yaml").write_text("pack: arbitration\nversion: 1\narbitration:\n" + extra, encoding="utf-8")
    return rules


def test_caps_can_hold_back_instead_of_moving(tmp_path: Path, kz: Build) -> None:
    engine = nba.Engine.from_path(write_arbitration(tmp_path, "  caps: {when_capped: suppress}\n"))
    touches = [{"at": f"2025-03-{d}T10:00:00+05:00", "channel": "call", "contact_id": "c1"} for d in (26, 28)]
    decision = engine.evaluate(many_signals(kz, touches=touches), as_of=AS_OF)
    assert not [a for a in decision.actions if a.contact and a.contact.id == "c1" and a.kind != "task"]
    held = {s.rule: s.reason for s in decision.suppressed}
    assert held["discount_request/present_counter_offer"] == "лимит контактов — Алмат Сейткали: уже 2 звонка за 7 дней"


def test_account_cap_counts_every_contact(tmp_path: Path, kz: Build) -> None:
    engine = nba.Engine.from_path(write_arbitration(tmp_path, "  caps: {per_account: {call: 1}, when_capped: suppress}\n"))
    decision = engine.evaluate(many_signals(kz), as_of=AS_OF)
    # This arbitration exempts nothing, so one call in total: the highest priority, the export call.
    calls = [a for a in decision.actions if a.kind in ("call", "offer")]
    assert len(calls) == 1 and calls[0].rule == "data_export/clarify_export_purpose"
    assert any(s.reason.startswith("лимит контактов с клиентом: уже 1 звонок") for s in decision.suppressed)


def test_red_accounts_get_no_upsell_offer(engine: nba.Engine, kz: Build) -> None:
    red = many_signals(kz, health={"score": 30, "nps": 3}, requests=[],
                       contacts=[{**CONTACTS[0], "last_reply_at": "2025-01-10T10:00:00+05:00"}, CONTACTS[1]])
    decision = engine.evaluate(red, as_of=AS_OF)
    assert decision.risk.level == "red"
    assert "tariff_limit/upgrade_offer" not in {a.rule for a in decision.actions}
    assert ("tariff_limit/upgrade_offer", "не предлагать расширение клиенту в красной зоне риска", "conflict") in [
        (s.rule, s.reason, s.cause) for s in decision.suppressed]


def test_top_n_keeps_the_highest_priorities(tmp_path: Path, kz: Build) -> None:
    engine = nba.Engine.from_path(write_arbitration(tmp_path, "  max_actions: 1\n"))
    decision = engine.evaluate(many_signals(kz), as_of=AS_OF)
    assert [a.rule for a in decision.actions] == ["data_export/clarify_export_purpose"]
    assert {s.rule for s in decision.suppressed} == {"discount_request/present_counter_offer", "tariff_limit/upgrade_offer",
                                                     "activity_drop/usage_audit_call", "discount_request/request_approval"}
    assert {s.reason for s in decision.suppressed} == {"не вошло в список из 1 действия: у остальных приоритет выше"}


@pytest.mark.parametrize(("currency", "price", "expected"), [("KZT", 200_000, 96), ("USD", 10, 90), ("USD", 5_000, 110)])
def test_priority_grows_with_value_at_stake(engine: nba.Engine, kz: Build, currency: str, price: float, expected: int) -> None:
    snap = kz(contract={"currency": currency, "price": price, "end_date": "2025-12-31"},
              revenue={"ltv": 0 if currency == "USD" else 4_800_000}, account={"segment": "standard"},
              tickets=[{"id": "t-77", "opened_at": "2025-03-10T15:02:00+05:00", "contact_id": "c1", "subject": "export all data"}])
    (action,) = engine.evaluate(snap, as_of=AS_OF).actions
    assert action.priority == expected


def test_risk_raises_priority(engine: nba.Engine, kz: Build) -> None:
    ticket = [{"id": "t-77", "opened_at": "2025-03-10T15:02:00+05:00", "contact_id": "c1", "subject": "export all data"}]
    quiet = {"contract": {"end_date": "2025-12-31"}, "account": {"segment": "standard"}}
    green = engine.evaluate(kz(tickets=ticket, **quiet), as_of=AS_OF)
    yellow = engine.evaluate(kz(tickets=ticket, health={"score": 40, "nps": 8}, **quiet), as_of=AS_OF)
    assert (green.risk.level, yellow.risk.level) == ("green", "yellow")
    assert yellow.actions[0].priority == green.actions[0].priority + 10


def test_equal_priorities_are_ordered_by_due_then_rule(engine: nba.Engine, kz: Build) -> None:
    decision = engine.evaluate(many_signals(kz), as_of=AS_OF)
    keys = [(-a.priority, a.due, a.rule) for a in decision.actions]
    assert keys == sorted(keys)


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ('  conflicts:\n    - {suppress: ["kind:ofer"], reason: {en: x, ru: x}}\n', "unknown action kind `ofer` in pattern `kind:ofer` (did you mean `kind:offer`?)"),
        ('  conflicts:\n    - {suppress: ["tarif_limit/*"], reason: {en: x, ru: x}}\n', "pattern `tarif_limit/*` matches no rule"),
        ('  conflicts:\n    - {when: risk_level == "crimson", suppress: ["kind:offer"], reason: {en: x, ru: x}}\n', '`risk_level` is never "crimson"'),
        ("  caps: {exempt: [\"channel:fax\"]}\n", "unknown channel `fax`"),
        ("  priority: {value_reference: {USD: 1000}}\n", "value_reference needs a `default` entry"),
        ('  conflicts:\n    - {suppress: ["kind:offer"], reason: no offers}\n',
         "one text for a pack in en, ru: people would read it untranslated (give it per locale"),
    ],
)
def test_bad_arbitration_settings_are_located(tmp_path: Path, extra: str, message: str) -> None:
    with pytest.raises(RulePackError) as info:
        nba.Engine.from_path(write_arbitration(tmp_path, extra))
    (problem,) = info.value.problems
    assert problem.file.endswith("arbitration.yaml") and problem.line is not None
    assert message in str(problem)
