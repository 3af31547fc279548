"""Normalization helpers: every time format the providers send, and totality on garbage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import load_fixture
from tui.core.model import Status
from tui.core.normalize import (
    Fields,
    format_duration,
    integer_of,
    parse_decimal,
    parse_int,
    parse_time,
    text_of,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Fri, 18 Oct 2019 17:00:00 +0000", datetime(2019, 10, 18, 17, 0, tzinfo=UTC)),
        ("Mon, 14 Feb 2022 22:23:00 +0100", datetime(2022, 2, 14, 21, 23, tzinfo=UTC)),
        ("Wed, 19 Sept 2018 20:00:00 +0000", datetime(2018, 9, 19, 20, 0, tzinfo=UTC)),
        ("Wed, 19 Sep 2018 20:00:00 GMT", datetime(2018, 9, 19, 20, 0, tzinfo=UTC)),
        ("2024-08-20T06:00:59.457188Z", datetime(2024, 8, 20, 6, 0, 59, 457188, tzinfo=UTC)),
        ("2024-08-12T09:28:22.151Z", datetime(2024, 8, 12, 9, 28, 22, 151000, tzinfo=UTC)),
        ("2024-08-12T09:28:22.123456789Z", datetime(2024, 8, 12, 9, 28, 22, 123456, tzinfo=UTC)),
        ("2024-08-12T09:28:22Z", datetime(2024, 8, 12, 9, 28, 22, tzinfo=UTC)),
        ("2024-08-12T09:28:22+05:30", datetime(2024, 8, 12, 3, 58, 22, tzinfo=UTC)),
        ("1700000000", datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        (1700000000, datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)),
        ("2017-03-03 10:48:33", datetime(2017, 3, 3, 10, 48, 33, tzinfo=UTC)),
        ("", None),
        ("   ", None),
        (None, None),
    ],
)
def test_parse_time_reads_every_provider_format(text: Any, expected: datetime | None) -> None:
    assert parse_time(text) == expected


def test_exotel_zone_less_time_is_read_in_the_account_zone() -> None:
    ist = ZoneInfo("Asia/Kolkata")
    assert parse_time("2017-03-03 10:48:33", zone=ist) == datetime(
        2017, 3, 3, 5, 18, 33, tzinfo=UTC
    )


def test_every_time_in_the_official_examples_parses() -> None:
    samples = [
        load_fixture("twilio/examples/calls_list.readFullPage1.json")["calls"][0],
        load_fixture("signalwire/examples/calls_list.assembled_from_schema_examples.json")["calls"][
            0
        ],
        load_fixture("portsip/examples/cdrs_list.docs_example.json")["items"][0],
        load_fixture("exotel/examples/call_details.details_true.docs_example.json")["Call"],
    ]
    keys = ("date_created", "start_time", "end_time", "started_at", "answered_at", "ended_at",
            "DateCreated", "StartTime", "EndTime", "date_updated", "DateUpdated")  # fmt: skip
    seen = 0
    for record in samples:
        fields = Fields(record)
        for key in keys:
            if record.get(key):
                assert fields.time(key) is not None, (key, record[key])
                seen += 1
        assert fields.warnings == []
    assert seen >= 8


@pytest.mark.parametrize(
    "bad", ["yesterday-ish", "31 Foo 2020", [1, 2], {"a": 1}, True, float("nan")]
)
def test_unparseable_times_warn_instead_of_raising(bad: Any) -> None:
    fields = Fields({"start_time": bad})
    assert fields.time("start_time") is None
    assert len(fields.warnings) == 1 and "start_time" in fields.warnings[0]


def test_numbers_arrive_as_strings_or_numbers() -> None:
    assert parse_int("17") == 17 and parse_int(17) == 17 and parse_int("17.0") == 17
    assert parse_int("") is None and parse_int(None) is None
    assert parse_decimal("-0.200") == Decimal("-0.200")
    assert parse_decimal(0.003) == Decimal("0.003")
    with pytest.raises(ValueError):
        parse_decimal("1e400000000000000000000000000000000000000000")
    with pytest.raises(ValueError):
        parse_int("4.5")


def test_enum_unknown_value_becomes_unknown_with_warning_and_keeps_raw() -> None:
    fields = Fields({"status": "exploded"})
    value, raw = fields.enum("status", {"completed": Status.COMPLETED}, Status.UNKNOWN)
    assert value is Status.UNKNOWN and raw == "exploded"
    assert "unknown value" in fields.warnings[0]


def test_format_duration_is_human() -> None:
    assert format_duration(None) == ""
    assert format_duration(5) == "5s"
    assert format_duration(75) == "1m 15s"
    assert format_duration(3725) == "1h 2m 5s"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["a", "start_time", "duration", "price", "status"]), json_values
    )
)
def test_field_accessors_never_raise_on_any_json(record: dict[str, Any]) -> None:
    fields = Fields(record, zone=timezone(timedelta(hours=5)))
    for key in ("a", "start_time", "duration", "price", "status"):
        fields.text(key)
        fields.integer(key)
        fields.decimal(key)
        moment = fields.time(key)
        assert moment is None or moment.tzinfo is not None
        fields.enum(key, {"completed": Status.COMPLETED}, Status.UNKNOWN)
        fields.mapping(key)


@given(json_values)
def test_fields_accepts_any_json_value_as_the_record(value: Any) -> None:
    fields = Fields(value)
    fields.text("sid")
    if not isinstance(value, dict):
        assert fields.warnings


# -- the fast reads give exactly Fields' reads (value and warnings) ----------------------------

_ODD = st.one_of(
    st.none(), st.just(""), st.text(max_size=30), st.integers(-(2**70), 2**70), st.booleans(),
    st.floats(allow_nan=True), st.lists(st.integers(), max_size=2),
    st.sampled_from(
        ["2026-11-19T15:51:13.318341Z", "2026-11-19 15:51:13.318341Z", "2026-W47-4T15:51:13.318341Z",
         "2026-11-19T15:51:13.31834xZ", "2026-11-19T25:51:13.318341Z", " 026-11-19T15:51:13.318341Z",
         "2026-11-19T15:51:13.3183419Z", "2026-11-19T15:51:13Z", "INBOUND_CALL", " inbound_call ",
         "Answered", "noanswer", "42", " 42 ", "4.0"]
    ),
)  # fmt: skip
_KEYS = st.sampled_from(["a", "b", "c"])


def _fields_pair(raw: dict[str, object]) -> tuple[Fields, Fields]:
    return Fields(raw), Fields(raw)


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(_KEYS, _ODD, max_size=3))
def test_fast_reads_equal_the_fields_reads(raw: dict[str, object]) -> None:
    for fast, slow in (
        (lambda f: text_of(f, "a"), lambda f: f.text("a")),
        (lambda f: text_of(f, "a", "b", "c"), lambda f: f.text("a", "b", "c")),
        (lambda f: integer_of(f, "b"), lambda f: f.integer("b")),
    ):
        one, two = _fields_pair(raw)
        got, expected = fast(one), slow(two)
        assert got == expected and type(got) is type(expected)
        assert one.warnings == two.warnings
