"""The durable-rules backend: conditions compiled into one durable-rules ruleset, evaluated by its Rete engine.

Opt-in (`pip install 'nba[durable]'`, then `Engine.from_path(..., backend="durable")`). durable-rules
2.0.28 (2020, the last release) has hazards this backend works around:

- no rule matching raises `MessageNotHandledException`: caught, it means "nothing fired";
- sessions are capped at 1,024 per ruleset, and `delete_state` crashes: every evaluation uses the one
  default session and retracts its fact afterwards, so no state accumulates;
- events are consumed by the first matching rule: signals are asserted as a *fact*, which every
  rule sees;
- `assert_facts` in batch misroutes actions: facts are asserted one at a time;
- a rule on a field named `id` spins forever: signal fields never use that name;
- `$nex` (field does not exist) spins forever when it matches: unknown data is encoded as an explicit
  `known__<signal>` flag in the fact, and every comparison is guarded by it;
- an action with two parameters is treated as asynchronous: actions take one;
- `durable.lang` keeps global state per host and its `Host` runs background timer threads: this
  backend drives `durable.engine.Ruleset` directly, one private ruleset per engine, behind a lock.

Conditions with arithmetic or comparing two signals are refused at load time with a clear error.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from ..errors import ConditionError
from ..signals import SignalValue
from .ast import Compare, Known, ListLit, Literal, Logical, Name, Node, Not
from .backend import CompiledCondition

try:
    from durable.engine import MessageNotHandledException, MessageObservedException, Ruleset
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the durable backend needs durable-rules: pip install 'nba[durable]'") from exc

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_RESERVED = frozenset({"id", "sid", "$s"})


def _known(name: str) -> str:
    return f"known__{name}"


def to_durable(node: Node, negate: bool = False) -> dict[str, Any]:
    """The durable-rules JSON expression of a condition, negations pushed down to the comparisons.

    With negations on the comparisons only, a condition is true under three-valued logic exactly when
    it is true with every unknown comparison read as false, which is how durable-rules matches.
    """
    if isinstance(node, Not):
        return to_durable(node.operand, not negate)
    if isinstance(node, Logical):
        op = node.op if not negate else ("or" if node.op == "and" else "and")
        return {f"${op}": [to_durable(p, negate) for p in node.operands]}
    if isinstance(node, Known):
        return {_known(node.operand.name): node.known != negate}
    if isinstance(node, Name):  # a true/false signal used as a test
        return _guarded(node.name, {node.name: not negate})
    if isinstance(node, Compare):
        return _compare(node, negate)
    if isinstance(node, Literal) and isinstance(node.value, bool):
        raise ConditionError("a condition that is always true or false cannot run on the durable backend", node.start,
                             "remove it, or use the native backend")
    raise ConditionError("arithmetic cannot run on the durable backend", node.start, "use the native backend")


def _compare(node: Compare, negate: bool) -> dict[str, Any]:
    op = _NEGATE[node.op] if negate else node.op
    left, right = node.left, node.right
    if isinstance(left, Literal) and isinstance(right, Name):
        left, right, op = right, left, _FLIP.get(op, op)
    if not isinstance(left, Name):
        raise ConditionError("the durable backend compares a signal with a value; this is arithmetic or two values",
                             left.start, "use the native backend")
    name = left.name
    if name in _RESERVED:
        raise ConditionError(f"durable-rules cannot match a field named `{name}`", left.start, "use the native backend")
    if isinstance(right, ListLit):
        values = [item.value for item in right.items]
        if op == "in":
            return _guarded(name, {"$or": [{name: v} for v in values]})
        return _guarded(name, {"$and": [{"$neq": {name: v}} for v in values]})
    if not isinstance(right, Literal):
        raise ConditionError("the durable backend cannot compare two signals, or use arithmetic", right.start,
                             "compare the signal with a value, or use the native backend")
    expression = {name: right.value} if op == "==" else {_OPS[op]: {name: right.value}}
    return _guarded(name, expression)


def _guarded(name: str, expression: dict[str, Any]) -> dict[str, Any]:
    return {"$and": [{_known(name): True}, expression]}


class DurableBackend:
    """Evaluates conditions through durable-rules' Rete engine; one private ruleset per engine."""

    name = "durable"

    def __init__(self) -> None:
        self._definition: dict[str, dict[str, Any]] | None = None
        self._count = 0
        self._state = threading.local()
        self._lock = threading.Lock()
        self._ruleset: Any = None
        self._fired: list[int] = []

    def check(self, condition: Node) -> None:
        """Raise `ConditionError` for what durable-rules cannot express (arithmetic, two signals)."""
        to_durable(condition)

    def compile(self, conditions: Sequence[Node]) -> Sequence[CompiledCondition]:
        """One durable-rules rule per condition; each callable asks the shared evaluation for its index."""
        self._definition = {f"c{i}": {"all": [{"m": to_durable(node)}]} for i, node in enumerate(conditions)}
        self._count = len(conditions)
        return [self._condition(i) for i in range(len(conditions))]

    def _condition(self, index: int) -> CompiledCondition:
        def test(signals: Mapping[str, SignalValue]) -> bool | None:
            return index in self._matches(signals)
        return test

    def _matches(self, signals: Mapping[str, SignalValue]) -> frozenset[int]:
        """Indices of the conditions that hold for these signals (the last answer is kept per thread)."""
        key = tuple(signals.items())
        cached: tuple[tuple[object, ...], frozenset[int]] | None = getattr(self._state, "last", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        fact: dict[str, Any] = {}
        for name, value in signals.items():
            if name in _RESERVED:
                continue
            fact[_known(name)] = value is not None
            if value is not None:
                fact[name] = value
        with self._lock:
            matched = self._evaluate(fact)
        self._state.last = (key, matched)
        return matched

    def _evaluate(self, fact: dict[str, Any]) -> frozenset[int]:
        ruleset = self._ruleset or self._build()
        self._fired = []
        try:
            handle = ruleset.assert_fact(fact)
        except MessageNotHandledException:
            return frozenset()
        except MessageObservedException:  # the same fact is still asserted: retract it and try again once
            ruleset.retract_fact(fact)
            handle = ruleset.assert_fact(fact)
        try:
            errors: list[Any] = []
            ruleset.do_actions(handle, lambda error, state: errors.append(error))
            if errors and errors[-1]:
                raise RuntimeError(f"durable-rules failed: {errors[-1]}")
            return frozenset(self._fired)
        finally:
            try:
                ruleset.retract_fact(fact)
            except MessageNotHandledException:
                pass

    def _build(self) -> Any:
        if self._definition is None:
            raise RuntimeError("compile() must run before evaluation")
        definition = {name: {**rule, "run": self._action(int(name[1:]))} for name, rule in self._definition.items()}
        if not definition:
            definition = {}
        self._ruleset = Ruleset(f"nba-{uuid.uuid4().hex}", None, definition)
        return self._ruleset

    def _action(self, index: int) -> Any:
        def fired(c: Any) -> None:  # one parameter: durable-rules treats two as asynchronous
            self._fired.append(index)
        return fired

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the definition only; each process builds its own ruleset when first used."""
        return {"definition": self._definition, "count": self._count}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__()  # type: ignore[misc]
        self._definition = state["definition"]
        self._count = state["count"]
