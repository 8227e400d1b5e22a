"""The renewal pipeline: which stage a contract is in, from its term, end date and status."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from .decision import Renewal
from .packs.model import RenewalSettings
from .snapshot import Contract
from .vocab import ContractStatus, RenewalStage, Term

#: Stages between the window opening and the signing deadline, each a quarter of that span.
_STAGES: tuple[RenewalStage, ...] = ("assessment", "value_call", "offer", "negotiation")

#: Windows for terms a pack's renewal settings leave out.
_DEFAULT_WINDOWS = RenewalSettings().window_days


class RenewalTerms(NamedTuple):
    """The contract facts a renewal stage depends on: all of them, so they can key a cache."""

    term: Term
    status: ContractStatus
    end_date: dt.date
    renewed_until: dt.date | None

    @classmethod
    def of(cls, contract: Contract) -> RenewalTerms:
        """The renewal terms of a snapshot's contract."""
        return cls(contract.term, contract.status, contract.end_date, contract.renewed_until)


def renewal_status(contract: RenewalTerms, today: dt.date, settings: RenewalSettings) -> tuple[Renewal, bool]:
    """The contract's renewal facts at `today`, and whether its renewal window is open.

    Between the window opening and the signing deadline, the four working stages take a quarter
    of that span each: assessment, value_call, offer, negotiation. A renewed contract with
    `renewed_until` is tracked against its new period.
    """
    window = settings.window_days.get(contract.term) or _DEFAULT_WINDOWS[contract.term]
    deadline_days = settings.signing_deadline_days.get(contract.term, min(30, window - 1))
    end = contract.renewed_until if contract.status == "renewed" and contract.renewed_until else contract.end_date
    days_left = (end - today).days
    opens = end - dt.timedelta(days=window)
    deadline = end - dt.timedelta(days=deadline_days)
    span = window - deadline_days
    stage: RenewalStage
    stage_ends: dt.date | None = None
    if contract.status == "renewed":
        stage = "renewed"
    elif contract.status in ("cancelled", "churned"):
        stage = "closed"
    elif days_left > window:
        stage, stage_ends = "not_started", opens - dt.timedelta(days=1)
    elif days_left < 0:
        stage = "overdue"
    elif days_left <= deadline_days:
        stage, stage_ends = "signing", end
    else:
        index = min(len(_STAGES) - 1, (window - days_left) * len(_STAGES) // span)
        stage = _STAGES[index]
        # The stage lasts while (window - days_left) * 4 // span stays at `index`.
        last_elapsed = -(-((index + 1) * span) // len(_STAGES)) - 1
        stage_ends = opens + dt.timedelta(days=last_elapsed)
    open_ = contract.status == "active" and days_left <= window
    renewal = Renewal(end_date=end, days_left=days_left, stage=stage, window_opens=opens, deadline=deadline,
                      stage_ends=stage_ends)
    return renewal, open_
