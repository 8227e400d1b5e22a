"""`nba diff`: which accounts gain or lose which actions when packs change — the review step before a change ships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from ..decision import Decision
from ..engine import Engine
from ..inputs import read_portfolio


@dataclass
class AccountDiff:
    """How one account's decision changes from the old packs to the new."""

    account: str
    source: str
    gained: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)

    @property
    def any(self) -> bool:
        """Whether anything differs."""
        return bool(self.gained or self.lost or self.changed)


@dataclass
class DiffReport:
    """Every account's differences, and the records that could not be read."""

    accounts: list[AccountDiff]
    errors: list[str]
    total: int


def _fired(decision: Decision) -> set[str]:
    return {a.rule for a in decision.actions} | {m for a in decision.actions for m in a.merged_rules}


def diff(old: Engine, new: Engine, snapshots: Path, as_of: dt.datetime | None) -> DiffReport:
    """Evaluate every snapshot with both engines and compare."""
    report = DiffReport([], [], 0)
    for record in read_portfolio(snapshots):
        if record.snapshot is None:
            report.errors.append(record.error or record.source)
            continue
        report.total += 1
        a, b = old.evaluate(record.snapshot, as_of=as_of), new.evaluate(record.snapshot, as_of=as_of)
        entry = AccountDiff(a.account_id, record.source, sorted(_fired(b) - _fired(a)), sorted(_fired(a) - _fired(b)))
        if a.risk.level != b.risk.level:
            entry.changed.append(f"risk {a.risk.level} -> {b.risk.level}")
        old_discount = a.discount.outcome if a.discount else "none"
        new_discount = b.discount.outcome if b.discount else "none"
        if old_discount != new_discount:
            entry.changed.append(f"discount {old_discount} -> {new_discount}")
        for action in b.actions:
            before = next((x for x in a.actions if x.rule == action.rule), None)
            if before is not None and before.due != action.due:
                entry.changed.append(f"{action.rule} due {before.due.isoformat()} -> {action.due.isoformat()}")
        if entry.any:
            report.accounts.append(entry)
    return report
