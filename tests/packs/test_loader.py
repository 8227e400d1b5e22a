"""Loading packs: safe YAML, every problem located at file:line:col with a hint, nothing half-loaded."""

from __future__ import annotations

import datetime as dt

from pathlib import Path

import pytest
from helpers import RULES

import nba
from nba.errors import RulePackError

DATA = Path(__file__).parent / "data"

GOOD_RULE = """\
pack: tiny
version: 1
rules:
  - id: call_on_drop
    when: activity_drop_pct >= 40
    priority: 70
    action:
      kind: call
      due: {within_business_days: 2, at: "10:00"}
      title: {en: Call, ru: Звонок}
      text: {en: "Call {contact} {due}", ru: "Позвонить {contact_dative} {due}"}
      reason: {en: drop, ru: падение}
"""


def messages(path: Path) -> list[str]:
    with pytest.raises(RulePackError) as info:
        nba.Engine.from_path(path)
    return [str(p) for p in info.value.problems]


def write(tmp_path: Path, text: str, name: str = "pack.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_packs_load() -> None:
    engine = nba.Engine.from_path(RULES)
    packs = set(engine.ruleset.packs)
    assert {"activity_drop", "discount_request", "new_contact", "tariff_limit", "data_export"} <= packs


def test_a_broken_pack_reports_every_problem_with_its_position() -> None:
    path = DATA / "broken.yaml"
    found = messages(path)
    # Structure and condition problems come together; template checks need a valid structure.
    assert found == [
        f"{path}:4:5: missing field `when` in rules.0 (add it)",
        f"{path}:5:5: unknown field `whenn` in rules.0 (did you mean `when`?)",
        f"{path}:14:52: `segment` is never \"kye\" (did you mean \"key\"?)",
        f"{path}:17:13: `rules.1.action.kind`: 'cal' is not one of: call, meeting, email, offer, task, escalation (did you mean 'call'?)",
        f"{path}:23:12: unknown signal `activty_drop_pct` (did you mean `activity_drop_pct`?)",
    ]


def test_a_structure_problem_still_shows_the_conditions_of_every_section(tmp_path: Path) -> None:
    # The loader's early look at conditions walks the same places the compiler does: discount commitments and
    # adjustments and arbitration conflicts too, not only rules and risk measures.
    text = GOOD_RULE + """\
discount_policy:
  max_discount_pct: 20
  commitments:
    prepay_annual: {extra_pct: 5, when: contract_term == "anual"}
  adjustments:
    - {when: risk_levle == "red", max_pct: 10}
arbitration:
  conflicts:
    - {when: helth_score < 40, suppress: [call], reason: busy}
"""
    path = write(tmp_path, text.replace("    priority: 70\n", "    priority: 70\n    prority: 1\n"))
    found = "\n".join(messages(path))
    assert "unknown field `prority`" in found
    assert "`contract_term` is never \"anual\"" in found
    assert "unknown signal `risk_levle`" in found
    assert "unknown signal `helth_score`" in found


def test_condition_and_template_problems_are_all_reported(tmp_path: Path) -> None:
    text = (DATA / "broken.yaml").read_text(encoding="utf-8").replace("whenn:", "when:").replace("kind: cal\n", "kind: call\n")
    path = write(tmp_path, text)
    assert messages(path) == [
        f"{path}:14:52: `segment` is never \"kye\" (did you mean \"key\"?)",
        f"{path}:20:24: unknown placeholder {{contakt}} (did you mean {{contact}}?)",
        f"{path}:21:15: missing `ru` text (the pack declares locales en, ru; add `ru:`)",
        f"{path}:22:9: duplicate rule id `export_call` in pack `broken` (rule #2 already uses it; rename one)",
        f"{path}:23:12: unknown signal `activty_drop_pct` (did you mean `activity_drop_pct`?)",
        f"{path}:27:41: due time 19:30 is outside working hours 10:00-18:00, so it can never be scheduled "
        "(pick a time inside working hours or change calendar.working_hours)",
    ]


def test_condition_errors_in_block_scalars_point_into_the_block(tmp_path: Path) -> None:
    text = GOOD_RULE.replace("    when: activity_drop_pct >= 40\n", "    when: >\n      activity_drop_pct >= \"forty\"\n")
    path = write(tmp_path, text)
    assert messages(path) == [f"{path}:6:28: `>=` compares numbers, but this is a text (use == or != for texts)"]


def test_invalid_yaml_is_located(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace("title: {en: Call, ru: Звонок}", "title: {en: Call: now, ru: Звонок}"))
    (problem,) = messages(path)
    assert problem.startswith(f"{path}:10:") and "invalid YAML" in problem


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['echo pwned > /tmp/nba-pwned']",
        "!!python/name:os.system",
        "!!python/object:nba.Engine {}",
    ],
)
def test_python_tags_are_refused_and_never_executed(tmp_path: Path, payload: str) -> None:
    marker = Path("/tmp/nba-pwned")
    marker.unlink(missing_ok=True)
    path = write(tmp_path, GOOD_RULE.replace("version: 1", f"version: {payload}"))
    (problem,) = messages(path)
    assert "is not allowed" in problem and f"{path}:2:" in problem
    assert not marker.exists()


def test_alias_bombs_are_refused(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    lines.append("pack: bomb\nversion: 1\nrules: *a8")
    path = write(tmp_path, "\n".join(lines) + "\n")
    (problem,) = messages(path)
    assert "more than 200000 values" in problem


def test_duplicate_keys_are_an_error_not_a_silent_override(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace("    priority: 70\n", "    priority: 70\n    priority: 20\n"))
    assert messages(path) == [f"{path}:7:5: duplicate field `priority` (keep only one of them)"]


def test_empty_and_non_mapping_files(tmp_path: Path) -> None:
    assert messages(write(tmp_path, "")) == [f"{tmp_path / 'pack.yaml'}:1:1: the file is empty (a pack starts with `pack:`, `version:` and `rules:`)"]
    assert messages(write(tmp_path, "- a\n- b\n")) == [f"{tmp_path / 'pack.yaml'}:1:1: a pack must be a mapping of fields (start with `pack: my_pack`)"]


def test_non_utf8_files(tmp_path: Path) -> None:
    path = tmp_path / "pack.yaml"
    path.write_bytes(GOOD_RULE.replace("Звонок", "X").encode("utf-8") + "# комментарий".encode("cp1251"))
    (problem,) = messages(path)
    assert "not UTF-8" in problem


def test_missing_path() -> None:
    assert messages(Path("/nonexistent/rules")) == ["/nonexistent/rules: no such file or folder (give a folder of *.yaml packs, or one pack file)"]


def test_nothing_is_half_loaded_when_one_file_of_a_folder_is_bad(tmp_path: Path) -> None:
    write(tmp_path, GOOD_RULE, "a_good.yaml")
    write(tmp_path, GOOD_RULE.replace("pack: tiny", "pack: other").replace(">= 40", ">= forty"), "b_bad.yaml")
    with pytest.raises(RulePackError) as info:
        nba.Engine.from_path(tmp_path)
    assert [p.file for p in info.value.problems] == [str(tmp_path / "b_bad.yaml")]


def test_the_same_pack_name_twice(tmp_path: Path) -> None:
    write(tmp_path, GOOD_RULE, "a.yaml")
    write(tmp_path, GOOD_RULE, "b.yaml")
    assert messages(tmp_path) == [f"{tmp_path / 'b.yaml'}:1:7: pack `tiny` is already defined in {tmp_path / 'a.yaml'} (give each pack a unique name)"]


def test_due_policy_needs_exactly_one_kind(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace('{within_business_days: 2, at: "10:00"}', '{within_business_days: 2, next_weekday: friday}'))
    (problem,) = messages(path)
    assert f"{path}:9:12:" in problem and "exactly one of" in problem and "within_business_days, next_weekday" in problem


def test_unknown_weekday_gets_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace('{within_business_days: 2, at: "10:00"}', '{next_weekday: thursdya}'))
    (problem,) = messages(path)
    assert "did you mean 'thursday'?" in problem


def test_templates_may_not_reach_into_objects(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace('"Call {contact} {due}"', '"Call {contact.__class__}"'))
    (problem,) = messages(path)
    assert f"{path}:11:" in problem and "is not allowed" in problem


def test_a_single_file_loads(tmp_path: Path) -> None:
    engine = nba.Engine.from_path(write(tmp_path, GOOD_RULE))
    assert engine.rule_ids == ("tiny/call_on_drop",)


def test_disabled_rules_are_not_run(tmp_path: Path) -> None:
    engine = nba.Engine.from_path(write(tmp_path, GOOD_RULE.replace("    priority: 70\n", "    priority: 70\n    enabled: false\n")))
    assert engine.rule_ids == ()


def test_error_message_of_the_exception_lists_the_problems(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD_RULE.replace(">= 40", ">= forty"))
    with pytest.raises(nba.NbaError) as info:
        nba.Engine.from_path(path)
    assert str(info.value).startswith("rule pack not loaded, 1 problem:\n")
    assert "unknown signal `forty`" in str(info.value)


def test_malformed_tagged_values_are_problems_not_crashes(tmp_path: Path) -> None:
    # Found by the hostile-input fuzz test: PyYAML's timestamp constructor raised AttributeError here.
    path = write(tmp_path, GOOD_RULE.replace("version: 1", "version: !!timestamp 2025-01-01x"))
    (problem,) = messages(path)
    assert problem.startswith(f"{path}:2:10: value '2025-01-01x' cannot be read as timestamp")


def test_an_unquoted_time_is_read_as_a_time_and_base_60_numbers_are_plain_text(tmp_path: Path) -> None:
    text = (RULES / "activity_drop.yaml").read_text(encoding="utf-8").replace('at: "10:00"', "at: 10:30")
    (tmp_path / "activity_drop.yaml").write_text(text + "calendar:\n  working_hours: {start: 09:00, end: 18:00}\n",
                                                  encoding="utf-8")
    engine = nba.Engine.from_path(tmp_path)
    assert engine.ruleset.rules[0].rule.action.due.at == dt.time(10, 30)
    (tmp_path / "activity_drop.yaml").write_text(text.replace("at: 10:30", "at: 9:00"), encoding="utf-8")
    with pytest.raises(nba.RulePackError) as caught:
        nba.Engine.from_path(tmp_path)
    line = text.splitlines().index('      due: {within_business_days: 2, at: 10:30}') + 1
    assert f"activity_drop.yaml:{line}:" in str(caught.value) and "'9:00' is not a time of day" in str(caught.value)
    assert 'e.g. at: "09:00"' in str(caught.value)


def test_only_true_and_false_are_booleans_so_norway_stays_a_country(tmp_path: Path) -> None:
    # YAML 1.1 reads NO, yes, on and off as booleans; packs follow YAML 1.2, as editors do.
    write(tmp_path, GOOD_RULE + 'calendar:\n  days_off:\n    - {date: "12-24", countries: [DE, NO]}\n')
    engine = nba.Engine.from_path(tmp_path)
    assert engine.ruleset.days_off[0].countries == ["DE", "NO"]
    write(tmp_path, GOOD_RULE.replace("    priority: 70", "    priority: 70\n    enabled: no"))
    assert nba.Engine.from_path(tmp_path).rule_ids == ()  # a yes/no setting still reads as one


@pytest.mark.parametrize(("entry", "expected"), [
    ('{date: "12-24", after_holiday: Thanksgiving, countries: [US]}', "give exactly one of date"),
    ("{countries: [US]}", "give exactly one of date"),
    ("{after_holiday: Thanksgiving}", "after_holiday needs `countries`"),
    ('{date: "02-30"}', "'02-30' is no day of the year"),
    ('{date: "24-12"}', """'24-12' is neither "MM-DD" (every year) nor YYYY-MM-DD (one day)"""),
    ("{after_holiday: Thanksgivin, countries: [DE]}", "DE has no public holiday named like `Thanksgivin`"),
    ("{after_holiday: Thanksgivng, countries: [US]}", "did you mean `Thanksgiving"),
    ('{date: "12-24", countries: [XX]}', "unknown country code `XX`"),
])
def test_a_bad_day_off_is_located(tmp_path: Path, entry: str, expected: str) -> None:
    write(tmp_path, GOOD_RULE + f"calendar:\n  days_off:\n    - {entry}\n")
    found = messages(tmp_path)
    assert any(m.startswith(f"{tmp_path / 'pack.yaml'}:15:") and expected in m for m in found), found


def test_a_long_base_60_looking_value_is_text_and_loads_at_once(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("pack: p\nversion: " + ":".join(["59"] * 200_000) + "\n", encoding="utf-8")
    engine = nba.Engine.from_path(tmp_path)  # before: quadratic base-60 arithmetic, minutes for a few MB
    assert engine.ruleset.packs == ("p",)


def test_the_fast_yaml_parser_reads_every_shipped_pack_exactly_like_the_careful_one() -> None:
    import yaml

    from nba.packs import loader

    if loader._FAST_LOADER is None:
        pytest.skip("PyYAML without libyaml")

    def nodes(node: yaml.Node, out: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
        out.append((node.tag, node.start_mark.line, node.start_mark.column, getattr(node, "style", None) or None,
                    node.value if isinstance(node, yaml.ScalarNode) else None))
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else (
            node.value if isinstance(node, yaml.SequenceNode) else [])
        for child in children:
            nodes(child, out)
        return out

    for pack in sorted(RULES.glob("*.yaml")):
        text = pack.read_text(encoding="utf-8")
        careful = yaml.compose(text, Loader=loader._PackYamlLoader)
        fast = yaml.compose(text, Loader=loader._FAST_LOADER)
        assert nodes(fast, []) == nodes(careful, []), pack.name


@pytest.mark.parametrize(("start", "end"), [("09:01", "09:10"), ("17:46", "18:00"), ("10:00:30", "10:15")])
def test_working_hours_that_hold_no_slot_are_refused_at_load(tmp_path: Path, start: str, end: str) -> None:
    # Such hours linted clean and then failed every evaluation with an internal error.
    text = GOOD_RULE.replace("rules:\n", f'calendar:\n  working_hours: {{start: "{start}", end: "{end}"}}\nrules:\n')
    text = text.replace('{within_business_days: 2, at: "10:00"}', "{asap: true}")
    (problem,) = messages(write(tmp_path, text))
    assert ":4:" in problem and "hold no slot" in problem and "or later" in problem


@pytest.mark.parametrize(("raw", "where"), [(b"pack: x\nversion: 1\x00\nrules: []\n", ":2:11:"),
                                            (b"pack: x\nversion: 1\nrules: [\x07]\n", ":3:9:"),
                                            (b"pack: x\nversion: 1\nrules: [\xff]\n", ":3:9:")])
def test_forbidden_characters_and_bytes_are_located_by_line_and_column(tmp_path: Path, raw: bytes, where: str) -> None:
    path = tmp_path / "pack.yaml"
    path.write_bytes(raw)
    (problem,) = messages(path)
    assert problem.startswith(f"{path}{where}")


def test_a_folder_that_cannot_be_listed_is_a_pack_problem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # chmod 000 does not stop root, so the refusal is simulated where the folder is listed.
    folder = tmp_path / "rules"
    folder.mkdir()
    write(folder, GOOD_RULE)
    real = Path.iterdir

    def refuse(self: Path):  # type: ignore[no-untyped-def]
        if self == folder:
            raise PermissionError(13, "Permission denied", str(self))
        return real(self)

    monkeypatch.setattr(Path, "iterdir", refuse)
    assert messages(folder) == [f"{folder}: cannot read the folder: Permission denied (check its permissions)"]


@pytest.mark.parametrize(("change", "expected"), [
    (("version: 1", "version: [1]"), ":2:10: `version`: expected a whole number or text, got a list"),
    (("priority: 70", "priority: high"), ":6:15: `rules.0.priority`: 'high' is not a whole number"),
    (("kind: call", "kind: call\n      owner_role: boss"),
     "`rules.0.action.owner_role`: 'boss' is not one of: account_manager, csm, head_of_cs, ceo, auto, discount_approver"),
])
def test_type_mistakes_read_as_one_plain_message_each(tmp_path: Path, change: tuple[str, str], expected: str) -> None:
    # Not pydantic's `version.int` / `owner_role.literal['account_manager',...]` once per union branch.
    (problem,) = messages(write(tmp_path, GOOD_RULE.replace(*change)))
    assert expected in problem and ".int" not in problem and "literal[" not in problem


def test_the_choices_a_field_allows_are_read_from_the_model() -> None:
    # Not split out of pydantic's English sentence: the model's own Literal, in its order, for fields, list
    # items, and the keys and values of mappings.
    from typing import get_args

    from nba.packs.loader import literal_choices
    from nba.packs.model import Pack
    from nba.vocab import ActionKind, OfferCondition, Term

    assert literal_choices(Pack, ("rules", 3, "action", "kind")) == list(get_args(ActionKind))
    assert literal_choices(Pack, ("renewal", "window_days", "anual"), key=True) == list(get_args(Term))
    assert literal_choices(Pack, ("discount_policy", "commitments", "x"), key=True) == list(get_args(OfferCondition))
    assert literal_choices(Pack, ("rules", 0, "when")) == []
    assert literal_choices(Pack, ("no_such_field",)) == []


def test_an_unknown_field_inside_a_mapping_of_models_lists_what_is_allowed() -> None:
    # A commitment is a value of a mapping keyed by its condition: the walk goes through the key to its model.
    from nba.packs.loader import allowed_fields
    from nba.packs.model import Commitment, Pack

    assert allowed_fields(Pack, ("discount_policy", "commitments", "annual_prepayment")) == list(Commitment.model_fields)
    assert allowed_fields(Pack, ("rules", 0, "action")) == allowed_fields(Pack, ("rules", 5, "action"))
    assert allowed_fields(Pack, ("rules", 0, "nothing_here")) == []
