"""``json.loads`` for response bodies, several times faster, with exactly its results.

:func:`loads` parses with ``orjson`` and leaves to the standard library every body orjson refuses
(``NaN``/``Infinity``, ``1e400``, lone surrogates, a BOM, UTF-16, invalid JSON): such a body gives
what ``json.loads`` gives, value or exception. Two kinds of body orjson *accepts* differently are
caught before or after it and go to the standard library too:

- an integer beyond 64 bits, which orjson reads as a float: a body that may hold one (a run of
  19+ digits where a number can start) is never given to orjson;
- nesting deeper than the standard library's recursion allows (it raises ``RecursionError`` from
  ~950 levels, orjson accepts 1024): a body with 255+ opening brackets is checked by re-encoding
  it with orjson, which refuses more than 254 levels.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Every byte mapped to a class: a digit → "0", "-" → "M", a byte after which a JSON number can
# start (":", ",", whitespace) → "S", an opening bracket → "(" (also a number start), anything
# else → "x". Big integers are then plain substrings of the mapped body: an unsigned one has 20+
# digits (2**64 - 1 has 20), a negative one 19+ (-2**63 has 19). Digits in strings only ever
# cost the slower parser (a false alarm), never a wrong value.
_SHAPE = bytes(
    ord("0")
    if b in b"0123456789"
    else ord("M")
    if b == ord("-")
    else ord("(")
    if b in b"[{"
    else ord("S")
    if b in b":, \t\n\r"
    else ord("x")
    for b in range(256)
)
_DIGITS_19 = b"0" * 19
_BIG_NEGATIVE = b"M" + _DIGITS_19
_BIG_AT_START = b"0" + _DIGITS_19
_BIG_AFTER = (b"S0" + _DIGITS_19, b"(0" + _DIGITS_19)
# Fewer opening brackets than this (strings included) cannot nest deeper than orjson.dumps
# allows; more are checked by encoding the value.
_DEPTH_CHECK_FROM = 255


def _shape(data: bytes) -> bytes:
    return data.translate(_SHAPE)


def may_hold_big_int(shape: bytes) -> bool:
    """True if the body of ``shape`` may hold an integer beyond 64 bits (false alarms allowed)."""
    if _DIGITS_19 not in shape:
        return False
    return (
        _BIG_NEGATIVE in shape
        or shape.startswith(_BIG_AT_START)
        or any(needle in shape for needle in _BIG_AFTER)
    )


def loads(data: bytes) -> Any:
    """``json.loads(data)``: the same value, or the same exception."""
    if type(data) is not bytes:
        return json.loads(data)
    shape = data.translate(_SHAPE)
    if may_hold_big_int(shape):
        return json.loads(data)
    try:
        value = orjson.loads(data)
    except orjson.JSONDecodeError:  # the standard library decides: its value or its error
        return json.loads(data)
    if shape.count(b"(") >= _DEPTH_CHECK_FROM:
        try:
            orjson.dumps(value)
        except orjson.JSONEncodeError:  # nested past 254 levels
            return json.loads(data)
    return value
