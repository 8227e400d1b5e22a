"""Checks loaded packs for what their schema cannot: conditions, templates, references, patterns and calendars.

The one validator of packs: the compiler runs all of it, and the loader runs its condition check on a pack whose
structure is still wrong, so one run shows both kinds of mistakes.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..conditions import ConditionBackend, Node, check, parse
from ..conditions.checker import suggest
from ..episodes import EPISODE_PARTS
from ..errors import ConditionError, Problem
from ..holiday_data import country_holidays, supported_countries
from ..patterns import pattern_problem
from ..signals import CATALOGUE, DAY_PHRASES, SIGNAL_PHRASES, symbols_for
from ..locales import TemplateError, language, placeholders
from ..writing import CONTEXT_PLACEHOLDERS
from .loader import Loc, Mark, PackSource, locate
from .model import DayOff, Rule

#: Where a pack writes conditions, `*` standing for every item of a list or mapping: the one list both the
#: loader's early check (on raw data) and the compiler (on validated packs) walk.
CONDITION_PLACES: tuple[Loc, ...] = (
    ("rules", "*", "when"),
    ("risk", "measures", "*", "when"),
    ("discount_policy", "commitments", "*", "when"),
    ("discount_policy", "adjustments", "*", "when"),
    ("arbitration", "conflicts", "*", "when"),
)

#: The sections only one pack of a set may define.
_SINGLE_SECTIONS = ("risk", "renewal", "discount_policy", "arbitration")


@dataclass(frozen=True, slots=True)
class CheckedCondition:
    """A condition that parsed and type-checked: its text, tree and the signals it reads."""

    source: PackSource
    loc: Loc
    text: str
    node: Node
    signals: frozenset[str]


def condition_texts(pack: BaseModel | Mapping[str, Any]) -> Iterator[tuple[Loc, str]]:
    """Every condition a pack writes, with its place: from a validated `Pack`, or from raw data whose structure may
    be wrong (anything not shaped like a condition is skipped)."""
    for pattern in CONDITION_PLACES:
        for loc, value in _walk(pack, pattern, ()):
            if isinstance(value, str):
                yield loc, value


def _walk(item: Any, parts: Loc, at: Loc) -> Iterator[tuple[Loc, Any]]:
    if not parts:
        yield at, item
        return
    head, rest = parts[0], parts[1:]
    if head == "*":
        pairs: Any = item.items() if isinstance(item, Mapping) else enumerate(item) if isinstance(item, list) else ()
        for key, value in pairs:
            yield from _walk(value, rest, (*at, key))
        return
    if isinstance(item, Mapping):
        child = item.get(head)
    elif isinstance(item, BaseModel):
        child = getattr(item, str(head), None)
    else:
        return
    if child is not None:
        yield from _walk(child, rest, (*at, head))


def parse_condition(loc: Loc, text: str) -> tuple[Node, frozenset[str]]:
    """A condition parsed and type-checked against the signals its section may read; raises `ConditionError`."""
    node = parse(text)
    return node, check(node, symbols_for(str(loc[0])))


def condition_problem(file: str, marks: dict[Loc, Mark], loc: Loc, exc: ConditionError) -> Problem:
    """A located problem for a condition error inside the value at `loc` (at the character it names)."""
    return locate(file, marks, loc, exc.message, exc.hint, offset=exc.position, code="condition")


def raw_condition_problems(data: Mapping[str, Any], file: str, marks: dict[Loc, Mark]) -> list[Problem]:
    """Problems of the conditions written in a pack whose structure is invalid (checked before it is fixed)."""
    found: list[Problem] = []
    for loc, text in condition_texts(data):
        if not text.strip():
            continue  # the schema's own message says it is missing
        try:
            parse_condition(loc, text)
        except ConditionError as exc:
            found.append(condition_problem(file, marks, loc, exc))
    return found


def check_packs(sources: Sequence[PackSource], backend: ConditionBackend) -> tuple[list[Problem], list[CheckedCondition]]:
    """Every problem of a set of validated packs, and their conditions checked (in pack order) for the compiler."""
    problems: list[Problem] = []
    for label in _SINGLE_SECTIONS:
        found = [s for s in sources if getattr(s.pack, label) is not None]
        for extra in found[1:]:
            problems.append(extra.problem((label,), f"`{label}` is already defined in {found[0].file}",
                                          f"keep one `{label}` section across all packs", code="pack.duplicate"))
    rule_ids = [f"{s.pack.pack}/{r.id}" for s in sources for r in s.pack.rules]
    for source in sources:
        problems.extend(_pack_problems(source, rule_ids))
    checked: list[CheckedCondition] = []
    for source in sources:
        for loc, text in condition_texts(source.pack):
            try:
                node, signals = parse_condition(loc, text)
                backend.check(node)
            except ConditionError as exc:
                problems.append(condition_problem(source.file, source.marks, loc, exc))
                continue
            checked.append(CheckedCondition(source, loc, text, node, signals))
    return problems, checked


def _pack_problems(source: PackSource, rule_ids: Sequence[str]) -> list[Problem]:
    """One pack's problems beyond its schema and conditions: ids, texts, references, patterns, days off."""
    pack = source.pack
    problems: list[Problem] = []
    seen_ids: dict[str, int] = {}
    for i, rule in enumerate(pack.rules):
        if rule.id in seen_ids:
            problems.append(source.problem(("rules", i, "id"), f"duplicate rule id `{rule.id}` in pack `{pack.pack}`", code="rule.duplicate_id", hint=
                                           f"rule #{seen_ids[rule.id] + 1} already uses it; rename one"))
        seen_ids.setdefault(rule.id, i)
        problems.extend(_check_action(source, i, rule, pack.locales))
        for k, other in enumerate(rule.action.after):
            if other not in rule_ids:
                close = suggest(other, rule_ids)
                problems.append(source.problem(("rules", i, "action", "after", k), f"`after` names no rule `{other}`", code="rule.unknown", hint=
                                               f"did you mean `{close}`?" if close else "write pack/rule"))
    if pack.risk is not None:
        for j, measure in enumerate(pack.risk.measures):
            problems.extend(_check_texts(source, ("risk", "measures", j, "reason"), measure.reason, pack.locales))
    if pack.discount_policy is not None:
        for k, adjustment in enumerate(pack.discount_policy.adjustments):
            if adjustment.reason:
                problems.extend(_check_reason(source, ("discount_policy", "adjustments", k, "reason"), adjustment.reason))
    if pack.arbitration is not None:
        for k, conflict in enumerate(pack.arbitration.conflicts):
            problems.extend(_check_reason(source, ("arbitration", "conflicts", k, "reason"), conflict.reason))
            for field_name in ("if_any", "suppress"):
                for m, pattern in enumerate(getattr(conflict, field_name)):
                    problem = pattern_problem(pattern, rule_ids)
                    if problem:
                        problems.append(source.problem(("arbitration", "conflicts", k, field_name, m), *problem, code="pattern"))
        for m, pattern in enumerate(pack.arbitration.caps.exempt):
            problem = pattern_problem(pattern, rule_ids)
            if problem:
                problems.append(source.problem(("arbitration", "caps", "exempt", m), *problem, code="pattern"))
    for code, words in pack.display_names.items():
        problems.extend(_check_texts(source, ("display_names", code), words, pack.locales))
    for k, day_off in enumerate(pack.calendar.days_off):
        problems.extend(_check_day_off(source, ("calendar", "days_off", k), day_off))
    return problems


def _check_action(source: PackSource, index: int, rule: Rule, locales: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    base: Loc = ("rules", index, "action")
    action = rule.action
    for name in ("title", "text", "reason"):
        problems.extend(_check_texts(source, (*base, name), getattr(action, name), locales))
    if action.resolved is not None:
        problems.extend(_check_texts(source, (*base, "resolved"), action.resolved, locales))
    if action.topic is not None:
        problems.extend(_check_texts(source, (*base, "topic"), action.topic, locales))
    for k, part in enumerate(rule.episode or ()):
        if part not in EPISODE_PARTS:
            close = suggest(part, EPISODE_PARTS)
            problems.append(source.problem(("rules", index, "episode", k), f"unknown episode part `{part}`", code="episode.unknown_part", hint=
                                           f"did you mean `{close}`?" if close else "parts: " + ", ".join(EPISODE_PARTS)))
    due = action.due
    if due.at is not None:
        start, end = source.pack.calendar.working_hours.start, source.pack.calendar.working_hours.end
        if not start <= due.at < end:
            problems.append(source.problem((*base, "due", "at"),
                                           f"due time {due.at:%H:%M} is outside working hours {start:%H:%M}-{end:%H:%M}, so it can never be scheduled",
                                           "pick a time inside working hours or change calendar.working_hours",
                                           code="due.outside_hours"))
    return problems


#: The years a day off's holiday name is looked up in: fixed, so loading a pack never depends on the clock.
_DAY_OFF_YEARS = (2025, 2026, 2027)


def _check_day_off(source: PackSource, loc: Loc, day_off: DayOff) -> list[Problem]:
    """Countries and subdivisions the `holidays` package knows, and a holiday name each country has."""
    problems: list[Problem] = []
    known = supported_countries()
    for k, country in enumerate(day_off.countries or ()):
        if country not in known:
            close = suggest(country, known)
            problems.append(source.problem((*loc, "countries", k), f"unknown country code `{country}`", code="calendar.country", hint=
                                           f"did you mean `{close}`?" if close else "use an ISO 3166-1 alpha-2 code, e.g. DE"))
            continue
        if day_off.after_holiday is None:
            continue
        names = {name for year in _DAY_OFF_YEARS for name in country_holidays(country, year).values()}
        wanted = day_off.after_holiday.casefold()
        if not any(wanted in name.casefold() for name in names):
            close = suggest(day_off.after_holiday, names)
            problems.append(source.problem((*loc, "after_holiday"),
                                           f"{country} has no public holiday named like `{day_off.after_holiday}`",
                                           f"did you mean `{close}`?" if close else "its holidays: " + ", ".join(sorted(names)),
                                           code="calendar.holiday"))
    return problems


def _check_reason(source: PackSource, loc: Loc, reason: str | dict[str, str]) -> list[Problem]:
    """A reason people read: one text per locale when the pack speaks more than one language."""
    locales = source.pack.locales
    if isinstance(reason, dict):
        return _check_texts(source, loc, reason, locales)
    if len({language(locale) for locale in locales}) > 1:
        return [source.problem(loc, f"one text for a pack in {', '.join(locales)}: people would read it untranslated", code="text.untranslated", hint=
                               "give it per locale, e.g. reason: {" + ", ".join(f"{x}: ..." for x in locales) + "}")]
    return []


def _check_texts(source: PackSource, loc: Loc, texts: dict[str, str], locales: list[str]) -> list[Problem]:
    problems: list[Problem] = []
    for locale in locales:
        if locale not in texts:
            problems.append(source.problem(loc, f"missing `{locale}` text", f"the pack declares locales {', '.join(locales)}; add `{locale}:`",
                                           code="text.missing_locale"))
    allowed = set(CATALOGUE) | set(CONTEXT_PLACEHOLDERS) | set(DAY_PHRASES) | set(SIGNAL_PHRASES)
    for locale, template in texts.items():
        try:
            names = placeholders(template)
        except TemplateError as exc:
            problems.append(source.problem((*loc, locale), str(exc), code="text.template"))
            continue
        for name in names:
            if name not in allowed:
                close = suggest(name, allowed)
                problems.append(source.problem((*loc, locale), f"unknown placeholder {{{name}}}", code="text.placeholder", hint=
                                               f"did you mean {{{close}}}?" if close else "see docs/authoring.md for placeholders",
                                               offset=template.find("{" + name)))
    return problems

