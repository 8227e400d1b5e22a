"""The yardstick of bench/cli_vs_script.py: the five required rules written naively by hand over json.loads/json.dumps.

    python bench/handwritten.py BOOK.jsonl OUT.jsonl 2025-03-31T09:00

What a team would write instead of adopting nba: no validation, a calendar of weekends and public
holidays (the `holidays` package, as the domain requires), no arbitration, no texts beyond one line,
no explanations. One JSON line in, one JSON line out per account.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from functools import cache
from zoneinfo import ZoneInfo

import holidays

EXPORT_WORDS = ("export all", "all our data", "full dump", "выгрузить всю", "все наши данные", "полную выгрузку")


@cache
def days_off(country: str, year: int) -> frozenset[dt.date]:
    """Public holidays of a country in a year."""
    return frozenset(holidays.country_holidays(country, years=year))


def next_working_morning(local: dt.datetime, country: str) -> dt.datetime:
    """10:00 on the next working day after `local`: not a weekend, not a public holiday."""
    day = local.date() + dt.timedelta(days=1)
    while day.weekday() >= 5 or day in days_off(country, day.year):
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(10), local.tzinfo)


def usage_drop_pct(usage: list[dict], today: dt.date) -> float | None:
    """Sessions per day of the last 30 reported days against the 30 before, in percent (the windows end at the
    last reported day: usage data arrives late, and a month not yet reported is not a drop)."""
    def per_day(first: dt.date, last: dt.date) -> float | None:
        total, days = 0.0, 0
        for period in usage:
            start, end = dt.date.fromisoformat(period["period_start"]), dt.date.fromisoformat(period["period_end"])
            overlap = (min(end, last) - max(start, first)).days + 1
            if overlap > 0:
                total += period["sessions"] * overlap / ((end - start).days + 1)
                days += overlap
        return total / days if days else None
    if not usage:
        return None
    end = min(today, max(dt.date.fromisoformat(period["period_end"]) for period in usage))
    recent = per_day(end - dt.timedelta(days=29), end)
    before = per_day(end - dt.timedelta(days=59), end - dt.timedelta(days=30))
    if recent is None or not before:
        return None
    return (before - recent) / before * 100


def decide(account: dict, as_of: dt.datetime) -> dict:
    """The actions of the five required rules for one account."""
    zone = ZoneInfo(account["account"]["timezone"])
    local = as_of.replace(tzinfo=zone) if as_of.tzinfo is None else as_of.astimezone(zone)
    today = local.date()
    due = next_working_morning(local, account["account"]["country"]).isoformat()
    owner = account["account"]["owner"]["name"]
    primary = next((c for c in account.get("contacts", []) if c.get("is_primary")), None)
    actions = []
    drop = usage_drop_pct(account.get("usage", []), today)
    if drop is not None and drop >= 40 and primary:
        actions.append({"rule": "activity_drop", "kind": "call", "due": due, "owner": owner, "contact": primary["name"],
                        "title": f"Usage fell {drop:.0f}%: call {primary['name']}"})
    for request in account.get("requests", []):
        if request.get("kind") == "discount":
            actions.append({"rule": "discount_request", "kind": "call", "due": due, "owner": owner,
                            "title": f"Counter-offer to the discount request of {request.get('at', '')}"})
    for contact in account.get("contacts", []):
        seen = dt.date.fromisoformat(contact["first_seen"])
        if 0 <= (today - seen).days <= 14:
            actions.append({"rule": "new_contact", "kind": "call", "due": due, "owner": owner,
                            "contact": contact["name"], "title": f"Introduce yourself to {contact['name']}"})
    for limit in account.get("limits", []):
        if limit["used"] / limit["limit"] >= 0.9:
            actions.append({"rule": "tariff_limit", "kind": "call", "due": due, "owner": owner,
                            "title": f"{limit['resource']} at {limit['used'] / limit['limit']:.0%}: offer an upgrade"})
    for ticket in account.get("tickets", []):
        if any(word in ticket["subject"].lower() for word in EXPORT_WORDS):
            actions.append({"rule": "data_export", "kind": "call", "due": due, "owner": owner,
                            "title": f"Export request {ticket['id']}: call today"})
    return {"account_id": account["account"]["id"], "as_of": local.isoformat(), "actions": actions}


def main() -> None:
    """Read the book, write one decision line per account."""
    source, target, moment = sys.argv[1], sys.argv[2], dt.datetime.fromisoformat(sys.argv[3])
    with open(source, encoding="utf-8") as book, open(target, "w", encoding="utf-8") as out:
        for line in book:
            if line.strip():
                out.write(json.dumps(decide(json.loads(line), moment), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
