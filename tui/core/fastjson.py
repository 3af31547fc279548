"""``json.loads`` for response bodies, faster, with exactly its results.

:func:`loads` parses with ``orjson`` and leaves to the standard library every body orjson refuses
(``NaN``/``Infinity``, ``1e400``, lone surrogates, a BOM, UTF-16, invalid JSON): such a body gives
what ``json.loads`` gives, value or exception. Two kinds of body orjson *accepts* differently go
to the standard library too:

- an integer beyond 64 bits, which orjson reads as a float: a body that may hold one (a run of
  19+ digits where a number can start) is never given to orjson;
- nesting the standard library refuses (``RecursionError`` from ~950 levels; orjson accepts
  1024): orjson parses the body inside :data:`_WRAP` extra arrays, so it refuses (and the
  standard library decides) any body nested deeper than :data:`MAX_DEPTH`.
"""

from __future__ import annotations

import json
from typing import Any

import orjson

# Deepest nesting given to orjson; deeper bodies are the standard library's (which parses them up
# to ~950 levels, with the caller's stack). Provider pages nest 3-5 levels.
MAX_DEPTH = 200
_ORJSON_LIMIT = 1024  # the deepest nesting orjson parses (checked at import, below)
_WRAP = _ORJSON_LIMIT - MAX_DEPTH
_OPEN, _CLOSE = b"[" * _WRAP, b"]" * _WRAP

# Every byte mapped to a class: a digit → "0"; a byte after which a JSON number can start
# (":", ",", "[", whitespace) or a minus sign → "S"; anything else → "x". An integer beyond 64
# bits is then a plain substring of the mapped body, "S" and 19+ digits (2**64 has 20 digits,
# -2**63 - 1 has 19), or 19+ digits at the start. Digits in strings, and 19-digit integers that
# fit, are only false alarms: they cost the slower parser, never a wrong value.
_SHAPE = bytes(
    ord("0") if b in b"0123456789" else ord("S") if b in b"-:,[ \t\n\r" else ord("x")
    for b in range(256)
)
_BIG = b"S" + b"0" * 19
_BIG_AT_START = b"0" * 19


def may_hold_big_int(data: bytes) -> bool:
    """True if ``data`` may hold an integer beyond 64 bits (false alarms allowed)."""
    shape = data.translate(_SHAPE)
    return _BIG in shape or shape.startswith(_BIG_AT_START)


def _orjson_limit_is(depth: int) -> bool:
    try:
        orjson.loads(b"[" * depth + b"]" * depth)
    except orjson.JSONDecodeError:
        return False
    try:
        orjson.loads(b"[" * (depth + 1) + b"]" * (depth + 1))
    except orjson.JSONDecodeError:
        return True
    return False


def _loads(data: bytes) -> Any:
    """``json.loads(data)``: the same value, or the same exception."""
    if type(data) is not bytes or may_hold_big_int(data):
        return json.loads(data)
    try:
        wrapped = orjson.loads(_OPEN + data + _CLOSE)
    except orjson.JSONDecodeError:  # the standard library decides: its value or its error
        return json.loads(data)
    # ``data`` is one JSON value exactly when the wrapping parsed as _WRAP nested one-item
    # arrays ("1, 2" or "" would parse too, with another shape): unwrap, checking each level.
    value = wrapped
    for _ in range(_WRAP):
        if type(value) is not list or len(value) != 1:
            return json.loads(data)
        value = value[0]
    return value


# Should an orjson release parse deeper than 1024 levels, the wrapping would no longer bound the
# depth: keep the standard library then.
loads = _loads if _orjson_limit_is(_ORJSON_LIMIT) else json.loads
