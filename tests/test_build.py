"""The optional compiled build: which modules mypyc compiles, and (in its CI run) that they are compiled."""

from __future__ import annotations

import importlib
import os
import tomllib

import pytest
from helpers import REPO


def compiled_modules() -> list[str]:
    """The modules the mypyc build hook compiles, as listed in pyproject.toml."""
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    paths = config["tool"]["hatch"]["build"]["targets"]["wheel"]["hooks"]["mypyc"]["include"]
    return [path.removesuffix(".py").replace("/", ".") for path in paths]


def test_every_module_the_build_compiles_exists_and_holds_no_pydantic_model() -> None:
    for path in compiled_modules():
        source = REPO / (path.replace(".", "/") + ".py")
        assert source.is_file(), f"pyproject.toml lists {path} for mypyc, but there is no {source}"
        assert "BaseModel" not in source.read_text(encoding="utf-8"), f"{path}: pydantic models stay interpreted"


@pytest.mark.skipif(os.environ.get("NBA_EXPECT_COMPILED") != "1",
                    reason="runs in CI's compiled-build stage (NBA_EXPECT_COMPILED=1)")
def test_the_hot_path_is_compiled_in_the_compiled_build() -> None:
    for name in compiled_modules():
        module = importlib.import_module(name)
        assert str(module.__file__).endswith(".so"), f"{name} runs interpreted from {module.__file__}"
