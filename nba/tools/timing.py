"""`nba timing`: how each rule of a set of packs decides when its action is due and how urgent it is."""

from __future__ import annotations

from ..engine import Engine
from ..messages import english_count
from ..packs.model import DuePolicy


def due_in_words(policy: DuePolicy) -> str:
    """A due policy as a sentence for people."""
    at = f" at {policy.at:%H:%M}" if policy.at is not None else ""
    kind = policy.kind
    if kind == "asap":
        return "the next free slot: today while working hours remain, else the first slot of the next working day"
    if kind == "within_business_days":
        days = policy.within_business_days or 0
        return f"the first slot{at} today" if days == 0 else f"the first slot{at}, within {english_count(days, 'business day')}"
    if kind == "after_business_days":
        return f"on business day {policy.after_business_days} after today{at}"
    if kind == "next_weekday":
        return f"the next {policy.next_weekday}{at}"
    return f"{policy.days_before_end} days before the contract ends{at}"


def timing_markdown(engine: Engine) -> str:
    """Every rule's kind, due, priority and whether contact caps apply, as a Markdown table."""
    rules = engine.ruleset
    rows = ["| rule | kind | when it is due | priority | contact caps |", "|---|---|---|---|---|"]
    for rule in rules.rules:
        action = rule.rule.action
        caps = "exempt (the client asked)" if rule.id in rules.cap_exempt else "apply"
        rows.append(f"| `{rule.id}` | {action.kind} | {due_in_words(action.due)} | {rule.rule.priority} | {caps} |")
    return "\n".join(rows) + "\n"
