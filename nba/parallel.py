"""Evaluating many snapshots in worker processes, in order, with a bounded number of chunks in flight."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .decision import Decision
    from .engine import Engine
    from .snapshot import AccountSnapshot

_WORKER_ENGINE: list[Engine] = []  # set once in each worker process by _start_worker, never in the parent


def _start_worker(engine: Engine) -> None:
    _WORKER_ENGINE.append(engine)


def _evaluate_chunk(chunk: list[AccountSnapshot], as_of: dt.datetime) -> list[Decision]:
    engine = _WORKER_ENGINE[0]
    return [engine.evaluate(snapshot, as_of=as_of) for snapshot in chunk]


def parallel_map(engine: Engine, snapshots: Iterable[AccountSnapshot], as_of: dt.datetime, *, workers: int,
                 chunk_size: int) -> Iterator[Decision]:
    """Decisions in input order from `workers` processes; at most 2 x workers chunks are pending at once."""
    source = iter(snapshots)
    pending: deque[Future[list[Decision]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker, initargs=(engine,)) as pool:
        def submit() -> bool:
            chunk = list(itertools.islice(source, chunk_size))
            if chunk:
                pending.append(pool.submit(_evaluate_chunk, chunk, as_of))
            return bool(chunk)

        for _ in range(2 * workers):
            if not submit():
                break
        while pending:
            decisions = pending.popleft().result()
            submit()
            yield from decisions
