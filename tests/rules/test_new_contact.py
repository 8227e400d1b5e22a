"""new_contact pack: a new person writes while the old contact is silent → welcome call."""

from __future__ import annotations

from collections.abc import Callable

from helpers import almaty

import nba

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 4, 2, 9, 0)
CONTACTS = [
    {"id": "c1", "name": "Алмат Сейткали", "is_primary": True, "first_seen": "2023-01-10",
     "last_reply_at": "2025-01-15T11:20:00+05:00"},
    {"id": "c2", "name": "Дана Ержанова", "role": "новый руководитель отдела продаж", "first_seen": "2025-03-03"},
]
TICKET = {"id": "t-90", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c2", "subject": "Как добавить сотрудника?"}


def rules(engine: nba.Engine, snap: nba.AccountSnapshot) -> dict[str, nba.NextAction]:
    return {a.rule: a for a in engine.evaluate(snap, as_of=AS_OF).actions if a.rule.startswith("new_contact/")}


def test_welcome_call_with_the_new_person(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("new_contact")
    found = rules(engine, kz(contacts=CONTACTS, tickets=[TICKET]))
    assert set(found) == {"new_contact/welcome_call"}
    action = found["new_contact/welcome_call"]
    assert action.contact == nba.ContactRef(id="c2", name="Дана Ержанова")
    assert action.due.isoformat() == "2025-04-02T11:00:00+05:00"
    assert action.text.startswith("Позвонить Дане Ержановой (TOO Vostok) в среду 2 апреля в 11:00: приветственный звонок")
    assert action.text.endswith("Алмат Сейткали не отвечает нам")  # no day count that changes every morning
    assert "основной контакт молчит 77 дней" in action.reasons[0]


def test_primary_still_answering_gets_an_introduction_email_instead(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("new_contact")
    contacts = [{**CONTACTS[0], "last_reply_at": "2025-03-25T11:20:00+05:00"}, CONTACTS[1]]
    found = rules(engine, kz(contacts=contacts, tickets=[TICKET]))
    assert set(found) == {"new_contact/introduce_new_contact"}
    assert found["new_contact/introduce_new_contact"].kind == "email"


def test_an_old_contact_writing_is_not_new(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("new_contact")
    contacts = [CONTACTS[0], {**CONTACTS[1], "first_seen": "2023-05-01"}]
    assert rules(engine, kz(contacts=contacts, tickets=[TICKET])) == {}


def test_a_ticket_from_someone_we_have_no_record_of(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("new_contact")
    found = rules(engine, kz(contacts=CONTACTS[:1], tickets=[{**TICKET, "contact_id": "c-x"}]))
    action = found["new_contact/welcome_call"]
    assert action.contact == nba.ContactRef(id="c-x", name=None)
    # "контакт клиента" left nothing to act on: the ticket names them, and a note says to find out who it is.
    assert action.text.startswith(f"Позвонить неизвестному автору обращения {TICKET['id']} (TOO Vostok)")
    assert action.notes == [f"имя автора обращения {TICKET['id']} неизвестно: сначала выяснить, кто его написал"]


def test_no_tickets_no_action(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("new_contact")
    assert rules(engine, kz(contacts=CONTACTS)) == {}
