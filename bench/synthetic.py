"""Synthetic, realistic account snapshots for benchmarks: seeded, so every run sees the same portfolio."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

COUNTRIES = [("KZ", "Asia/Almaty", "ru", "KZT"), ("RU", "Europe/Moscow", "ru", "RUB"),
             ("US", "America/New_York", "en", "USD"), ("DE", "Europe/Berlin", "en", "EUR"),
             ("GB", "Europe/London", "en", "GBP")]
FIRST = ["Алмат", "Павел", "Мария", "Дана", "Sarah", "John", "Ольга", "Ерлан"]
LAST = ["Сейткали", "Громов", "Иванова", "Ержанова", "Miller", "Smith", "Мельникова", "Жумабаев"]
SUBJECTS = ["Как выгрузить всю базу клиентов в Excel?", "Не приходит счёт", "How do I export all data to CSV?",
            "Login is slow", "Добавить пользователя", "Ошибка при импорте"]
TERMS = ["annual", "annual", "annual", "quarterly", "monthly", "multi_year"]


def snapshot(rng: random.Random, index: int, as_of: dt.date) -> dict[str, Any]:
    """One account: coherent dates, contacts the tickets refer to, a usage series of random granularity."""
    country, zone, locale, currency = rng.choice(COUNTRIES)
    term = rng.choice(TERMS)
    end = as_of + dt.timedelta(days=rng.randint(-20, 400))
    start = end - dt.timedelta(days={"annual": 365, "quarterly": 91, "monthly": 30, "multi_year": 1095}[term])
    contacts = []
    for c in range(rng.randint(1, 4)):
        first_seen = as_of - dt.timedelta(days=rng.randint(1, 900))
        reply = as_of - dt.timedelta(days=rng.randint(0, 120))
        contacts.append({"id": f"c{c}", "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}", "is_primary": c == 0,
                         "first_seen": first_seen.isoformat(),
                         "last_reply_at": f"{reply.isoformat()}T11:00:00" if rng.random() < 0.9 else None})
    step = rng.choice([1, 7, 30])
    periods = 120 // step
    base = rng.randint(50, 2000)
    trend = rng.choice([1.0, 1.0, 0.9, 0.5, 1.3])
    usage = []
    for p in range(periods):
        s = as_of - dt.timedelta(days=(periods - p) * step)
        factor = trend if p >= periods * 3 // 4 else 1.0
        usage.append({"period_start": s.isoformat(), "period_end": (s + dt.timedelta(days=step - 1)).isoformat(),
                      "sessions": int(base * step * factor * rng.uniform(0.9, 1.1)), "active_users": rng.randint(3, 80)})
    tickets = [{"id": f"t{t}", "opened_at": f"{(as_of - dt.timedelta(days=rng.randint(0, 60))).isoformat()}T10:00:00",
                "contact_id": f"c{rng.randint(0, 5)}", "subject": rng.choice(SUBJECTS)} for t in range(rng.randint(0, 5))]
    requests = []
    if rng.random() < 0.2:
        requests.append({"kind": "discount", "at": f"{(as_of - dt.timedelta(days=rng.randint(0, 20))).isoformat()}T12:00:00",
                         "contact_id": "c0", "percent": rng.choice([5, 10, 15, 20, 25, 50])})
    return {
        "account": {"id": f"acc-{index}", "name": f"Client {index}", "country": country, "timezone": zone, "locale": locale,
                    "segment": rng.choice(["key", "standard", "standard"]),
                    "owner": {"name": "Owner " + str(index % 37), "role": rng.choice(["csm", "account_manager"])}},
        "contract": {"start_date": start.isoformat(), "end_date": end.isoformat(), "term": term,
                     "billing_period": rng.choice(["monthly", "quarterly", "annual"]), "price": rng.randint(100, 500000),
                     "currency": currency, "plan": rng.choice(["start", "pro", "enterprise"]),
                     "status": rng.choice(["active"] * 8 + ["renewed", "cancelled"])},
        "usage": usage,
        "limits": [{"resource": "seats", "used": rng.randint(1, 110), "limit": 100}],
        "contacts": contacts,
        "tickets": tickets,
        "requests": requests,
        "health": {"score": rng.randint(10, 100), "nps": rng.randint(0, 10)},
        "modules": {"active": ["crm"], "available": ["analytics", "sms", "telephony"]},
        "touches": [{"at": f"{(as_of - dt.timedelta(days=rng.randint(0, 120))).isoformat()}T10:00:00",
                     "channel": rng.choice(["call", "email", "meeting"]), "contact_id": "c0"} for _ in range(rng.randint(0, 4))],
        "revenue": {"ltv": rng.randint(10000, 20000000)},
    }


def portfolio(n: int, as_of: dt.date, seed: int = 42) -> Iterator[dict[str, Any]]:
    """`n` synthetic snapshots, generated lazily."""
    rng = random.Random(seed)
    for i in range(n):
        yield snapshot(rng, i, as_of)
