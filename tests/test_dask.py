"""nba.integrations.dask on a real local distributed cluster: the same decisions as one-by-one evaluation."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from helpers import EXAMPLES

import nba

pytest.importorskip("dask.distributed", reason="the dask extra is not installed: pip install 'nba[dask]'")

import dask.bag as db  # noqa: E402
import dask.dataframe as dd  # noqa: E402
import pandas as pd  # noqa: E402
from dask.distributed import Client, LocalCluster  # noqa: E402

from nba.integrations.dask import DATAFRAME_COLUMNS, evaluate_bag, evaluate_dataframe  # noqa: E402

AS_OF = dt.datetime(2025, 3, 31, 9, 0, tzinfo=dt.timezone.utc)
RECORDS = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES.glob("*.json"))]


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as c:
        yield c


def expected(engine: nba.Engine) -> list[dict]:
    return [engine.evaluate(nba.AccountSnapshot.model_validate(r), as_of=AS_OF).model_dump(mode="json") for r in RECORDS]


def test_a_bag_is_evaluated_on_the_cluster(client: Client, engine: nba.Engine) -> None:
    bag = db.from_sequence(RECORDS * 3, npartitions=4)
    got = evaluate_bag(bag, engine, AS_OF).compute()
    assert got == expected(engine) * 3


def test_json_lines_and_bad_records(client: Client, engine: nba.Engine) -> None:
    lines = [json.dumps(r) for r in RECORDS] + ['{"account": {}}']
    got = evaluate_bag(db.from_sequence(lines, npartitions=2), engine, AS_OF).compute()
    assert got[:-1] == expected(engine)
    assert got[-1]["error"].startswith("record: the snapshot is invalid")


def test_a_dataframe_is_evaluated_on_the_cluster(client: Client, engine: nba.Engine) -> None:
    frame = dd.from_pandas(pd.DataFrame({"snapshot": [json.dumps(r) for r in RECORDS]}), npartitions=2)
    result = evaluate_dataframe(frame, engine, AS_OF).compute()
    assert list(result.columns) == list(DATAFRAME_COLUMNS)
    want = expected(engine)
    assert list(result["account_id"]) == [d["account_id"] for d in want]
    assert list(result["risk_level"]) == [d["risk"]["level"] for d in want]
    assert [json.loads(x) for x in result["decision"]] == want


def test_a_truncated_line_is_an_error_record_not_a_failed_job(client: Client, engine: nba.Engine, tmp_path) -> None:
    # read_text hands lines over as text: a line cut off mid-record used to fail the whole job.
    book = tmp_path / "book.jsonl"
    lines = [json.dumps(r, ensure_ascii=False) for r in RECORDS]
    book.write_text("\n".join(lines + [lines[0][: len(lines[0]) // 2]]) + "\n", encoding="utf-8")
    got = evaluate_bag(db.read_text(str(book)).map(str.strip), engine, AS_OF).compute()
    assert got[:-1] == expected(engine)
    assert got[-1]["error"].startswith("record: not JSON") and "column" in got[-1]["error"]


def test_a_column_of_dicts_works_under_dasks_default_string_conversion(client: Client, engine: nba.Engine) -> None:
    # With Dask's defaults an object column of dicts becomes their Python text ("{'account': ...}").
    frame = dd.from_pandas(pd.DataFrame({"snapshot": RECORDS}), npartitions=2)
    result = evaluate_dataframe(frame, engine, AS_OF).compute()
    assert list(result["error"]) == [None] * len(RECORDS)
    assert [json.loads(x) for x in result["decision"]] == expected(engine)


def test_an_as_of_that_is_not_a_datetime_is_refused_before_the_cluster_sees_it() -> None:
    # It used to reach every task and turn each record into an error record of its own.
    lines = db.from_sequence([(EXAMPLES / "vostok.json").read_text(encoding="utf-8")], npartitions=1)
    with pytest.raises(nba.UsageError, match="as_of must be a datetime"):
        evaluate_bag(lines, nba.Engine.default(), as_of="2025-03-31T09:00")  # type: ignore[arg-type]
    import pandas as pd

    frame = dd.from_pandas(pd.DataFrame({"snapshot": [(EXAMPLES / "vostok.json").read_text(encoding="utf-8")]}), npartitions=1)
    with pytest.raises(nba.UsageError, match="as_of must be a datetime"):
        evaluate_dataframe(frame, nba.Engine.default(), as_of=dt.date(2025, 3, 31))  # type: ignore[arg-type]
