"""Writing actions: every documented placeholder is filled, and remembered phrases keep zones apart."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from nba.ruleset import CONTEXT_PLACEHOLDERS
from nba.texts import render
from nba.writing import CONTEXT_NAMES, ActionWriter


def test_the_writer_fills_exactly_the_documented_context_placeholders() -> None:
    assert CONTEXT_NAMES == set(CONTEXT_PLACEHOLDERS)


def test_one_instant_reads_in_each_zone_s_own_time() -> None:
    writer = ActionWriter()
    almaty = dt.datetime(2025, 4, 1, 15, 0, tzinfo=ZoneInfo("Asia/Almaty"))
    moscow = almaty.astimezone(ZoneInfo("Europe/Moscow"))
    assert almaty == moscow
    assert writer.due_phrase(almaty, "ru", None) == "во вторник 1 апреля в 15:00"
    assert writer.due_phrase(moscow, "ru", None) == "во вторник 1 апреля в 13:00"


def test_templates_keep_literal_braces_and_dash_unknown_values() -> None:
    assert render("{{note}} {contact}: {missing}", {"contact": "Мария"}) == "{note} Мария: —"
