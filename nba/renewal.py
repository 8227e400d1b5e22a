"""The renewal pipeline: which stage a contract is in, from its term, end date and status."""

from __future__ import annotations

import datetime as dt

from .decision import Renewal
from .packs.model import RenewalSettings
from .snapshot import Contract
from .vocab import RenewalStage

#: Stages between the window opening and the signing deadline, each a quarter of that span.
_STAGES: tuple[RenewalStage, ...] = ("assessment", "value_call", "offer", "negotiation")


def renewal_status(contract: Contract, today: dt.date, settings: RenewalSettings) -> tuple[Renewal, bool]:
    """The contract's renewal facts at `today`, and whether its renewal window is open."""
    days_left = (contract.end_date - today).days
    window = settings.window_days.get(contract.term, RenewalSettings().window_days[contract.term])
    deadline_days = settings.signing_deadline_days.get(contract.term, min(30, window - 1))
    opens = contract.end_date - dt.timedelta(days=window)
    deadline = contract.end_date - dt.timedelta(days=deadline_days)
    stage: RenewalStage
    if contract.status == "renewed":
        stage = "renewed"
    elif contract.status in ("cancelled", "churned"):
        stage = "closed"
    elif days_left > window:
        stage = "not_started"
    elif days_left < 0:
        stage = "overdue"
    elif days_left <= deadline_days:
        stage = "signing"
    else:
        elapsed = window - days_left
        span = window - deadline_days
        stage = _STAGES[min(len(_STAGES) - 1, elapsed * len(_STAGES) // span)]
    open_ = contract.status == "active" and days_left <= window
    return Renewal(end_date=contract.end_date, days_left=days_left, stage=stage, window_opens=opens, deadline=deadline), open_
