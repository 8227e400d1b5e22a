"""A bounded memo for pure results (due dates, date phrases, declined names) that repeat across accounts."""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")

#: Entries a memo holds before it starts afresh: a morning run repeats a few thousand dues, stages and
#: phrases, and a full memo holds a few MiB, so memory stays bounded even when as-of changes every call.
DEFAULT_LIMIT = 20_000


class Memo(Generic[V]):
    """Remembers `compute()` by key; when full it forgets everything and starts again.

    Only for pure results: a value must depend on nothing but its key. Safe to share between
    threads: at worst two threads compute the same value once each.
    """

    __slots__ = ("_found", "_limit")

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._found: dict[Hashable, V] = {}
        self._limit = limit

    def get(self, key: Hashable, compute: Callable[[], V]) -> V:
        """The value remembered for `key`, computing and remembering it first if need be."""
        try:
            return self._found[key]
        except KeyError:
            pass
        value = compute()
        if len(self._found) >= self._limit:
            self._found.clear()
        self._found[key] = value
        return value

    def __len__(self) -> int:
        return len(self._found)
