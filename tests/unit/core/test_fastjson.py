"""``fastjson.loads`` gives exactly what ``json.loads`` gives: the same value or the same error."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core import fastjson


def same(a: Any, b: Any) -> bool:
    """Equal values of equal types all the way down (NaN equals NaN, 1 is not 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and str(a) == str(b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def outcome(loads: Any, data: bytes) -> tuple[str, Any]:
    try:
        return ("value", loads(data))
    except Exception as exc:
        return ("error", type(exc))


def check(data: bytes) -> None:
    expected = outcome(json.loads, data)
    got = outcome(fastjson.loads, data)
    assert got[0] == expected[0], (data[:200], expected, got)
    if got[0] == "value":
        assert same(got[1], expected[1]), data[:200]
    else:
        assert got[1] is expected[1]


BIG = 2**64
EDGE_BODIES = [
    b"123456789012345678901234567890",
    b"18446744073709551615",
    b"18446744073709551616",
    b" 18446744073709551616",
    b"-9223372036854775808",
    b"-9223372036854775809",
    b'{"a":18446744073709551616}',
    b'{"a": -9223372036854775809}',
    b"[18446744073709551616]",
    b"[1,18446744073709551616]",
    b'{"id":"1175825618852382654","n":1175825618852382654}',
    b"12345678901234567890e0",
    b"1e400",
    b"-1e400",
    b"[1e309]",
    b"NaN",
    b"[Infinity, -Infinity]",
    b'"\\ud800"',
    b'{"\\udfff": 1}',
    b'"\\ud83d\\ude00"',
    b"\xef\xbb\xbf{}",
    '{"a": "é"}'.encode("utf-16"),
    b'"\xc0\x80"',
    b'"\xed\xa0\x80"',
    b'{"a":1,"a":2}',
    b"-0",
    b"-0.0",
    b"",
    b" ",
    b"{}x",
    b"[1,]",
    b'"\\u0000"',
    b'"\x00"',
    b"01",
    b"[" * 254 + b"]" * 254,
    b"[" * 255 + b"]" * 255,
    b"[" * 980 + b"]" * 980,
    b"[" * 1000 + b"]" * 1000,
    b"[" * 1024 + b"]" * 1024,
    b"[" * 1025 + b"]" * 1025,
    b'{"a":' * 990 + b"1" + b"}" * 990,
    b"[" * 100_000,
    b'{"calls": [' + b",".join([b'{"sid": "CA1", "n": [1, {"x": null}]}'] * 300) + b"]}",
]


@pytest.mark.parametrize("data", EDGE_BODIES, ids=lambda d: repr(d[:30]))
def test_edge_bodies_give_the_standard_librarys_value_or_error(data: bytes) -> None:
    check(data)


def test_big_integers_stay_exact_integers() -> None:
    body = json.dumps({"calls": [{"duration": BIG * 3, "n": -(2**70)}]}).encode()
    value = fastjson.loads(body)
    assert value["calls"][0]["duration"] == BIG * 3
    assert type(value["calls"][0]["n"]) is int


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**80), max_value=2**80),
    st.sampled_from([2**63 - 1, 2**63, 2**64 - 1, 2**64, -(2**63), -(2**63) - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(["\ud800", "a\udfffb", "1175825618852382654", "\x1b[2J", "[[[{{{", "]]}}"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5), st.dictionaries(st.text(max_size=5), inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=400, deadline=None)
@given(values, st.sampled_from([None, 0, 2]), st.booleans())
def test_any_json_document_gives_the_same_value(
    value: Any, indent: int | None, ascii: bool
) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii, allow_nan=True)
    check(text.encode("utf-8", "surrogatepass"))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_the_same_value_or_error(data: bytes) -> None:
    check(data)


@settings(max_examples=300, deadline=None)
@given(values, st.integers(min_value=0, max_value=400), st.integers(min_value=0, max_value=50))
def test_a_cut_or_nested_document_gives_the_same_value_or_error(
    value: Any, depth: int, cut: int
) -> None:
    text = json.dumps(value, allow_nan=True).encode("utf-8", "surrogatepass")
    nested = b"[" * depth + text + b"]" * depth
    check(nested)
    check(nested[: max(0, len(nested) - cut)])
