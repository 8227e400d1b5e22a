"""The portfolio report: renewal, risk and revenue metrics over a book of accounts, and a chart."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from html import escape
from typing import Any

from .decision import Decision
from .errors import InputError
from .snapshot import AccountSnapshot

_COLOURS = {"green": "#3a9d5d", "yellow": "#e0b030", "red": "#d0463c"}
_DONE = ("renewed", "cancelled", "churned")


def _pct(part: float, whole: float) -> float | None:
    return round(part / whole * 100, 1) if whole else None


@dataclass
class PortfolioReport:
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
    # currency -> renewal month -> risk level -> annual contract value
    value_by_month: dict[str, dict[str, dict[str, float]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(lambda: defaultdict(float))))
    per_owner_week: Counter[tuple[str, str]] = field(default_factory=Counter)

    def add(self, snapshot: AccountSnapshot, decision: Decision) -> None:
        """Count one account."""
        contract, revenue = snapshot.contract, snapshot.revenue
        today = decision.as_of.date()
        self.as_of = today
        self.accounts += 1
        self.risk[decision.risk.level] += 1
        annual = contract.annual_value
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
            month = decision.renewal.end_date.strftime("%Y-%m")
            self.by_month[month][decision.risk.level] += 1
            self.value_by_month[currency][month][decision.risk.level] += annual
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

    def chart_svg(self, by: str = "accounts", currency: str | None = None) -> str:
        """A stacked bar chart of the renewal pipeline by month and risk level, as SVG, with a y-axis and the
        numbers on the bars: `by` "accounts" counts accounts; "value" sums their annual contract value in
        `currency` (default: the currency with the most value in the pipeline), the value at risk."""
        if by == "value":
            if currency and self.value_by_month and currency not in self.value_by_month:
                # A currency no account is billed in (a typo, a lower-case code) would chart an empty pipeline.
                known = {c.upper(): c for c in self.value_by_month}
                if currency.upper() not in known:
                    raise InputError(f"currency {currency!r}: no account in the renewal pipeline is billed in it; "
                                     f"its currencies: {', '.join(sorted(self.value_by_month))}")
                currency = known[currency.upper()]
            currency = currency or max(self.value_by_month, key=lambda c: (sum(sum(m.values()) for m in
                                                                           self.value_by_month[c].values()), c),
                                       default="")
            data: dict[str, dict[str, float]] = {m: dict(v) for m, v in self.value_by_month.get(currency, {}).items()}
            title = f"Renewal pipeline: annual contract value ({currency}) by renewal month and risk"
            axis = f"annual value, {currency}"
        else:
            data = {m: {k: float(v) for k, v in c.items()} for m, c in self.by_month.items()}
            title = "Renewal pipeline: accounts by renewal month and risk"
            axis = "accounts"
        months = sorted(data)
        left, bottom, top_pad, bar, step = 78, 40, 40, 32, 48
        width, height = max(360, left + 20 + step * len(months)), 300
        highest = max((sum(data[m].values()) for m in months), default=0.0)
        ticks = _ticks(highest)
        ceiling = ticks[-1] if ticks[-1] > 0 else 1.0
        scale = (height - bottom - top_pad) / ceiling
        base = height - bottom
        parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="11">',
                 f'<text x="{left}" y="16" font-size="13">{escape(title)}</text>',
                 f'<text x="12" y="{top_pad - 8}" font-size="10">{escape(axis)}</text>',
                 f'<line x1="{left}" y1="{base}" x2="{width - 10}" y2="{base}" stroke="#444"/>',
                 f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{base}" stroke="#444"/>']
        for tick in ticks:
            y = base - tick * scale
            parts.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" stroke="#ddd"/>'
                         f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{_amount(tick)}</text>')
        for i, month in enumerate(months):
            x, y = left + 10 + i * step, float(base)
            for level in ("green", "yellow", "red"):
                amount = data[month].get(level, 0.0)
                if amount:
                    h = amount * scale
                    y -= h
                    parts.append(f'<rect x="{x}" y="{y:.1f}" width="{bar}" height="{h:.1f}" fill="{_COLOURS[level]}">'
                                 f"<title>{escape(month)} {level}: {_amount(amount)}</title></rect>")
                    if h >= 12:  # the number inside its segment when it fits
                        parts.append(f'<text x="{x + bar / 2}" y="{y + h / 2 + 4:.1f}" text-anchor="middle" '
                                     f'fill="#fff">{_amount(amount)}</text>')
            total = sum(data[month].values())
            parts.append(f'<text x="{x + bar / 2}" y="{y - 4:.1f}" text-anchor="middle">{_amount(total)}</text>')
            parts.append(f'<text x="{x + bar / 2}" y="{base + 14}" text-anchor="middle">{escape(month)}</text>')
        for i, level in enumerate(("green", "yellow", "red")):
            parts.append(f'<rect x="{left + i * 70}" y="{height - 14}" width="10" height="10" fill="{_COLOURS[level]}"/>'
                         f'<text x="{left + 14 + i * 70}" y="{height - 5}">{level}</text>')
        parts.append("</svg>")
        return "\n".join(parts) + "\n"


def _ticks(highest: float) -> list[float]:
    """Round tick values from 0 to at least `highest` (4-6 steps of 1, 2 or 5 times a power of ten)."""
    if highest <= 0:
        return [0.0, 1.0]
    raw = highest / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    count = math.ceil(highest / step)
    return [step * k for k in range(count + 1)]


def _amount(value: float) -> str:
    """A count or an amount as a short label: 7, 2,400, 1.2M."""
    if value >= 1_000_000:
        return f"{value / 1_000_000:.3g}M"
    return f"{value:,.0f}"
