"""Reading inputs: snapshots from one JSON file, a folder of them, or a JSON Lines book, with located errors."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeAlias, cast

from pydantic import ValidationError

from .errors import InputError
from .messages import english_count
from .snapshot import AccountSnapshot


#: The path that names standard input, as Unix tools write it: `zcat book.jsonl.gz | nba evaluate-portfolio - …`.
STDIN = "-"


def _stdin() -> IO[bytes]:
    """This process's standard input, as bytes."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise InputError("-: this process has no standard input to read; give a file")
    return cast("IO[bytes]", stream)


def read_json(path: Path) -> Any:
    """Read a JSON file (`-`: standard input); raises `InputError` naming the file (and line and column) on any problem."""
    try:
        text = (_stdin().read() if str(path) == STDIN else path.read_bytes()).decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a JSON file") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    return parse_json(text, str(path))


def parse_json(text: str, where: str, line: int | None = None) -> Any:
    """Parse JSON text; raises `InputError` at `where:line:column`.

    `line` is the line of a JSON Lines file the text came from; None for a whole file.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        hint = ""
        if line is None and exc.msg == "Extra data" and exc.colno == 1:  # a second document starts a line
            hint = ("; it holds a document per line, like a JSON Lines book, which `nba evaluate-portfolio` "
                    "reads when the file's name ends in .jsonl")
        raise InputError(f"{where}:{exc.lineno + (line or 1) - 1}:{exc.colno}: invalid JSON: {exc.msg}{hint}") from None
    except RecursionError:
        at = f"{where}:{line}" if line is not None else where
        raise InputError(f"{at}: invalid JSON: nested too deeply") from None


def describe_validation(source: str, exc: ValidationError) -> str:
    """One paragraph listing every invalid field of a snapshot by its path."""
    count = exc.error_count()
    lines = [f"{source}: the snapshot is invalid ({english_count(count, 'problem')}):"]
    for error in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in error["loc"]) or "(top)"
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown field; remove it or check its spelling against the snapshot format"
        elif error["type"] == "missing":
            message = "missing required field"
        lines.append(f"  {loc}: {message}")
    return "\n".join(lines)


def validate_snapshot(data: Any, source: str) -> AccountSnapshot:
    """Validate snapshot data; raises `InputError` listing every invalid field."""
    try:
        return AccountSnapshot.model_validate(data)
    except ValidationError as exc:
        raise InputError(describe_validation(source, exc)) from None


def load_snapshot(path: Path) -> AccountSnapshot:
    """Read and validate one snapshot file; raises `InputError` with every problem located."""
    return validate_snapshot(read_json(path), str(path))


@dataclass(frozen=True, slots=True)
class Record:
    """One snapshot read from a portfolio: where it came from, and the snapshot or the error."""

    source: str
    snapshot: AccountSnapshot | None
    error: str | None


def snapshot_from_bytes(data: bytes | str, file: str, line: int | None) -> AccountSnapshot:
    """One snapshot from its JSON bytes or text (a whole file, or line `line` of a .jsonl file).

    Raises `InputError` located at `file:line:column` for bad JSON, or listing every invalid field.
    """
    try:
        # The fast path: parsed and validated in one pass by pydantic-core.
        return AccountSnapshot.model_validate_json(data)
    except ValueError:  # ValidationError, for bad JSON too: read it again the careful way for a located message
        pass
    where = f"{file}:{line}" if line is not None else file
    text = data if isinstance(data, str) else _decode(data, where)
    return validate_snapshot(parse_json(text, file, line), where)


#: What `Engine.evaluate_many` takes for one account: a validated snapshot, its JSON (bytes or text), or its data.
SnapshotLike: TypeAlias = "AccountSnapshot | bytes | str | Mapping[str, Any]"


def as_snapshot(item: SnapshotLike, where: str) -> AccountSnapshot:
    """A snapshot from any `SnapshotLike`: JSON is parsed and validated in one pass; raises `InputError` at `where`."""
    if isinstance(item, AccountSnapshot):
        return item
    if isinstance(item, (bytes, str)):
        return snapshot_from_bytes(item, where, None)
    if isinstance(item, Mapping):
        return validate_snapshot(dict(item), where)
    raise InputError(f"{where}: a snapshot must be an AccountSnapshot, its JSON (bytes or str) or a dict, "
                     f"not {type(item).__name__}")


def read_portfolio(path: Path) -> Iterator[Record]:
    """Snapshots one by one from a .jsonl file (one per line), a folder of *.json, or one .json file.

    A bad record yields an error record (with its line number) and the rest are still read.
    """
    for file, line, data in read_raw(path):
        where = f"{file}:{line}" if line is not None else file
        try:
            snapshot = snapshot_from_bytes(data, file, line)
        except InputError as exc:
            yield Record(where, None, str(exc))
            continue
        yield Record(where, snapshot, None)


def _decode(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{where}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None


def snapshot_files(path: Path) -> list[Path]:
    """The files a book path names: a folder's *.json files, sorted (not a folder called x.json), else the path."""
    if path.is_dir():
        return [file for file in sorted(path.glob("*.json")) if file.is_file()]
    return [path]


def read_raw(path: Path) -> Iterator[tuple[str, int | None, bytes]]:
    """Raw records, unparsed: (file, line, bytes) per line of a .jsonl file, (file, None, bytes) per .json file.

    A stream (standard input as `-`, /dev/stdin, a pipe or a FIFO) is read as JSON Lines: a book piped in.
    """
    if str(path) == STDIN:
        yield from _lines("stdin", _stdin())
        return
    if path.is_dir():
        for file in snapshot_files(path):
            yield _raw_file(file)
        return
    if not path.exists():
        raise InputError(f"{path}: no such file or folder")
    if path.suffix != ".jsonl" and path.is_file():
        yield _raw_file(path)
        return
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
    with handle:
        yield from _lines(str(path), handle)


def _lines(name: str, stream: IO[bytes]) -> Iterator[tuple[str, int | None, bytes]]:
    """The non-blank lines of a JSON Lines stream, numbered from 1, as (name, line, bytes)."""
    for number, raw in enumerate(stream, 1):
        if raw.strip():
            yield (name, number, raw)


def _raw_file(path: Path) -> tuple[str, int | None, bytes]:
    try:
        return (str(path), None, path.read_bytes())
    except OSError as exc:
        raise InputError(f"{path}: cannot read the file: {exc.strerror or exc}") from None
