"""Writing actions: every documented placeholder is filled, and remembered phrases keep zones apart."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from helpers import BASE_KZ, merge

import nba
from nba.locales import render
from nba.writing import CONTEXT_PLACEHOLDERS, ActionWriter


@pytest.mark.parametrize("locale", ["ru", "en"])
def test_every_context_placeholder_reads_as_words_in_a_rule_text(tmp_path: object, locale: str) -> None:
    # One rule whose text uses every placeholder, for an account that has everything they name.
    import pathlib

    folder = pathlib.Path(str(tmp_path))
    text = "Values | " + " | ".join(f"{name}={{{name}}}" for name in CONTEXT_PLACEHOLDERS)
    (folder / "p.yaml").write_text(
        "pack: p\nversion: 1\nrules:\n  - id: r\n    when: contract_status == \"active\"\n    priority: 50\n"
        "    action:\n      kind: call\n      due: {asap: true}\n"
        f"      title: {{en: t, ru: t}}\n      text: {{en: '{text}', ru: '{text}'}}\n      reason: {{en: r, ru: r}}\n",
        encoding="utf-8")
    snap = nba.AccountSnapshot.model_validate(merge(BASE_KZ, {
        "account": {"locale": locale},
        "contract": {"upgrade_price": 250000},
        "limits": [{"resource": "seats", "used": 58, "limit": 50, "overage_price": 10000}],
        "requests": [{"kind": "discount", "at": "2025-03-28T12:00:00+05:00", "contact_id": "c1", "percent": 20}],
        "tickets": [{"id": "t-9", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c1",
                     "subject": "Как выгрузить всю базу клиентов в Excel?"}],
    }))
    (action,) = nba.Engine.from_path(folder).evaluate(snap, as_of=dt.datetime(2025, 3, 31, 9, tzinfo=ZoneInfo("Asia/Almaty"))).actions
    values = dict(part.split("=", 1) for part in action.text.split(" | ")[1:])
    assert set(values) == set(CONTEXT_PLACEHOLDERS)
    blank = [name for name, value in values.items() if not value.strip() or "{" in value or value == "None"]
    assert not blank
    if locale == "ru":
        assert values["price"] == "200\xa0000\xa0₸ в месяц" and values["discount_requested_amount"] == "40\xa0000\xa0₸ в месяц"
        assert values["contract_period_genitive"] == "года"
        assert values["upgrade_saving_note"] == (" Превышение лимита обходится в 80\xa0000\xa0₸ в месяц; переход на старший "
                                                 "тариф сейчас сэкономит 30\xa0000\xa0₸ в месяц.")


def test_one_instant_reads_in_each_zone_s_own_time() -> None:
    writer = ActionWriter()
    almaty = dt.datetime(2025, 4, 1, 15, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    moscow = almaty.astimezone(ZoneInfo("Europe/Moscow"))
    assert almaty == moscow
    assert writer.due_phrase(almaty, "ru", None) == "во вторник 1 апреля в 15:00"
    assert writer.due_phrase(moscow, "ru", None) == "во вторник 1 апреля в 13:00"


def test_templates_keep_literal_braces_and_dash_unknown_values() -> None:
    assert render("{{note}} {contact}: {missing}", {"contact": "Мария"}) == "{note} Мария: —"


@pytest.mark.parametrize(("locale", "note"), [
    ("ru", "без ответственного: в нашей команде по этому клиенту нет роли «руководитель отдела клиентского успеха» — назначьте человека"),
    ("en", "unassigned: nobody on the account's team is the head of customer success — assign someone"),
])
def test_work_nobody_on_the_team_can_take_says_so_in_the_action(locale: str, note: str) -> None:
    snap = nba.AccountSnapshot.model_validate(merge(BASE_KZ, {
        "account": {"locale": locale, "team": [{"name": "Daniyar Omarov", "role": "account_manager"}]},
        "requests": [{"kind": "discount", "at": "2025-03-28T12:00:00+05:00", "contact_id": "c1", "percent": 20}],
    }))
    decision = nba.Engine.default().evaluate(snap, as_of=dt.datetime(2025, 3, 31, 9, tzinfo=ZoneInfo("Asia/Almaty")))
    approval = next(a for a in decision.actions if a.rule == "discount_request/request_approval")
    assert approval.owner is None and approval.notes == [note]
    assigned = [a for a in decision.actions if a.owner is not None]
    assert assigned and all(not any("unassigned" in n or "без ответственного" in n for n in a.notes) for a in assigned)
