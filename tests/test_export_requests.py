"""The export-request words against the labelled ticket corpus (tests/data/export_requests.yaml)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from nba.export_requests import is_export_text
from nba.signals import is_export_request
from nba.snapshot import Ticket

from .helpers import almaty

ROOT = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_export_requests", ROOT / "bench" / "export_requests.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
    docs = (ROOT / "docs" / "signals.md").read_text(encoding="utf-8")
    assert _bench().table(CORPUS) in docs, "update docs/signals.md with `python bench/export_requests.py`"
