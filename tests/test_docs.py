"""The docs tell the truth: every Python and YAML example runs or loads, the signal table is current,
and the site builds with mkdocs in strict mode."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import REPO

import nba
from nba.cli import signals_markdown
from nba.errors import RulePackError

DOCS = REPO / "docs"
PAGES = sorted(DOCS.glob("*.md")) + [REPO / "README.md"]
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```", re.S | re.M)


def blocks(language: str) -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for number, (lang, body) in enumerate(BLOCK.findall(page.read_text(encoding="utf-8"))):
            if lang == language:
                found.append((f"{page.name}#{number}", body))
    return found


@pytest.mark.parametrize(("where", "code"), blocks("python"), ids=[w for w, _ in blocks("python")])
def test_python_examples_run(where: str, code: str, tmp_path: Path) -> None:
    # An example of an optional extra runs where the extra is installed, and says why it is skipped elsewhere.
    if "dask" in code:
        pytest.importorskip("dask.distributed", reason="the dask extra is not installed: pip install 'nba[dask]'")
    if "durable" in code:
        pytest.importorskip("durable.engine", reason="the durable extra is not installed: pip install 'nba[durable]'")
    if "actions_frame" in code:
        pytest.importorskip("pandas", reason="actions_frame needs pandas: pip install pandas (or 'nba[dask]')")
    script = tmp_path / "example.py"
    script.write_text(code, encoding="utf-8")
    for folder in ("examples", "rules"):  # the paths the examples name, in a folder of their own for what they write
        (tmp_path / folder).symlink_to(REPO / folder, target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": ""}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True, timeout=300, env=env)
    assert result.returncode == 0, f"{where}:\n{result.stderr}"


@pytest.mark.parametrize(("where", "text"), blocks("yaml"), ids=[w for w, _ in blocks("yaml")])
def test_yaml_examples_are_valid(where: str, text: str, tmp_path: Path) -> None:
    data = yaml.safe_load(text)
    assert isinstance(data, dict), where
    if "pack" in data:
        path = tmp_path / "example.yaml"
        path.write_text(text, encoding="utf-8")
        try:
            nba.Engine.from_path(path)
        except RulePackError as exc:
            pytest.fail(f"{where}: {exc}")
    elif "scenarios" in data:
        from nba.tools.scenarios import ScenarioFile

        ScenarioFile.model_validate(data)


def test_the_signal_table_is_current() -> None:
    assert signals_markdown() in (DOCS / "signals.md").read_text(encoding="utf-8"), "regenerate the table with `nba signals`"


def test_the_timing_table_is_current() -> None:
    from nba.tools.timing import timing_markdown

    page = (DOCS / "timing-and-urgency.md").read_text(encoding="utf-8")
    assert timing_markdown(nba.Engine.from_path(REPO / "rules")) in page, "regenerate the table with `nba timing`"


def test_every_signal_and_placeholder_is_documented() -> None:
    from nba.writing import CONTEXT_PLACEHOLDERS

    authoring = (DOCS / "authoring.md").read_text(encoding="utf-8")
    for name in CONTEXT_PLACEHOLDERS:
        assert f"{{{name}}}" in authoring, f"placeholder {{{name}}} is not in docs/authoring.md"


def test_the_site_builds_strictly(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
                            cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "authoring" / "index.html").exists()


def test_the_readme_commands_work_as_written_after_the_quick_start(tmp_path: Path) -> None:
    """Every command of README's "Use it" runs, as written, from a checkout where the Quick start made .venv."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Use it", 1)[1].split("\n## ", 1)[0]
    [script] = [body for lang, body in BLOCK.findall(section) if lang == "sh"]
    venv = Path(sys.executable).parent.parent
    if not (venv / "bin" / "nba").exists():
        pytest.skip("the nba command is not installed in this environment (pip install . makes it)")
    for name, target in (("examples", REPO / "examples"), ("rules", REPO / "rules"), (".venv", venv)):
        (tmp_path / name).symlink_to(target)
    result = subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=tmp_path, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    assert (tmp_path / "ledger.sqlite").exists() and (tmp_path / "decisions.jsonl").exists()
    assert "что сделать сегодня" in result.stdout


def test_every_promise_names_tests_that_exist() -> None:
    page = (DOCS / "promises.md").read_text(encoding="utf-8")
    named = re.findall(r"`(tests/[\w/]+\.py)(?:::(\w+))?`", page)
    assert len(named) >= 15
    for path, test in named:
        assert (REPO / path).is_file(), path
        if test:
            assert f"def {test}(" in (REPO / path).read_text(encoding="utf-8"), f"{path}::{test}"
