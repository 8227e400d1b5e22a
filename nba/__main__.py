"""`python -m nba` and the `nba` command: start the command line with its start-up kept out of the collector's way."""

from __future__ import annotations

import gc
import sys


def run() -> int:
    """Run the command line in this process and return its exit status.

    Start-up builds some 75,000 objects (modules, classes, models) that live until the process ends. The cyclic
    collector is paused while the command line is imported, and what the import made is frozen out of later
    collections; otherwise the collector walks all of it during the import, again in a full collection while
    the packs are checked and once more at exit, some 50 ms of a 250 ms start. Library users are unaffected:
    this runs only for the command.
    """
    gc.disable()
    try:
        from .cli import main
    finally:
        gc.freeze()
        gc.enable()
    return main()


if __name__ == "__main__":
    sys.exit(run())
