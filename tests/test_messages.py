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
