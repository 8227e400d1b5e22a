"""Properties over generated accounts, as-of moments and packs: the promises that hold for every input."""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from zoneinfo import ZoneInfo

import nba
import nba.testing as nt
from nba.calendar import BusinessCalendar, HolidayBook, WorkingHours
from nba.conditions import NativeBackend, check, parse
from nba.episodes import episode_values
from nba.packs.model import DuePolicy
from nba.scheduling import schedule
from nba.signals import CATALOGUE, compute_signals

ENGINE = nba.Engine.default()
BOOK = HolidayBook()
RISK_ORDER = {"green": 0, "yellow": 1, "red": 2}


def calendar_of(snapshot: nba.AccountSnapshot) -> BusinessCalendar:
    return BusinessCalendar(snapshot.account.country, ZoneInfo(snapshot.account.timezone), WorkingHours(), BOOK)


def aware(moment: dt.datetime, snapshot: nba.AccountSnapshot) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(snapshot.account.timezone))


@given(nt.snapshots(), nt.as_of_datetimes())
def test_every_due_is_aware_not_before_as_of_on_a_working_day_inside_hours(snapshot: nba.AccountSnapshot,
                                                                         as_of: dt.datetime) -> None:
    decision = ENGINE.evaluate(snapshot, as_of=as_of)
    calendar = calendar_of(snapshot)
    for action in decision.actions:
        assert action.due.tzinfo is not None
        assert calendar.is_valid_slot(action.due, as_of), (action.rule, as_of, action.due)


@given(nt.snapshots(), nt.as_of_datetimes())
def test_every_decision_is_valid_against_its_own_models(snapshot: nba.AccountSnapshot, as_of: dt.datetime) -> None:
    decision = ENGINE.evaluate(snapshot, as_of=as_of)
    assert nba.Decision.model_validate(decision.model_dump()) == decision
    assert nba.Decision.model_validate_json(decision.model_dump_json()) == decision


@given(nt.snapshots(), nt.as_of_datetimes(naive=True))
def test_naive_as_of_is_account_local_and_decisions_are_deterministic(snapshot: nba.AccountSnapshot,
                                                                     as_of: dt.datetime) -> None:
    first = ENGINE.evaluate(snapshot, as_of=as_of)
    second = ENGINE.evaluate(snapshot, as_of=aware(as_of, snapshot))
    assert first == second
    assert json.dumps(first.model_dump(mode="json"), ensure_ascii=False) == json.dumps(second.model_dump(mode="json"), ensure_ascii=False)
    assert len({a.id for a in first.actions}) == len(first.actions)


@given(nt.snapshots(discount_ask=True), nt.as_of_datetimes())
def test_discount_invariants(snapshot: nba.AccountSnapshot, as_of: dt.datetime) -> None:
    decision = ENGINE.evaluate(snapshot, as_of=as_of)
    d = decision.discount
    if d is None:  # the ask is older than 30 days at this as-of, or dated after it
        return
    for offer in d.offers:
        assert offer.condition  # never a discount for nothing
        assert offer.percent <= d.requested_percent  # never more than asked
        assert d.ceiling is not None and offer.percent <= d.ceiling  # never above the ceiling
        assert (offer.deadline is not None) == (offer.condition == "payment_by_date")
    if d.outcome == "reject":
        assert d.offers == []
    else:
        assert d.offers
    if d.outcome == "approve":
        assert d.offers[0].percent == d.requested_percent and d.approval_role is None
    if d.outcome == "needs_approval":
        assert d.approval_role is not None


@given(nt.snapshots(), nt.as_of_datetimes())
def test_no_two_calls_to_one_contact_on_one_day(snapshot: nba.AccountSnapshot, as_of: dt.datetime) -> None:
    decision = ENGINE.evaluate(snapshot, as_of=as_of)
    zone = ZoneInfo(snapshot.account.timezone)
    seen: set[tuple[str, dt.date]] = set()
    for action in decision.actions:
        if action.kind in ("call", "offer") and action.contact is not None:
            key = (action.contact.id, action.due.astimezone(zone).date())
            assert key not in seen
            seen.add(key)


@given(nt.snapshots(), nt.as_of_datetimes(), st.randoms(use_true_random=False))
def test_signals_do_not_depend_on_the_order_of_usage_periods(snapshot: nba.AccountSnapshot, as_of: dt.datetime,
                                                             rng: random.Random) -> None:
    shuffled = list(snapshot.usage)
    rng.shuffle(shuffled)
    reordered = snapshot.model_copy(update={"usage": shuffled})
    assert compute_signals(reordered, as_of) == compute_signals(snapshot, as_of)


# A second engine that sees every account in the opposite order: its memos (dues, calendars,
# renewal stages, phrases) hold different histories, so any leak between accounts shows as a difference.
OTHER_ENGINE = nba.Engine.default()


@given(st.lists(nt.snapshots(), min_size=2, max_size=4), nt.as_of_datetimes())
def test_memos_shared_across_accounts_never_change_a_decision(snapshots: list[nba.AccountSnapshot],
                                                              as_of: dt.datetime) -> None:
    forward = [ENGINE.evaluate(s, as_of=as_of) for s in snapshots]
    backward = [OTHER_ENGINE.evaluate(s, as_of=as_of) for s in reversed(snapshots)]
    assert forward == backward[::-1]


@given(nt.snapshot_dicts(activity_drop=None), st.integers(min_value=1, max_value=90), nt.as_of_datetimes(days=0))
def test_a_bigger_activity_drop_never_lowers_the_risk_level(data: dict, extra_drop: int, as_of: dt.datetime) -> None:
    worse = json.loads(json.dumps(data))
    today = dt.date(2025, 3, 31)
    for period in worse["usage"]:
        if (today - dt.date.fromisoformat(period["period_end"])).days < 30:
            period["sessions"] = int(period["sessions"] * (100 - extra_drop) / 100)
            period["active_users"] = int(period["active_users"] * (100 - extra_drop) / 100)
    before = ENGINE.evaluate(nba.AccountSnapshot.model_validate(data), as_of=as_of).risk
    after = ENGINE.evaluate(nba.AccountSnapshot.model_validate(worse), as_of=as_of).risk
    assert RISK_ORDER[after.level] >= RISK_ORDER[before.level]
    assert after.score >= before.score


_POLICIES = st.one_of(
    st.just({"asap": True}),
    st.builds(lambda n, h: {"within_business_days": n, "at": f"{h:02d}:00"}, st.integers(0, 5), st.integers(10, 17)),
    st.builds(lambda n, h: {"after_business_days": n, "at": f"{h:02d}:30"}, st.integers(0, 5), st.integers(10, 17)),
    st.builds(lambda d, h: {"next_weekday": d, "at": f"{h:02d}:00"},
              st.sampled_from(["monday", "wednesday", "friday", "saturday", "sunday"]), st.integers(10, 17)),
    st.builds(lambda n: {"days_before_end": n, "at": "11:00"}, st.integers(0, 120)),
)


@given(_POLICIES, st.sampled_from(nt.PLACES), nt.as_of_datetimes(days=40), st.integers(min_value=1, max_value=60 * 24 * 20))
def test_a_later_as_of_never_moves_a_due_earlier(policy: dict, place: tuple, as_of: dt.datetime, minutes: int) -> None:
    country, zone, _, _ = place
    calendar = BusinessCalendar(country, ZoneInfo(zone), WorkingHours(), BOOK)
    due_policy = DuePolicy.model_validate(policy)
    end = dt.date(2025, 5, 31)
    earlier = schedule(due_policy, calendar, as_of, end)
    later_as_of = as_of + dt.timedelta(minutes=minutes)
    later = schedule(due_policy, calendar, later_as_of, end)
    assert later >= earlier
    assert calendar.is_valid_slot(later, later_as_of)


def _reference(node: object, signals: dict[str, object]) -> object:
    """A small, slow evaluator written from the language's definition, to hold the compiled closures to it.

    Values: a missing signal is unknown (None); arithmetic or comparison with an unknown is unknown, and so
    is division by zero; `and`/`or`/`not` follow Kleene's three-valued truth tables.
    """
    from nba.conditions.ast import Arith, Compare, Known, ListLit, Literal, Logical, Name, Negate, Not

    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return signals.get(node.name)
    if isinstance(node, Known):
        return (signals.get(node.operand.name) is not None) == node.known
    if isinstance(node, Negate):
        value = _reference(node.operand, signals)
        return None if value is None else -value  # type: ignore[operator]
    if isinstance(node, Arith):
        a, b = _reference(node.left, signals), _reference(node.right, signals)
        if a is None or b is None or (node.op == "/" and b == 0):
            return None
        return {"+": a + b, "-": a - b, "*": a * b}.get(node.op) if node.op != "/" else a / b  # type: ignore[operator]
    if isinstance(node, Not):
        value = _reference(node.operand, signals)
        return None if value is None else not value
    if isinstance(node, Logical):
        values = [_reference(o, signals) for o in node.operands]
        decisive, other = (False, True) if node.op == "and" else (True, False)
        if decisive in values:
            return decisive
        return None if None in values else other
    if isinstance(node, Compare):
        a = _reference(node.left, signals)
        if node.op in ("in", "not in"):
            assert isinstance(node.right, ListLit)
            if a is None:
                return None
            inside = a in [item.value for item in node.right.items]
            return inside if node.op == "in" else not inside
        b = _reference(node.right, signals)
        if a is None or b is None:
            return None
        return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[node.op]  # type: ignore[operator]
    raise AssertionError(f"unexpected node {node!r}")


def _signal_value(name: str) -> st.SearchStrategy[object]:
    spec = CATALOGUE[name]
    known: st.SearchStrategy[object]
    if spec.type == "number":
        known = st.one_of(st.integers(-200, 2000).map(float), st.sampled_from([0.0, -0.5, 40.0, 1e9]))
    elif spec.type == "bool":
        known = st.booleans()
    else:
        known = st.sampled_from(list(spec.values or ("pro", "start", "")))
    return st.one_of(st.none(), known)


@given(nt.conditions(), st.data())
def test_compiled_conditions_agree_with_a_reference_evaluator(text: str, data: st.DataObject) -> None:
    node = parse(text)
    used = check(node, CATALOGUE)
    signals = {name: data.draw(_signal_value(name), label=name) for name in sorted(used)}
    (compiled,) = NativeBackend().compile([node])
    assert compiled({k: v for k, v in signals.items() if v is not None}) == _reference(node, signals)


@settings(max_examples=min(300, settings.default.max_examples))
@given(nt.pack_dicts(), nt.snapshots(), nt.as_of_datetimes())
def test_generated_packs_load_and_schedule_validly(tmp_path_factory, pack: dict, snapshot: nba.AccountSnapshot,  # type: ignore[no-untyped-def]
                                                  as_of: dt.datetime) -> None:
    folder: Path = tmp_path_factory.mktemp("pack")
    (folder / "generated.yaml").write_text(yaml.safe_dump(pack, allow_unicode=True), encoding="utf-8")
    engine = nba.Engine.from_path(folder)
    decision = engine.evaluate(snapshot, as_of=as_of)
    for action in decision.actions:
        assert calendar_of(snapshot).is_valid_slot(action.due, as_of)


@given(nt.snapshots(), nt.as_of_datetimes(), st.integers(min_value=0, max_value=4), st.integers(min_value=0, max_value=9))
def test_ids_do_not_depend_on_as_of_inside_an_episode(snapshot: nba.AccountSnapshot, as_of: dt.datetime, days: int,
                                                      hours: int) -> None:
    later_as_of = as_of + dt.timedelta(days=days, hours=hours)
    first, later = ENGINE.evaluate(snapshot, as_of=as_of), ENGINE.evaluate(snapshot, as_of=later_as_of)
    signals_first, signals_later = ENGINE.signals(snapshot, as_of), ENGINE.signals(snapshot, later_as_of)
    before = {(a.rule, a.contact.id if a.contact else None): a.id for a in first.actions}
    for action in later.actions:
        key = (action.rule, action.contact.id if action.contact else None)
        if key not in before:
            continue
        rule = ENGINE.ruleset.by_id[action.rule]
        same_episode = (episode_values(rule.episode, snapshot, signals_first)
                        == episode_values(rule.episode, snapshot, signals_later))
        # Inside one episode the id holds whatever as-of and the due are; a new episode (a newer ticket, the
        # next renewal stage) is a new situation with a new id.
        assert (action.id == before[key]) == same_episode, action.rule


@given(nt.snapshots(), nt.as_of_datetimes())
def test_feeding_a_decision_back_as_history_changes_nothing_but_statuses(snapshot: nba.AccountSnapshot,
                                                                          as_of: dt.datetime) -> None:
    decision = ENGINE.evaluate(snapshot, as_of=as_of)
    again = ENGINE.evaluate(snapshot.model_copy(update={"action_history": nba.history_from(decision)}), as_of=as_of)
    assert [a.status for a in again.actions] == ["open"] * len(decision.actions)
    assert again.withdrawn == []
    unstatused = [a.model_copy(update={"status": "new"}) for a in again.actions]
    assert again.model_copy(update={"actions": unstatused}) == decision
