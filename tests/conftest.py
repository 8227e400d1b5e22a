"""Shared fixtures: the shipped engine and builders of realistic account snapshots."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import BASE_KZ, BASE_US, RULES, merge

import nba


@pytest.fixture(scope="session")
def engine() -> nba.Engine:
    """The engine with the repo's shipped packs."""
    return nba.Engine.from_path(RULES)


@pytest.fixture
def kz() -> Callable[..., nba.AccountSnapshot]:
    """Build a validated KZ snapshot from BASE_KZ with changes merged in."""
    return lambda **changes: nba.AccountSnapshot.model_validate(merge(BASE_KZ, changes))


@pytest.fixture
def us() -> Callable[..., nba.AccountSnapshot]:
    """Build a validated US snapshot from BASE_US with changes merged in."""
    return lambda **changes: nba.AccountSnapshot.model_validate(merge(BASE_US, changes))

