"""tariff_limit pack: near a plan limit → upgrade offer before the contract ends."""

from __future__ import annotations

from collections.abc import Callable

from helpers import almaty

import nba

Build = Callable[..., nba.AccountSnapshot]
AS_OF = almaty(2025, 3, 31, 9, 0)


def limit_actions(engine: nba.Engine, snap: nba.AccountSnapshot) -> dict[str, nba.NextAction]:
    return {a.rule: a for a in engine.evaluate(snap, as_of=AS_OF).actions if a.rule.startswith("tariff_limit/")}


def test_near_the_limit_offers_an_upgrade(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("tariff_limit")
    found = limit_actions(engine, kz(limits=[{"resource": "seats", "used": 47, "limit": 50}]))
    action = found["tariff_limit/upgrade_offer"]
    assert action.kind == "offer"
    assert "лимит «пользователи» использован на 94% (47 из 50)" in action.text
    assert "до конца контракта 31 мая 2025\u202fг." in action.text  # Babel's narrow no-break space
    assert set(found) == {"tariff_limit/upgrade_offer"}


def test_at_the_limit_is_urgent(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("tariff_limit")
    found = limit_actions(engine, kz(limits=[{"resource": "storage_gb", "used": 104, "limit": 100}]))
    assert set(found) == {"tariff_limit/limit_reached"}
    # Rule priority 85 + value share 0.288 x 20 = 5.76 (see the priority formula); green risk adds nothing.
    assert found["tariff_limit/limit_reached"].priority == 91


def test_plenty_of_room_does_not_fire(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("tariff_limit")
    assert limit_actions(engine, kz(limits=[{"resource": "seats", "used": 30, "limit": 50}])) == {}


def test_an_ended_contract_gets_no_upgrade_offer(pack_engine: Callable[[str], nba.Engine], kz: Build) -> None:
    engine = pack_engine("tariff_limit")
    snap = kz(limits=[{"resource": "seats", "used": 47, "limit": 50}], contract={"end_date": "2025-03-30"})
    assert "tariff_limit/upgrade_offer" not in limit_actions(engine, snap)
