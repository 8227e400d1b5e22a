"""The library is typed (it ships py.typed): strict mypy over nba/ finds nothing."""

from __future__ import annotations

import subprocess
import sys

import pytest
from helpers import REPO

pytest.importorskip("mypy", reason="mypy comes with the test extra")


def test_strict_mypy_is_clean() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "nba"], cwd=REPO, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
