"""`nba lint`: every problem of a set of packs at once, plus rules that can never fire or duplicate another."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from ..conditions import NativeBackend, parse
from ..conditions.ast import Compare, Literal, Logical, Name, Node
from ..errors import Problem, RulePackError
from ..packs.loader import PackSource, load_packs, sort_problems
from ..ruleset import compile_packs


def lint(paths: Sequence[str | Path]) -> list[Problem]:
    """All problems of the packs and scenario files under `paths`, located; an empty list means they are clean.

    A `*.test.yaml` file is checked as scenarios (against the packs it names or sits beside); a folder's
    packs are checked, and so are the scenario files in it.
    """
    from .scenarios import SUFFIXES, collect, run

    given = [Path(p) for p in paths]
    scenario_files = [p for p in given if p.name.lower().endswith(SUFFIXES) and not p.is_dir()]
    pack_paths = [p for p in given if p not in scenario_files]
    problems: list[Problem] = []
    if pack_paths:
        try:
            sources = load_packs(pack_paths)
            compile_packs(sources, NativeBackend())
            problems += _unreachable(sources) + _duplicates(sources)
        except RulePackError as exc:
            problems += exc.problems
    scenario_files += [f for p in pack_paths if p.is_dir() for f in collect([p]) if f.parent == p]
    if scenario_files:
        known = {(p.file, p.line, p.column, p.message) for p in problems}
        problems += [p for p in run(scenario_files, evaluate=False).problems
                     if (p.file, p.line, p.column, p.message) not in known]  # a pack's problem, once
    return sort_problems(problems)


def _unreachable(sources: Sequence[PackSource]) -> list[Problem]:
    problems = []
    for source in sources:
        for i, rule in enumerate(source.pack.rules):
            why = never_true(parse(rule.when))
            if why:
                problems.append(source.problem(("rules", i, "when"), f"rule `{rule.id}` can never fire: {why}",
                                               "fix the bounds, or delete the rule", code="lint.never_fires"))
    return problems


def _duplicates(sources: Sequence[PackSource]) -> list[Problem]:
    problems = []
    seen: dict[tuple[str, str, str], str] = {}
    for source in sources:
        for i, rule in enumerate(source.pack.rules):
            key = (_canonical(parse(rule.when)), rule.action.kind, ",".join(rule.action.contact))
            full = f"{source.pack.pack}/{rule.id}"
            if key in seen:
                problems.append(source.problem(("rules", i, "when"),
                                               f"rule `{full}` is shadowed: `{seen[key]}` has the same condition, kind and contact",
                                               "merge the two rules, or make the conditions differ", code="lint.shadowed"))
            else:
                seen[key] = full
    return problems


def never_true(node: Node) -> str | None:
    """Why a conjunction of comparisons with constants can never hold, or None when it might."""
    parts = node.operands if isinstance(node, Logical) and node.op == "and" else (node,)
    low: dict[str, tuple[float, bool]] = {}
    high: dict[str, tuple[float, bool]] = {}
    equal: dict[str, object] = {}
    for part in parts:
        if not (isinstance(part, Compare) and isinstance(part.left, Name) and isinstance(part.right, Literal)):
            continue
        name, value, op = part.left.name, part.right.value, part.op
        if op == "==":
            if name in equal and equal[name] != value:
                return f"`{name}` cannot be both {_show(equal[name])} and {_show(value)}"
            equal[name] = value
        if isinstance(value, bool) or not isinstance(value, float):
            continue
        if op in (">", ">=", "=="):
            strict = op == ">"
            if name not in low or value > low[name][0] or (value == low[name][0] and strict):
                low[name] = (value, strict)
        if op in ("<", "<=", "=="):
            strict = op == "<"
            if name not in high or value < high[name][0] or (value == high[name][0] and strict):
                high[name] = (value, strict)
    for name in low.keys() & high.keys():
        (lo, lo_strict), (hi, hi_strict) = low[name], high[name]
        if lo > hi or (lo == hi and (lo_strict or hi_strict)):
            return f"`{name}` cannot be {'above' if lo_strict else 'at least'} {lo:g} and {'below' if hi_strict else 'at most'} {hi:g}"
    return None


def _canonical(node: Node) -> str:
    """A text for a condition that ignores spacing, parentheses and the order of `and`/`or` operands."""
    if isinstance(node, Logical):
        return f"{node.op}(" + ",".join(sorted(_canonical(p) for p in node.operands)) + ")"
    if isinstance(node, Compare):
        return f"{node.op}({_canonical(node.left)},{_canonical(node.right)})"
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Literal):
        return repr(node.value)
    return repr(node)


def _show(value: object) -> str:
    return f'"{value}"' if isinstance(value, str) else f"{value:g}" if isinstance(value, float) else str(value)

