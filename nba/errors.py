"""The exception hierarchy: every error nba raises on purpose derives from `NbaError`.

Where callers expect a builtin, the error is one too: `UsageError` is a `ValueError`, `UnknownRuleError` a
`KeyError`, `InstallationError` a `FileNotFoundError`, `CalendarError` a `ValueError`, `NotPicklableError`
a `TypeError`, `BackendError` a `RuntimeError`. pydantic's `ValidationError` (a snapshot that is not valid)
is the one exception: it is pydantic's own, and carries the field path in each error's `loc`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a rule pack (or a scenario or settings file), located in its file.

    `code` names the kind of mistake and stays the same across releases and wordings (`yaml.syntax`,
    `schema.missing`, `condition`, `text.placeholder`, ...: docs/authoring.md lists them), so tools can
    tell mistakes apart; `loc` is the path of the value in the file's data, as pydantic's errors have it.
    """

    file: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None
    code: str = "pack"
    loc: tuple[str | int, ...] = ()

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


class NbaError(Exception):
    """Base class of every error raised by nba on purpose."""


class RulePackError(NbaError):
    """A rule pack (or a folder of them) cannot be loaded; `problems` lists every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        count = len(self.problems)
        head = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(f"rule pack not loaded, {head}:\n" + "\n".join(f"  {p}" for p in self.problems))


class ConditionError(NbaError):
    """A condition cannot be parsed, type-checked or run; `position` is the 0-based offset in its text.

    `condition` is set by a backend's `compile` when it refuses one of the conditions it was given: its index.
    """

    def __init__(self, message: str, position: int, hint: str | None = None, *, condition: int | None = None) -> None:
        self.message = message
        self.position = position
        self.hint = hint
        self.condition = condition
        super().__init__(f"{message} (at character {position + 1})" + (f"; {hint}" if hint else ""))


class CalendarError(NbaError, ValueError):
    """No working day or slot can be found for an account (its calendar leaves none within the search horizon)."""


class InputError(NbaError):
    """Input nba was given is unusable (a snapshot file, a record of a book, an option); the message names where."""


class UsageError(NbaError, ValueError):
    """nba was called with an argument it cannot use: an unknown backend name, a naive moment where an aware
    one is needed, a strategy knob out of range."""


class UnknownRuleError(NbaError, KeyError):
    """A rule asked for by id is not among the engine's rules."""


class InstallationError(NbaError, FileNotFoundError):
    """nba's own files are missing from the installation (the shipped packs): reinstall it."""


class ExtraMissingError(NbaError, ImportError):
    """An optional feature needs a package its extra brings (`pip install 'nba[ics]'`); the message says which."""


class BackendError(NbaError, RuntimeError):
    """A condition backend failed while running (durable-rules reported an error)."""


class NotPicklableError(NbaError, TypeError):
    """An engine that cannot be rebuilt in another process was pickled (only engines loaded from files can)."""
