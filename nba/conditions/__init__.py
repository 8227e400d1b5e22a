"""The condition language of rule packs: parse, type-check against signals, compile to a backend."""

from .ast import Node
from .backend import CompiledCondition, ConditionBackend, NativeBackend
from .checker import Symbols, check
from .parser import parse
from .trace import ClauseTrace, trace

__all__ = [
    "Node",
    "parse",
    "check",
    "Symbols",
    "ConditionBackend",
    "CompiledCondition",
    "NativeBackend",
    "trace",
    "ClauseTrace",
]
