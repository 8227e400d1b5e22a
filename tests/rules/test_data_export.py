"""data_export pack: a request to export all data → a call the same or next business day."""

from __future__ import annotations

from collections.abc import Callable

from helpers import almaty, new_york

import nba

Build = Callable[..., nba.AccountSnapshot]
EXPORT_TICKET = {"id": "t-77", "opened_at": "2025-03-10T15:02:00+05:00", "contact_id": "c1",
                 "subject": "Как выгрузить всю базу клиентов в Excel?", "category": None}


def export_actions(engine: nba.Engine, snap: nba.AccountSnapshot, as_of) -> list[nba.NextAction]:  # type: ignore[no-untyped-def]
    return [a for a in engine.evaluate(snap, as_of=as_of).actions if a.rule == "data_export/clarify_export_purpose"]


def test_same_day_when_the_morning_slot_is_still_ahead(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("data_export")
    (action,) = export_actions(engine, kz(tickets=[EXPORT_TICKET]), almaty(2025, 3, 31, 9, 0))
    assert action.due.isoformat() == "2025-03-31T10:00:00+05:00"
    # Rule priority 90 + value at stake: (2.4M annual + 10% of 4.8M LTV) / 10M KZT reference x 20 = 5.76; green: +0.
    assert action.priority == 96
    assert action.reasons == ["обращение t-77 с просьбой о полной выгрузке 21 день назад"]
    assert "«Как выгрузить всю базу клиентов в Excel?»" in action.text


def test_next_business_day_skips_nowruz(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("data_export")
    ticket = {**EXPORT_TICKET, "opened_at": "2025-03-20T12:00:00+05:00"}
    # Hours remain on 20 March: the same afternoon, before the holidays.
    (action,) = export_actions(engine, kz(tickets=[ticket]), almaty(2025, 3, 20, 12, 30))
    assert action.due.isoformat() == "2025-03-20T12:30:00+05:00"
    # After hours: Nowruz (21-25 March) is skipped, the first slot of the next working day.
    (action,) = export_actions(engine, kz(tickets=[ticket]), almaty(2025, 3, 20, 18, 5))
    assert action.due.isoformat() == "2025-03-26T10:00:00+05:00"


def test_the_ticket_author_is_called(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("data_export")
    contacts = [
        {"id": "c1", "name": "Алмат Сейткали", "is_primary": True},
        {"id": "c2", "name": "Дана Ержанова", "first_seen": "2024-11-01"},
    ]
    ticket = {**EXPORT_TICKET, "contact_id": "c2"}
    (action,) = export_actions(engine, kz(contacts=contacts, tickets=[ticket]), almaty(2025, 3, 31, 9, 0))
    assert action.contact == nba.ContactRef(id="c2", name="Дана Ержанова")
    assert action.text.startswith("Позвонить Дане Ержановой (TOO Vostok)")


def test_english_words_in_a_us_account(pack_engine: Callable[[str], nba.Engine], us: Build) -> None:
    engine = pack_engine("data_export")
    ticket = {"id": "z-9", "opened_at": "2025-07-02T16:00:00-04:00", "contact_id": "u1",
              "subject": "How can we export all our customers to CSV?"}
    # Working hours remain on Thursday 3 July: the next free slot that afternoon, not the next business day.
    (action,) = export_actions(engine, us(tickets=[ticket]), new_york(2025, 7, 3, 16, 0))
    assert action.due.isoformat() == "2025-07-03T16:00:00-04:00"
    # After hours, 4 July is Independence Day: the first slot of the next working day, Monday 7 July.
    (action,) = export_actions(engine, us(tickets=[ticket]), new_york(2025, 7, 3, 18, 30))
    assert action.due.isoformat() == "2025-07-07T10:00:00-04:00"
    assert action.text.startswith("Call Maria Lopez (Acme Logistics Inc.) on Monday, July 7 at 10:00: ticket z-9 asks to export")


def test_other_tickets_and_old_requests_do_not_fire(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("data_export")
    other = {**EXPORT_TICKET, "subject": "Не работает вход", "id": "t-1"}
    old = {**EXPORT_TICKET, "opened_at": "2025-01-10T15:02:00+05:00"}
    assert not export_actions(engine, kz(tickets=[other, old]), almaty(2025, 3, 31, 9, 0))
