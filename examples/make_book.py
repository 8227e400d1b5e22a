"""Write examples/book.jsonl: the client book of one fictional SaaS vendor, a few hundred accounts in four countries.

    python examples/make_book.py            # rewrites examples/book.jsonl (seeded: the same file every time)

Kompass, a field-service CRM vendor, sells in Kazakhstan, Russia, Germany and the USA. Each region has
its own CS team; every account has a contract, monthly usage, contacts, tickets and touches coherent
with the morning of Monday 31 March 2025, the date the examples in the docs use.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path
from typing import Any

TODAY = dt.date(2025, 3, 31)
SEED = 20250331

REGIONS: dict[str, dict[str, Any]] = {
    "KZ": {"zone": "Asia/Almaty", "locale": "ru", "currency": "KZT", "price": (60_000, 900_000),
           "team": {"csm": ["Айнур Бекова", "Асель Нурланова"], "account_manager": ["Данияр Омаров"],
                    "head_of_cs": ["Гульнара Ахметова"]},
           "companies": ["ТОО «{}»", "ТОО «{} Сервис»", "АО «{}»"],
           "words": ["Восток", "Алтын", "Жетысу", "Самал", "Нур Транс", "Сункар", "Береке", "Астана Логистик", "Тулпар",
                     "Каспий Энерго", "Арман", "Достык", "Кокжиек", "Шанырак", "Атамекен"],
           "people": ["Алмат Сейткали", "Ерлан Жумабаев", "Аружан Касымова", "Дана Ержанова", "Мадина Садыкова",
                      "Нурлан Абенов", "Сауле Искакова", "Тимур Ахметов", "Жанар Бекмуханова", "Серик Оспанов"]},
    "RU": {"zone": "Europe/Moscow", "locale": "ru", "currency": "RUB", "price": (25_000, 400_000),
           "team": {"csm": ["Ирина Соколова", "Андрей Литвинов"], "account_manager": ["Дмитрий Орлов"],
                    "head_of_cs": ["Елена Власова"]},
           "companies": ["ООО «{}»", "АО «{}»", "ООО «{} Групп»"],
           "words": ["Север", "Гранит", "Вектор", "Меридиан", "Орбита", "Балтика", "Уралтехсервис", "Сибирь Строй",
                     "Волга Логистик", "Альфа Ремонт", "Пульс", "Кварц", "Стрела", "Ладога", "Полюс"],
           "people": ["Павел Громов", "Мария Иванова", "Ольга Мельникова", "Сергей Павлович Орлов", "Наталья Белова",
                      "Игорь Кузнецов", "Анна Смирнова", "Виктор Петров", "Екатерина Волкова", "Михаил Зайцев"]},
    "DE": {"zone": "Europe/Berlin", "locale": "en", "currency": "EUR", "price": (400, 9_000),
           "team": {"csm": ["Jana Hoffmann"], "account_manager": ["Lukas Becker"], "head_of_cs": ["Sabine Krüger"]},
           "companies": ["{} GmbH", "{} Service GmbH", "{} AG"],
           "words": ["Nordwerk", "Elbtal", "Rheinblick", "Alpenkraft", "Hansa Technik", "Spreewald", "Isar Haustechnik",
                     "Mainhafen", "Schwarzwald Kälte", "Bodensee Montage"],
           "people": ["Thomas Weber", "Anna Schmidt", "Felix Wagner", "Laura Fischer", "Jonas Meyer", "Lea Schulz"]},
    "US": {"zone": "America/New_York", "locale": "en", "currency": "USD", "price": (500, 12_000),
           "team": {"csm": ["Dana Whitfield", "Marcus Reed"], "account_manager": ["Kelly Ortiz"], "head_of_cs": ["Rachel Stone"]},
           "companies": ["{} Inc.", "{} LLC", "{} Services Co."],
           "words": ["Acme Logistics", "Blue Ridge HVAC", "Harbor Plumbing", "Summit Electric", "Prairie Pest Control",
                     "Lakeside Elevators", "Granite State Roofing", "Bayou Appliance", "Redwood Solar", "Keystone Fire"],
           "people": ["Maria Lopez", "James Carter", "Emily Chen", "Robert Johnson", "Ashley Brooks", "Daniel Kim"]},
}
SUBJECTS = {
    "ru": ["Как выгрузить всю базу клиентов в Excel?", "Нужна полная выгрузка всех заявок перед окончанием договора",
           "Не приходит счёт за март", "Добавить двух диспетчеров", "Ошибка при импорте прайса",
           "Медленно открывается карточка заявки", "Как настроить уведомления мастерам?"],
    "en": ["How do I export all our data to CSV?", "Invoice for March is missing", "Add two dispatchers",
           "Import of the price list fails", "Work orders load slowly", "How do I set up technician notifications?"],
}
TERMS = ["annual"] * 6 + ["quarterly", "monthly", "multi_year"]
LENGTH = {"annual": 365, "quarterly": 91, "monthly": 30, "multi_year": 1095}


def account(rng: random.Random, index: int, country: str) -> dict[str, Any]:
    """One account whose dates, contacts, tickets and usage fit together on the morning of TODAY."""
    region = REGIONS[country]
    lang = region["locale"]
    term = rng.choice(TERMS)
    end = TODAY + dt.timedelta(days=rng.randint(-10, 330))
    start = end - dt.timedelta(days=LENGTH[term] - 1)
    owner_role = rng.choice(["csm", "csm", "account_manager"])
    owner = rng.choice(region["team"][owner_role])
    team = [{"name": rng.choice(names), "role": role} for role, names in region["team"].items() if role != owner_role]
    people = rng.sample(region["people"], k=rng.randint(1, 3))
    contacts = []
    for c, name in enumerate(people):
        silent = rng.choice([2, 5, 12, 20, 35, 60]) if c == 0 else rng.randint(1, 90)
        contacts.append({
            "id": f"c{c + 1}", "name": name, "role": ["director", "operations", "accountant"][c % 3], "is_primary": c == 0,
            "first_seen": (TODAY - dt.timedelta(days=rng.choice([5, 9, 200, 400, 700]) if c else 700)).isoformat(),
            "last_reply_at": f"{(TODAY - dt.timedelta(days=silent)).isoformat()}T11:20:00",
            "email": f"{'contact'}{c + 1}.{index}@example.{country.lower()}",
        })
    base = rng.randint(300, 6000)
    shape = rng.choice(["flat", "flat", "flat", "drop", "slide", "grow", "stopped"])
    usage = []
    for m in range(6, 0, -1):
        first = (TODAY.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
        for _ in range(m - 1):
            first = (first - dt.timedelta(days=1)).replace(day=1)
        last = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
        factor = {"flat": 1.0, "drop": 0.45 if m == 1 else 1.0, "slide": 1.0 - 0.12 * (6 - m),
                  "grow": 1.0 + 0.1 * (6 - m), "stopped": 0.0 if m <= 2 else 1.0}[shape]
        usage.append({"period_start": first.isoformat(), "period_end": last.isoformat(),
                      "sessions": int(base * factor * rng.uniform(0.93, 1.07)),
                      "active_users": max(0, int(base / 40 * factor))})
    tickets = []
    for t in range(rng.choice([0, 0, 1, 1, 2, 3])):
        tickets.append({"id": f"T-{index}-{t + 1}", "opened_at": f"{(TODAY - dt.timedelta(days=rng.randint(1, 40))).isoformat()}T10:15:00",
                        "contact_id": rng.choice(contacts)["id"], "subject": rng.choice(SUBJECTS[lang])})
    requests = []
    if rng.random() < 0.12:
        requests.append({"id": f"R-{index}", "kind": "discount", "at": f"{(TODAY - dt.timedelta(days=rng.randint(1, 10))).isoformat()}T12:00:00",
                         "contact_id": "c1", "percent": rng.choice([10, 15, 20, 25, 30])})
    seats = rng.choice([10, 25, 50, 100])
    used = min(int(seats * rng.choice([0.5, 0.7, 0.88, 0.95, 1.0])), seats)
    return {
        "account": {"id": f"kmp-{index:04d}", "name": rng.choice(region["companies"]).format(rng.choice(region["words"])),
                    "country": country, "timezone": region["zone"], "locale": lang,
                    "segment": "key" if rng.random() < 0.2 else "standard", "owner": {"name": owner, "role": owner_role},
                    "team": team},
        "contract": {"start_date": start.isoformat(), "end_date": end.isoformat(), "term": term,
                     "billing_period": "annual" if term == "multi_year" else rng.choice(["monthly", "monthly", "quarterly", "annual"]),
                     "price": rng.randrange(*region["price"], 100), "currency": region["currency"],
                     "plan": rng.choice(["start", "pro", "enterprise"]), "status": "active"},
        "usage": usage,
        "limits": [{"resource": "seats", "used": used, "limit": seats}],
        "contacts": contacts,
        "tickets": tickets,
        "requests": requests,
        "health": {"score": rng.randint(25, 95), "nps": rng.choice([3, 6, 7, 8, 9, 10, 9, 8])},
        "modules": {"active": ["dispatch"], "available": ["mobile", "inventory", "analytics"][: rng.randint(0, 3)]},
        "touches": [{"at": f"{(TODAY - dt.timedelta(days=rng.randint(3, 100))).isoformat()}T10:00:00",
                     "channel": rng.choice(["call", "email", "meeting"]), "contact_id": "c1"} for _ in range(rng.randint(0, 3))],
        "revenue": {"ltv": rng.randrange(*region["price"]) * rng.randint(6, 60)},
    }


def book(size: int = 300) -> list[dict[str, Any]]:
    """The whole book, seeded."""
    rng = random.Random(SEED)
    countries = ["KZ"] * 4 + ["RU"] * 3 + ["DE"] + ["US"] * 2
    return [account(rng, i + 1, rng.choice(countries)) for i in range(size)]


if __name__ == "__main__":
    target = Path(__file__).with_name("book.jsonl")
    target.write_text("".join(json.dumps(a, ensure_ascii=False) + "\n" for a in book()), encoding="utf-8")
    print(f"wrote {target}")
