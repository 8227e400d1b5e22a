"""A week of mornings over examples/book.jsonl with the ledger: what a team sees when it runs nba every day.

    python examples/morning_week.py [LEDGER]      # default: a fresh ledger in a temporary folder

Each working morning evaluates the whole book against the ledger (`nba evaluate-portfolio --ledger`),
then the managers work through the day: they do most of what was due today, a client declines an
upgrade offer now and then, and an export ticket gets answered. The next morning shows what changed:
no duplicates, done work gone, declined offers held back, answered situations withdrawn, and what was
left undone turning overdue and, after two business days, escalated to the owner's lead.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import nba
from nba.ledger import Ledger
from nba.portfolio import run_portfolio

HERE = Path(__file__).resolve().parent
MORNINGS = [dt.date(2025, 3, 31) + dt.timedelta(days=d) for d in range(5)]  # Monday to Friday


def simulate(ledger_path: Path, work: Path) -> list[dict[str, Any]]:
    """Run the week; returns one summary per morning."""
    engine = nba.Engine.default()
    book = [json.loads(line) for line in (HERE / "book.jsonl").read_text(encoding="utf-8").splitlines()]
    summaries = []
    for n, day in enumerate(MORNINGS):
        source = work / f"book-{day}.jsonl"
        source.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in book), encoding="utf-8")
        as_of = dt.datetime.combine(day, dt.time(8, 30))  # naive: 08:30 in each account's own time zone
        with Ledger(ledger_path) as ledger:
            summary = run_portfolio(engine, source, as_of, out=work / f"decisions-{day}.jsonl", ledger=ledger)
            decisions = [json.loads(line) for line in (work / f"decisions-{day}.jsonl").read_text(encoding="utf-8").splitlines()]
            statuses: dict[str, int] = {}
            for d in decisions:
                for a in d["actions"]:
                    statuses[a["status"]] = statuses.get(a["status"], 0) + 1
            summaries.append({"morning": day.isoformat(), "accounts": summary.accounts, "actions": summary.actions,
                              "created": summary.changes.get("create", 0), "updated": summary.changes.get("update", 0),
                              "closed": summary.changes.get("close", 0), "statuses": statuses,
                              "escalations": sum(1 for d in decisions for a in d["actions"] if a["rule"] == nba.OVERDUE_ESCALATION),
                              "held_back": sum(1 for d in decisions for s in d["suppressed"] if s.get("cause") in ("done", "dismissed", "cooldown"))})
            _work_the_day(ledger, book, day, n)
    return summaries


def _work_the_day(ledger: Ledger, book: list[dict[str, Any]], day: dt.date, n: int) -> None:
    """What the team does during the day: close most of today's work, record declines, answer tickets."""
    evening = dt.datetime.combine(day, dt.time(17, 0), tzinfo=dt.timezone.utc)  # the CRM export's time stamp
    by_id = {a["account"]["id"]: a for a in book}
    for i, action in enumerate(ledger.actions()):
        if action.due.date() > day or i % 4 == n % 4:  # a quarter of the due work slips to another day
            continue
        outcome = "declined" if action.kind == "offer" and i % 3 == 0 else "accepted"
        ledger.close_action(action.id, outcome=outcome, at=evening)
        account = by_id[action.account_id]
        if action.kind in ("call", "meeting", "email", "offer") and action.contact_id:
            channel = action.kind if action.kind != "offer" else "call"
            account.setdefault("touches", []).append({"at": evening.isoformat(), "channel": channel,
                                                      "contact_id": action.contact_id})
        if action.rule == "data_export/clarify_export_purpose":  # the purpose was clarified: the ticket is closed
            account["tickets"] = [t for t in account.get("tickets", []) if not t["subject"].lower().startswith(("как выгрузить", "how do i export"))]


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        ledger = Path(argv[0]) if argv else work / "ledger.sqlite"
        for summary in simulate(ledger, work):
            print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
