"""Loads rule packs from YAML safely, locating every problem at file:line:column, all at once."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, TypeVar, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from ..errors import InputError, Problem, RulePackError
from ..messages import english_count
from .model import Pack

#: Limits that keep hostile files (alias bombs, deep nesting) from exhausting memory or the stack.
MAX_NODES = 200_000
MAX_DEPTH = 64
MAX_FILE_BYTES = 5_000_000

Loc = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Mark:
    """Where a YAML value starts (1-based line and column) and how its text is written."""

    line: int
    column: int
    style: str | None
    block_lines: tuple[tuple[int, int, int], ...] = ()  # for | and > scalars: (line, indent, length) of each content line


@dataclass(frozen=True, slots=True)
class PackSource:
    """A validated pack with the file it came from and the position of each of its values."""

    pack: Pack
    file: str
    marks: dict[Loc, Mark]

    def problem(self, loc: Loc, message: str, hint: str | None = None, offset: int | None = None, *,
                code: str = "pack") -> Problem:
        """A problem of kind `code` located at the value `loc` (and `offset` characters into it, for conditions)."""
        return locate(self.file, self.marks, loc, message, hint, offset, code=code)


def locate(file: str, marks: dict[Loc, Mark], loc: Loc, message: str, hint: str | None = None,
           offset: int | None = None, *, code: str = "pack") -> Problem:
    """Build a Problem of kind `code` at the nearest known position of `loc`."""
    where = tuple(part for part in loc if part != "__key__")
    probe = loc
    while probe not in marks and probe:
        probe = probe[:-1]
    mark = marks.get(probe)
    if mark is None:
        return Problem(file, None, None, message, hint, code, where)
    line, column = mark.line, mark.column
    if offset is not None and probe == loc:
        if mark.style in (None, '"', "'"):
            column += offset + (1 if mark.style else 0)
        elif mark.block_lines:
            # Walk the block's content lines; folding joins them with one character each.
            for number, indent, length in mark.block_lines:
                line, column = number, indent + 1 + offset
                if offset <= length:
                    break
                offset -= length + 1
    return Problem(file, line, column, message, hint, code, where)


class _Converter:
    """Turns a composed YAML node tree into plain data, recording each value's mark."""

    def __init__(self, file: str, lines: list[str]) -> None:
        self.file = file
        self.lines = lines
        self.marks: dict[Loc, Mark] = {}
        self.problems: list[Problem] = []
        self.count = 0
        self._scalars = yaml.constructor.SafeConstructor()

    def convert(self, node: yaml.Node, loc: Loc, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(node, f"the file has more than {MAX_NODES} values (an alias bomb?)")
        if depth > MAX_DEPTH:
            raise _TooBig(node, f"the file is nested more than {MAX_DEPTH} levels deep")
        style = getattr(node, "style", None) or None  # libyaml says "" for a plain scalar, PyYAML None
        block: tuple[tuple[int, int, int], ...] = ()
        if style in ("|", ">"):
            block = self._block_lines(node)
        self.marks[loc] = Mark(node.start_mark.line + 1, node.start_mark.column + 1, style, block)
        if isinstance(node, yaml.MappingNode):
            if node.tag != "tag:yaml.org,2002:map":
                return self._bad_tag(node)
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problems.append(self._at(key_node, "merge keys (<<) are not supported in packs", "write the fields out"))
                    continue
                if not isinstance(key_node, yaml.ScalarNode):
                    self.problems.append(self._at(key_node, "a key must be a plain name"))
                    continue
                key = self._scalar(key_node)
                if not isinstance(key, str):
                    key = str(key)
                if key in result:
                    self.problems.append(self._at(key_node, f"duplicate field `{key}`", "keep only one of them"))
                    continue
                self.marks[(*loc, key, "__key__")] = Mark(key_node.start_mark.line + 1, key_node.start_mark.column + 1, None)
                result[key] = self.convert(value_node, (*loc, key), depth + 1)
            return result
        if isinstance(node, yaml.SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                return self._bad_tag(node)
            return [self.convert(item, (*loc, i), depth + 1) for i, item in enumerate(node.value)]
        return self._scalar(node)

    def _block_lines(self, node: yaml.Node) -> tuple[tuple[int, int, int], ...]:
        out = []
        for index in range(node.start_mark.line + 1, min(node.end_mark.line + 1, len(self.lines))):
            raw = self.lines[index]
            if raw.strip():
                body = raw.lstrip(" ")
                out.append((index + 1, len(raw) - len(body), len(body.rstrip())))
        return tuple(out)

    def _scalar(self, node: yaml.Node) -> Any:
        try:
            value = self._scalars.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError:
            self.problems.append(self._at(node, f"value with tag {node.tag} is not allowed", "use plain text, numbers, lists and mappings"))
            return None
        except Exception:  # PyYAML's own constructors fail in odd ways on malformed input (e.g. a bad !!timestamp)
            self.problems.append(self._at(node, f"value {node.value!r:.40} cannot be read as {node.tag.rsplit(':', 1)[-1]}",
                                          "write it as plain text in quotes"))
            return None
        if node.tag in ("tag:yaml.org,2002:binary", "tag:yaml.org,2002:set", "tag:yaml.org,2002:omap", "tag:yaml.org,2002:pairs"):
            self.problems.append(self._at(node, f"value with tag {node.tag} is not allowed", "use plain text, numbers, lists and mappings"))
            return None
        return value

    def _bad_tag(self, node: yaml.Node) -> None:
        self.problems.append(self._at(node, f"value with tag {node.tag} is not allowed", "use plain text, numbers, lists and mappings"))
        return None

    def _at(self, node: yaml.Node, message: str, hint: str | None = None, *, code: str = "yaml.value") -> Problem:
        return Problem(self.file, node.start_mark.line + 1, node.start_mark.column + 1, message, hint, code)


class _PackYamlLoader(yaml.SafeLoader):
    """PyYAML's safe loader with YAML 1.2's plain scalars: no base-60 numbers (`10:30` stays the text "10:30",
    a time a pack means, and a long `1:59:59:…` cannot make the number parser take quadratic time), and only
    true/false are booleans (YAML 1.1 also reads yes/no/on/off, so Norway's `NO` became false)."""


_PackYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers
            if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float", "tag:yaml.org,2002:bool")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_PackYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))
_PackYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))
_PackYamlLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


if getattr(yaml, "__with_libyaml__", False):
    class _FastPackYamlLoader(yaml.CSafeLoader):
        """libyaml's parser with the same resolvers: ~15x faster on a clean pack; problems go the careful way."""

    _FastPackYamlLoader.yaml_implicit_resolvers = _PackYamlLoader.yaml_implicit_resolvers
    _FAST_LOADER: type | None = _FastPackYamlLoader
else:  # pragma: no cover - PyYAML built without libyaml
    _FAST_LOADER = None


class _TooBig(Exception):
    def __init__(self, node: yaml.Node, message: str) -> None:
        super().__init__(message)
        self.node = node


def read_yaml(path: Path, display: str) -> tuple[Any, dict[Loc, Mark], list[Problem]]:
    """Read one YAML file safely: plain data, the marks of its values, and the problems found."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, {}, [Problem(display, None, None, f"cannot read the file: {exc.strerror or exc}", code="file.unreadable")]
    if len(raw) > MAX_FILE_BYTES:
        return None, {}, [Problem(display, None, None, f"the file is larger than {MAX_FILE_BYTES} bytes", code="file.too_large")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = _line_column(raw[:exc.start].decode("utf-8", "replace"))
        return None, {}, [Problem(display, *at, f"the file is not UTF-8 text (byte {exc.start})",
                                  "save it as UTF-8", "file.encoding")]
    try:
        node = _compose(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        column = mark.column + 1 if mark else None
        what = exc.problem or exc.context or "invalid YAML"
        return None, {}, [Problem(display, line, column, f"invalid YAML: {what}", "check indentation, colons and quotes", "yaml.syntax")]
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow (NUL, other control characters)
        at = _line_column(text[:exc.position])
        return None, {}, [Problem(display, *at, f"a character YAML does not allow: U+{exc.character:04X}"
                                  if isinstance(exc.character, int) else f"invalid YAML: {exc.reason}",
                                  "delete it: such characters are usually pasted in by accident", "yaml.character")]
    except yaml.YAMLError as exc:
        return None, {}, [Problem(display, None, None, f"invalid YAML: {exc}", code="yaml.syntax")]
    except RecursionError:
        return None, {}, [Problem(display, None, None, "the file is nested too deeply", code="yaml.too_deep")]
    if node is None:
        return None, {}, [Problem(display, 1, 1, "the file is empty", "a pack starts with `pack:`, `version:` and `rules:`", "yaml.empty")]
    converter = _Converter(display, text.splitlines())
    try:
        data = converter.convert(node, ())
    except _TooBig as exc:
        return None, {}, [converter._at(exc.node, str(exc), code="yaml.too_large")]
    return data, converter.marks, converter.problems


def _line_column(before: str) -> tuple[int, int]:
    """1-based line and column of the character that follows `before`."""
    return before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1


def _compose(text: str) -> yaml.Node | None:
    """The YAML node tree: libyaml's parser when it is there and the text is clean, else PyYAML's own,
    whose error positions and messages the problems report."""
    if _FAST_LOADER is not None and "\x00" not in text:
        try:
            return yaml.compose(text, Loader=_FAST_LOADER)
        except (yaml.YAMLError, RecursionError, UnicodeError, ValueError):
            pass  # read it again the careful way, for an exact message
    return yaml.compose(text, Loader=_PackYamlLoader)


def validation_problems(exc: ValidationError, model: type[BaseModel], file: str, marks: dict[Loc, Mark],
                        prefix: Loc = (), top: str = "the pack") -> list[Problem]:
    """Turn pydantic errors into located problems, with did-you-mean hints; `top` names the whole document."""
    from ..conditions.checker import suggest

    problems: list[Problem] = []
    for error in _plain_errors(exc, model):
        loc: Loc = (*prefix, *error["loc"])
        kind = error["type"]
        path = ".".join(str(p) for p in loc) or "(top)"
        if kind == "extra_forbidden":
            field = str(loc[-1])
            allowed = allowed_fields(model, loc[len(prefix):-1])
            close = suggest(field, allowed) if allowed else None
            hint = f"did you mean `{close}`?" if close else ("allowed: " + ", ".join(allowed) if allowed else None)
            key_loc = (*loc, "__key__")
            problems.append(locate(file, marks, key_loc if key_loc in marks else loc, f"unknown field `{field}` in {path.rsplit('.', 1)[0] if len(loc) > 1 else top}", hint,
                                   code="schema.unknown_field"))
            continue
        if kind == "missing":
            at_parent = locate(file, marks, loc[:-1], f"missing field `{loc[-1]}` in {'.'.join(str(p) for p in loc[:-1]) or top}",
                               "add it", code="schema.missing")
            problems.append(dataclasses.replace(at_parent, loc=tuple(loc)))  # placed at the parent, named by its own path
            continue
        message = error["msg"].removeprefix("Value error, ")
        if kind.startswith("time_"):
            given = error.get("input")
            problems.append(locate(file, marks, loc, f"`{path}`: {given!r} is not a time of day",
                                   'write it as HH:MM in quotes, e.g. at: "09:00"', code="schema.time"))
            continue
        if kind == "literal_error":
            choices = error["choices"]
            close = suggest(str(error.get("input")), choices)
            problems.append(locate(file, marks, loc, f"`{path}`: {error.get('input')!r} is not one of: {', '.join(choices)}",
                                   f"did you mean '{close}'?" if close else None, code="schema.choice"))
            continue
        if kind == "union_types":
            problems.append(locate(file, marks, loc, f"`{path}`: expected {' or '.join(error['kinds'])}, "
                                   f"got {_shown(error.get('input'))}", code="schema.type"))
            continue
        if kind in _NOT_A:
            problems.append(locate(file, marks, loc, f"`{path}`: {_shown(error.get('input'))} is not {_NOT_A[kind]}",
                                   code="schema.type"))
            continue
        problems.append(locate(file, marks, loc, f"`{path}`: {message}", code="schema.value"))
    return problems


#: The words for the types pydantic names in a union's branches.
_KIND_WORDS = {"int": "a whole number", "float": "a number", "str": "text", "bool": "true or false",
               "list": "a list", "dict": "a mapping", "none": "nothing"}


def _plain_errors(exc: ValidationError, model: type[BaseModel]) -> list[dict[str, Any]]:
    """pydantic's errors with the union branches folded: one error per place, as a person names it.

    A value checked against `A | B` fails once per branch, each with the branch in its `loc`
    (`version.int`, `owner_role.literal['a','b']`): those become one error at the field, with the
    literal choices pooled (`literal_error`) or the branches named as kinds (`union_types`).
    """
    folded: dict[tuple[Any, ...], dict[str, Any]] = {}
    for error in exc.errors(include_url=False):
        loc = tuple(part for part in error["loc"] if not _is_branch(part))
        branches = [str(part) for part in error["loc"] if _is_branch(part)]
        entry = folded.setdefault(loc, {**error, "loc": loc, "choices": [], "kinds": [], "branched": False})
        entry["branched"] = entry["branched"] or bool(branches)
        if error["type"] == "literal_error":
            # The choices as the model declares them; pydantic's own sentence only where the model cannot say.
            declared = (literal_choices(model, loc, key=True) if "[key]" in branches else literal_choices(model, loc))
            entry["choices"] += declared or [str(error.get("ctx", {}).get("expected", ""))]
        elif branches:
            entry["kinds"].append(_KIND_WORDS.get(branches[-1].split("[")[0], branches[-1]))
    for entry in folded.values():
        entry["choices"] = list(dict.fromkeys(entry["choices"]))
        entry["kinds"] = list(dict.fromkeys(entry["kinds"]))
        if entry["choices"] and not entry["kinds"]:
            entry["type"] = "literal_error"
        elif entry["branched"]:
            entry["type"] = "union_types"
            if entry["choices"]:
                entry["kinds"].append("one of: " + ", ".join(entry["choices"]))
    return list(folded.values())


#: Plain words for pydantic's type errors: "{value} is not ...".
_NOT_A = {"int_parsing": "a whole number", "int_type": "a whole number", "int_from_float": "a whole number",
          "float_parsing": "a number", "float_type": "a number", "bool_parsing": "true or false",
          "bool_type": "true or false", "string_type": "text", "dict_type": "a mapping (key: value)",
          "list_type": "a list", "model_type": "a mapping (key: value)", "date_from_datetime_parsing": "a date (YYYY-MM-DD)",
          "date_parsing": "a date (YYYY-MM-DD)", "datetime_parsing": "a date and time (YYYY-MM-DDTHH:MM)"}


def _shown(value: object) -> str:
    """A value as the message shows it: short text quoted, containers by their kind."""
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_branch(part: object) -> bool:
    """Whether a `loc` part names a branch of a union (`int`, `literal['a','b']`) rather than a field."""
    return isinstance(part, str) and ("[" in part or part in _KIND_WORDS)


def allowed_fields(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names allowed at `loc` inside `model` (walking nested models, lists and dicts)."""
    inner = _inner_model(_annotation_at(model, loc))
    return list(inner.model_fields) if inner is not None else []


def literal_choices(model: type[BaseModel], loc: Loc, *, key: bool = False) -> list[str]:
    """The values the `Literal` at `loc` inside `model` allows, in the order the model declares them (walking
    nested models, lists and dicts); with `key`, `loc` ends with a mapping's key, and the values are those its
    keys allow. Empty when there are none."""
    annotation = _annotation_at(model, loc[:-1] if key else loc)
    if key:
        mapping = _dict_args(annotation)
        annotation = mapping[0] if mapping is not None else None
    return list(dict.fromkeys(str(value) for value in _literal_values(annotation)))


def _annotation_at(model: type[BaseModel], loc: Loc) -> Any:
    """The annotation of the value at `loc` inside `model`, walking nested models, list items and mapping
    values; None when `loc` names no field."""
    annotation: Any = model
    for part in loc:
        if isinstance(part, int):
            continue  # an item of a list: the list's annotation holds the item's
        mapping = _dict_args(annotation)
        if mapping is not None:
            annotation = mapping[1]  # a key of a mapping: the values' annotation
            continue
        inner = _inner_model(annotation)
        field = inner.model_fields.get(str(part)) if inner is not None else None
        if field is None:
            return None
        annotation = field.annotation
    return annotation


def _literal_values(annotation: Any) -> Iterator[Any]:
    if get_origin(annotation) is Literal:
        yield from get_args(annotation)
        return
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return
    for arg in get_args(annotation):
        yield from _literal_values(arg)


def _dict_args(annotation: Any) -> tuple[Any, Any] | None:
    """The key and value annotations of a `dict[K, V]` (also inside `X | None`), or None."""
    for candidate in (annotation, *get_args(annotation)):
        if get_origin(candidate) is dict:
            key, value = get_args(candidate)
            return key, value
    return None


def _inner_model(annotation: Any) -> Any:
    """The BaseModel inside `X | None`, `list[X]` or `dict[K, X]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in reversed(getattr(annotation, "__args__", ()) or ()):
        found = _inner_model(arg)
        if found is not None:
            return found
    return None


def pack_files(paths: Iterable[Path], problems: list[Problem] | None = None) -> list[Path]:
    """The pack files under the given paths: each file as given, each folder's *.yaml / *.yml sorted by name.

    A folder that cannot be listed is a problem in `problems` when given (else the `OSError` propagates).
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            try:
                entries = list(path.iterdir())
            except OSError as exc:
                if problems is None:
                    raise
                problems.append(Problem(str(path), None, None, f"cannot read the folder: {exc.strerror or exc}", code="file.unreadable", hint=
                                        "check its permissions"))
                continue
            files.extend(sorted(p for p in entries if p.suffix.lower() in (".yaml", ".yml") and p.is_file()
                                and not p.name.lower().endswith((".test.yaml", ".test.yml"))))
        else:
            files.append(path)
    return files


def load_packs(paths: Iterable[Path | str]) -> list[PackSource]:
    """Load and validate every pack under `paths`; raises `RulePackError` with all problems, loading nothing."""
    problems: list[Problem] = []
    sources: list[PackSource] = []
    given = [Path(p) for p in paths]
    for path in given:
        if not path.exists():
            problems.append(Problem(str(path), None, None, "no such file or folder", "give a folder of *.yaml packs, or one pack file", "file.missing"))
    files = pack_files((p for p in given if p.exists()), problems)
    if not files and not problems:
        problems.append(Problem(", ".join(map(str, given)), None, None, "no *.yaml packs found", code="file.missing"))
    seen: dict[str, str] = {}
    for file in files:
        display = str(file)
        data, marks, found = read_yaml(file, display)
        problems.extend(found)
        if found:
            continue
        if data is None:
            problems.append(Problem(display, 1, 1, "the file holds no pack (only a null value)",
                                    "a pack starts with `pack:`, `version:` and `rules:`", "yaml.empty"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(display, 1, 1, "a pack must be a mapping of fields", "start with `pack: my_pack`",
                                    "schema.type"))
            continue
        try:
            pack = Pack.model_validate(data)
        except ValidationError as exc:
            problems.extend(validation_problems(exc, Pack, display, marks))
            from .checks import raw_condition_problems  # the checks import this module

            problems.extend(raw_condition_problems(data, display, marks))  # so one run shows both kinds
            continue
        if pack.pack in seen:
            problems.append(locate(display, marks, ("pack",), f"pack `{pack.pack}` is already defined in {seen[pack.pack]}", code="pack.duplicate", hint=
                                   "give each pack a unique name"))
            continue
        seen[pack.pack] = display
        sources.append(PackSource(pack, display, marks))
    if problems:
        raise RulePackError(sort_problems(problems))
    return sources


M = TypeVar("M", bound=BaseModel)


def load_yaml_model(path: Path, model: type[M], *, what: str) -> M:
    """A small YAML settings file (e.g. owner capacity) read with the packs' safeguards and validated as `model`.

    Raises `InputError` with every problem located as file:line:col and in plain words.
    """
    data, marks, problems = read_yaml(path, str(path))
    if problems and problems[0].message == "the file is empty":
        data, problems = {}, []  # an empty settings file means the defaults
    if not problems and data is not None and not isinstance(data, dict):
        problems = [Problem(str(path), 1, 1, f"a {what} must be a mapping of fields", code="schema.type")]
    if not problems:
        try:
            return model.model_validate(data or {})
        except ValidationError as exc:
            problems = validation_problems(exc, model, str(path), marks, top=f"the {what}")
    count = len(problems)
    raise InputError(f"{what} not loaded, {english_count(count, 'problem')}:\n" +
                     "\n".join(f"  {p}" for p in sort_problems(problems)))


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """Problems in reading order: by file, then line, then column."""
    return sorted(problems, key=lambda p: (p.file, p.line or 0, p.column or 0))
