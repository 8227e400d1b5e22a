"""What the manager reads, over the example book at several mornings: sentences, plurals, no codes or English in Russian."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

import nba
from nba.testing import snapshots_with_as_of

BOOK = Path(__file__).resolve().parent.parent / "examples" / "book.jsonl"
MORNINGS = ["2025-03-31T09:00", "2025-06-15T14:00", "2025-11-20T11:00", "2026-02-02T08:30"]


def _readable(decision: nba.Decision) -> list[str]:
    texts = [*decision.risk.explanations, *(s.reason for s in decision.suppressed), *(w.reason for w in decision.withdrawn)]
    texts += decision.discount.reasons if decision.discount else []
    for a in decision.actions:
        texts += [a.title, a.text, *a.reasons, *a.notes]
    return texts


@pytest.fixture(scope="module")
def evaluated() -> list[tuple[nba.AccountSnapshot, nba.Decision]]:
    engine = nba.Engine.default()
    out = []
    for line in BOOK.read_text(encoding="utf-8").splitlines():
        snap = nba.AccountSnapshot.model_validate_json(line)
        out += [(snap, engine.evaluate(snap, as_of=dt.datetime.fromisoformat(m))) for m in MORNINGS]
    return out


def test_titles_and_texts_are_sentences(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    lower = [a.text for _, d in evaluated for a in d.actions if a.title[:1].islower() or a.text[:1].islower()]
    assert not lower[:3]


def test_day_counts_are_words_never_abbreviated_or_negative(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    wrong = [t for _, d in evaluated for t in _readable(d)
             if "дн." in t or re.search(r"\b1 days\b", t) or re.search(r"-\d+\s*(дн|day)", t)
             or t.rstrip().endswith("—") or re.search(r"\b(for|без контакта|молчит) —", t)]
    assert not wrong[:3]


def test_a_sentence_ends_once_and_no_parenthesis_is_left_empty(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    # «… до 17 июня 2025 г.. Также обсудить» and "(модули: —)" are what a merge or an empty list left behind.
    wrong = [t for _, d in evaluated for t in _readable(d) if re.search(r"(?<!\.)\.\.(?!\.)", t) or re.search(r"\([^()]*—\)", t)]
    assert not wrong[:3]


def test_notes_name_days_in_words_not_codes(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    wrong = [n for _, d in evaluated for a in d.actions for n in a.notes if re.search(r"\d{4}-\d\d-\d\d", n)]
    assert not wrong[:3]


def test_russian_accounts_read_no_english_and_no_codes(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    found: dict[str, str] = {}
    for snap, decision in evaluated:
        if not snap.account.locale.startswith("ru"):
            continue
        # What the client or our people wrote themselves may be in any script: names, companies, ticket subjects.
        theirs = [snap.account.name, *(c.name for c in snap.contacts), *(t.subject for t in snap.tickets),
                  *(t.id for t in snap.tickets), *(p.name for p in [*([snap.account.owner] if snap.account.owner else []),
                                                                       *snap.account.team])]
        for text in _readable(decision):
            rest = text
            for words in sorted(theirs, key=len, reverse=True):
                rest = rest.replace(words, "")
            for word in re.findall(r"[A-Za-z][A-Za-z_]{2,}", rest):
                if word not in ("NPS", "API"):
                    found.setdefault(word, text)
    assert not found


def test_english_accounts_read_no_russian_words_or_quotes(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    found: dict[str, str] = {}
    for snap, decision in evaluated:
        if snap.account.locale.startswith("ru"):
            continue
        theirs = [snap.account.name, *(c.name for c in snap.contacts), *(t.subject for t in snap.tickets)]
        for text in _readable(decision):
            rest = text
            for words in sorted(theirs, key=len, reverse=True):
                rest = rest.replace(words, "")
            for piece in re.findall(r"[«»„]|[А-Яа-яЁё]+", rest):  # Russian words, or Russian quotes around a subject
                found.setdefault(piece, text)
    assert not found


def test_a_reason_in_english_speaks_of_the_past_in_the_past(evaluated: list[tuple[nba.AccountSnapshot, nba.Decision]]) -> None:
    wrong = [r for snap, d in evaluated if not snap.account.locale.startswith("ru") for a in d.actions for r in a.reasons
             if re.search(r"\b(asks|wants|writes|requests)\b[^;]*\bago\b", r)]
    assert not wrong[:3]


@pytest.mark.parametrize(("days", "ru", "en"), [
    (21, "контракт заканчивается через 21 день", "the contract ends in 21 days"),
    (1, "контракт заканчивается завтра", "the contract ends tomorrow"),
    (0, "контракт заканчивается сегодня", "the contract ends today"),
    (-1, "контракт закончился вчера", "the contract ended yesterday"),
    (-543, "контракт закончился 543 дня назад", "the contract ended 543 days ago"),
])
def test_the_end_of_the_contract_reads_as_a_sentence(days: int, ru: str, en: str) -> None:
    from nba.writing import ActionWriter

    writer = ActionWriter()
    for locale, expected in (("ru", ru), ("en", en)):
        values = writer.format_signals(["contract_end_words"], {"days_to_end": float(days)}, writer.voice(locale))
        assert values["contract_end_words"] == expected


_ENGINE = nba.Engine.default()

#: What a filled template must never show: a sentence ended twice, an empty or dash-only parenthesis, a
#: placeholder left unfilled, a Python value, a date as a code, a clause ending on nothing.
_FLAWS = {
    "a sentence ended twice": re.compile(r"(?<!\.)\.\.(?!\.)"),
    "an empty parenthesis": re.compile(r"\([^()]*—\)|\(\s*\)"),
    "an unfilled placeholder": re.compile(r"[{}]"),
    "a Python value": re.compile(r"\b(None|nan|inf|True|False)\b"),
    "a date as a code": re.compile(r"\d{4}-\d\d-\d\d"),
    "two spaces": re.compile(r"  "),
    "a clause ending on nothing": re.compile(r"[—:,]\s*$"),
}


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(snapshots_with_as_of())
def test_generated_accounts_read_cleanly(pair: tuple[nba.AccountSnapshot, dt.datetime]) -> None:
    snap, as_of = pair
    decision = _ENGINE.evaluate(snap, as_of=as_of)
    # What the client or our people wrote may hold anything; it is replaced by a neutral word before the checks.
    theirs = [snap.account.name, *(c.name for c in snap.contacts), *(t.subject or "" for t in snap.tickets),
              *(t.id for t in snap.tickets), *(p.name for p in [*([snap.account.owner] if snap.account.owner else []),
                                                               *snap.account.team])]
    russian = snap.account.locale.startswith("ru")
    for text in _readable(decision):
        rest = text
        for words in sorted((w for w in theirs if w), key=len, reverse=True):
            rest = rest.replace(words, "Name")
        flaws = [name for name, pattern in _FLAWS.items() if pattern.search(rest)]
        if russian:
            flaws += [f"English: {w}" for w in re.findall(r"[A-Za-z][A-Za-z_]{2,}", rest) if w not in ("NPS", "API", "Name")]
        elif re.search(r"[А-Яа-яЁё«»]", rest):
            flaws.append("Russian in an English text")
        assert not flaws, (flaws, text)
