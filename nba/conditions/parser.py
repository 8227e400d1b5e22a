"""Tokenizer and recursive-descent parser for conditions such as `activity_change_pct <= -40 and days_to_end > 0`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import ConditionError
from .ast import Arith, Compare, Known, ListLit, Literal, Logical, Name, Negate, Node, Not

KEYWORDS = frozenset({"and", "or", "not", "in", "is", "known", "unknown", "true", "false"})
MAX_LENGTH = 4000
MAX_DEPTH = 50

_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<op>==|!=|<=|>=|<|>|\+|-|\*|/|\(|\)|\[|\]|,)
    """,
    re.VERBOSE,
)
_HINTS = {
    "=": "use == to compare",
    "&": "write `and`",
    "|": "write `or`",
    "!": "write `not`, or != for 'not equal'",
    "%": "write percentages as plain numbers: activity_drop_pct >= 40",
}


@dataclass(frozen=True, slots=True)
class Token:
    """One lexical token: its kind, text and 0-based position."""

    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Token]:
    """Split a condition into tokens; raises `ConditionError` at the first character that fits nothing."""
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            ch = text[pos]
            if ch in "\"'":
                raise ConditionError("text in quotes is not closed", pos, "close it with the same quote on the same line")
            raise ConditionError(f"unexpected character {ch!r}", pos, _HINTS.get(ch))
        kind = m.lastgroup or ""
        if kind != "space":
            word = m.group()
            if kind == "name" and word.lower() in KEYWORDS:
                kind, word = "keyword", word.lower()
            tokens.append(Token(kind, word, pos))
        pos = m.end()
    tokens.append(Token("end", "", len(text)))
    return tokens


def parse(text: str) -> Node:
    """Parse condition text into a syntax tree; raises `ConditionError` with the position of the problem."""
    if len(text) > MAX_LENGTH:
        raise ConditionError(f"condition is longer than {MAX_LENGTH} characters", MAX_LENGTH, "split it into several rules")
    if not text.strip():
        raise ConditionError("condition is empty", 0, "write a test such as `activity_drop_pct >= 40`")
    return _ConditionParser(tokenize(text)).parse()


class _ConditionParser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    # -- helpers -------------------------------------------------------------------------------
    @property
    def tok(self) -> Token:
        return self.tokens[self.i]

    def _advance(self) -> Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def _at(self, kind: str, text: str | None = None) -> bool:
        tok = self.tok
        return tok.kind == kind and (text is None or tok.text == text)

    def _expect(self, kind: str, text: str, what: str) -> Token:
        if not self._at(kind, text):
            raise self._error(f"expected {what}")
        return self._advance()

    def _error(self, message: str, hint: str | None = None) -> ConditionError:
        tok = self.tok
        found = "the end of the condition" if tok.kind == "end" else f"`{tok.text}`"
        return ConditionError(f"{message}, found {found}", tok.pos, hint)

    # -- grammar -------------------------------------------------------------------------------
    def parse(self) -> Node:
        node = self._or()
        if not self._at("end"):
            hint = None
            if self.tok.kind in ("name", "number", "string"):
                hint = "join two tests with `and` or `or`"
            raise self._error("expected the end of the condition", hint)
        return node

    def _or(self) -> Node:
        return self._logical("or", self._and)

    def _and(self) -> Node:
        return self._logical("and", self._not)

    def _logical(self, op: str, parse_operand: Callable[[], Node]) -> Node:
        items = [parse_operand()]
        while self._at("keyword", op):
            self._advance()
            items.append(parse_operand())
        if len(items) == 1:
            return items[0]
        return Logical(items[0].start, items[-1].end, op, tuple(items))

    def _not(self) -> Node:
        if self._at("keyword", "not"):
            start = self._advance().pos
            self._enter()
            operand = self._not()
            self.depth -= 1
            return Not(start, operand.end, operand)
        return self._comparison()

    def _comparison(self) -> Node:
        left = self._sum()
        tok = self.tok
        if tok.kind == "op" and tok.text in ("==", "!=", "<", "<=", ">", ">="):
            self._advance()
            right = self._sum()
            return Compare(left.start, right.end, tok.text, left, right)
        if tok.kind == "keyword" and tok.text == "in":
            self._advance()
            right = self._list()
            return Compare(left.start, right.end, "in", left, right)
        if tok.kind == "keyword" and tok.text == "not" and self.tokens[self.i + 1].text == "in":
            self._advance()
            self._advance()
            right = self._list()
            return Compare(left.start, right.end, "not in", left, right)
        if tok.kind == "keyword" and tok.text == "is":
            self._advance()
            negate = False
            if self._at("keyword", "not"):
                self._advance()
                negate = True
            if not (self._at("keyword", "known") or self._at("keyword", "unknown")):
                raise self._error("expected `known` or `unknown` after `is`", "write `nps is known`; compare values with ==")
            word = self._advance()
            if not isinstance(left, Name):
                raise ConditionError("only a signal can be tested with `is known`", left.start, "write `nps is known`")
            known = (word.text == "known") != negate
            return Known(left.start, word.pos + len(word.text), left, known)
        return left

    def _sum(self) -> Node:
        return self._chain(("+", "-"), self._product)

    def _product(self) -> Node:
        return self._chain(("*", "/"), self._unary)

    def _chain(self, ops: tuple[str, ...], parse_operand: Callable[[], Node]) -> Node:
        """A left-nested chain `a + b - c`: each operator is one level deeper, and counts against MAX_DEPTH
        (a chain of thousands of `+ 1` would otherwise exhaust Python's recursion in the checker)."""
        node = parse_operand()
        entered = 0
        while self.tok.kind == "op" and self.tok.text in ops:
            self._enter()
            entered += 1
            op = self._advance().text
            right = parse_operand()
            node = Arith(node.start, right.end, op, node, right)
        self.depth -= entered
        return node

    def _unary(self) -> Node:
        if self._at("op", "-"):
            start = self._advance().pos
            self._enter()
            operand = self._unary()
            self.depth -= 1
            if isinstance(operand, Literal) and isinstance(operand.value, float):
                return Literal(start, operand.end, -operand.value)
            return Negate(start, operand.end, operand)
        return self._atom()

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self._error(f"condition is nested more than {MAX_DEPTH} levels deep", "simplify it")

    def _atom(self) -> Node:
        tok = self.tok
        if tok.kind == "number":
            self._advance()
            return Literal(tok.pos, tok.pos + len(tok.text), float(tok.text))
        if tok.kind == "string":
            self._advance()
            return Literal(tok.pos, tok.pos + len(tok.text), _unquote(tok.text))
        if tok.kind == "keyword" and tok.text in ("true", "false"):
            self._advance()
            return Literal(tok.pos, tok.pos + len(tok.text), tok.text == "true")
        if tok.kind == "name":
            self._advance()
            return Name(tok.pos, tok.pos + len(tok.text), tok.text)
        if tok.kind == "op" and tok.text == "(":
            self._advance()
            self._enter()
            node = self._or()
            self.depth -= 1
            self._expect("op", ")", "`)` to close the `(`")
            return node
        if tok.kind == "op" and tok.text == "[":
            raise self._error("a list can only follow `in`", "write `segment in [\"key\", \"standard\"]`")
        raise self._error("expected a signal name, a number, a text in quotes or `(`")

    def _list(self) -> ListLit:
        start = self._expect("op", "[", "`[` starting a list, as in `in [\"key\", \"standard\"]`").pos
        items: list[Literal] = []
        while not self._at("op", "]"):
            item = self._unary()
            if not isinstance(item, Literal):
                raise ConditionError("a list may hold only numbers and texts in quotes", item.start)
            items.append(item)
            if not self._at("op", ","):
                break
            self._advance()
        end = self._expect("op", "]", "`,` or `]` in the list").pos + 1
        if not items:
            raise ConditionError("the list is empty", start, "put at least one value between [ and ]")
        return ListLit(start, end, tuple(items))


def _unquote(text: str) -> str:
    body = text[1:-1]
    return re.sub(r"\\(.)", r"\1", body)
