"""Texts: localized due phrases, numbers, Russian names in the dative case, safe templates."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml

import nba

from nba.locales import Inflector, NumberStyle, TemplateError, format_due, pick_locale, placeholders, render

ALMATY = ZoneInfo("Asia/Almaty")


@pytest.mark.parametrize(
    ("day", "ru", "en"),
    [
        (dt.date(2025, 4, 7), "в понедельник 7 апреля в 10:00", "on Monday, April 7 at 10:00"),
        (dt.date(2025, 4, 1), "во вторник 1 апреля в 10:00", "on Tuesday, April 1 at 10:00"),
        (dt.date(2025, 4, 2), "в среду 2 апреля в 10:00", "on Wednesday, April 2 at 10:00"),
        (dt.date(2025, 4, 4), "в пятницу 4 апреля в 10:00", "on Friday, April 4 at 10:00"),
        (dt.date(2025, 4, 5), "в субботу 5 апреля в 10:00", "on Saturday, April 5 at 10:00"),
    ],
)
def test_due_phrases(day: dt.date, ru: str, en: str) -> None:
    moment = dt.datetime.combine(day, dt.time(10), tzinfo=ALMATY)
    assert format_due(moment, "ru") == ru
    assert format_due(moment, "en") == en


def test_due_phrase_names_the_year_when_it_differs() -> None:
    moment = dt.datetime(2026, 1, 12, 11, 30, tzinfo=ALMATY)
    assert format_due(moment, "ru", dt.date(2025, 12, 30)) == "в понедельник 12 января 2026 г. в 11:30"
    assert format_due(moment, "en", dt.date(2025, 12, 30)) == "on Monday, January 12, 2026 at 11:30"


def test_other_locales_fall_back_to_babel() -> None:
    moment = dt.datetime(2025, 4, 1, 10, tzinfo=ALMATY)
    assert format_due(moment, "de") == "Dienstag, 1. April 2025 10:00"


@pytest.mark.parametrize(
    ("name", "dative"),
    [
        ("Павел Громов", "Павлу Громову"),
        ("Алмат Сейткали", "Алмату Сейткали"),
        ("Мария Иванова", "Марии Ивановой"),
        ("Сауле Нурланова", "Сауле Нурлановой"),
        ("Иванов Иван Иванович", "Иванову Ивану Ивановичу"),
        ("Аружан Касымова", "Аружан Касымовой"),  # a first name the detector does not know: the surname decides
        ("Ерлан Жумабаев", "Ерлану Жумабаеву"),
        ("Дана Ержанова", "Дане Ержановой"),
        ("Almat Seitkali", "Almat Seitkali"),  # not Cyrillic: left as written
    ],
)
def test_russian_names_in_the_dative(name: str, dative: str) -> None:
    assert Inflector().dative(name) == dative


@pytest.mark.parametrize(("value", "locale", "text"), [
    (200000.0, "ru", "200\xa0000"), (200000.0, "en", "200,000"), (4.5, "ru", "4,5"), (4.5, "en", "4.5"), (49.5, "en", "50"),
    (-30.0, "en", "-30"),
])
def test_numbers_read_as_in_the_locale(value: float, locale: str, text: str) -> None:
    assert NumberStyle.for_locale(locale).format(value) == text


def test_templates() -> None:
    assert placeholders("Позвонить {contact_dative} {due}: {{не поле}}") == ["contact_dative", "due"]
    assert render("Call {contact} {due} {missing}", {"contact": "Maria", "due": "today"}) == "Call Maria today —"
    for bad in ("{contact.name}", "{contact[0]}", "{contact!r}", "{contact:>10}", "{", "{0}"):
        with pytest.raises(TemplateError):
            placeholders(bad)


def test_locale_choice_falls_back() -> None:
    texts = {"en": "Call", "ru": "Звонок"}
    assert pick_locale(texts, "ru_KZ") == "Звонок"
    assert pick_locale(texts, "kk") == "Call"


@pytest.mark.parametrize(("name", "case", "expected"), [
    ("Павел Громов", "instrumental", "Павлом Громовым"),
    ("Павел Громов", "genitive", "Павла Громова"),
    ("Павел Громов", "prepositional", "Павле Громове"),
    ("Сергей Павлович Орлов", "instrumental", "Сергеем Павловичем Орловым"),
    ("Аружан Касымова", "instrumental", "Аружан Касымовой"),
    ("Maria Lopez", "instrumental", "Maria Lopez"),
])
def test_names_take_the_case_their_preposition_needs(name: str, case: str, expected: str) -> None:
    from nba.locales import Inflector

    assert Inflector().decline(name, case) == expected


def test_a_meeting_is_with_the_person_in_the_instrumental_case(engine: nba.Engine, kz: Callable[..., nba.AccountSnapshot]) -> None:
    snapshot = kz(contacts=[{"id": "c1", "name": "Павел Громов", "is_primary": True, "last_reply_at": "2025-03-20T11:20:00+05:00"}],
                  touches=[{"at": "2024-12-01T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}],
                  contract={"end_date": "2025-12-31"})  # far from renewal: the meeting is not merged into a call
    [meeting] = [a for a in engine.evaluate(snapshot, as_of=dt.datetime(2025, 3, 31, 9, 0)).actions
                 if a.rule == "cadence/quarterly_touch"]
    assert meeting.text.startswith("Встретиться с Павлом Громовым (TOO Vostok)")


def test_a_locale_without_shipped_texts_reads_wholly_english(engine: nba.Engine, kz: Callable[..., nba.AccountSnapshot]) -> None:
    snapshot = kz(account={"locale": "kk"},
                  tickets=[{"id": "t-77", "opened_at": "2025-03-28T15:02:00+05:00", "contact_id": "c1",
                            "subject": "Как выгрузить всю базу клиентов в Excel?"}])
    decision = engine.evaluate(snapshot, as_of=dt.datetime(2025, 3, 31, 9, 0))
    [export] = [a for a in decision.actions if a.rule == "data_export/clarify_export_purpose"]
    assert export.text.startswith("Call Алмат Сейткали (TOO Vostok) on Monday, March 31 at 10:00")  # not Kazakh dates
    assert all(not any("\u0400" <= ch <= "\u04ff" for ch in r) for r in export.reasons)


_NAMES = yaml.safe_load((Path(__file__).parent / "data" / "russian_names.yaml").read_text(encoding="utf-8"))[1:]


def test_the_name_table_is_large_enough() -> None:
    assert len(_NAMES) >= 40


@pytest.mark.parametrize(("name", "dative", "instrumental", "genitive"), _NAMES, ids=[row[0] for row in _NAMES])
def test_real_names_take_the_case_the_preposition_needs(name: str, dative: str, instrumental: str, genitive: str) -> None:
    inflector = Inflector()
    assert (inflector.decline(name, "dative"), inflector.decline(name, "instrumental"),
            inflector.decline(name, "genitive")) == (dative, instrumental, genitive)


@pytest.mark.parametrize(("name", "expected"), [
    ("Yerlan Nurpeisov", "Позвонить контакту Yerlan Nurpeisov (TOO Vostok)"),  # Latin script: the noun carries the case
    ("Анна-Мария Ли Сон Хи", "Позвонить контакту Анна-Мария Ли Сон Хи (TOO Vostok)"),  # four words: the same
    ("Жанар Ахметова", "Позвонить Жанар Ахметовой (TOO Vostok)"),
])
def test_a_name_the_declension_cannot_take_follows_a_noun_in_that_case(name: str, expected: str) -> None:
    import nba

    from helpers import BASE_KZ, merge

    snap = nba.AccountSnapshot.model_validate(merge(BASE_KZ, {
        "account": {"locale": "ru"},
        "contacts": [{"id": "c9", "name": name, "is_primary": True}],
        "tickets": [{"id": "t-1", "opened_at": "2025-03-28T10:00:00+05:00", "contact_id": "c9",
                     "subject": "Как выгрузить всю базу клиентов в Excel?"}],
    }))
    decision = nba.Engine.default().evaluate(snap, as_of=dt.datetime(2025, 3, 31, 9, tzinfo=ALMATY))
    action = next(a for a in decision.actions if a.rule == "data_export/clarify_export_purpose")
    assert action.text.startswith(expected), action.text
