"""`nba test`: scenario tests in YAML next to the packs — given a snapshot and an as-of, expect these results."""

from __future__ import annotations

import copy
import datetime as dt
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from ..models import FrozenModel
from ..decision import Decision
from ..engine import Engine
from ..errors import Problem, RulePackError
from ..packs.loader import Loc, Mark, locate, read_yaml, sort_problems, validation_problems
from ..snapshot import AccountSnapshot
from ..conditions.checker import suggest
from ..lifecycle import OVERDUE_ESCALATION
from ..patterns import names_rule
from ..snapshot import HistoryEntry
from ..vocab import ActionStatus, DiscountOutcome, HistoryStatus, Outcome as OutcomeName, RenewalStage, RiskLevel

SUFFIXES = (".test.yaml", ".test.yml")


class Expect(FrozenModel):
    """What a scenario expects of the decision."""

    actions: list[str] = Field(default_factory=list, description="rule ids that must produce an action (leading or merged)")
    no_actions: list[str] = Field(default_factory=list, description="rule ids, or pack names, that must produce none")
    only_actions: list[str] | None = Field(default=None, description="exactly these rule ids produce actions")
    risk: RiskLevel | None = None
    stage: RenewalStage | None = None
    discount: DiscountOutcome | Literal["none"] | None = Field(default=None, description="the discount outcome, or none")
    due_by: dict[str, dt.datetime] = Field(default_factory=dict, description="rule id -> the latest acceptable due")
    due_at: dict[str, dt.datetime] = Field(default_factory=dict, description="rule id -> exactly this due (same moment)")
    owner_role: dict[str, str] = Field(default_factory=dict, description="rule id -> the owner role of its action")
    text_contains: dict[str, str] = Field(default_factory=dict, description="rule id -> words its action's text contains")
    suppressed: list[str] = Field(default_factory=list, description="rule ids held back (by arbitration, or by the history)")
    status: dict[str, ActionStatus] = Field(default_factory=dict, description="rule id -> the status of its action: new, open, overdue")
    withdrawn: list[str] = Field(default_factory=list, description="rule ids whose open action is withdrawn")


class PastAction(FrozenModel):
    """An action issued earlier, for the scenario's action history: named by its rule, its id found by nba."""

    rule: str = Field(min_length=1, description="pack/rule whose action it was")
    status: HistoryStatus
    outcome: OutcomeName | None = None
    issued_at: dt.datetime | None = Field(default=None, description="when it was issued (default: the scenario's as_of); "
                                          "the snapshot is evaluated then to find the action's id and due")
    closed_at: dt.datetime | None = None


class Scenario(FrozenModel):
    """One scenario: a snapshot (a file or inline), optional changes to it, an as-of, expectations."""

    name: str = Field(min_length=1)
    snapshot: str | dict[str, Any] = Field(description="a name from the file's `snapshots`, a JSON file path, or inline")
    patch: dict[str, Any] = Field(default_factory=dict, description="merged into the snapshot: mappings merge, other values replace")
    as_of: dt.datetime
    history: list[PastAction] = Field(default_factory=list, description="actions issued earlier and what became of them")
    expect: Expect


class ScenarioFile(FrozenModel):
    """A file of scenarios; `rules` is the packs folder (default: the folder of the file)."""

    rules: str | None = None
    snapshots: dict[str, dict[str, Any]] = Field(default_factory=dict, description="named snapshots the scenarios start from")
    scenarios: list[Scenario] = Field(min_length=1)


@dataclass
class Outcome:
    """The result of one scenario."""

    file: str
    name: str
    failures: list[str]
    fired: set[str] = field(default_factory=set)

    @property
    def passed(self) -> bool:
        """Whether every expectation held."""
        return not self.failures


@dataclass
class ScenarioReport:
    """Every scenario's outcome, the rules no scenario exercised, and the problems that stopped a file."""

    outcomes: list[Outcome]
    uncovered: list[str]
    rule_count: int
    problems: list[Problem]
    seconds: float


def collect(paths: Sequence[str | Path]) -> list[Path]:
    """The scenario files under `paths` (folders are searched recursively)."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.name.endswith(SUFFIXES)))
        elif path.exists():
            found.append(path)
    return found


def run(paths: Sequence[str | Path], rules: str | Path | None = None, *, evaluate: bool = True) -> ScenarioReport:
    """Run every scenario under `paths` against its packs (with `evaluate=False`, only check them: lint)."""
    start = time.perf_counter()
    problems: list[Problem] = []
    outcomes: list[Outcome] = []
    engines: dict[Path, Engine | None] = {}  # None: the packs did not load (their problems are reported once)
    for raw in paths:
        if not Path(raw).exists():
            problems.append(Problem(str(raw), None, None, "no such file or folder", code="file.missing"))
    for file in collect(paths):
        display = str(file)
        data, marks, found = read_yaml(file, display)
        if found or data is None:
            problems.extend(found)
            continue
        try:
            spec = ScenarioFile.model_validate(data)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, ScenarioFile, display, marks))
            continue
        folder = Path(rules) if rules else (file.parent / spec.rules if spec.rules else file.parent)
        folder = folder.resolve()
        if folder not in engines:
            try:
                engines[folder] = Engine.from_path(folder)
            except RulePackError as exc:
                problems.extend(exc.problems)
                engines[folder] = None
        engine = engines[folder]
        if engine is None:
            continue
        broken = set()
        for name, data in spec.snapshots.items():  # each named snapshot is checked once, where it is defined
            try:
                AccountSnapshot.model_validate(data)
            except ValidationError as exc:
                problems.extend(validation_problems(exc, AccountSnapshot, display, marks, prefix=("snapshots", name)))
                broken.add(name)
        for i, scenario in enumerate(spec.scenarios):
            unknown = _unknown_names(scenario, engine, display, i, marks)
            if unknown:
                problems.extend(unknown)
                continue
            if isinstance(scenario.snapshot, str) and scenario.snapshot in broken:
                continue
            snapshot = _snapshot(scenario, spec.snapshots, file, i, marks, problems)
            if snapshot is None:
                continue
            if scenario.history:
                snapshot = _with_history(engine, scenario, snapshot, display, i, marks, problems)
                if snapshot is None:
                    continue
            if evaluate:
                outcomes.append(_check(display, scenario, engine.evaluate(snapshot, as_of=scenario.as_of)))
    exercised = {r for o in outcomes for r in o.fired}
    all_rules = sorted({r for e in engines.values() if e is not None for r in e.rule_ids})
    return ScenarioReport(outcomes, [r for r in all_rules if r not in exercised], len(all_rules), sort_problems(problems),
                  time.perf_counter() - start)


def _unknown_names(scenario: Scenario, engine: Engine, file: str, index: int, marks: dict[Loc, Mark]) -> list[Problem]:
    """Rule ids (and pack names, where a field takes them) that the packs do not have: a typo must not pass silently."""
    rules = set(engine.rule_ids) | {OVERDUE_ESCALATION}
    packs = set(engine.ruleset.packs)
    expect = scenario.expect
    named: list[tuple[Loc, str, bool]] = []  # where, the name, whether a pack name is allowed
    for field_name in ("actions", "only_actions", "suppressed", "withdrawn", "no_actions"):
        for k, name in enumerate(getattr(expect, field_name) or ()):
            named.append((("scenarios", index, "expect", field_name, k), name, field_name == "no_actions"))
    for field_name in ("due_by", "due_at", "owner_role", "text_contains", "status"):
        for name in getattr(expect, field_name):
            named.append((("scenarios", index, "expect", field_name, name), name, False))
    for k, past in enumerate(scenario.history):
        named.append((("scenarios", index, "history", k, "rule"), past.rule, False))
    problems = []
    for loc, name, pack_allowed in named:
        candidate = name.rstrip("/*")
        if name in rules or (pack_allowed and candidate in packs):
            continue
        choices = sorted(rules | packs) if pack_allowed else sorted(rules)
        close = suggest(name, choices)
        key_loc = (*loc, "__key__")
        problems.append(locate(file, marks, key_loc if key_loc in marks else loc,
                               f"no rule{' or pack' if pack_allowed else ''} `{name}` in the packs under test",
                               f"did you mean `{close}`?" if close else "rules are written pack/rule", code="scenario.unknown_rule"))
    return problems


def _snapshot(scenario: Scenario, named: dict[str, dict[str, Any]], file: Path, index: int, marks: dict[Loc, Mark],
              problems: list[Problem]) -> AccountSnapshot | None:
    loc: tuple[str | int, ...] = ("scenarios", index, "snapshot")
    if isinstance(scenario.snapshot, str) and scenario.snapshot in named:
        data = named[scenario.snapshot]
    elif isinstance(scenario.snapshot, str):
        path = (file.parent / scenario.snapshot)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            problems.append(locate(str(file), marks, loc, f"cannot read snapshot {scenario.snapshot}: {exc}",
                                   code="scenario.snapshot"))
            return None
    else:
        data = scenario.snapshot
    data = deep_merge(data, scenario.patch)
    try:
        return AccountSnapshot.model_validate(data)
    except ValidationError as exc:
        where = loc if isinstance(scenario.snapshot, dict) else ("scenarios", index, "patch")
        problems.extend(validation_problems(exc, AccountSnapshot, str(file), marks, prefix=where))
        return None


def _with_history(engine: Engine, scenario: Scenario, snapshot: AccountSnapshot, file: str, index: int,
                  marks: dict[Loc, Mark], problems: list[Problem]) -> AccountSnapshot | None:
    """The snapshot with the scenario's past actions, each id and due found by evaluating when it was issued."""
    entries: list[HistoryEntry] = []
    for k, past in enumerate(scenario.history):
        issued = past.issued_at or scenario.as_of
        decision = engine.evaluate(snapshot, as_of=issued)
        found = [(a.id, a.due, a.contact.id if a.contact else None) for a in decision.actions if a.rule == past.rule]
        found += [(i, a.due, a.contact.id if a.contact else None) for a in decision.actions
                  for i, r in zip(a.merged_ids, a.merged_rules, strict=True) if r == past.rule]
        if not found:
            made = ", ".join(sorted({a.rule for a in decision.actions})) or "none"
            problems.append(locate(file, marks, ("scenarios", index, "history", k, "rule"),
                                   f"{past.rule} produces no action at {issued.isoformat()} to put in the history",
                                   f"actions at that moment come from: {made}", code="scenario.history"))
            return None
        ident, due, contact = found[0]
        entries.append(HistoryEntry(id=ident, rule=past.rule, status=past.status, contact_id=contact, issued_at=issued,
                                    due=due, closed_at=past.closed_at, outcome=past.outcome))
    return snapshot.model_copy(update={"action_history": [*snapshot.action_history, *entries]})


def deep_merge(base: Any, changes: dict[str, Any]) -> Any:
    """A deep copy of `base` with `changes` merged in: nested mappings merge, other values (lists too) replace.

    How a scenario's `patch` is laid over its base snapshot (and how the tests build their fixtures).
    """
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def _check(file: str, scenario: Scenario, decision: Decision) -> Outcome:
    expect = scenario.expect
    by_rule = {a.rule: a for a in decision.actions}
    fired = set(by_rule) | {m for a in decision.actions for m in a.merged_rules}
    lead_of = {m: a for a in decision.actions for m in a.merged_rules} | by_rule
    failures: list[str] = []
    listing = ", ".join(sorted(fired)) or "none"
    for rule in expect.actions:
        if rule not in fired:
            failures.append(f"expected an action from {rule}; actions came from: {listing}")
    for pattern in expect.no_actions:
        hits = [r for r in fired if names_rule(pattern, r)]
        if hits:
            failures.append(f"expected no action from {pattern}; got {', '.join(sorted(hits))}")
    if expect.only_actions is not None and fired != set(expect.only_actions):
        failures.append(f"expected actions from exactly {', '.join(sorted(expect.only_actions)) or 'none'}; got {listing}")
    if expect.risk is not None and decision.risk.level != expect.risk:
        failures.append(f"expected risk {expect.risk}; got {decision.risk.level} (score {decision.risk.score:g}: "
                        f"{', '.join(decision.risk.reasons) or 'no measure'})")
    if expect.stage is not None and decision.renewal.stage != expect.stage:
        failures.append(f"expected renewal stage {expect.stage}; got {decision.renewal.stage}")
    if expect.discount is not None:
        got = decision.discount.outcome if decision.discount else "none"
        if got != expect.discount:
            failures.append(f"expected discount outcome {expect.discount}; got {got}")
    for rule, latest in expect.due_by.items():
        action = lead_of.get(rule)
        if action is None:
            failures.append(f"expected {rule} due by {latest.isoformat()}; it produced no action")
        elif action.due > (latest if latest.tzinfo else latest.replace(tzinfo=action.due.tzinfo)):
            failures.append(f"expected {rule} due by {latest.isoformat()}; it is due {action.due.isoformat()}")
    for rule, wanted in expect.due_at.items():
        action = lead_of.get(rule)
        if action is None:
            failures.append(f"expected {rule} due at {wanted.isoformat()}; it produced no action")
        elif action.due != (wanted if wanted.tzinfo else wanted.replace(tzinfo=action.due.tzinfo)):
            failures.append(f"expected {rule} due at {wanted.isoformat()}; it is due {action.due.isoformat()}")
    for rule, role in expect.owner_role.items():
        action = lead_of.get(rule)
        if action is None or action.owner_role != role:
            failures.append(f"expected {rule} owned by {role}; got {action.owner_role if action else 'no action'}")
    for rule, words in expect.text_contains.items():
        action = lead_of.get(rule)
        if action is None or words not in action.text:
            failures.append(f"expected {rule}'s text to contain {words!r}; got {action.text if action else 'no action'!r}")
    held = {s.rule for s in decision.suppressed}
    for rule in expect.suppressed:
        if rule not in held:
            failures.append(f"expected {rule} to be held back; held back: {', '.join(sorted(held)) or 'none'}")
    for rule, status in expect.status.items():
        action = by_rule.get(rule)
        if action is None or action.status != status:
            failures.append(f"expected {rule}'s action to be {status}; got {action.status if action else 'no action'}")
    gone = {w.rule for w in decision.withdrawn}
    for rule in expect.withdrawn:
        if rule not in gone:
            failures.append(f"expected {rule}'s open action to be withdrawn; withdrawn: {', '.join(sorted(gone)) or 'none'}")
    return Outcome(file, scenario.name, failures, fired)
