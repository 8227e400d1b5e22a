"""The export-request words against the labelled ticket corpus (tests/data/export_requests.yaml)."""

from __future__ import annotations

from types import ModuleType

import pytest

from nba.export_requests import is_export_text
from nba.signals import is_export_request
from nba.snapshot import Ticket

from .helpers import BENCH, REPO, almaty, load_script


def _bench() -> ModuleType:
    return load_script(BENCH / "export_requests.py", "bench_export_requests")


CORPUS = _bench().load()


def test_the_corpus_is_large_balanced_and_bilingual() -> None:
    assert len(CORPUS) >= 60
    positives = [i for i in CORPUS if i["export"]]
    assert 0.35 < len(positives) / len(CORPUS) < 0.65
    cyrillic = [i for i in CORPUS if any("а" <= ch <= "я" for ch in str(i["subject"]).lower())]
    assert 0.3 < len(cyrillic) / len(CORPUS) < 0.7
    assert {i["set"] for i in CORPUS} == {"dev", "holdout"}
    subjects = [f"{i['subject']}|{i.get('body')}" for i in CORPUS]
    assert len(subjects) == len(set(subjects)), "a ticket is in the corpus twice"


@pytest.mark.parametrize("item", CORPUS, ids=lambda i: f"{i['set']}-{i['kind']}-{str(i['subject'])[:40]}")
def test_each_labelled_ticket_is_read_as_labelled(item: dict[str, object]) -> None:
    text = f"{item['subject']} {item.get('body') or ''}"
    assert is_export_text(text) is item["export"]
    # The signal reads subject and body of a ticket with no category the same way.
    ticket = Ticket(id="t", opened_at=almaty(2025, 3, 1, 10), subject=str(item["subject"]), body=item.get("body"))  # type: ignore[arg-type]
    assert is_export_request(ticket) is item["export"]


def test_a_category_decides_over_the_words() -> None:
    opened = almaty(2025, 3, 1, 10)
    assert is_export_request(Ticket(id="t", opened_at=opened, subject="Не работает экспорт отчёта", category="data_export"))
    assert not is_export_request(Ticket(id="t", opened_at=opened, subject="Выгрузить всю базу", category="billing"))


def test_docs_report_the_current_precision_and_recall() -> None:
    docs = (REPO / "docs" / "signals.md").read_text(encoding="utf-8")
    assert _bench().table(CORPUS) in docs, "update docs/signals.md with `python bench/export_requests.py`"


def test_the_fast_gates_never_change_an_answer() -> None:
    # Each kind of evidence is searched behind a gate of literals: searching without the gates must give
    # the same answer for every ticket of the corpus and more.
    import nba.export_requests as words

    texts = [f"{i['subject']} {i.get('body') or ''}".lower().replace("ё", "е") for i in CORPUS]
    texts += ["login is slow", "нужна выгрузка", "full backup please", "sheet", "данные", "все"]
    for name in dir(words):
        evidence = getattr(words, name)
        if isinstance(evidence, words._Evidence):
            assert evidence.gate is not None, f"{name} has no gate: every text pays for the full search"
            for text in texts:
                assert evidence.search(text) == (evidence.full.search(text) is not None), (name, text)


def test_the_gates_agree_with_the_full_patterns_on_any_mix_of_their_words() -> None:
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    import nba.export_requests as words

    evidence = [getattr(words, n) for n in dir(words) if isinstance(getattr(words, n), words._Evidence)]
    vocabulary = sorted({w for e in evidence for w in re.findall(r"[a-zа-я]{2,}", e.full.pattern)})
    vocabulary += ["all", "our", "data", "в", "из", "не", "на", "the", "to", "1с", "csv", "'", "-", "60"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(vocabulary), max_size=12).map(" ".join))
    def agree(text: str) -> None:
        for e in evidence:
            assert e.search(text) == (e.full.search(text) is not None), (e.full.pattern[:60], text)

    agree()


def test_a_text_the_gate_turns_away_never_compiles_the_whole_pattern() -> None:
    # Compiling every kind of evidence in full costs about 10 ms of a one-account start; texts the gate of
    # literals answers (most tickets) must not pay for it, and the first text it lets through must.
    from nba.export_requests import _Evidence

    evidence = _Evidence(r"\bexport", r"выгруз\w* (?:всех|всю)", r"\bfull dump\b")
    assert not evidence.search("the login page is slow today")
    assert evidence._full is None
    assert evidence.search("нужна выгрузка всех сделок")
    assert evidence._full is not None
