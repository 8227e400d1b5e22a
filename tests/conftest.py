"""Shared fixtures: the shipped engine and builders of realistic account snapshots."""

from __future__ import annotations

from collections.abc import Callable

import os

import pytest
from helpers import BASE_KZ, BASE_US, RULES, merge
from hypothesis import HealthCheck, settings

import nba

# Property tests: a quick profile locally, a larger one in CI (CI=true), or pick one with NBA_HYPOTHESIS_PROFILE.
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("ci", max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("NBA_HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "dev"))


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



@pytest.fixture(scope="session")
def pack_engine() -> Callable[[str], nba.Engine]:
    """An engine with one shipped pack (plus the risk scorecard, which decides owners), to test a pack alone."""
    cache: dict[str, nba.Engine] = {}

    def load(name: str) -> nba.Engine:
        if name not in cache:
            files = [RULES / f"{name}.yaml"] + ([RULES / "risk.yaml"] if name != "risk" else [])
            cache[name] = nba.Engine.from_path(files)
        return cache[name]

    return load
