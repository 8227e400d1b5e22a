"""nba's own words: one catalogue per language, every message in each, plural forms by CLDR (Babel)."""

from __future__ import annotations

import pytest

from nba import messages


def test_every_language_has_every_message_and_counted_word() -> None:
    keys = {lang: set(messages._MESSAGES[lang]) for lang in messages.LANGUAGES}
    assert all(k == keys["en"] for k in keys.values())
    words = {lang: set(messages._COUNTED[lang]) for lang in messages.LANGUAGES}
    assert all(w == words["en"] for w in words.values())


@pytest.mark.parametrize(("n", "ru", "en"), [(1, "1 день", "1 day"), (2, "2 дня", "2 days"), (5, "5 дней", "5 days"),
                                             (11, "11 дней", "11 days"), (21, "21 день", "21 days"), (22, "22 дня", "22 days")])
def test_plurals_follow_the_languages_rules(n: int, ru: str, en: str) -> None:
    assert messages.counted("day", n, "ru") == ru
    assert messages.counted("day", n, "en_US") == en


def test_a_language_without_a_catalogue_reads_english_throughout() -> None:
    assert messages.message("top_n", "kk", count=messages.counted("action_of", 5, "kk")) == \
        "beyond the list of 5 actions: the others come first"


@pytest.mark.parametrize(("n", "ru", "en"), [(0, "сегодня", "today"), (1, "вчера", "yesterday"), (2, "2 дня назад", "2 days ago"),
                                             (21, "21 день назад", "21 days ago"), (-3, "через 3 дня", "in 3 days")])
def test_a_day_count_reads_as_people_say_it(n: int, ru: str, en: str) -> None:
    assert messages.days_phrase(n, "ago", "ru") == ru
    assert messages.days_phrase(n, "ago", "en") == en


def test_every_day_signal_has_word_placeholders_and_packs_use_no_abbreviation() -> None:
    from helpers import RULES

    from nba.signals import CATALOGUE, DAY_PHRASES

    assert {f"{s.name}_ago" for s in CATALOGUE.values() if s.unit == "days"} <= set(DAY_PHRASES)
    for pack in RULES.glob("*.yaml"):
        text = pack.read_text(encoding="utf-8")
        assert " дн." not in text and "} days" not in text, pack.name  # «21 день», «2 дня», never «дн.» or "1 days"


def test_the_command_lines_own_counts_agree_with_their_number() -> None:
    # "evaluated 1 account (1 action)", "2 bad records skipped", "0 problems": one helper for every such line.
    assert messages.english_count(1, "account") == "1 account"
    assert messages.english_count(2, "bad record") == "2 bad records"
    assert messages.english_count(0, "problem") == "0 problems"
