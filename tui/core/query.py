"""The one-line query language: ``status:failed,busy dir:in to:+4420* since:-2h dur:<5 "refund"``.

``parse_query(text)`` builds a :class:`CallFilter` or raises :class:`QueryError` naming the
column and what was expected; ``format_query(filter)`` prints the canonical text, which parses
back to an equal filter. Grammar: terms separated by whitespace; a term is ``key:values`` or free
text (a bare word or a ``"quoted string"`` with ``\\"`` and ``\\\\`` escapes). ``values`` is a
comma-separated list of bare or quoted items. Repeating a list key adds alternatives; repeating a
range key (``dur:>5 dur:<30``) narrows the range.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tui.core.errors import QueryError
from tui.core.filter import (
    CallFilter,
    NumberPattern,
    NumRange,
    TimeBound,
    extra_field,
    extra_fields,
)
from tui.core.model import Direction, Status

STATUS_ALIASES: dict[str, Status] = {s.value: s for s in Status} | {
    "inprogress": Status.IN_PROGRESS,
    "in_progress": Status.IN_PROGRESS,
    "active": Status.IN_PROGRESS,
    "noanswer": Status.NO_ANSWER,
    "no_answer": Status.NO_ANSWER,
    "missed": Status.NO_ANSWER,
    "cancelled": Status.CANCELED,
    "answered": Status.COMPLETED,
}
DIRECTION_ALIASES: dict[str, Direction] = {d.value: d for d in Direction} | {
    "in": Direction.INBOUND,
    "out": Direction.OUTBOUND,
    "int": Direction.INTERNAL,
    "ext": Direction.INTERNAL,
}
# How a direction is written in a canonical query: the words the README and the errors teach.
DIRECTION_WORDS: dict[Direction, str] = {
    Direction.INBOUND: "in",
    Direction.OUTBOUND: "out",
    Direction.INTERNAL: "internal",
    Direction.UNKNOWN: "unknown",
}
_STATUS_CHOICES = ", ".join(s.value for s in Status)
_DIRECTION_CHOICES = "in, out, internal, unknown"

# key in the query → canonical key
KEY_ALIASES: dict[str, str] = {
    "status": "status", "s": "status", "is": "status",
    "dir": "dir", "direction": "dir",
    "from": "from", "caller": "from",
    "to": "to", "callee": "to",
    "since": "since", "after": "since",
    "until": "until", "before": "until",
    "dur": "dur", "duration": "dur",
    "price": "price", "cost": "price",
    "parent": "parent",
    "id": "id", "ids": "id", "sid": "id",
}  # fmt: skip
CORE_KEYS = ("status", "dir", "from", "to", "since", "until", "dur", "price", "parent", "id")


def canonical_key(key: str) -> str | None:
    """The canonical query key of ``key`` as typed (an alias, any case), or None if unknown;
    providers' extra fields (and their aliases) come from the registry."""
    lowered = key.lower()
    found = KEY_ALIASES.get(lowered)
    if found is not None:
        return found
    for extra in extra_fields():
        if lowered == extra.key or lowered in extra.aliases:
            return extra.key
    return None


def known_keys() -> tuple[str, ...]:
    return (*CORE_KEYS, *(extra.key for extra in extra_fields()))


_KEY = re.compile(r"[A-Za-z_]+")
_RANGE_OP = re.compile(r"^(<=|>=|<|>|=)?(.*)$", re.S)
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smh]?)$")
_DURATION_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass
class _Item:
    text: str
    column: int


@dataclass
class _Term:
    column: int
    key: str | None
    items: list[_Item]


def _read_quoted(text: str, start: int) -> tuple[str, int]:
    """Read a ``"..."`` string starting at ``start``; returns (value, index after the quote)."""
    out: list[str] = []
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
            continue
        if ch == '"':
            return "".join(out), i + 1
        out.append(ch)
        i += 1
    raise QueryError("unterminated quote", column=start, expected='a closing "', query=text)


def _tokenize(text: str) -> list[_Term]:
    terms: list[_Term] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        if text[i] == '"':
            value, i = _read_quoted(text, i)
            terms.append(_Term(start, None, [_Item(value, start)]))
            continue
        key_match = _KEY.match(text, i)
        if key_match and key_match.end() < n and text[key_match.end()] == ":":
            key = key_match.group(0)
            i = key_match.end() + 1
            items: list[_Item] = []
            while True:
                item_start = i
                if i < n and text[i] == '"':
                    value, i = _read_quoted(text, i)
                    if i < n and text[i] == "*":  # "a b"* : prefix of a quoted value
                        value += "*"
                        i += 1
                else:
                    while i < n and not text[i].isspace() and text[i] != ",":
                        i += 1
                    value = text[item_start:i]
                    if not value:
                        raise QueryError(
                            f"{key}: is missing a value", column=item_start,
                            expected=_expected_for(key), query=text,
                        )  # fmt: skip
                items.append(_Item(value, item_start))
                if i < n and text[i] == ",":
                    i += 1
                    continue
                break
            if i < n and not text[i].isspace():
                raise QueryError("unexpected character", column=i, expected="a space", query=text)
            terms.append(_Term(start, key, items))
            continue
        while i < n and not text[i].isspace():
            i += 1
        terms.append(_Term(start, None, [_Item(text[start:i], start)]))
    return terms


def _expected_for(key: str) -> str:
    canonical = canonical_key(key) or ""
    return {
        "status": _STATUS_CHOICES,
        "dir": _DIRECTION_CHOICES,
        "since": "a time such as -2h or 2026-11-01",
        "until": "a time such as -2h or 2026-11-01",
        "dur": "a duration range such as <5, >=30, 10..60 or >2m",
        "price": "a price range such as >=0.05 or 0.01..0.5",
    }.get(canonical, "a value")


def parse_query(text: str) -> CallFilter:
    """Parse the query language into a filter; raises :class:`QueryError` on any mistake."""
    fields: dict[str, Any] = {}
    statuses: set[Status] = set()
    directions: set[Direction] = set()
    from_numbers: list[NumberPattern] = []
    to_numbers: list[NumberPattern] = []
    ids: list[str] = []
    words: list[str] = []
    extras: list[tuple[str, tuple[str, ...]]] = []
    duration: NumRange | None = None
    price: NumRange | None = None

    for term in _tokenize(text):
        if term.key is None:
            words.append(term.items[0].text)
            continue
        key = canonical_key(term.key)
        if key is None:
            expected = "one of " + ", ".join(known_keys()) + ' (quote free text: "a:b")'
            raise QueryError(
                f"unknown field {term.key!r}", column=term.column, expected=expected, query=text
            )
        if key == "status":
            for item in term.items:
                status = STATUS_ALIASES.get(item.text.lower())
                if status is None:
                    raise _bad(text, item, f"unknown status {item.text!r}", _STATUS_CHOICES)
                statuses.add(status)
        elif key == "dir":
            for item in term.items:
                direction = DIRECTION_ALIASES.get(item.text.lower())
                if direction is None:
                    raise _bad(text, item, f"unknown direction {item.text!r}", _DIRECTION_CHOICES)
                directions.add(direction)
        elif key in ("from", "to"):
            target = from_numbers if key == "from" else to_numbers
            target.extend(NumberPattern.parse(item.text) for item in term.items)
        elif key in ("since", "until"):
            if len(term.items) != 1:
                raise _bad(text, term.items[1], f"{key} takes one time", "a single time")
            if key in fields:
                raise _bad(text, term.items[0], f"{key} given twice", "one " + key)
            try:
                fields[key] = TimeBound.parse(term.items[0].text)
            except ValueError as exc:
                raise _bad(
                    text, term.items[0], f"not a time: {term.items[0].text!r}", str(exc)
                ) from None
        elif key == "dur":
            for item in term.items:
                duration = _narrow(duration, _parse_range(text, item, _duration_value, "dur"))
        elif key == "price":
            for item in term.items:
                price = _narrow(price, _parse_range(text, item, _price_value, "price"))
        elif key == "parent":
            if len(term.items) != 1 or "parent" in fields:
                raise _bad(text, term.items[-1], "parent takes one call id", "a single call id")
            fields["parent_id"] = term.items[0].text
        elif key == "id":
            ids.extend(item.text for item in term.items)
        else:
            spec = extra_field(key)
            assert spec is not None  # canonical_key knew it
            values: list[str] = []
            for item in term.items:
                value = item.text
                if spec.choices:
                    value = value.lower()
                    if value not in spec.choices:
                        raise _bad(
                            text, item, f"unknown {key} {item.text!r}", ", ".join(spec.choices)
                        )
                values.append(value)
            extras.append((key, tuple(values)))

    return CallFilter(
        statuses=frozenset(statuses),
        directions=frozenset(directions),
        from_numbers=tuple(from_numbers),
        to_numbers=tuple(to_numbers),
        since=fields.get("since"),
        until=fields.get("until"),
        duration=duration,
        price=price,
        parent_id=fields.get("parent_id"),
        ids=tuple(ids),
        text=tuple(words),
        extras=tuple(extras),
    )


def _bad(query: str, item: _Item, message: str, expected: str) -> QueryError:
    return QueryError(message, column=item.column, expected=expected, query=query)


def _narrow(current: NumRange | None, new: NumRange) -> NumRange:
    return new if current is None else current.intersect(new)


def _duration_value(text: str) -> Decimal:
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise ValueError
    return Decimal(match.group(1)) * _DURATION_UNITS[match.group(2)]


def _price_value(text: str) -> Decimal:
    value = Decimal(text.strip())
    if not value.is_finite():
        raise ValueError
    return value


def _parse_range(query: str, item: _Item, value_of: Any, key: str) -> NumRange:
    text = item.text
    try:
        if ".." in text:
            low_text, high_text = text.split("..", 1)
            low = value_of(low_text) if low_text else None
            high = value_of(high_text) if high_text else None
            if low is None and high is None:
                raise ValueError
            return NumRange(low, high)
        match = _RANGE_OP.match(text)
        assert match is not None
        op, number = match.group(1) or "=", value_of(match.group(2))
    except (ValueError, InvalidOperation, ArithmeticError):
        raise _bad(query, item, f"not a {key} range: {text!r}", _expected_for(key)) from None
    return {
        "<": NumRange(high=number, high_inclusive=False),
        "<=": NumRange(high=number),
        ">": NumRange(low=number, low_inclusive=False),
        ">=": NumRange(low=number),
        "=": NumRange(number, number),
    }[op]


# -- printing ------------------------------------------------------------------------------

_NEEDS_QUOTES = re.compile(r'[\s,"\\]')


def _quote(value: str, *, always: bool = False) -> str:
    if not always and value and not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _word(value: str) -> str:
    """Free text prints bare only when it cannot be mistaken for a key or a quote."""
    risky = not value or value[0] == '"' or ":" in value or _NEEDS_QUOTES.search(value)
    return _quote(value, always=bool(risky))


def _number_item(pattern: NumberPattern) -> str:
    body = _quote(pattern.value) if pattern.value else '""'
    return body + ("*" if pattern.prefix else "")


def _num(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _range_terms(key: str, rng: NumRange) -> list[str]:
    low, high = rng.low, rng.high
    if low is not None and high is not None and rng.low_inclusive and rng.high_inclusive:
        return [f"{key}:{_num(low)}" if low == high else f"{key}:{_num(low)}..{_num(high)}"]
    terms = []
    if low is not None:
        terms.append(f"{key}:{'>=' if rng.low_inclusive else '>'}{_num(low)}")
    if high is not None:
        terms.append(f"{key}:{'<=' if rng.high_inclusive else '<'}{_num(high)}")
    return terms


def format_query(flt: CallFilter) -> str:
    """The canonical query text of ``flt``; ``parse_query(format_query(f)) == f``."""
    terms: list[str] = []
    if flt.statuses:
        terms.append("status:" + ",".join(s.value for s in Status if s in flt.statuses))
    if flt.directions:
        terms.append(
            "dir:" + ",".join(DIRECTION_WORDS[d] for d in Direction if d in flt.directions)
        )
    if flt.from_numbers:
        terms.append("from:" + ",".join(_number_item(p) for p in flt.from_numbers))
    if flt.to_numbers:
        terms.append("to:" + ",".join(_number_item(p) for p in flt.to_numbers))
    if flt.since is not None:
        terms.append(f"since:{flt.since}")
    if flt.until is not None:
        terms.append(f"until:{flt.until}")
    if flt.duration is not None:
        terms.extend(_range_terms("dur", flt.duration))
    if flt.price is not None:
        terms.extend(_range_terms("price", flt.price))
    if flt.parent_id is not None:
        terms.append("parent:" + _quote(flt.parent_id))
    if flt.ids:
        terms.append("id:" + ",".join(_quote(i) for i in flt.ids))
    for key, values in flt.extras:
        spec = extra_field(key)
        if spec is not None and spec.numbers:
            items = [_number_item(NumberPattern.parse(v)) for v in values]
        else:
            items = [_quote(v) for v in values]
        terms.append(f"{key}:" + ",".join(items))
    terms.extend(_word(word) for word in flt.text)
    return " ".join(terms)
