"""Evaluate a Dask bag or dataframe of snapshots across a cluster (`pip install 'nba[dask]'`).

    import dask.bag as db
    from dask.distributed import Client
    import nba
    from nba.integrations.dask import evaluate_bag

    client = Client("tcp://scheduler:8786")            # or LocalCluster() on one machine
    lines = db.read_text("s3://book/2025-03-31/*.jsonl")       # JSON text: a bad line becomes an error record
    decisions = evaluate_bag(lines, nba.Engine.default(), as_of=dt.datetime(2025, 3, 31, 9))
    decisions.map(json.dumps).to_textfiles("s3://decisions/2025-03-31/*.jsonl")

The engine travels to the workers once (it pickles as its validated packs and is compiled again
there); each partition is evaluated in one task. A record that is not JSON, not a valid snapshot, or
fails to evaluate becomes an error record ({"error": ...}) instead of failing the whole job. A
dataframe column of dicts works under Dask's default string conversion too (which turns each dict into
its Python text): such text is read back as a literal, never run.
"""

from __future__ import annotations

import ast
import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

try:
    import dask.bag as db
    from dask.delayed import delayed
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("nba.integrations.dask needs Dask: pip install 'nba[dask]'") from exc

from ..engine import Engine, check_as_of
from ..inputs import validate_snapshot
from ..errors import InputError, NbaError
from ..snapshot import AccountSnapshot

__all__ = ["evaluate_bag", "evaluate_dataframe", "DATAFRAME_COLUMNS"]

#: Columns of the dataframe `evaluate_dataframe` returns.
DATAFRAME_COLUMNS = ("account_id", "risk_level", "risk_score", "renewal_stage", "actions", "top_action_rule",
                     "top_action_due", "decision", "error")


def _data(record: Any) -> Any:
    """A record as plain data: JSON text, a dict, or a dict that Dask's string conversion turned into text."""
    if isinstance(record, bytes):
        record = record.decode("utf-8")
    if not isinstance(record, str):
        return record
    try:
        return json.loads(record)
    except json.JSONDecodeError as exc:
        if record.lstrip().startswith("{'"):  # str(dict): Dask's default conversion of an object column
            try:
                return ast.literal_eval(record)  # literals only: nothing in the text is run
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                pass
        raise InputError(f"record: not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno} "
                         "(a truncated or broken line?)") from None


def _snapshot(record: Any) -> AccountSnapshot:
    """A record's snapshot: JSON parsed and validated in one pass by pydantic-core; anything else (or JSON that
    fails, for its careful message) through `_data`."""
    if isinstance(record, (bytes, str)):
        try:
            return AccountSnapshot.model_validate_json(record)
        except ValueError:
            pass
    return validate_snapshot(_data(record), "record")


def _evaluate_records(records: Iterable[Any], engine: Engine, as_of: dt.datetime) -> list[dict[str, Any]]:
    """Decisions (as the contract's JSON) for one partition; a bad record becomes {"error": ...}."""
    out: list[dict[str, Any]] = []
    for record in records:
        try:
            snapshot = _snapshot(record)
            out.append(engine.evaluate(snapshot, as_of=as_of).model_dump(mode="json"))
        except (NbaError, ValueError, OverflowError, RecursionError) as exc:  # one record, never the whole job
            out.append({"error": str(exc)})
    return out


def evaluate_bag(snapshots: db.Bag, engine: Engine, as_of: dt.datetime) -> db.Bag:
    """A bag of decisions (dicts, the contract's JSON) from a bag of snapshots (dicts or JSON strings)."""
    check_as_of(as_of)  # here, not once per record on the cluster
    shared = delayed(engine, pure=True)  # one copy of the engine in the graph, reused by every partition
    result: db.Bag = snapshots.map_partitions(_evaluate_records, shared, as_of)  # type: ignore[no-untyped-call, unused-ignore]  # untyped only where Dask is installed
    return result


def _evaluate_frame(frame: Any, engine: Engine, as_of: dt.datetime, column: str) -> Any:
    import pandas as pd

    rows = []
    for result in _evaluate_records(frame[column], engine, as_of):
        if "error" in result:
            rows.append({**dict.fromkeys(DATAFRAME_COLUMNS), "actions": 0, "error": result["error"]})
            continue
        top = result["actions"][0] if result["actions"] else None
        rows.append({
            "account_id": result["account_id"], "risk_level": result["risk"]["level"], "risk_score": result["risk"]["score"],
            "renewal_stage": result["renewal"]["stage"], "actions": len(result["actions"]),
            "top_action_rule": top["rule"] if top else None, "top_action_due": top["due"] if top else None,
            "decision": json.dumps(result, ensure_ascii=False), "error": None,
        })
    return pd.DataFrame(rows, columns=list(DATAFRAME_COLUMNS), index=frame.index)


def evaluate_dataframe(frame: Any, engine: Engine, as_of: dt.datetime, column: str = "snapshot") -> Any:
    """A dataframe of decision summaries (see DATAFRAME_COLUMNS) from a Dask dataframe whose `column`
    holds snapshots as JSON strings or dicts; the full decision JSON is in the `decision` column."""
    import pandas as pd

    check_as_of(as_of)

    meta = pd.DataFrame({name: pd.Series(dtype="int64" if name == "actions" else "float64" if name == "risk_score"
                                         else "object") for name in DATAFRAME_COLUMNS})
    shared = delayed(engine, pure=True)
    return frame.map_partitions(_evaluate_frame, shared, as_of, column, meta=meta)
