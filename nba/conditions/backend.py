"""How compiled conditions are evaluated: the backend interface and the native pure-Python backend."""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from ..errors import ConditionError
from ..signals import SignalValue
from .ast import Arith, Compare, Known, ListLit, Literal, Logical, Name, Negate, Node, Not

#: A compiled condition: signals in, True / False / None (unknown) out.
CompiledCondition = Callable[[Mapping[str, SignalValue]], bool | None]
_Value = Callable[[Mapping[str, SignalValue]], SignalValue]


class ConditionBackend(Protocol):
    """Turns type-checked condition trees into callables; chosen once, when an engine is built."""

    name: str

    def check(self, condition: Node) -> None:
        """Raise `ConditionError` (with the position) for a condition this backend cannot express."""
        ...

    def compile(self, conditions: Sequence[Node]) -> Sequence[CompiledCondition]:
        """Compile each condition; the result has one callable per input, in order."""
        ...


class NativeBackend:
    """The default backend: compiles each condition to nested Python closures at load time (no eval)."""

    name = "native"

    def check(self, condition: Node) -> None:
        """Every type-checked condition is expressible natively."""

    def compile(self, conditions: Sequence[Node]) -> Sequence[CompiledCondition]:
        """Compile each condition tree to a closure with three-valued logic."""
        return [_test(node) for node in conditions]


_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,  # type: ignore[dict-item]
    "<=": operator.le,  # type: ignore[dict-item]
    ">": operator.gt,  # type: ignore[dict-item]
    ">=": operator.ge,  # type: ignore[dict-item]
}


def _test(node: Node) -> CompiledCondition:
    if isinstance(node, Logical):
        parts = tuple(_test(p) for p in node.operands)
        if node.op == "and":
            def all_of(s: Mapping[str, SignalValue]) -> bool | None:
                unknown = False
                for part in parts:
                    r = part(s)
                    if r is False:
                        return False
                    if r is None:
                        unknown = True
                return None if unknown else True
            return all_of

        def any_of(s: Mapping[str, SignalValue]) -> bool | None:
            unknown = False
            for part in parts:
                r = part(s)
                if r is True:
                    return True
                if r is None:
                    unknown = True
            return None if unknown else False
        return any_of
    if isinstance(node, Not):
        inner = _test(node.operand)

        def negated(s: Mapping[str, SignalValue]) -> bool | None:
            r = inner(s)
            return None if r is None else not r
        return negated
    if isinstance(node, Known):
        name, want = node.operand.name, node.known
        return lambda s: (s.get(name) is not None) == want
    if isinstance(node, Compare):
        return _comparison(node)
    if isinstance(node, Name):
        name = node.name
        return lambda s: s.get(name)  # type: ignore[return-value]
    if isinstance(node, Literal) and isinstance(node.value, bool):
        value = node.value
        return lambda s: value
    raise ConditionError(f"not a test: {type(node).__name__}", node.start)


def _comparison(node: Compare) -> CompiledCondition:
    if node.op in ("in", "not in"):
        assert isinstance(node.right, ListLit)
        members = frozenset(item.value for item in node.right.items)
        want = node.op == "in"
        left = _value(node.left)

        def member(s: Mapping[str, SignalValue]) -> bool | None:
            v = left(s)
            return None if v is None else (v in members) == want
        return member
    op = _COMPARE[node.op]
    # The common shape `signal OP constant` gets a closure of its own: it is the hot path.
    if isinstance(node.left, Name) and isinstance(node.right, Literal):
        name, const = node.left.name, node.right.value

        def signal_vs_const(s: Mapping[str, SignalValue]) -> bool | None:
            v = s.get(name)
            return None if v is None else op(v, const)
        return signal_vs_const
    left, right = _value(node.left), _value(node.right)

    def general(s: Mapping[str, SignalValue]) -> bool | None:
        a = left(s)
        if a is None:
            return None
        b = right(s)
        return None if b is None else op(a, b)
    return general


_ARITH: dict[str, Callable[[float, float], float]] = {
    "+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv,
}


def _value(node: Node) -> _Value:
    if isinstance(node, Literal):
        value = node.value
        return lambda s: value
    if isinstance(node, Name):
        name = node.name
        return lambda s: s.get(name)
    if isinstance(node, Negate):
        inner = _value(node.operand)

        def neg(s: Mapping[str, SignalValue]) -> SignalValue:
            v = inner(s)
            return None if v is None else -v  # type: ignore[operator]
        return neg
    if isinstance(node, Arith):
        fn = _ARITH[node.op]
        left, right = _value(node.left), _value(node.right)
        divide = node.op == "/"

        def arith(s: Mapping[str, SignalValue]) -> SignalValue:
            a, b = left(s), right(s)
            if a is None or b is None or (divide and b == 0):
                return None
            return fn(a, b)  # type: ignore[arg-type]
        return arith
    return _test(node)  # a true/false test used as a value, e.g. `(a > 1) == true`
