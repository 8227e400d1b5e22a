"""nba.testing: each knob gives what it says, for any draw (the strategies users build their own tests on)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nba
import nba.testing as nt
from nba.signals import compute_signals

ENGINE = nba.Engine.default()


@given(nt.snapshots_with_as_of(risk="green"))
def test_risk_green(pair: tuple[nba.AccountSnapshot, dt.datetime]) -> None:
    snapshot, as_of = pair
    assert ENGINE.evaluate(snapshot, as_of=as_of).risk.level == "green"


@given(nt.snapshots_with_as_of(risk="yellow"))
def test_risk_yellow(pair: tuple[nba.AccountSnapshot, dt.datetime]) -> None:
    snapshot, as_of = pair
    assert ENGINE.evaluate(snapshot, as_of=as_of).risk.level == "yellow"


@given(nt.snapshots_with_as_of(risk="red"))
def test_risk_red(pair: tuple[nba.AccountSnapshot, dt.datetime]) -> None:
    snapshot, as_of = pair
    assert ENGINE.evaluate(snapshot, as_of=as_of).risk.level == "red"


@given(st.sampled_from(["day", "week", "month"]), st.integers(1, 90), st.data())
def test_an_exact_drop_for_any_granularity(granularity: str, drop: int, data: st.DataObject) -> None:
    usage = data.draw(nt.usage_series(granularity=granularity, drop_pct=float(drop)))
    snapshot = data.draw(nt.snapshots(activity_drop=None)).model_copy(update={"usage": [
        nba.AccountSnapshot.model_validate({"account": {"id": "a", "name": "n", "country": "KZ", "timezone": "Asia/Almaty"},
                                            "contract": {"start_date": "2024-01-01", "end_date": "2026-01-01",
                                                         "term": "annual", "price": 1, "currency": "KZT"},
                                            "usage": usage}).usage][0]})
    signals = compute_signals(snapshot, dt.datetime(2025, 3, 31, 20, tzinfo=snapshot.account.zone))
    assert signals["activity_drop_pct"] == drop  # weekly series once gave 35.7 when 40 was asked


@given(nt.snapshots_with_as_of(discount_ask=True, export_request=True, new_contact=True))
def test_nothing_in_the_snapshot_happens_after_its_as_of(pair: tuple[nba.AccountSnapshot, dt.datetime]) -> None:
    snapshot, as_of = pair
    zone = snapshot.account.zone
    moments = [t.opened_at for t in snapshot.tickets] + [r.at for r in snapshot.requests] + [t.at for t in snapshot.touches]
    moments += [c.last_reply_at for c in snapshot.contacts if c.last_reply_at is not None]
    assert all((m if m.tzinfo else m.replace(tzinfo=zone)) <= as_of for m in moments)
    signals = compute_signals(snapshot, as_of)
    assert signals["discount_requested_pct"] is not None and signals["export_request_days"] is not None


@pytest.mark.parametrize("stage", ["not_started", "assessment", "value_call", "offer", "negotiation", "signing", "overdue",
                                   "renewed", "closed"])
@settings(max_examples=10)
@given(data=st.data())
def test_renewal_stage(stage: str, data: st.DataObject) -> None:
    snapshot, as_of = data.draw(nt.snapshots_with_as_of(renewal_stage=stage, around=dt.date(2025, 3, 31), days=0))
    assert ENGINE.evaluate(snapshot, as_of=as_of).renewal.stage == stage


@given(nt.snapshots(health=35, nps=4, segment="key", days_to_end=45, touches=2, last_touch_days=40,
                    team=("account_manager", "head_of_cs"), owner="Ирина Соколова"))
def test_value_knobs(snapshot: nba.AccountSnapshot) -> None:
    assert snapshot.health is not None and (snapshot.health.score, snapshot.health.nps) == (35, 4)
    assert snapshot.account.segment == "key" and snapshot.account.owner is not None
    assert snapshot.account.owner.name == "Ирина Соколова"
    assert sorted(p.role for p in snapshot.account.team) == ["account_manager", "head_of_cs"]
    assert (snapshot.contract.end_date - dt.date(2025, 3, 31)).days == 45
    signals = compute_signals(snapshot, dt.datetime(2025, 3, 31, 23, 59, tzinfo=snapshot.account.zone))
    assert len(snapshot.touches) == 2 and signals["days_since_touch"] == 40


@settings(max_examples=15)  # a book is many snapshots: a few books say enough
@given(nt.books(min_size=5, max_size=10))
def test_a_book_has_unique_ids_and_varied_owners(book: list[nba.AccountSnapshot]) -> None:
    assert len({s.account.id for s in book}) == len(book)


def test_owners_vary_across_draws() -> None:
    owners: set[str] = set()

    @settings(max_examples=40)
    @given(nt.snapshots())
    def collect(snapshot: nba.AccountSnapshot) -> None:
        assert snapshot.account.owner is not None
        owners.add(snapshot.account.owner.name)

    collect()
    assert len(owners) >= 3


@settings(max_examples=1)
@given(st.data())
def test_a_bad_knob_value_is_refused(data: st.DataObject) -> None:
    with pytest.raises(ValueError, match="risk must be green, yellow or red"):
        data.draw(nt.snapshots(risk="orange"))
