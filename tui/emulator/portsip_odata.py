"""PortSIP's OData-like query options: the ``filter`` and ``orderby`` grammars.

Documented (about.md "Query Options Overview", the v22.x guides): comparison operators
``eq ne gt ge lt le``, combinators ``and`` / ``or``, the functions ``startswith``, ``endswith`` and
``contains`` with a field and a quoted string, timestamps as quoted RFC 3339 strings, and
``orderby=caller asc, started_at desc``. Parentheses group as in OData; ``and`` binds tighter than
``or``. Anything else (an unknown field, a string compared with a number field, an unterminated
quote, ``not``) is a :class:`QueryError`, which the API answers with its ``VALIDATE_FAILED`` body.

Values seen by the evaluator: strings for string fields, ints for number fields and epoch
*microseconds* (or ``None`` for an empty value) for time fields.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Literal

FieldType = Literal["str", "int", "time"]
Value = str | int | float | None

COMPARISONS = ("eq", "ne", "gt", "ge", "lt", "le")
FUNCTIONS = ("startswith", "endswith", "contains")
MAX_FILTER_LENGTH = 4096  # longer filters are rejected [unconfirmed: no documented limit]
MAX_DEPTH = 32  # nesting of parentheses / operators, against pathological input

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<str>'(?:[^']|'')*')
      | (?P<num>-?\d+(?:\.\d+)?)(?![\w.])
      | (?P<name>[A-Za-z_$][A-Za-z0-9_]*)
      | (?P<punct>[(),])
    )""",
    re.VERBOSE,
)


class QueryError(ValueError):
    """A query option the server rejects; ``detail`` goes into the error body."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Compare:
    field: str
    op: str
    value: Value


@dataclass(frozen=True, slots=True)
class Func:
    name: str
    field: str
    arg: str


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: str  # "and" | "or"
    left: Node
    right: Node


Node = Compare | Func | BoolOp


def parse_time_us(text: str) -> int:
    """An RFC 3339 timestamp (``Z`` or an offset; fractional seconds allowed) → epoch µs."""
    v = text.strip()
    if not re.fullmatch(
        r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})", v
    ):
        raise QueryError(f"invalid RFC 3339 timestamp {text!r}")
    frac = ""
    m = re.search(r"\.(\d+)", v)
    if m:
        frac = m.group(1)
        v = v[: m.start()] + v[m.end() :]
    try:
        dt = datetime.fromisoformat(v.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        raise QueryError(f"invalid RFC 3339 timestamp {text!r}") from None
    return int(dt.timestamp()) * 1_000_000 + int((frac + "000000")[:6])


_HOUR_MINUTE = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))
_SECOND = tuple(f"{s:02d}." for s in range(60))


@lru_cache(maxsize=4096)
def _iso_day(day: int) -> str:
    """``"2024-08-20T"`` for the UTC day number ``day`` (days since the epoch)."""
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%dT")


def format_time_us(us: int, digits: int = 6) -> str:
    """Epoch µs → ``2024-08-20T06:00:59.457188Z`` (``digits`` fractional digits, 3 or 6)."""
    # Arithmetic, tables and a per-day cache instead of datetime/strftime: list pages format
    # four times per call.
    sec, micro = divmod(us, 1_000_000)
    day, second = divmod(sec, 86400)
    head = f"{_iso_day(day)}{_HOUR_MINUTE[second // 60]}{_SECOND[second % 60]}"
    return f"{head}{micro:06d}Z" if digits == 6 else f"{head}{f'{micro:06d}'[:digits]}Z"


class _Parser:
    def __init__(self, text: str, fields: Mapping[str, FieldType]) -> None:
        self.fields = fields
        self.tokens: list[tuple[str, str]] = []
        pos = 0
        while pos < len(text):
            if text[pos:].strip() == "":
                break
            m = _TOKEN.match(text, pos)
            if m is None or m.end() == pos:
                raise QueryError(
                    f"unexpected character at position {pos}: {text[pos : pos + 10]!r}"
                )
            kind = m.lastgroup or ""
            self.tokens.append((kind, m.group(kind)))
            pos = m.end()
        self.i = 0
        self.depth = 0

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise QueryError("unexpected end of filter")
        self.i += 1
        return tok

    def expect(self, punct: str) -> None:
        kind, text = self.take()
        if kind != "punct" or text != punct:
            raise QueryError(f"expected {punct!r}, got {text!r}")

    def parse(self) -> Node:
        node = self.parse_or()
        if self.peek() is not None:
            raise QueryError(f"unexpected {self.peek()[1]!r}")  # type: ignore[index]
        return node

    def _deeper(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise QueryError("filter is nested too deeply")

    def parse_or(self) -> Node:
        self._deeper()
        node = self.parse_and()
        while self.peek() == ("name", "or"):
            self.take()
            node = BoolOp("or", node, self.parse_and())
        self.depth -= 1
        return node

    def parse_and(self) -> Node:
        node = self.parse_primary()
        while self.peek() == ("name", "and"):
            self.take()
            node = BoolOp("and", node, self.parse_primary())
        return node

    def parse_primary(self) -> Node:
        kind, text = self.take()
        if kind == "punct" and text == "(":
            node = self.parse_or()
            self.expect(")")
            return node
        if kind != "name":
            raise QueryError(f"expected a field or a function, got {text!r}")
        if text in FUNCTIONS and self.peek() == ("punct", "("):
            self.take()
            field = self.field(self.take())
            if self.fields[field] != "str":
                raise QueryError(f"{text}() needs a string field, {field} is not one")
            self.expect(",")
            akind, arg = self.take()
            if akind != "str":
                raise QueryError(f"{text}() needs a quoted string, got {arg!r}")
            self.expect(")")
            return Func(text, field, _unquote(arg))
        if text in ("not", "and", "or") or text in COMPARISONS:
            raise QueryError(f"unsupported or misplaced operator {text!r}")
        field = self.field((kind, text))
        okind, op = self.take()
        if okind != "name" or op not in COMPARISONS:
            raise QueryError(f"expected one of {', '.join(COMPARISONS)} after {field}, got {op!r}")
        vkind, raw = self.take()
        return Compare(field, op, self.value(field, vkind, raw))

    def field(self, tok: tuple[str, str]) -> str:
        kind, text = tok
        if kind != "name" or text not in self.fields:
            raise QueryError(f"unknown field {text!r}")
        return text

    def value(self, field: str, kind: str, raw: str) -> Value:
        ftype = self.fields[field]
        if ftype == "int":
            if kind != "num" or "." in raw:
                raise QueryError(f"{field} needs an integer value, got {raw!r}")
            n = int(raw)
            if not -(2**63) <= n < 2**63:
                raise QueryError(f"{field} value out of range")
            return n
        if kind != "str":
            raise QueryError(f"{field} needs a quoted value, got {raw!r}")
        text = _unquote(raw)
        return parse_time_us(text) if ftype == "time" else text


def _unquote(raw: str) -> str:
    return raw[1:-1].replace("''", "'")


def parse_filter(text: str, fields: Mapping[str, FieldType]) -> Node | None:
    """Parse a ``filter`` value; ``None`` for an empty one. Raises :class:`QueryError`."""
    if len(text) > MAX_FILTER_LENGTH:
        raise QueryError(f"filter longer than {MAX_FILTER_LENGTH} characters")
    if not text.strip():
        return None
    return _Parser(text, fields).parse()


def _compare(op: str, a: Value, b: Value) -> bool:
    if a is None or b is None:  # an empty value: only "ne" holds (OData null semantics)
        return op == "ne" and a is not b
    if op == "eq":
        return a == b
    if op == "ne":
        return a != b
    if type(a) is not type(b):
        return False
    if op == "gt":
        return a > b  # type: ignore[operator]
    if op == "ge":
        return a >= b  # type: ignore[operator]
    if op == "lt":
        return a < b  # type: ignore[operator]
    return a <= b  # type: ignore[operator]


def evaluate(node: Node, get: Callable[[str], Value]) -> bool:
    """Evaluate ``node`` against one record whose field values ``get`` returns."""
    if isinstance(node, BoolOp):
        if node.op == "and":
            return evaluate(node.left, get) and evaluate(node.right, get)
        return evaluate(node.left, get) or evaluate(node.right, get)
    if isinstance(node, Func):
        v = get(node.field)
        if not isinstance(v, str):
            return False
        if node.name == "startswith":
            return v.startswith(node.arg)
        if node.name == "endswith":
            return v.endswith(node.arg)
        return node.arg in v
    return _compare(node.op, get(node.field), node.value)


def conjuncts(node: Node | None) -> list[Node]:
    """The top-level ``and`` terms of ``node`` (a single term if it is no ``and``)."""
    if node is None:
        return []
    if isinstance(node, BoolOp) and node.op == "and":
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def fields_of(node: Node | None) -> set[str]:
    if node is None:
        return set()
    if isinstance(node, BoolOp):
        return fields_of(node.left) | fields_of(node.right)
    return {node.field}


def parse_orderby(text: str, fields: Mapping[str, FieldType]) -> list[tuple[str, bool]]:
    """``caller asc, started_at desc`` → ``[("caller", False), ("started_at", True)]``
    (the bool is "descending"); a term without a direction is ascending (OData)."""
    if len(text) > MAX_FILTER_LENGTH:
        raise QueryError("orderby too long")
    out: list[tuple[str, bool]] = []
    for term in text.split(","):
        words = term.split()
        if not words or len(words) > 2:
            raise QueryError(f"invalid orderby term {term.strip()!r}")
        if words[0] not in fields:
            raise QueryError(f"unknown orderby field {words[0]!r}")
        direction = words[1] if len(words) == 2 else "asc"
        if direction not in ("asc", "desc"):
            raise QueryError(f"invalid orderby direction {direction!r}")
        out.append((words[0], direction == "desc"))
    return out
