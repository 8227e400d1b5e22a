"""Action patterns used by arbitration settings: `pack/rule` globs, `kind:NAME`, `channel:NAME`."""

from __future__ import annotations

from fnmatch import fnmatchcase

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
