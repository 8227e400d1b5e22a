"""The exception hierarchy: every error nba raises on purpose derives from `NbaError`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a rule pack, located in its file."""

    file: str
    line: int | None
    column: int | None
    message: str
    hint: str | None = None

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
    """Input given to the command line (a snapshot file, an option) is unusable."""
