"""`python -m nba` and the `nba` command: start the command line with its start-up kept out of the collector's way."""

from __future__ import annotations

import gc
import importlib
import os
import sys


#: Arguments that only print help or versions: the command then needs none of the engine's machinery.
_HELP_ONLY = frozenset({"-h", "--help", "--version"})


def run() -> int:
    """Run the command line in this process and return its exit status.

    Start-up builds some 75,000 objects (modules, classes, models) that live until the process ends. The cyclic
    collector is paused while the command line is imported, and what the import made is frozen out of later
    collections; otherwise the collector walks all of it during the import, again in a full collection while
    the packs are checked and once more at exit, some 50 ms of a 250 ms start. Library users are unaffected:
    this runs only for the command.

    The command line module itself is light (`nba --help` and `nba --version` need nothing more); the engine and
    its models, which every other command runs, are imported here in the same pause.

    An installation that cannot load (a dependency missing or broken) gets the command's usual one line and
    exit status 2, not a traceback: the line names what failed and how to repair it.
    """
    gc.disable()
    try:
        from .cli import main

        if not _HELP_ONLY.intersection(sys.argv[1:]):
            importlib.import_module(".engine", __package__)  # for the modules it loads, during this pause
    except KeyboardInterrupt:
        sys.stderr.write("nba: interrupted\n")
        return 130
    except Exception as exc:  # noqa: BLE001 - the command's promise starts before its own code has loaded
        if os.environ.get("NBA_DEBUG"):
            raise
        sys.stderr.write(f"nba: cannot start: {type(exc).__name__}: {exc}. This installation is incomplete or broken: "
                         "reinstall nba with its dependencies (pip install --force-reinstall nba, or the README's "
                         "install command in a checkout); NBA_DEBUG=1 shows where it failed\n")
        return 2
    finally:
        gc.freeze()
        gc.enable()
    return main()


if __name__ == "__main__":
    sys.exit(run())
