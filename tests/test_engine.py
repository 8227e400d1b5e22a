"""The engine: pure, deterministic, thread-safe, and every due obeys the contract."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from helpers import EXAMPLES, RULES, almaty, monthly_usage

import nba
from nba.calendar import BusinessCalendar, HolidayBook, WorkingHours

Build = Callable[..., nba.AccountSnapshot]


def busy_account(kz: Build) -> nba.AccountSnapshot:
    """An account where many rules fire at once."""
    return kz(
        usage=monthly_usage(dt.date(2025, 1, 1), [3100, 2800, 1488]),
        limits=[{"resource": "seats", "used": 49, "limit": 50}],
        tickets=[{"id": "t-77", "opened_at": "2025-03-10T15:02:00+05:00", "contact_id": "c1", "subject": "Выгрузка всей базы в Excel"}],
        requests=[{"kind": "discount", "at": "2025-03-28T12:00:00+05:00", "contact_id": "c1", "percent": 20}],
    )


def example_snapshots() -> list[Path]:
    return sorted(EXAMPLES.glob("*.json"))


def test_same_inputs_give_byte_identical_json(engine: nba.Engine, kz: Build) -> None:
    snap = busy_account(kz)
    as_of = almaty(2025, 3, 31, 9, 0)
    first = json.dumps(engine.evaluate(snap, as_of=as_of).model_dump(mode="json"), ensure_ascii=False)
    again = json.dumps(nba.Engine.from_path(RULES).evaluate(snap, as_of=as_of).model_dump(mode="json"), ensure_ascii=False)
    assert first == again


def test_action_ids_are_stable_and_distinct(engine: nba.Engine, kz: Build) -> None:
    snap = busy_account(kz)
    snap = snap.model_copy(update={
        "contacts": [*snap.contacts, nba.snapshot.Contact(id="c2", name="Дана Ержанова", first_seen=dt.date(2024, 1, 1))],
        "tickets": [snap.tickets[0].model_copy(update={"contact_id": "c2"})],
    })
    a = engine.evaluate(snap, as_of=almaty(2025, 3, 31, 9, 0))
    b = engine.evaluate(snap, as_of=almaty(2025, 3, 31, 9, 5))  # same dues, so the same ids
    assert [x.id for x in a.actions] == [x.id for x in b.actions]
    assert len({x.id for x in a.actions}) == len(a.actions) >= 2


def test_actions_are_ordered_by_priority(engine: nba.Engine, kz: Build) -> None:
    actions = engine.evaluate(busy_account(kz), as_of=almaty(2025, 3, 31, 9, 0)).actions
    assert [a.priority for a in actions] == sorted((a.priority for a in actions), reverse=True)


def test_a_naive_as_of_is_local_time_of_the_account(engine: nba.Engine, kz: Build) -> None:
    snap = busy_account(kz)
    naive = engine.evaluate(snap, as_of=dt.datetime(2025, 3, 31, 9, 0))
    aware = engine.evaluate(snap, as_of=almaty(2025, 3, 31, 9, 0))
    assert naive == aware
    assert naive.as_of.isoformat() == "2025-03-31T09:00:00+05:00"


def test_as_of_in_another_zone_is_shown_in_the_accounts_zone(engine: nba.Engine, kz: Build) -> None:
    decision = engine.evaluate(kz(), as_of=dt.datetime(2025, 3, 31, 4, 0, tzinfo=dt.timezone.utc))
    assert decision.as_of.isoformat() == "2025-03-31T09:00:00+05:00"


@pytest.mark.parametrize("path", example_snapshots(), ids=lambda p: p.name)
@pytest.mark.parametrize("hour", [0, 9, 12, 17, 22])
def test_every_due_obeys_the_contract_on_the_examples(engine: nba.Engine, path: Path, hour: int) -> None:
    snap = nba.AccountSnapshot.model_validate_json(path.read_text(encoding="utf-8"))
    zone = ZoneInfo(snap.account.timezone)
    book = HolidayBook()
    for day in range(20, 32):
        as_of = dt.datetime(2025, 3, day, hour, 17, tzinfo=zone)
        for action in engine.evaluate(snap, as_of=as_of).actions:
            calendar = BusinessCalendar(snap.account.country, zone, WorkingHours(), book)
            assert calendar.is_valid_slot(action.due, as_of), (action.rule, as_of, action.due)
            assert action.due.utcoffset() is not None


def test_the_shipped_packs_are_the_default_engine(engine: nba.Engine) -> None:
    assert nba.Engine.default().rule_ids == engine.rule_ids


def test_a_rule_on_missing_data_does_not_fire_or_crash(engine: nba.Engine) -> None:
    minimal = nba.AccountSnapshot.model_validate({
        "account": {"id": "a", "name": "Bare Co", "country": "DE", "timezone": "Europe/Berlin"},
        "contract": {"start_date": "2025-01-01", "end_date": "2025-12-31", "term": "annual", "price": 100, "currency": "EUR"},
    })
    decision = engine.evaluate(minimal, as_of=dt.datetime(2025, 6, 2, 9, 0))
    assert decision.actions == []
    assert decision.discount is None
    assert decision.risk.level == "green"


def test_the_engine_is_safe_to_share_between_threads(engine: nba.Engine, kz: Build) -> None:
    snaps = [busy_account(kz), kz(), kz(account={"locale": "en"})]
    moments = [almaty(2025, 3, d, h, 0) for d in range(17, 29) for h in (9, 15)]
    jobs = [(s, m) for s in snaps for m in moments]
    expected = [engine.evaluate(s, as_of=m) for s, m in jobs]
    cold = nba.Engine.from_path(RULES)  # its memos (dues, stages, phrases) fill while the threads race
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(lambda job: cold.evaluate(job[0], as_of=job[1]), jobs * 3))
    assert got == expected * 3


def test_the_decision_json_has_the_contract_shape(engine: nba.Engine, kz: Build) -> None:
    data = engine.evaluate(busy_account(kz), as_of=almaty(2025, 3, 31, 9, 0)).model_dump(mode="json")
    assert list(data)[:7] == ["account_id", "as_of", "risk", "renewal", "actions", "discount", "suppressed"]
    action = data["actions"][0]
    for key in ("id", "rule", "kind", "title", "text", "due", "owner_role", "owner", "contact", "priority", "reasons"):
        assert key in action
    assert set(data["discount"]) >= {"requested_percent", "outcome", "offers", "approval_role"}
    assert set(data["risk"]) >= {"level", "score", "reasons"}
    assert set(data["renewal"]) >= {"end_date", "days_left", "stage"}


def test_owner_name_comes_from_the_team_for_the_role(engine: nba.Engine, kz: Build) -> None:
    # Green risk: the account manager of the team owns the actions.
    snap = kz(limits=[{"resource": "seats", "used": 47, "limit": 50}],
              touches=[{"at": "2025-01-10T10:00:00+05:00", "channel": "meeting", "contact_id": "c1"}])
    (action,) = engine.evaluate(snap, as_of=almaty(2025, 1, 15, 9, 0)).actions
    assert (action.owner_role, action.owner) == ("account_manager", "Daniyar Omarov")


def test_an_engine_pickles_for_worker_processes(engine: nba.Engine, kz: Build) -> None:
    import pickle

    clone = pickle.loads(pickle.dumps(engine))
    snap = busy_account(kz)
    assert clone.evaluate(snap, as_of=almaty(2025, 3, 31, 9, 0)) == engine.evaluate(snap, as_of=almaty(2025, 3, 31, 9, 0))
    assert clone.rule_ids == engine.rule_ids


def one_rule_engine(folder: Path, action: str) -> nba.Engine:
    """An engine with one rule that always fires on an active contract; `action` lines override the defaults."""
    fields = {"title": "{en: t, ru: t}", "text": "{en: t, ru: t}", "reason": "{en: t, ru: t}"}
    fields.update(line.split(": ", 1) for line in action.splitlines())
    body = "".join(f"      {key}: {value}\n" for key, value in fields.items())
    (folder / "p.yaml").write_text("pack: p\nversion: 1\nrules:\n  - id: r\n    when: days_to_end > 0\n    priority: 1\n"
                                   "    action:\n" + body, encoding="utf-8")
    return nba.Engine.from_path(folder)


def test_cached_due_phrases_follow_local_time_not_the_instant(kz: Build, tmp_path: Path) -> None:
    # 12:00 in Almaty and 10:00 in Moscow are the same instant; each account must read its own local time.
    engine = one_rule_engine(tmp_path, "kind: task\ndue: {asap: true}\ntext: {en: t, ru: '{due}'}")
    noon_almaty = engine.evaluate(kz(), as_of=almaty(2025, 3, 31, 11, 55)).actions[0]
    ten_moscow = engine.evaluate(kz(account={"country": "RU", "timezone": "Europe/Moscow"}),
                                 as_of=dt.datetime(2025, 3, 31, 9, 55)).actions[0]
    assert noon_almaty.due == ten_moscow.due  # the same instant
    assert noon_almaty.text == "В понедельник 31 марта в 12:00"
    assert ten_moscow.text == "В понедельник 31 марта в 10:00"


def test_evaluate_many_streams_the_same_decisions_in_order(engine: nba.Engine) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from synthetic import portfolio

    snapshots = [nba.AccountSnapshot.model_validate(d) for d in portfolio(300, dt.date(2025, 3, 31), seed=7)]
    as_of = dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.timezone.utc)
    one_by_one = [engine.evaluate(s, as_of=as_of) for s in snapshots]
    assert list(engine.evaluate_many(iter(snapshots), as_of=as_of)) == one_by_one
    assert list(engine.evaluate_many(iter(snapshots), as_of=as_of, workers=2, chunk_size=16)) == one_by_one
    # A list is handed to the workers whole where they fork (only positions cross), a stream chunk by chunk.
    assert list(engine.evaluate_many(snapshots, as_of=as_of, workers=2, chunk_size=16)) == one_by_one
    assert list(engine.evaluate_many(tuple(snapshots[:50]), as_of=as_of, workers=2, chunk_size=7, as_json=True)) == \
        [d.model_dump_json() for d in one_by_one[:50]]


@pytest.mark.parametrize("workers", [1, 2])
def test_evaluate_many_takes_json_and_dicts_and_gives_json(engine: nba.Engine, workers: int) -> None:
    # A book's lines go straight in (the workers parse and validate them), and decisions can come back as the
    # JSON a pipeline writes out anyway: the same bytes as evaluating each validated snapshot.
    lines = (Path(__file__).resolve().parent.parent / "examples" / "book.jsonl").read_bytes().splitlines()[:40]
    as_of = dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.timezone.utc)
    expected = [engine.evaluate(nba.AccountSnapshot.model_validate_json(line), as_of=as_of) for line in lines]
    mixed = [line if n % 3 == 0 else line.decode() if n % 3 == 1 else json.loads(line) for n, line in enumerate(lines)]
    decisions = list(engine.evaluate_many(mixed, as_of=as_of, workers=workers, chunk_size=7))
    assert decisions == expected
    assert [str(d.as_of.tzinfo) for d in decisions] == [str(d.as_of.tzinfo) for d in expected]
    texts = list(engine.evaluate_many(iter(lines), as_of=as_of, workers=workers, chunk_size=7, as_json=True))
    assert texts == [d.model_dump_json() for d in expected]


def test_evaluate_explain_and_signals_take_json_and_dicts_as_evaluate_many_does(engine: nba.Engine) -> None:
    # `engine.evaluate(json.load(f))` was "AttributeError: 'dict' object has no attribute 'account'".
    data = json.loads((EXAMPLES / "vostok.json").read_text(encoding="utf-8"))
    as_of = dt.datetime(2025, 3, 31, 9, 0)
    model = nba.AccountSnapshot.model_validate(data)
    expected = engine.evaluate(model, as_of=as_of)
    for given in (data, json.dumps(data), json.dumps(data).encode()):
        assert engine.evaluate(given, as_of=as_of) == expected
    assert engine.explain(data, as_of=as_of).decision == expected
    assert engine.signals(data, as_of=as_of) == engine.signals(model, as_of=as_of)
    data["contract"]["end_date"] = "31.05.2025"
    with pytest.raises(nba.InputError, match=r"snapshot: the snapshot is invalid \(1 problem\):\n  contract.end_date"):
        engine.evaluate(data, as_of=as_of)


@pytest.mark.parametrize("knobs", [{"workers": "2"}, {"workers": 2.0}, {"workers": 2, "chunk_size": "64"}])
def test_workers_and_chunk_size_of_another_type_are_a_type_error_at_the_call(engine: nba.Engine,
                                                                             knobs: dict[str, object]) -> None:
    # `workers="2"` was "'>' not supported between instances of 'str' and 'int'" once iterated. A TypeError at the
    # call, in the pure build (ours) and the compiled one (mypyc's), as for any argument of the wrong type.
    snapshot = nba.AccountSnapshot.model_validate_json((EXAMPLES / "vostok.json").read_bytes())
    with pytest.raises(TypeError):
        engine.evaluate_many([snapshot], **knobs)  # type: ignore[call-overload]


@pytest.mark.parametrize("call, says", [
    (lambda e, s: e.evaluate(s, as_of="2025-03-31T09:00"), "as_of must be a datetime"),
    (lambda e, s: e.evaluate(s, as_of=dt.date(2025, 3, 31)), "not date"),
    (lambda e, s: e.explain(s, as_of="2025-03-31"), "read text with datetime.fromisoformat"),
    (lambda e, s: e.evaluate_many([s], as_of="2025-03-31"), "as_of must be a datetime"),
    (lambda e, s: e.evaluate_many([s], workers=0), "workers must be 1 or more"),
    (lambda e, s: e.evaluate_many([s] * 3, workers=2, chunk_size=0), "chunk_size must be 1 or more"),
])
def test_arguments_nba_cannot_use_are_a_usage_error_at_the_call(engine: nba.Engine, call: Callable[..., object],
                                                                  says: str) -> None:
    # Each used to fail deep inside (AttributeError: 'str' object has no attribute 'tzinfo'), or worse:
    # `chunk_size=0` with workers returned no decision at all, and `workers=0` quietly ran one process.
    snapshot = nba.AccountSnapshot.model_validate_json((EXAMPLES / "vostok.json").read_bytes())
    with pytest.raises(nba.UsageError, match=says):
        call(engine, snapshot)


@pytest.mark.parametrize("workers", [1, 2])
def test_a_bad_snapshot_in_evaluate_many_is_named_after_the_good_ones(engine: nba.Engine, workers: int) -> None:
    lines = (Path(__file__).resolve().parent.parent / "examples" / "book.jsonl").read_bytes().splitlines()[:5]
    broken = json.loads(lines[3])
    broken["contract"]["end_date"] = "31.03.2026"
    stream = engine.evaluate_many([*lines[:3], broken, lines[4]], as_of=dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.timezone.utc),
                                  workers=workers, chunk_size=2)
    got = [next(stream) for _ in range(3)]
    assert len(got) == 3
    with pytest.raises(nba.InputError) as info:
        next(stream)
    assert str(info.value).startswith("snapshot #4")
    assert "contract.end_date" in str(info.value)
    with pytest.raises(nba.InputError, match=r"snapshot #2: a snapshot must be .* not int"):
        list(engine.evaluate_many([lines[0], 7], workers=workers))


def test_evaluate_many_reads_its_input_lazily(engine: nba.Engine, kz: Build) -> None:
    taken = []

    def source():  # type: ignore[no-untyped-def]
        for i in range(10_000):
            taken.append(i)
            yield kz()

    stream = engine.evaluate_many(source(), as_of=almaty(2025, 3, 31, 9, 0))
    next(stream)
    assert len(taken) == 1


def test_parallel_decisions_keep_the_accounts_zone(engine: nba.Engine, kz: Build) -> None:
    snapshots = [busy_account(kz)] * 3
    (first, *_) = engine.evaluate_many(snapshots, as_of=almaty(2025, 3, 31, 9, 0), workers=2, chunk_size=1)
    assert str(first.as_of.tzinfo) == "Asia/Almaty"
    assert all(str(a.due.tzinfo) == "Asia/Almaty" for a in first.actions)


def test_a_naive_reply_time_is_the_accounts_local_time(kz: Build, tmp_path: Path) -> None:
    # 23:30 naive is Almaty time (18:30 UTC); the other contact replied at 20:00 UTC, i.e. later.
    engine = one_rule_engine(tmp_path, "kind: call\ncontact: latest_reply\ndue: {asap: true}")
    snap = kz(contacts=[{"id": "naive", "name": "Алмат Сейткали", "last_reply_at": "2025-03-20T23:30:00"},
                        {"id": "utc", "name": "Дана Ержанова", "last_reply_at": "2025-03-20T20:00:00+00:00"}])
    (action,) = engine.evaluate(snap, as_of=almaty(2025, 3, 31, 9, 0)).actions
    assert action.contact is not None and action.contact.id == "utc"


def test_a_snapshot_knows_when_it_was_taken(engine: nba.Engine) -> None:
    data = json.loads((EXAMPLES / "car_service_chain.json").read_text(encoding="utf-8"))
    data["taken_at"] = "2025-03-31T09:00"  # naive: the account's local time
    snapshot = nba.AccountSnapshot.model_validate(data)
    decision = engine.evaluate(snapshot)  # no as-of: the moment the snapshot was taken, not today
    assert decision.as_of.replace(tzinfo=None) == dt.datetime(2025, 3, 31, 9, 0)
    assert decision == engine.evaluate(snapshot, as_of=dt.datetime(2025, 3, 31, 9, 0))


def test_your_packs_stack_on_the_shipped_ones(tmp_path: Path) -> None:
    (tmp_path / "mine.yaml").write_text(textwrap.dedent("""\
        pack: mine
        version: 1
        rules:
          - id: key_account_review
            when: segment == "key"
            priority: 30
            action:
              kind: task
              due: {within_business_days: 5, at: "11:00"}
              title: {en: Review the key account, ru: Разобрать ключевого клиента}
              text: {en: "Review {company} {due}", ru: "Разобрать {company} {due}"}
              reason: {en: a key account, ru: ключевой клиент}
        """), encoding="utf-8")
    stacked = nba.Engine.default(extra=[tmp_path])
    assert "mine/key_account_review" in stacked.rule_ids
    assert set(nba.Engine.default().rule_ids) < set(stacked.rule_ids)
    assert nba.default_rules_path().is_dir()
