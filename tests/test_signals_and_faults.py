"""Interrupted runs: one line and a conventional exit status, no workers left behind, no temporary files left over."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers import EXAMPLES, REPO

from nba.output import write_atomically


def big_book(tmp_path: Path, copies: int = 100) -> Path:
    lines = (EXAMPLES / "book.jsonl").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(lines * copies) + "\n", encoding="utf-8")
    return path


def processes_mentioning(marker: str) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().replace(b"\x00", b" ").decode(errors="replace")
            except OSError:
                continue
            if marker in cmdline:
                found.append(f"{entry.name}: {cmdline}")
    return found


def _interruptible() -> None:
    """In the child before it runs: Ctrl-C as a terminal delivers it. A shell starts a background job with SIGINT
    ignored, and Python keeps ignoring what it inherits ignored, so a test suite run that way would see the
    run finish instead of stop."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to list processes")
@pytest.mark.parametrize(("signum", "status", "line"), [(signal.SIGTERM, 143, "nba: terminated"),
                                                        (signal.SIGINT, 130, "nba: interrupted")])
def test_a_stopped_run_with_workers_says_one_line_and_leaves_nothing_behind(tmp_path: Path, signum: int, status: int,
                                                                             line: str) -> None:
    out = tmp_path / "decisions-unique-marker.jsonl"
    run = subprocess.Popen([sys.executable, "-m", "nba", "evaluate-portfolio", str(big_book(tmp_path)), "--as-of",
                            "2025-03-31T09:00", "--out", str(out), "--workers", "2"],
                           cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           preexec_fn=_interruptible)
    time.sleep(2.0)  # the workers are busy by now
    assert run.poll() is None, "the run finished before it could be stopped: make the book bigger"
    run.send_signal(signum)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == status, stderr
    assert line in stderr and "Traceback" not in stderr
    deadline = time.time() + 10
    while processes_mentioning(str(out)) and time.time() < deadline:
        time.sleep(0.1)
    assert processes_mentioning(str(out)) == []  # no orphaned worker
    assert not out.exists() and list(tmp_path.glob(".*.tmp")) == []  # nothing half-written


def test_a_temporary_file_left_by_a_killed_run_is_removed_by_the_next(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    leftover = tmp_path / f".out.jsonl.{dead_pid}.abc123.tmp"
    leftover.write_text("half a run", encoding="utf-8")
    mine = tmp_path / f".out.jsonl.{os.getpid()}.xyz789.tmp"  # a live process's: not touched
    mine.write_text("in progress", encoding="utf-8")
    write_atomically(tmp_path / "out.jsonl", "whole\n")
    assert not leftover.exists() and mine.exists()
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == "whole\n"
