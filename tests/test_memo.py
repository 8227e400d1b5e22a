"""Memo: pure results remembered by key, bounded so a long portfolio run stays flat in memory."""

from __future__ import annotations

from nba.memo import Memo


def test_a_value_is_computed_once_per_key() -> None:
    calls: list[str] = []
    memo: Memo[str] = Memo()

    def compute(key: str) -> str:
        calls.append(key)
        return key.upper()

    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("a", lambda: compute("a")) == "A"
    assert memo.get("b", lambda: compute("b")) == "B"
    assert calls == ["a", "b"]


def test_a_full_memo_starts_afresh_instead_of_growing() -> None:
    memo: Memo[int] = Memo(limit=3)
    for n in range(10):
        memo.get(n, lambda n=n: n * n)  # type: ignore[misc]
        assert len(memo) <= 3
    assert memo.get(9, lambda: -1) == 81  # the newest entry survives the reset
    assert memo.get(0, lambda: -1) == -1  # an old one was forgotten and is computed again


def test_none_is_a_value_like_any_other() -> None:
    calls = 0

    def nothing() -> None:
        nonlocal calls
        calls += 1

    memo: Memo[None] = Memo()
    memo.get("k", nothing)
    memo.get("k", nothing)
    assert calls == 1
