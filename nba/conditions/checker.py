"""Type checker: resolves signal names against the catalogue and checks every operator's operand types."""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from ..errors import ConditionError
from ..signals import SignalSpec
from .ast import Arith, Compare, Known, ListLit, Literal, Logical, Name, Negate, Node, Not

Symbols = Mapping[str, SignalSpec]

_ORDERING = ("<", "<=", ">", ">=")


def suggest(word: str, choices: object) -> str | None:
    """The nearest of `choices` to `word`, for did-you-mean hints; None when nothing is close."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)  # type: ignore[call-overload]
    return matches[0] if matches else None


def check(node: Node, symbols: Symbols) -> frozenset[str]:
    """Type-check a whole condition (it must be true/false); returns the signal names it reads."""
    used: set[str] = set()
    kind = _type(node, symbols, used)
    if kind != "bool":
        raise ConditionError(
            f"a condition must be a test that is true or false, but this is a {_describe(kind)}",
            node.start,
            "compare it, e.g. `activity_drop_pct >= 40`",
        )
    return frozenset(used)


def _describe(kind: str) -> str:
    return {"number": "number", "text": "text", "bool": "true/false test"}.get(kind, kind)


def _type(node: Node, symbols: Symbols, used: set[str]) -> str:
    if isinstance(node, Literal):
        if isinstance(node.value, bool):
            return "bool"
        return "number" if isinstance(node.value, float) else "text"
    if isinstance(node, Name):
        spec = symbols.get(node.name)
        if spec is None:
            close = suggest(node.name, symbols)
            hint = f"did you mean `{close}`?" if close else "see the signal catalogue in docs/signals.md"
            raise ConditionError(f"unknown signal `{node.name}`", node.start, hint)
        used.add(node.name)
        return spec.type
    if isinstance(node, Known):
        _type(node.operand, symbols, used)
        return "bool"
    if isinstance(node, Not):
        _expect_bool(node.operand, symbols, used, "`not`")
        return "bool"
    if isinstance(node, Logical):
        for operand in node.operands:
            _expect_bool(operand, symbols, used, f"`{node.op}`")
        return "bool"
    if isinstance(node, Negate):
        if _type(node.operand, symbols, used) != "number":
            raise ConditionError("`-` needs a number", node.operand.start)
        return "number"
    if isinstance(node, Arith):
        for side in (node.left, node.right):
            if _type(side, symbols, used) != "number":
                raise ConditionError(f"`{node.op}` needs numbers on both sides", side.start)
        return "number"
    if isinstance(node, Compare):
        return _compare(node, symbols, used)
    raise ConditionError("a list can only follow `in`", node.start)


def _expect_bool(node: Node, symbols: Symbols, used: set[str], where: str) -> None:
    kind = _type(node, symbols, used)
    if kind != "bool":
        raise ConditionError(
            f"{where} joins tests that are true or false, but this is a {_describe(kind)}",
            node.start,
            "compare it, e.g. `nps <= 6`",
        )


def _compare(node: Compare, symbols: Symbols, used: set[str]) -> str:
    left = _type(node.left, symbols, used)
    if node.op in ("in", "not in"):
        assert isinstance(node.right, ListLit)
        for item in node.right.items:
            _same_type(node, left, item, symbols)
        return "bool"
    if isinstance(node.right, Name) and node.right.name not in symbols and left == "text" and isinstance(node.left, Name):
        # `contract_status == active`: a word meant as text, not a signal.
        raise ConditionError(f"`{node.right.name}` is not a signal", node.right.start,
                             f'to compare with the text, put it in quotes: {node.left.name} {node.op} "{node.right.name}"')
    right = _type(node.right, symbols, used)
    if node.op in _ORDERING and (left != "number" or right != "number"):
        bad = node.left if left != "number" else node.right
        if _quoted_number(bad):
            assert isinstance(bad, Literal)
            raise ConditionError(f"`{node.op}` compares numbers, but {_show(bad)} is a text in quotes", bad.start,
                                 f"remove the quotes: {bad.value}")
        raise ConditionError(f"`{node.op}` compares numbers, but this is a {_describe(_type(bad, symbols, set()))}", bad.start,
                             "use == or != for texts")
    if isinstance(node.right, Literal):
        _same_type(node, left, node.right, symbols)
    elif isinstance(node.left, Literal):
        _same_type(node, right, node.left, symbols, other=node.right)
    elif left != right:
        raise ConditionError(f"cannot compare a {_describe(left)} with a {_describe(right)}", node.start)
    return "bool"


def _same_type(node: Compare, kind: str, literal: Literal, symbols: Symbols, other: Node | None = None) -> None:
    """Check a literal against the type (and, for text signals, the allowed values) of the other side."""
    lit_kind = "bool" if isinstance(literal.value, bool) else "number" if isinstance(literal.value, float) else "text"
    side = other if other is not None else node.left
    if lit_kind != kind:
        what = f"`{side.name}`" if isinstance(side, Name) else "the left side"
        hint = 'put texts in quotes: segment == "key"' if kind == "text" else None
        if kind == "number" and _quoted_number(literal):
            hint = f"remove the quotes: {literal.value}"
        raise ConditionError(f"{what} is a {_describe(kind)}, it cannot be compared with the {_describe(lit_kind)} {_show(literal)}",
                             literal.start, hint)
    if isinstance(side, Name) and isinstance(literal.value, str):
        allowed = symbols[side.name].values
        if allowed is not None and literal.value not in allowed:
            close = suggest(literal.value, allowed)
            hint = f"did you mean \"{close}\"?" if close else "allowed: " + ", ".join(allowed)
            raise ConditionError(f"`{side.name}` is never {_show(literal)}", literal.start, hint)


def _quoted_number(node: Node) -> bool:
    """Whether `node` is a number written in quotes ("60")."""
    if not isinstance(node, Literal) or not isinstance(node.value, str):
        return False
    try:
        float(node.value)
    except ValueError:
        return False
    return True


def _show(literal: Literal) -> str:
    if isinstance(literal.value, bool):
        return "true" if literal.value else "false"
    if isinstance(literal.value, float):
        return f"{literal.value:g}"
    return f'"{literal.value}"'
