"""Syntax tree of a condition; every node remembers where its text starts and ends."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Node:
    """Base of every syntax node: `start`/`end` are 0-based offsets into the condition text."""

    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number, text or true/false written in the condition."""

    value: float | str | bool


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A reference to a signal."""

    name: str


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    """A list of literals, the right side of `in`."""

    items: tuple[Literal, ...]


@dataclass(frozen=True, slots=True)
class Arith(Node):
    """Arithmetic: `+ - * /` on numbers."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Negate(Node):
    """Unary minus."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Compare(Node):
    """A comparison: `== != < <= > >=`, or membership `in` / `not in`."""

    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Known(Node):
    """`signal is known` / `signal is unknown`: the only test that looks at missing data."""

    operand: Name
    known: bool


@dataclass(frozen=True, slots=True)
class Not(Node):
    """Logical negation."""

    operand: Node


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """`and` / `or` over two or more operands."""

    op: str
    operands: tuple[Node, ...]
