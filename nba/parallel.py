"""Evaluating many snapshots in worker processes, in order, with a bounded number of chunks in flight."""

from __future__ import annotations

import datetime as dt
import itertools
import signal
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar
from zoneinfo import ZoneInfo

from .decision import Decision
from .errors import InputError
from .inputs import SnapshotLike, as_snapshot, snapshot_from_bytes  # here, not in the per-record functions: a lookup each
from .lifecycle import with_history

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .engine import Engine
    from .snapshot import HistoryEntry

In = TypeVar("In")
Out = TypeVar("Out")
#: Histories kept outside the snapshots (the ledger's), by account id.
Histories = Mapping[str, Sequence["HistoryEntry"]]

_STOP_GRACE_SECONDS = 5.0  # how long stopped workers may take to finish the chunk in hand
_WORKER_ENGINE: list[Engine] = []  # set once in each worker process by _start_worker, never in the parent
_WORKER_SHARED: list[Sequence[Any]] = []  # the caller's list of snapshots, when the worker inherited it by fork
_WORKER_HISTORIES: list[Histories] = []  # the ledger's histories of a morning run, by account id


def _start_worker(engine: Engine, shared: Sequence[Any] | None = None, histories: Histories | None = None) -> None:
    # Ctrl-C reaches the whole process group: the parent answers it, the workers stay quiet and are shut down.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, inherited through fork: just end
    _die_with_parent()
    _WORKER_ENGINE.append(engine)
    if shared is not None:
        _WORKER_SHARED.append(shared)
    if histories is not None:
        _WORKER_HISTORIES.append(histories)


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this worker if its parent dies (even by kill -9): no orphans left blocked."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # here: one worker (the usual command) never starts a process

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # pragma: no cover - a libc without prctl
        pass


#: A decision's JSON as UTF-8 bytes: the same bytes as `model_dump_json()` encoded, without making the text first.
_DECISION_JSON: Callable[[Decision], bytes] = Decision.__pydantic_serializer__.to_json


#: One snapshot on its way to a worker: its position (1-based, for errors) and JSON bytes, text or a dict.
_Item = tuple[int, Any]
#: What comes back: the decision's JSON (UTF-8) and the account's time zone, or the error that stopped the snapshot.
_Answer = tuple[bytes | None, str | None, str | None]


def _evaluate_chunk(chunk: list[_Item], as_of: dt.datetime) -> list[_Answer]:
    engine = _WORKER_ENGINE[0]
    answers: list[_Answer] = []
    for n, data in chunk:
        try:
            snapshot = as_snapshot(data, f"snapshot #{n}")
        except InputError as exc:
            answers.append((None, None, str(exc)))
            continue
        answers.append((_DECISION_JSON(engine.evaluate(snapshot, as_of=as_of)), snapshot.account.timezone, None))
    return answers


def _evaluate_positions(chunk: list[int], as_of: dt.datetime) -> list[_Answer]:
    """`_evaluate_chunk` for positions in the list of snapshots this worker inherited (0-based)."""
    shared = _WORKER_SHARED[0]
    return _evaluate_chunk([(i + 1, shared[i]) for i in chunk], as_of)


def _forks() -> bool:
    """Whether worker processes start by fork here, and so inherit the caller's memory as it is."""
    import multiprocessing

    return multiprocessing.get_start_method(allow_none=False) == "fork"


def parallel_map(engine: Engine, snapshots: Iterable[SnapshotLike], as_of: dt.datetime, *, workers: int,
                 chunk_size: int, as_json: bool = False) -> Iterator[Any]:
    """Decisions (or their JSON) in input order from `workers` processes; at most 2 x workers chunks are pending.

    A list (any sequence) of snapshots, where workers start by fork (Linux), is inherited by the workers as
    it is when the first decision is asked for: only positions cross to them, and models are never written
    out. Otherwise snapshots cross to the workers as they came when they are JSON or dicts, as JSON when
    they are models (pydantic's compiled serializer: pickling models costs more than evaluating them).
    Decisions come back as JSON, read here in one pass with their times put back in the account's zone.
    """
    from .snapshot import AccountSnapshot

    def items() -> Iterator[_Item]:
        for n, item in enumerate(snapshots, 1):
            if isinstance(item, AccountSnapshot):
                yield n, item.model_dump_json()
            elif isinstance(item, (bytes, str)):
                yield n, item
            elif isinstance(item, Mapping):
                yield n, dict(item)  # plain dicts pickle quickly
            else:
                yield n, item  # the worker says what it is not, in order with the others

    answers: Iterator[_Answer]
    if isinstance(snapshots, Sequence) and not isinstance(snapshots, (str, bytes)) and _forks():
        answers = _ordered(engine, _evaluate_positions, range(len(snapshots)), as_of, workers, chunk_size, snapshots)
    else:
        answers = _ordered(engine, _evaluate_chunk, items(), as_of, workers, chunk_size)
    for data, timezone, error in answers:
        if error is not None or data is None or timezone is None:
            raise InputError(error or "a worker returned no decision")
        yield data.decode() if as_json else Decision.model_validate_json(data, context={"zone": ZoneInfo(timezone)})


def _ordered(engine: Engine, work: Callable[[list[In], dt.datetime], list[Out]], items: Iterable[In], as_of: dt.datetime,
             workers: int, chunk_size: int, shared: Sequence[Any] | None = None,
             histories: Histories | None = None) -> Iterator[Out]:
    """`work` over chunks of `items` in `workers` processes, results in input order, 2 x workers chunks in flight;
    `shared` is handed to each worker as it starts (inherited, not copied through a pipe, when workers fork)."""
    from concurrent.futures import ProcessPoolExecutor  # here: a run with one worker never needs it

    source = iter(items)
    pending: deque[Future[list[Out]]] = deque()
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(engine, shared, histories))
    try:
        def submit() -> bool:
            chunk = list(itertools.islice(source, chunk_size))
            if chunk:
                pending.append(pool.submit(work, chunk, as_of))
            return bool(chunk)

        for _ in range(2 * workers):
            if not submit():
                break
        while pending:
            results = pending.popleft().result()
            submit()
            yield from results
    except BaseException:
        # Interrupted, terminated, or the consumer stopped early: drop the queued work; the workers finish the
        # chunk in hand (a few dozen accounts) and exit, so no result is cut off mid-message in the pipe.
        # One that does not finish in time is ended.
        processes = list((getattr(pool, "_processes", None) or {}).values())  # shutdown forgets them
        pool.shutdown(wait=False, cancel_futures=True)
        deadline = time.monotonic() + _STOP_GRACE_SECONDS
        for process in processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.terminate()
        raise
    pool.shutdown(wait=True)


#: One raw record: where it came from (a file, and a line for JSON Lines) and its bytes.
RawRecord = tuple[str, int | None, bytes]


class RawResult(NamedTuple):
    """What became of one raw record: the decision as UTF-8 JSON, or the error naming where the record came from."""

    source: str
    decision_json: bytes | None  # bytes: written out as they are, and cheaper through a pipe than text
    error: str | None
    place: tuple[str, str, str, str, str | None] | None  # country, time zone, locale, name and subdivision of the account
    actions: int = 0
    unassigned: int = 0  # actions whose role nobody on the account's team fills
    decision: Decision | None = None  # the decision itself, when it was taken in this process


def _evaluate_raw(engine: Engine, record: RawRecord, as_of: dt.datetime, histories: Histories | None = None,
                  keep: bool = False) -> RawResult:
    file, line, data = record
    where = f"{file}:{line}" if line is not None else file
    try:
        snapshot = snapshot_from_bytes(data, file, line)
    except InputError as exc:
        return RawResult(where, None, str(exc), None)
    account = snapshot.account
    if histories:
        kept = histories.get(account.id)
        if kept:
            snapshot = with_history(snapshot, kept)
    try:
        decision = engine.evaluate(snapshot, as_of=as_of)
    except Exception as exc:  # noqa: BLE001 - one account must never stop the book
        # A record that validates but cannot be evaluated is skipped like an invalid one; the others go on.
        return RawResult(where, None, f"{where}: account {account.id!r} could not be evaluated "
                                      f"({type(exc).__name__}: {exc}); please report it with this record", None)
    return RawResult(where, _DECISION_JSON(decision), None, (account.country, account.timezone, account.locale, account.name, account.subdivision),
                     len(decision.actions), sum(1 for a in decision.actions if a.owner is None),
                     decision if keep else None)


def _evaluate_raw_chunk(chunk: list[RawRecord], as_of: dt.datetime) -> list[RawResult]:
    engine = _WORKER_ENGINE[0]
    histories = _WORKER_HISTORIES[0] if _WORKER_HISTORIES else None
    return [_evaluate_raw(engine, record, as_of, histories) for record in chunk]


def evaluate_raw(engine: Engine, records: Iterable[RawRecord], as_of: dt.datetime, *, workers: int = 1,
                 chunk_size: int = 64, histories: Histories | None = None) -> Iterator[RawResult]:
    """Raw JSON records in, results out in the same order; validation, evaluation and serialization all
    happen in the workers, so the parent only moves bytes (the fast path of `nba evaluate-portfolio`).

    `histories` (the ledger's, by account id) are joined to each account's own history once its record is
    validated; workers get them as they start (inherited, not copied, where they fork). With one worker each
    result carries its `decision` too, so nothing is read back from JSON in this process."""
    if workers <= 1:
        for record in records:
            yield _evaluate_raw(engine, record, as_of, histories, keep=True)
        return
    yield from _ordered(engine, _evaluate_raw_chunk, records, as_of, workers, chunk_size, histories=histories)
