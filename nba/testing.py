"""Hypothesis strategies for account snapshots, as-of moments, conditions and packs.

Use them in your own tests (needs the `test` extra, which brings Hypothesis)::

    from hypothesis import given
    import nba, nba.testing as nt

    @given(nt.snapshots(activity_drop=True), nt.as_of_datetimes())
    def test_drops_get_a_call(snapshot, as_of):
        decision = nba.Engine.default().evaluate(snapshot, as_of=as_of)
        ...

Every strategy is a function with keyword knobs; `None` for a knob means "either way".
Snapshots are realistic by default: dates coherent around `today`, tickets written by contacts that
exist (mostly), usage series of daily, weekly or monthly granularity.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("nba.testing needs Hypothesis: pip install 'nba[test]'") from exc

from .signals import CATALOGUE, SignalSpec
from .snapshot import AccountSnapshot
from .vocab import ACTION_KINDS, BILLING_PERIODS, CONTRACT_STATUSES, OWNER_ROLES, SEGMENTS, TERMS

__all__ = [
    "PLACES",
    "snapshot_dicts",
    "snapshots",
    "as_of_datetimes",
    "usage_series",
    "conditions",
    "pack_dicts",
]

#: (country, time zone, locale, currency) of the accounts the strategies draw.
PLACES: tuple[tuple[str, str, str, str], ...] = (
    ("KZ", "Asia/Almaty", "ru", "KZT"),
    ("RU", "Europe/Moscow", "ru", "RUB"),
    ("US", "America/New_York", "en", "USD"),
    ("US", "America/Los_Angeles", "en", "USD"),
    ("DE", "Europe/Berlin", "en", "EUR"),
    ("GB", "Europe/London", "en", "GBP"),
    ("AE", "Asia/Dubai", "en", "AED"),
    ("JP", "Asia/Tokyo", "en", "JPY"),
)
_FIRST = ("Алмат", "Павел", "Мария", "Дана", "Ерлан", "Sarah", "John", "Aigerim", "Ольга")
_LAST = ("Сейткали", "Громов", "Иванова", "Ержанова", "Miller", "Smith", "Жумабаев", "Мельникова")
_SUBJECTS = ("Как выгрузить всю базу клиентов в Excel?", "Экспорт сделок в CSV", "How do I export all data?",
             "Не приходит счёт", "Login is slow", "Добавить пользователя", "Вопрос по интеграции")
_DEFAULT_TODAY = dt.date(2025, 3, 31)


def _iso(day: dt.date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00"


@st.composite
def usage_series(draw: st.DrawFn, *, today: dt.date = _DEFAULT_TODAY, granularity: str | None = None,
                 drop_pct: float | None = None, days: int = 120) -> list[dict[str, Any]]:
    """Usage periods ending around `today`, of one granularity (day, week, month; drawn when None).

    `drop_pct` makes activity of the last 30 days that much lower than before (e.g. 50 for a halving).
    """
    step = {"day": 1, "week": 7, "month": 30}[granularity] if granularity else draw(st.sampled_from([1, 7, 30]))
    base = draw(st.integers(min_value=20, max_value=3000))
    drop = drop_pct if drop_pct is not None else draw(st.sampled_from([0.0, 0.0, 10.0, 30.0, 60.0, -40.0]))
    periods = max(2, days // step)
    end = today - dt.timedelta(days=draw(st.integers(min_value=0, max_value=3)))
    out = []
    for index in range(periods):
        start = end - dt.timedelta(days=(periods - index) * step - 1)
        finish = start + dt.timedelta(days=step - 1)
        recent = (end - finish).days < 30
        level = base * (1 - drop / 100) if recent else base
        out.append({"period_start": start.isoformat(), "period_end": finish.isoformat(),
                    "sessions": max(0, int(level * step)), "active_users": max(0, int(level / 20))})
    return out


@st.composite
def snapshot_dicts(
    draw: st.DrawFn,
    *,
    today: dt.date = _DEFAULT_TODAY,
    places: tuple[tuple[str, str, str, str], ...] = PLACES,
    activity_drop: bool | None = None,
    discount_ask: float | bool | None = None,
    export_request: bool | None = None,
    new_contact: bool | None = None,
    near_limit: bool | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """A valid snapshot as JSON-ready data (mutate it, dump it, or validate it yourself).

    Knobs force a signal on (True) or off (False): `activity_drop` (a 40-80% drop over the last month),
    `discount_ask` (True, or the percent asked), `export_request`, `new_contact` (a new person writes
    while the primary is silent), `near_limit` (a plan limit 85%+ used). `status` fixes the contract status.
    """
    country, zone, locale, currency = draw(st.sampled_from(places))
    term = draw(st.sampled_from(TERMS))
    length = {"monthly": 30, "quarterly": 91, "annual": 365, "multi_year": 1095}[term]
    end = today + dt.timedelta(days=draw(st.integers(min_value=-30, max_value=length)))
    contacts: list[dict[str, Any]] = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        seen = today - dt.timedelta(days=draw(st.integers(min_value=100, max_value=1500)))
        reply_days = draw(st.integers(min_value=0, max_value=200))
        contacts.append({
            "id": f"c{i}", "name": f"{draw(st.sampled_from(_FIRST))} {draw(st.sampled_from(_LAST))}",
            "is_primary": i == 0, "first_seen": seen.isoformat(),
            "last_reply_at": draw(st.sampled_from([_iso(today - dt.timedelta(days=reply_days), 11), None])),
        })
    tickets: list[dict[str, Any]] = []
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        subject = draw(st.sampled_from(_SUBJECTS[3:] if export_request is not None else _SUBJECTS))
        tickets.append({"id": f"t{i}", "opened_at": _iso(today - dt.timedelta(days=draw(st.integers(0, 90)))),
                        "contact_id": draw(st.sampled_from([c["id"] for c in contacts] + ["c-unknown", None])),
                        "subject": subject, "category": None})
    if export_request:
        tickets.append({"id": "t-export", "opened_at": _iso(today - dt.timedelta(days=draw(st.integers(0, 20)))),
                        "contact_id": contacts[-1]["id"], "subject": draw(st.sampled_from(_SUBJECTS[:3]))})
    if new_contact is not None:
        tickets = [t for t in tickets if t["contact_id"] in {c["id"] for c in contacts}]
    if new_contact:
        contacts[0]["last_reply_at"] = _iso(today - dt.timedelta(days=draw(st.integers(45, 200))), 11)
        contacts.append({"id": "c-new", "name": f"{draw(st.sampled_from(_FIRST))} {draw(st.sampled_from(_LAST))}",
                         "first_seen": (today - dt.timedelta(days=draw(st.integers(1, 20)))).isoformat()})
        tickets.append({"id": "t-new", "opened_at": _iso(today - dt.timedelta(days=draw(st.integers(0, 7)))),
                        "contact_id": "c-new", "subject": "Как добавить сотрудника?"})
    requests: list[dict[str, Any]] = []
    if discount_ask is None:
        discount_ask = draw(st.sampled_from([False, False, True]))
    if discount_ask is not False:
        percent = discount_ask if not isinstance(discount_ask, bool) else draw(st.sampled_from([5, 10, 12.5, 15, 20, 25, 30, 50]))
        requests.append({"kind": "discount", "at": _iso(today - dt.timedelta(days=draw(st.integers(0, 20))), 12),
                         "contact_id": draw(st.sampled_from([c["id"] for c in contacts])), "percent": percent})
    used_pct = (draw(st.integers(85, 120)) if near_limit else draw(st.integers(0, 80)) if near_limit is False
                else draw(st.integers(0, 120)))
    drop = None
    if activity_drop is True:
        drop = float(draw(st.integers(45, 80)))
    elif activity_drop is False:
        drop = float(draw(st.sampled_from([0, 10, 20, -30])))
    usage = draw(usage_series(today=today, drop_pct=drop)) if activity_drop is not None or draw(st.booleans()) else []
    return {
        "account": {
            "id": f"acc-{draw(st.integers(1, 10**6))}", "name": draw(st.sampled_from(["TOO Vostok", "ООО «Север Логистика»", "Acme Inc."])),
            "country": country, "timezone": zone, "locale": locale, "segment": draw(st.sampled_from(SEGMENTS)),
            "owner": {"name": "Ainur Bekova", "role": draw(st.sampled_from(OWNER_ROLES))},
        },
        "contract": {
            "start_date": (end - dt.timedelta(days=length)).isoformat(), "end_date": end.isoformat(), "term": term,
            "billing_period": draw(st.sampled_from(BILLING_PERIODS)), "price": draw(st.integers(100, 5_000_000)),
            "currency": currency, "plan": "pro",
            "status": status or draw(st.sampled_from(("active",) * 6 + CONTRACT_STATUSES)),
            "discount_percent": draw(st.sampled_from([0, 0, 0, 10])),
        },
        "usage": usage,
        "limits": [{"resource": "seats", "used": used_pct, "limit": 100}],
        "contacts": contacts,
        "tickets": tickets,
        "requests": requests,
        "health": draw(st.sampled_from([None, {"score": draw(st.integers(0, 100)), "nps": draw(st.integers(0, 10))}])),
        "modules": {"active": ["crm"], "available": ["analytics", "sms"]},
        "touches": [{"at": _iso(today - dt.timedelta(days=draw(st.integers(0, 120))), draw(st.integers(10, 17))),
                     "channel": draw(st.sampled_from(["call", "email", "meeting", "message"])),
                     "contact_id": draw(st.sampled_from([c["id"] for c in contacts] + [None]))}
                    for _ in range(draw(st.integers(0, 5)))],
        "revenue": draw(st.sampled_from([None, {"ltv": draw(st.integers(0, 50_000_000))}])),
    }


def snapshots(**knobs: Any) -> st.SearchStrategy[AccountSnapshot]:
    """Validated `AccountSnapshot`s; takes the knobs of `snapshot_dicts`."""
    return snapshot_dicts(**knobs).map(AccountSnapshot.model_validate)


@st.composite
def as_of_datetimes(draw: st.DrawFn, *, around: dt.date = _DEFAULT_TODAY, days: int = 3,
                    zones: tuple[str, ...] = ("Asia/Almaty", "Europe/Moscow", "America/New_York", "UTC", "Asia/Tokyo"),
                    naive: bool = False) -> dt.datetime:
    """Moments within `days` of `around`, aware in one of `zones` (or naive: the account's local time)."""
    day = around + dt.timedelta(days=draw(st.integers(-days, days)))
    moment = dt.datetime.combine(day, dt.time(draw(st.integers(0, 23)), draw(st.integers(0, 59))))
    return moment if naive else moment.replace(tzinfo=ZoneInfo(draw(st.sampled_from(zones))))


def _comparison(spec: SignalSpec) -> st.SearchStrategy[str]:
    if spec.type == "number":
        return st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), st.integers(-100, 1000)).map(
            lambda t: f"{spec.name} {t[0]} {t[1]}")
    if spec.type == "bool":
        return st.sampled_from([spec.name, f"not {spec.name}", f"{spec.name} == true"])
    values = spec.values or ("pro", "start")
    return st.sampled_from(values).map(lambda v: f'{spec.name} == "{v}"')


def conditions(*, signals: tuple[str, ...] | None = None, max_leaves: int = 4) -> st.SearchStrategy[str]:
    """Type-correct condition texts over the signal catalogue, joined with and/or/not and parentheses."""
    names = signals or tuple(n for n in CATALOGUE if n not in ("risk_level", "risk_score", "discount_outcome", "discount_best_offer_pct"))
    leaf = st.one_of(st.sampled_from(names).flatmap(lambda n: _comparison(CATALOGUE[n])),
                     st.sampled_from(names).map(lambda n: f"{n} is known"))
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
            inner.map(lambda c: f"not ({c})"),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def pack_dicts(draw: st.DrawFn, *, name: str = "generated", rules: tuple[int, int] = (1, 5)) -> dict[str, Any]:
    """A valid pack as data (dump it with yaml.safe_dump to get a file)."""
    count = draw(st.integers(*rules))
    body = []
    for i in range(count):
        at = f"{draw(st.integers(10, 17)):02d}:{draw(st.sampled_from(['00', '15', '30', '45']))}"
        due = draw(st.sampled_from([{"asap": True}, {"within_business_days": draw(st.integers(0, 5)), "at": at},
                                    {"after_business_days": draw(st.integers(0, 5)), "at": at},
                                    {"next_weekday": draw(st.sampled_from(["monday", "thursday", "saturday"])), "at": at},
                                    {"days_before_end": draw(st.integers(0, 120)), "at": at}]))
        body.append({
            "id": f"rule_{i}", "when": draw(conditions()), "priority": draw(st.integers(0, 100)),
            "action": {"kind": draw(st.sampled_from(ACTION_KINDS)), "due": due,
                       "contact": draw(st.sampled_from(["primary", "latest_reply", "new_contact"])),
                       "title": {"en": f"Rule {i}", "ru": f"Правило {i}"},
                       "text": {"en": "Call {contact} ({company}) {due}", "ru": "Позвонить {contact_dative} ({company}) {due}"},
                       "reason": {"en": "rule {days_to_end}", "ru": "правило {days_to_end}"}},
        })
    return {"pack": name, "version": 1, "rules": body}
