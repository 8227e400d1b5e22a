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
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("nba.testing needs Hypothesis: pip install 'nba[test]'") from exc

from .errors import UsageError
from .signals import CATALOGUE, SignalSpec
from .snapshot import AccountSnapshot
from .vocab import ACTION_KINDS, BILLING_PERIODS, CONTRACT_STATUSES, OWNER_ROLES, SEGMENTS, TERMS

__all__ = [
    "PLACES",
    "OWNERS",
    "snapshot_dicts",
    "snapshots",
    "snapshots_with_as_of",
    "books",
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
#: The people on our side the strategies draw as owners and team members, with the role they usually have.
OWNERS: tuple[tuple[str, str], ...] = (
    ("Ainur Bekova", "csm"), ("Daniyar Omarov", "account_manager"), ("Gulnara Akhmetova", "head_of_cs"),
    ("Ирина Соколова", "csm"), ("Jonas Weber", "account_manager"), ("Emily Carter", "csm"), ("Nurlan Abenov", "ceo"),
)
#: Health scores and NPS answers typical of each risk tier under the shipped scorecard.
_RISK_HEALTH_NPS = {"green": ((60, 100), (7, 10)), "yellow": ((60, 100), (7, 10)), "red": ((0, 40), (0, 5))}
_RENEWAL_STAGES = ("not_started", "assessment", "value_call", "offer", "negotiation", "signing", "overdue", "renewed", "closed")


def _iso(day: dt.date, hour: int = 10) -> str:
    return f"{day.isoformat()}T{hour:02d}:00:00"


@lru_cache(maxsize=256)
def _days_to_end_in_stage(term: str, stage: str, today: dt.date) -> tuple[int, ...]:
    """The days to the contract's end that put an active contract of `term` in `stage` (default renewal settings)."""
    from .packs.model import RenewalSettings
    from .renewal import RenewalTerms, renewal_status

    settings = RenewalSettings()
    found = []
    for days in range(-60, 1200):
        terms = RenewalTerms(term, "active", today + dt.timedelta(days=days), None)  # type: ignore[arg-type]
        if renewal_status(terms, today, settings)[0].stage == stage:
            found.append(days)
    return tuple(found)


@st.composite
def usage_series(draw: st.DrawFn, *, today: dt.date = _DEFAULT_TODAY, granularity: str | None = None,
                 drop_pct: float | None = None, days: int = 120) -> list[dict[str, Any]]:
    """Usage periods ending around `today`, of one granularity (day, week, month; drawn when None).

    `drop_pct` makes activity of the last 30 days exactly that much lower than the 30 days before (e.g. 50
    for a halving; whole percents come out exact for every granularity): periods are cut at the 30- and
    60-day edges the activity signals compare, so a week never straddles them.

        >>> from hypothesis import given
        >>> @given(usage_series(granularity="week", drop_pct=40))
        ... def test(usage): ...
    """
    step = {"day": 1, "week": 7, "month": 30}[granularity] if granularity else draw(st.sampled_from([1, 7, 30]))
    base = 100 * draw(st.integers(min_value=1, max_value=30))  # sessions a day: whole after any whole-percent drop
    drop = drop_pct if drop_pct is not None else draw(st.sampled_from([0.0, 0.0, 10.0, 30.0, 60.0, -40.0]))
    end = today - dt.timedelta(days=draw(st.integers(min_value=0, max_value=3)))
    first = end - dt.timedelta(days=max(days, 2 * step) - 1)
    edges = {end - dt.timedelta(days=n) for n in (29, 59, 119)}  # first days of the windows the signals compare
    out = []
    start = first
    while start <= end:
        finish = min(start + dt.timedelta(days=step - 1), end)
        cut = [e - dt.timedelta(days=1) for e in edges if start < e <= finish]
        finish = min(cut) if cut else finish
        length = (finish - start).days + 1
        recent = (end - finish).days < 30
        level = base * (1 - drop / 100) if recent else base
        out.append({"period_start": start.isoformat(), "period_end": finish.isoformat(),
                    "sessions": max(0, round(level * length)), "active_users": max(0, round(level / 20))})
        start = finish + dt.timedelta(days=1)
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
    risk: str | None = None,
    health: float | None = None,
    nps: int | None = None,
    segment: str | None = None,
    term: str | None = None,
    days_to_end: int | None = None,
    renewal_stage: str | None = None,
    touches: int | None = None,
    last_touch_days: int | None = None,
    team: tuple[str, ...] | None = None,
    owner: str | None = None,
    account_id: str | None = None,
    latest_hour: int = 23,
) -> dict[str, Any]:
    """A valid snapshot as JSON-ready data (mutate it, dump it, or validate it yourself).

    Knobs force a signal on (True) or off (False): `activity_drop` (a 40-80% drop over the last month),
    `discount_ask` (True, or the percent asked), `export_request`, `new_contact` (a new person writes
    while the primary is silent), `near_limit` (a plan limit 85%+ used). `status` fixes the contract status.

    Values: `risk` ("green", "yellow", "red": inputs that give that tier under the shipped risk pack),
    `health` (0-100) and `nps` (0-10), `segment`, `term`, `days_to_end` (days from `today` to the contract's
    end) or `renewal_stage` (a stage of the default renewal settings, `renewed` and `closed` included),
    `touches` (how many) and `last_touch_days` (days since the latest one), `team` (the roles of the people
    on the account's team besides its owner), `owner` (the owner's name; drawn from `OWNERS` when None)
    and `account_id`. Nothing happens on `today` after `latest_hour` o'clock (local), so an as-of at that
    hour sees every event (see `snapshots_with_as_of`).
    """
    if risk is not None and risk not in ("green", "yellow", "red"):
        raise UsageError(f"risk must be green, yellow or red, not {risk!r}")
    if renewal_stage is not None and renewal_stage not in _RENEWAL_STAGES:
        raise UsageError(f"renewal_stage must be one of {', '.join(_RENEWAL_STAGES)}, not {renewal_stage!r}")

    def at(days_ago: int, hour: int) -> str:
        """A local moment `days_ago` before `today`, never after `latest_hour` on `today` itself."""
        if days_ago <= 0 and hour > latest_hour:
            return _iso(today - dt.timedelta(days=1), hour) if latest_hour < 0 else _iso(today, max(latest_hour, 0))
        return _iso(today - dt.timedelta(days=max(days_ago, 0)), hour)

    if risk is not None:
        # green: nothing the scorecard counts; yellow: a steep drop (30 points) and nothing else;
        # red: a steep drop, poor health and a detractor (65 points at least).
        (low, high), (nps_low, nps_high) = _RISK_HEALTH_NPS[risk]
        health = health if health is not None else float(draw(st.integers(low, high)))
        nps = nps if nps is not None else draw(st.integers(nps_low, nps_high))
        if risk == "green":
            activity_drop = False if activity_drop is None else activity_drop
            export_request, new_contact = False, (False if new_contact is None else new_contact)
        else:
            activity_drop = True
            if risk == "yellow":
                export_request, new_contact = False, False
    country, zone, locale, currency = draw(st.sampled_from(places))
    term = term or draw(st.sampled_from(TERMS))
    length = {"monthly": 30, "quarterly": 91, "annual": 365, "multi_year": 1095}[term]
    if renewal_stage in ("renewed", "closed"):
        status = "renewed" if renewal_stage == "renewed" else draw(st.sampled_from(["cancelled", "churned"]))
        days_to_end = days_to_end if days_to_end is not None else draw(st.integers(-25, -1))
    elif renewal_stage is not None:
        status = "active"
        days_to_end = draw(st.sampled_from(_days_to_end_in_stage(term, renewal_stage, today)))
    elif risk in ("green", "yellow") and days_to_end is None:
        days_to_end = draw(st.integers(max(61, length // 2), max(61, length)))  # far from the signing deadline
    if days_to_end is None:
        days_to_end = draw(st.integers(min_value=-30, max_value=length))
    end = today + dt.timedelta(days=days_to_end)
    contacts: list[dict[str, Any]] = []
    for i in range(draw(st.integers(min_value=1, max_value=4))):
        seen = today - dt.timedelta(days=draw(st.integers(min_value=100, max_value=1500)))
        # Only what is used is drawn, so Hypothesis shrinks a failing example to its simplest form.
        if risk in ("green", "yellow") and i == 0:
            reply_days: int | None = draw(st.integers(1, 20))  # the primary contact answers
        else:
            reply_days = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=200)))
        contacts.append({
            "id": f"c{i}", "name": f"{draw(st.sampled_from(_FIRST))} {draw(st.sampled_from(_LAST))}",
            "is_primary": i == 0, "first_seen": seen.isoformat(),
            "last_reply_at": at(reply_days, 11) if reply_days is not None else None,
        })
    tickets: list[dict[str, Any]] = []
    for i in range(draw(st.integers(min_value=0, max_value=4))):
        subject = draw(st.sampled_from(_SUBJECTS[3:] if export_request is not None else _SUBJECTS))
        tickets.append({"id": f"t{i}", "opened_at": at(draw(st.integers(0, 90)), 10),
                        "contact_id": draw(st.sampled_from([c["id"] for c in contacts] + ["c-unknown", None])),
                        "subject": subject, "category": None})
    if export_request:
        tickets.append({"id": "t-export", "opened_at": at(draw(st.integers(0, 20)), 10),
                        "contact_id": contacts[-1]["id"], "subject": draw(st.sampled_from(_SUBJECTS[:3]))})
    if new_contact is not None:
        tickets = [t for t in tickets if t["contact_id"] in {c["id"] for c in contacts}]
    if new_contact:
        contacts[0]["last_reply_at"] = at(draw(st.integers(45, 200)), 11)
        contacts.append({"id": "c-new", "name": f"{draw(st.sampled_from(_FIRST))} {draw(st.sampled_from(_LAST))}",
                         "first_seen": (today - dt.timedelta(days=draw(st.integers(1, 20)))).isoformat()})
        tickets.append({"id": "t-new", "opened_at": at(draw(st.integers(0, 7)), 10),
                        "contact_id": "c-new", "subject": "Как добавить сотрудника?"})
    requests: list[dict[str, Any]] = []
    if discount_ask is None:
        discount_ask = draw(st.sampled_from([False, False, True]))
    if discount_ask is not False:
        percent = discount_ask if not isinstance(discount_ask, bool) else draw(st.sampled_from([5, 10, 12.5, 15, 20, 25, 30, 50]))
        requests.append({"kind": "discount", "at": at(draw(st.integers(0, 20)), 12),
                         "contact_id": draw(st.sampled_from([c["id"] for c in contacts])), "percent": percent})
    used_pct = (draw(st.integers(85, 120)) if near_limit else draw(st.integers(0, 80)) if near_limit is False
                else draw(st.integers(0, 120)))
    drop = None
    if activity_drop is True:
        drop = float(draw(st.integers(45, 80)))
    elif activity_drop is False:
        drop = float(draw(st.sampled_from([0, 10, 20, -30])))
    usage = draw(usage_series(today=today, drop_pct=drop)) if activity_drop is not None or draw(st.booleans()) else []
    if touches is None:
        touches = draw(st.integers(0, 5)) if last_touch_days is None else draw(st.integers(1, 5))
    touch_days = sorted((draw(st.integers(0, 120)) for _ in range(touches)), reverse=True)
    if touch_days and last_touch_days is not None:
        touch_days = [max(d, last_touch_days) for d in touch_days[:-1]] + [last_touch_days]
    owner_name, owner_role = draw(st.sampled_from(OWNERS))
    people = [{"name": draw(st.sampled_from([n for n, _ in OWNERS if n != (owner or owner_name)])), "role": role}
              for role in (team if team is not None else draw(st.sampled_from([(), ("account_manager",),
                                                                               ("account_manager", "head_of_cs")])))]
    return {
        "account": {
            "id": account_id or f"acc-{draw(st.integers(1, 10**6))}",
            "name": draw(st.sampled_from(["TOO Vostok", "ООО «Север Логистика»", "Acme Inc."])),
            "country": country, "timezone": zone, "locale": locale,
            "segment": segment or draw(st.sampled_from(SEGMENTS)),
            "owner": {"name": owner or owner_name, "role": draw(st.sampled_from(OWNER_ROLES)) if owner is None else owner_role},
            "team": people,
        },
        "contract": {
            "start_date": (end - dt.timedelta(days=length)).isoformat(), "end_date": end.isoformat(), "term": term,
            "billing_period": draw(st.sampled_from(BILLING_PERIODS)), "price": draw(st.integers(100, 5_000_000)),
            "currency": currency, "plan": "pro",
            "status": status or ("active" if risk is not None else draw(st.sampled_from(("active",) * 6 + CONTRACT_STATUSES))),
            "discount_percent": draw(st.sampled_from([0, 0, 0, 10])),
            **({"renewed_until": (end + dt.timedelta(days=length)).isoformat()} if status == "renewed" else {}),
        },
        "usage": usage,
        "limits": [{"resource": "seats", "used": used_pct, "limit": 100}],
        "contacts": contacts,
        "tickets": tickets,
        "requests": requests,
        "health": ({"score": health, "nps": nps} if health is not None or nps is not None
                   else draw(st.one_of(st.none(), st.fixed_dictionaries({"score": st.integers(0, 100),
                                                                         "nps": st.integers(0, 10)})))),
        "modules": {"active": ["crm"], "available": ["analytics", "sms"]},
        "touches": [{"at": at(days, draw(st.integers(10, 17))),
                     "channel": draw(st.sampled_from(["call", "email", "meeting", "message"])),
                     "contact_id": draw(st.sampled_from([c["id"] for c in contacts] + [None]))}
                    for days in touch_days],
        "revenue": draw(st.one_of(st.none(), st.fixed_dictionaries({"ltv": st.integers(0, 50_000_000)}))),
    }


def snapshots(**knobs: Any) -> st.SearchStrategy[AccountSnapshot]:
    """Validated `AccountSnapshot`s; takes the knobs of `snapshot_dicts`."""
    return snapshot_dicts(**knobs).map(AccountSnapshot.model_validate)


@st.composite
def snapshots_with_as_of(draw: st.DrawFn, /, *, around: dt.date = _DEFAULT_TODAY, days: int = 3,
                         **knobs: Any) -> tuple[AccountSnapshot, dt.datetime]:
    """A snapshot and an as-of moment drawn together: the as-of is a working-day hour in the account's own
    zone, and nothing in the snapshot happens after it. Takes the knobs of `snapshot_dicts`.

        >>> @given(snapshots_with_as_of(discount_ask=20))
        ... def test(pair):
        ...     snapshot, as_of = pair
    """
    today = around + dt.timedelta(days=draw(st.integers(-days, days)))
    hour = draw(st.integers(8, 19))
    snapshot = draw(snapshots(today=today, latest_hour=hour, **knobs))
    return snapshot, dt.datetime.combine(today, dt.time(hour, draw(st.sampled_from([0, 15, 30, 45]))),
                                         tzinfo=snapshot.account.zone)


def books(*, min_size: int = 1, max_size: int = 20, **knobs: Any) -> st.SearchStrategy[list[AccountSnapshot]]:
    """Lists of snapshots with unique account ids and varied owners, as a portfolio is. Takes the knobs of
    `snapshot_dicts` (except `account_id`)."""
    return st.lists(snapshots(**knobs), min_size=min_size, max_size=max_size, unique_by=lambda s: s.account.id)


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
