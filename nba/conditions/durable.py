"""The durable-rules backend: conditions compiled into durable-rules rulesets, evaluated by its Rete engine.

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
  backend drives `durable.engine.Ruleset` directly, private rulesets per engine, behind a lock;
- its network has fixed-size tables (512 children per node, where a full table spins forever holding
  the GIL; a 64-entry matching stack; 32 expressions per rule; 255 properties per fact), and its JSON
  reader takes no exponents (`1e-05`): conditions are spread over rulesets of at most
  `RULESET_TESTS` tests, a condition is at most `CONDITION_TESTS` tests, numbers are written as
  plain decimals, and every ruleset is built and probed when the pack loads, so that a limit is a
  located pack error, never a hang or a failure at evaluation;
- durable-rules cannot free a ruleset whole (`delete_ruleset` leaks its session state, `delete_state`
  crashes): the rulesets of a garbage-collected engine are kept idle and reused by the next engine
  built from the same definitions, so memory follows the engines alive, not the engines ever built;
- a forked child would inherit a lock another thread held: the backend notices the new process
  and starts afresh.

Conditions with arithmetic or comparing two signals are refused at load time with a clear error.
"""

from __future__ import annotations

import json
import math
import os
import threading
import uuid
import weakref
from dataclasses import dataclass
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from ..errors import BackendError, ConditionError
from ..signals import SignalValue
from .ast import Compare, Known, ListLit, Literal, Logical, Name, Node, Not
from .backend import CompiledCondition

try:
    import durable_rules_engine as _engine
    from durable.engine import MessageNotHandledException, MessageObservedException, Promise, Ruleset
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("the durable backend needs durable-rules: pip install 'nba[durable]'") from exc

#: The most tests (a comparison and its known-guard, one per listed value) one condition may hold.
CONDITION_TESTS = 48
#: The most tests one durable-rules ruleset holds; conditions are spread over as many as needed.
RULESET_TESTS = 60
#: Numbers a condition may compare with: 0, or a magnitude from `SMALLEST` to `LARGEST`.
SMALLEST, LARGEST = 1e-9, 1e15
#: How deeply `and`/`or` may nest in one condition (durable-rules keeps 32 expressions per rule).
NESTING = 6

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "==", "in": "not in", "not in": "in"}
_OPS = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "!=": "$neq"}
_RESERVED = frozenset({"id", "sid", "$s"})
#: Fact values beyond the literals' range, written so that every comparison with a literal keeps its answer.
_ABOVE, _BELOW = "2000000000000000", "0.0000000001"


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
        for item in right.items:
            _check_number(item)
        values = [item.value for item in right.items]
        if op == "in":
            return _guarded(name, {"$or": [{name: v} for v in values]})
        return _guarded(name, {"$and": [{"$neq": {name: v}} for v in values]})
    if not isinstance(right, Literal):
        raise ConditionError("the durable backend cannot compare two signals, or use arithmetic", right.start,
                             "compare the signal with a value, or use the native backend")
    _check_number(right)
    expression = {name: right.value} if op == "==" else {_OPS[op]: {name: right.value}}
    return _guarded(name, expression)


def _check_number(literal: Literal) -> None:
    value = literal.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return
    if value != 0 and not SMALLEST <= abs(value) <= LARGEST:
        raise ConditionError(f"the durable backend compares numbers from {SMALLEST:g} to {LARGEST:g}; {value!r} is "
                             "out of that range", literal.start, "use a number in that range, or the native backend")


def _guarded(name: str, expression: dict[str, Any]) -> dict[str, Any]:
    return {"$and": [{_known(name): True}, expression]}


def _tests(expression: Mapping[str, Any]) -> int:
    """How many tests durable-rules makes of an expression (each compared field is one)."""
    total = 0
    for key, value in expression.items():
        if key in ("$and", "$or"):
            total += sum(_tests(part) for part in value)
        else:
            total += 1
    return total


def _depth(node: Node) -> int:
    if isinstance(node, Not):
        return _depth(node.operand)
    if isinstance(node, Logical):
        return 1 + max(_depth(p) for p in node.operands)
    return 0


def _limits(node: Node, expression: Mapping[str, Any]) -> None:
    """Raise `ConditionError` for a condition beyond what one durable-rules rule can hold."""
    tests = _tests(expression)
    if tests > CONDITION_TESTS:
        raise ConditionError(f"this condition makes {tests} tests; the durable backend runs at most {CONDITION_TESTS} "
                             "per condition (a comparison is two, a listed value one more)", node.start,
                             "split it over several rules, shorten the list, or use the native backend")
    if _depth(node) > NESTING:
        raise ConditionError(f"`and`/`or` nest {_depth(node)} deep; the durable backend takes at most {NESTING}",
                             node.start, "flatten the condition, or use the native backend")


def _json(value: Any) -> str:
    """JSON that durable-rules reads: numbers as plain decimals within the literals' range, never exponents."""
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_json(v) for v in value) + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    number = float(value)
    if number == 0:
        return "0"
    sign = "-" if number < 0 else ""
    if abs(number) > LARGEST:
        return sign + _ABOVE
    if abs(number) < SMALLEST:
        return sign + _BELOW
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(number)), "f")


class _Ruleset(Ruleset):  # type: ignore[misc]
    """durable-rules' ruleset, created and fed through `_json`; its C ruleset goes back to the pool with it."""

    def __init__(self, definition: dict[str, Any]) -> None:
        self._actions = {}
        self._name = "nba"
        self._host = None
        plain = {}
        for rule_name, rule in definition.items():
            plain[rule_name] = {key: value for key, value in rule.items() if key != "run"}
            self._actions[rule_name] = Promise(rule["run"])
        text = _json(plain)
        self._handle = _POOL.take(text)
        self._definition = plain
        weakref.finalize(self, _POOL.give_back, text, self._handle)

    def assert_fact(self, fact: dict[str, Any]) -> Any:
        return self._handle_result(_engine.assert_fact(self._handle, _json(fact)), fact)

    def retract_fact(self, fact: dict[str, Any]) -> Any:
        return self._handle_result(_engine.retract_fact(self._handle, _json(fact)), fact)


class _ProcessLock:
    """A lock that a forked child makes anew: the parent's may have been held by another thread at the fork."""

    __slots__ = ("lock", "_pid")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._pid = os.getpid()

    def forked(self) -> bool:
        """Whether this is a fork of the process that made the lock (whose lock is then replaced)."""
        if self._pid == os.getpid():
            return False
        self.lock, self._pid = threading.Lock(), os.getpid()
        return True


class _HandlePool:
    """Idle durable-rules rulesets by definition, for the next engine that needs the same one.

    durable-rules cannot free a ruleset whole: `delete_ruleset` leaks its session's state, and
    `delete_state` crashes. So a ruleset whose engine is garbage-collected is kept here, idle and
    clean (every fact was retracted), and handed to the next ruleset built from the same definition;
    memory is bounded by how many engines are alive at once, not by how many were ever built.
    """

    #: Idle rulesets kept per definition; beyond that they are deleted (leaking only their state).
    KEEP = 8

    def __init__(self) -> None:
        self._idle: dict[str, list[int]] = {}
        self._process = _ProcessLock()

    def _guard(self) -> threading.Lock:
        self._process.forked()
        return self._process.lock

    def take(self, text: str) -> int:
        """An idle ruleset of this definition, or a new one."""
        with self._guard():
            idle = self._idle.get(text)
            if idle:
                return idle.pop()
        return int(_engine.create_ruleset(f"nba-{uuid.uuid4().hex}", text))

    def give_back(self, text: str, handle: int) -> None:
        """Keep a ruleset no engine uses any more, or delete it when enough are idle."""
        with self._guard():
            idle = self._idle.setdefault(text, [])
            if len(idle) < self.KEEP:
                idle.append(handle)
                return
        _engine.delete_ruleset(handle)


_POOL = _HandlePool()


@dataclass(slots=True)
class _Part:
    """One durable-rules ruleset: some of the conditions, the signals they read, and its definition."""

    definition: dict[str, dict[str, Any]]
    signals: frozenset[str]
    ruleset: _Ruleset | None = None


class DurableBackend:
    """Evaluates conditions through durable-rules' Rete engine; private rulesets per engine."""

    name = "durable"

    def __init__(self) -> None:
        self._parts: list[_Part] = []
        self._process = _ProcessLock()
        self._fresh()

    def _fresh(self) -> None:
        """Per-process state: thread-local answers, rulesets built again when first used."""
        self._state = threading.local()
        self._fired: list[int] = []
        for part in self._parts:
            part.ruleset = None

    def check(self, condition: Node) -> None:
        """Raise `ConditionError` for what durable-rules cannot express or hold (arithmetic, two signals, size)."""
        _limits(condition, to_durable(condition))

    def compile(self, conditions: Sequence[Node]) -> Sequence[CompiledCondition]:
        """Spread the conditions over rulesets, build and probe each, and return one callable per condition.

        A condition that durable-rules still refuses raises `ConditionError` with its `index`.
        """
        parts: list[_Part] = []
        pending: dict[str, dict[str, Any]] = {}
        signals: set[str] = set()
        size = 0
        for index, node in enumerate(conditions):
            expression = to_durable(node)
            _limits(node, expression)
            tests = _tests(expression)
            if pending and size + tests > RULESET_TESTS:
                parts.append(_Part(pending, frozenset(signals)))
                pending, signals, size = {}, set(), 0
            pending[f"c{index}"] = {"all": [{"m": expression}]}
            signals |= _fields(node)
            size += tests
        if pending:
            parts.append(_Part(pending, frozenset(signals)))
        for part in parts:
            self._probe(part, conditions)
        self._parts = parts
        return [self._condition(i) for i in range(len(conditions))]

    def _probe(self, part: _Part, conditions: Sequence[Node]) -> None:
        """Build a ruleset and assert a fact of unknowns; on failure, name the condition durable-rules refuses."""
        try:
            self._run(part, {_known(name): False for name in sorted(part.signals)})
        except (_engine.error, RuntimeError) as exc:
            for name in part.definition:
                index = int(name[1:])
                alone = _Part({name: part.definition[name]}, _fields(conditions[index]))
                try:
                    self._run(alone, {_known(s): False for s in sorted(alone.signals)}, self._build(alone))
                except (_engine.error, RuntimeError) as single:
                    raise ConditionError(f"durable-rules cannot run this condition ({single})",
                                         conditions[index].start, "simplify it, or use the native backend",
                                         condition=index) from single
            first = int(next(iter(part.definition))[1:])
            raise ConditionError(f"durable-rules cannot run these conditions together ({exc})",
                                 conditions[first].start, "use the native backend", condition=first) from exc

    def _condition(self, index: int) -> CompiledCondition:
        def test(signals: Mapping[str, SignalValue]) -> bool | None:
            return index in self._matches(signals)
        return test

    def _matches(self, signals: Mapping[str, SignalValue]) -> frozenset[int]:
        """Indices of the conditions that hold for these signals (the last answer is kept per thread)."""
        if self._process.forked():
            self._fresh()
        key = tuple(signals.items())
        cached: tuple[tuple[object, ...], frozenset[int]] | None = getattr(self._state, "last", None)
        if cached is not None and cached[0] == key:
            return cached[1]
        matched: set[int] = set()
        with self._process.lock:
            for part in self._parts:
                fact: dict[str, Any] = {}
                for name in part.signals:
                    value = signals.get(name)
                    known = value is not None and not (isinstance(value, float) and math.isnan(value))
                    fact[_known(name)] = known
                    if known:
                        fact[name] = value
                matched |= self._run(part, fact)
        answer = frozenset(matched)
        self._state.last = (key, answer)
        return answer

    def _run(self, part: _Part, fact: dict[str, Any], ruleset: _Ruleset | None = None) -> frozenset[int]:
        """Assert one fact, collect the conditions that fired, and retract it."""
        if ruleset is None:
            if part.ruleset is None:
                part.ruleset = self._build(part)
            ruleset = part.ruleset
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
                raise BackendError(f"durable-rules failed: {errors[-1]}")
            return frozenset(self._fired)
        finally:
            try:
                ruleset.retract_fact(fact)
            except MessageNotHandledException:
                pass

    def _build(self, part: _Part) -> _Ruleset:
        definition = {name: {**rule, "run": self._action(int(name[1:]))} for name, rule in part.definition.items()}
        return _Ruleset(definition)

    def _action(self, index: int) -> Any:
        def fired(c: Any) -> None:  # one parameter: durable-rules treats two as asynchronous
            self._fired.append(index)
        return fired

    def __getstate__(self) -> dict[str, Any]:
        """Pickle the definitions only; each process builds its own rulesets when first used."""
        return {"parts": [(part.definition, sorted(part.signals)) for part in self._parts]}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._parts = [_Part(definition, frozenset(signals)) for definition, signals in state["parts"]]
        self._process = _ProcessLock()
        self._fresh()


def _fields(node: Node) -> frozenset[str]:
    """The signals a condition reads."""
    if isinstance(node, Name):
        return frozenset({node.name})
    if isinstance(node, Known):
        return frozenset({node.operand.name})
    if isinstance(node, Not):
        return _fields(node.operand)
    if isinstance(node, Logical):
        return frozenset().union(*(_fields(p) for p in node.operands))
    if isinstance(node, Compare):
        return _fields(node.left) | _fields(node.right)
    return frozenset()
