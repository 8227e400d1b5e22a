"""The portfolio report: renewal, risk and revenue metrics over a book of accounts, and a chart."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .decision import Decision
from .snapshot import AccountSnapshot

_PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "annual": 1}
_COLOURS = {"green": "#3a9d5d", "yellow": "#e0b030", "red": "#d0463c"}
_DONE = ("renewed", "cancelled", "churned")


def _pct(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 1) if whole else None


@dataclass
class Report:
    """Accumulates one account at a time (memory grows with owners and months, not accounts)."""

    as_of: dt.date | None = None
    accounts: int = 0
    due_for_renewal: int = 0
    renewed: int = 0
    renewed_with_revenue: int = 0
    expanded: int = 0
    red_resolved: int = 0
    red_saved: int = 0
    risk: Counter[str] = field(default_factory=Counter)
    churn_reasons: Counter[str] = field(default_factory=Counter)
    pipeline: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    pipeline_red: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    arr_start: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    arr_now: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    arr_kept: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    by_month: dict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    per_owner_week: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, snapshot: AccountSnapshot, decision: Decision) -> None:
        """Count one account."""
        contract, revenue = snapshot.contract, snapshot.revenue
        today = decision.as_of.date()
        self.as_of = today
        self.accounts += 1
        self.risk[decision.risk.level] += 1
        annual = contract.price * _PERIODS_PER_YEAR[contract.billing_period]
        currency = contract.currency
        ended_this_year = contract.end_date <= today and (today - contract.end_date).days <= 365
        if ended_this_year and (contract.status in _DONE or contract.status == "active"):
            self.due_for_renewal += 1
            if contract.status == "renewed":
                self.renewed += 1
                if revenue is not None and revenue.expansion_arr is not None:
                    self.renewed_with_revenue += 1
                    self.expanded += revenue.expansion_arr > 0
        if contract.status in ("cancelled", "churned") and contract.churn_reason:
            self.churn_reasons[contract.churn_reason] += 1
        if contract.was_red and contract.status in _DONE:
            self.red_resolved += 1
            self.red_saved += contract.status == "renewed"
        if contract.status == "active" and decision.renewal.stage not in ("not_started", "closed"):
            self.pipeline[currency] += annual
            if decision.risk.level == "red":
                self.pipeline_red[currency] += annual
            self.by_month[decision.renewal.end_date.strftime("%Y-%m")][decision.risk.level] += 1
        if revenue is not None and revenue.arr_year_ago:
            lost = contract.status in ("cancelled", "churned")
            now = 0.0 if lost else (revenue.arr if revenue.arr is not None else annual)
            expansion = revenue.expansion_arr or 0.0
            self.arr_start[currency] += revenue.arr_year_ago
            self.arr_now[currency] += now
            self.arr_kept[currency] += min(max(now - expansion, 0.0), revenue.arr_year_ago)
        for action in decision.actions:
            week = action.due.strftime("%G-W%V")
            self.per_owner_week[(action.owner or action.owner_role, week)] += 1

    def metrics(self) -> dict[str, Any]:
        """The metrics as data; a metric whose data the snapshots lack is None."""
        return {
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "accounts": self.accounts,
            "renewal_rate_pct": _pct(self.renewed, self.due_for_renewal),
            "due_for_renewal": self.due_for_renewal,
            "at_risk_pipeline_pct": {c: _pct(self.pipeline_red[c], v) for c, v in sorted(self.pipeline.items())},
            "save_rate_pct": _pct(self.red_saved, self.red_resolved),
            "expansion_rate_pct": _pct(self.expanded, self.renewed_with_revenue),
            "grr_pct": {c: _pct(self.arr_kept[c], v) for c, v in sorted(self.arr_start.items())},
            "nrr_pct": {c: _pct(self.arr_now[c], v) for c, v in sorted(self.arr_start.items())},
            "churn_reasons": dict(self.churn_reasons.most_common()),
            "risk": {level: self.risk[level] for level in ("green", "yellow", "red")},
            "actions_per_owner_week": [{"owner": o, "week": w, "actions": n} for (o, w), n in sorted(self.per_owner_week.items())],
            "risk_by_renewal_month": {m: {lv: c[lv] for lv in ("green", "yellow", "red")} for m, c in sorted(self.by_month.items())},
        }

    def table(self) -> str:
        """The metrics for people."""
        m = self.metrics()

        def show(value: object) -> str:
            if value is None:
                return "n/a (the snapshots lack the data)"
            if isinstance(value, dict):
                return ", ".join(f"{k} {show(v)}" for k, v in value.items()) or "n/a"
            return f"{value}%" if isinstance(value, float) else str(value)

        lines = [
            f"Portfolio as of {m['as_of']}: {m['accounts']} accounts",
            f"Renewal rate:          {show(m['renewal_rate_pct'])} of {m['due_for_renewal']} due (target 85-95%)",
            f"At-risk pipeline:      {show(m['at_risk_pipeline_pct'])} (target < 15%)",
            f"Save rate:             {show(m['save_rate_pct'])} (target > 50%)",
            f"Expansion rate:        {show(m['expansion_rate_pct'])} (target 20-40%)",
            f"GRR:                   {show(m['grr_pct'])} (target 85-95%)",
            f"NRR:                   {show(m['nrr_pct'])} (best SaaS 110-130%)",
            f"Risk:                  green {m['risk']['green']}, yellow {m['risk']['yellow']}, red {m['risk']['red']}",
            "Churn reasons:         " + (", ".join(f"{k} {v}" for k, v in m["churn_reasons"].items()) or "none recorded"),
            "",
            "Actions per owner per week:",
        ]
        lines += [f"  {row['owner']:<28} {row['week']}  {row['actions']}" for row in m["actions_per_owner_week"]]
        return "\n".join(lines) + "\n"

    def chart_svg(self) -> str:
        """A stacked bar chart of the pipeline's risk levels by renewal month, as SVG."""
        months = sorted(self.by_month)
        width, height, left, bottom, bar = max(320, 60 + 48 * len(months)), 260, 40, 40, 32
        top = max((sum(self.by_month[m].values()) for m in months), default=1) or 1
        scale = (height - bottom - 30) / top
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
                 f'<text x="{left}" y="16" font-size="13">Renewal pipeline by month and risk</text>',
                 f'<line x1="{left}" y1="{height - bottom}" x2="{width - 10}" y2="{height - bottom}" stroke="#444"/>']
        for i, month in enumerate(months):
            x, y = left + 10 + i * 48, float(height - bottom)
            for level in ("green", "yellow", "red"):
                count = self.by_month[month][level]
                if count:
                    h = count * scale
                    y -= h
                    parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{_COLOURS[level]}">'
                                 f"<title>{escape(month)} {level}: {count}</title></rect>")
            parts.append(f'<text x="{x + bar / 2}" y="{height - bottom + 14}" text-anchor="middle">{escape(month)}</text>')
        for i, level in enumerate(("green", "yellow", "red")):
            parts.append(f'<rect x="{left + i * 70}" y="{height - 14}" width="10" height="10" fill="{_COLOURS[level]}"/>'
                         f'<text x="{left + 14 + i * 70}" y="{height - 5}">{level}</text>')
        parts.append("</svg>")
        return "\n".join(parts) + "\n"
