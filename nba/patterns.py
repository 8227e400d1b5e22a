"""Action patterns: `pack/rule` globs, `kind:NAME`, `channel:NAME` (arbitration settings), and the rule names
scenario tests use (a pack's name for all of its rules); the one place that says what matches what."""

from __future__ import annotations

from collections.abc import Sequence
from fnmatch import fnmatchcase

from .conditions.checker import suggest
from .vocab import ACTION_KINDS

KIND_PATTERN = "kind:"
CHANNEL_PATTERN = "channel:"

#: How each action kind reaches the client; None for internal work (tasks, escalations).
CHANNEL_OF_KIND: dict[str, str | None] = {
    "call": "call",
    "offer": "call",  # an offer is presented in a call
    "meeting": "meeting",
    "email": "email",
    "task": None,
    "escalation": None,
}


def matches(pattern: str, rule_id: str, kind: str) -> bool:
    """Whether an action of rule `rule_id` and `kind` matches `pattern`."""
    if pattern.startswith(KIND_PATTERN):
        return kind == pattern.removeprefix(KIND_PATTERN)
    if pattern.startswith(CHANNEL_PATTERN):
        return CHANNEL_OF_KIND.get(kind) == pattern.removeprefix(CHANNEL_PATTERN)
    return fnmatchcase(rule_id, pattern)


def names_rule(name: str, rule_id: str) -> bool:
    """Whether a scenario's `name` stands for rule `rule_id`: the rule itself, its pack (`pack`, `pack/*`) or a glob."""
    if "/" not in name:
        return rule_id.split("/", 1)[0] == name
    return fnmatchcase(rule_id, name)


def pattern_problem(pattern: str, rule_ids: Sequence[str]) -> tuple[str, str] | None:
    """Why an action pattern can never match (message, hint), or None when it is fine."""
    if pattern.startswith(KIND_PATTERN):
        kind = pattern.removeprefix(KIND_PATTERN)
        if kind not in ACTION_KINDS:
            close = suggest(kind, ACTION_KINDS)
            return (f"unknown action kind `{kind}` in pattern `{pattern}`",
                    f"did you mean `kind:{close}`?" if close else "kinds: " + ", ".join(ACTION_KINDS))
        return None
    if pattern.startswith(CHANNEL_PATTERN):
        channel = pattern.removeprefix(CHANNEL_PATTERN)
        channels = sorted({c for c in CHANNEL_OF_KIND.values() if c is not None})
        if channel not in channels:
            return f"unknown channel `{channel}` in pattern `{pattern}`", "channels: " + ", ".join(channels)
        return None
    if not any(fnmatchcase(rule_id, pattern) for rule_id in rule_ids):
        close = suggest(pattern, rule_ids)
        return (f"pattern `{pattern}` matches no rule",
                f"did you mean `{close}`?" if close else "write pack/rule, pack/*, kind:NAME or channel:NAME")
    return None
