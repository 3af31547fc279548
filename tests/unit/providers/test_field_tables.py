"""Every provider's field table: its compiled plain reader answers exactly what its checked reader
reads (same values, same types, no warning) for any record it does not give up on, hostile ones
included; lean readers are the same rows; and each adapter's ``normalize`` is its checked path."""

from __future__ import annotations

import json
from dataclasses import replace
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.hardening.payloads import HOSTILE, MEGA
from tui.core.fieldtable import FieldTable
from tui.core.model import Call, fields_of
from tui.core.normalize import Fields
from tui.providers import exotel_normalize as exn
from tui.providers import fonedynamics_normalize as fdn
from tui.providers import portsip_normalize as psn
from tui.providers.laml import SIGNALWIRE, TWILIO
from tui.providers.laml_normalize import tables_of

from .test_exotel import adapter as exotel_adapter
from .test_fast_paths import FD, FD_RECORD, ODD_VALUES, PORTSIP, PORTSIP_RECORD
from .test_signalwire import adapter as signalwire_adapter
from .test_twilio import adapter as twilio_adapter
from .test_twilio import fetched_call

NASTY = st.one_of(
    ODD_VALUES,
    st.sampled_from(HOSTILE),
    st.just(MEGA),
    st.sampled_from([float("nan"), float("inf"), -0.0, 1e308, 10**400, -(2**63), True]),
    st.sampled_from(["\ud800", "\x00", "1" * 40, "1" * 12, "00000000012", "-0", "+1", "١٢"]),
    st.recursive(
        st.none() | st.integers() | st.text(max_size=3),
        lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=2), inner),
        max_leaves=4,
    ),
)

TWILIO_ADAPTER, _ = twilio_adapter()
SIGNALWIRE_ADAPTER, _ = signalwire_adapter()
LAML_RECORD = fetched_call()
LAML_KEYS = [*LAML_RECORD, "formatted_from", "formatted_to", "caller_name", "subresource_uris"]
EXOTEL = exotel_adapter(zone="Asia/Kolkata")
EXOTEL_RECORD = {
    "Sid": "b6cfaf5f5cef3ca0fc937749ef96d245",
    "ParentCallSid": "",
    "DateCreated": "2017-03-03 10:48:33",
    "StartTime": "2017-03-03 10:48:33",
    "EndTime": "2017-03-03 10:49:50",
    "From": "09930240000",
    "To": "+919930238847",
    "PhoneNumber": "08039591501",
    "Status": "completed",
    "Direction": "outbound-api",
    "Duration": 17,
    "Price": "1.500",
    "CallerName": "",
    "RecordingUrl": "https://s3.example/rec.mp3",
    "PreSignedRecordingUrl": "",
    "Details": {"ConversationDuration": 8, "Legs": [{"Leg": {"Id": 1}}]},
}
EXOTEL_KEYS = [*EXOTEL_RECORD, "PhoneNumberSid", "AnsweredBy", "Currency"]
TABLES: list[tuple[str, FieldTable, dict[str, Any], list[str]]] = [
    ("twilio", tables_of(TWILIO).full, LAML_RECORD, LAML_KEYS),
    ("twilio-lean", tables_of(TWILIO).lean, LAML_RECORD, LAML_KEYS),
    ("signalwire", tables_of(SIGNALWIRE).full, LAML_RECORD, LAML_KEYS),
    ("fonedynamics", fdn.TABLE, FD_RECORD, [*FD_RECORD, *fdn.START_KEYS, "Caller", "Dialled"]),
    ("fonedynamics-lean", fdn.LEAN_TABLE, FD_RECORD, [*FD_RECORD, *fdn.START_KEYS]),
    ("exotel", exn.table_of(EXOTEL.zone), EXOTEL_RECORD, EXOTEL_KEYS),
    ("portsip-head", psn.HEAD, PORTSIP_RECORD, [*PORTSIP_RECORD, "rang_at", "call_id"]),
    ("portsip-tail", psn.TAIL, PORTSIP_RECORD, [*PORTSIP_RECORD, "caller_display_name"]),
]
ADAPTERS: list[tuple[str, Any, dict[str, Any], list[str]]] = [
    ("twilio", TWILIO_ADAPTER, LAML_RECORD, LAML_KEYS),
    ("signalwire", SIGNALWIRE_ADAPTER, LAML_RECORD, LAML_KEYS),
    ("fonedynamics", FD, FD_RECORD, [*FD_RECORD, *fdn.START_KEYS, "Caller", "Dialled", "Other"]),
    ("portsip", PORTSIP, PORTSIP_RECORD, [*PORTSIP_RECORD, "rang_at", "call_id", "session_id"]),
    ("exotel", EXOTEL, EXOTEL_RECORD, EXOTEL_KEYS),
]


def same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and json.dumps(a, default=repr) == json.dumps(b, default=repr)


def records(base: dict[str, Any], keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    changes = st.dictionaries(st.sampled_from(keys), NASTY, max_size=6)
    dropped = st.sets(st.sampled_from(keys), max_size=3)
    return st.builds(
        lambda c, d: {k: v for k, v in {**base, **c}.items() if k not in d}, changes, dropped
    )


@pytest.mark.parametrize(("name", "table", "base", "keys"), TABLES, ids=[t[0] for t in TABLES])
@settings(max_examples=400, deadline=None)
@given(data=st.data())
def test_the_plain_reader_is_the_checked_reader_where_it_answers(
    name: str, table: FieldTable, base: dict[str, Any], keys: list[str], data: st.DataObject
) -> None:
    raw = data.draw(records(base, keys))
    plain = table.plain(raw)
    f = Fields(raw, zone=EXOTEL.zone if name == "exotel" else FD.zone)
    checked = table.checked(f)
    if plain is None:
        return
    assert f.warnings == []
    assert list(plain) == list(checked)
    for key, value in plain.items():
        assert same(value, checked[key]), key


@pytest.mark.parametrize("name", [t[0] for t in TABLES])
def test_a_plain_record_is_read_plainly(name: str) -> None:
    _, table, base, _ = next(t for t in TABLES if t[0] == name)
    assert table.plain(dict(base)) is not None


def fields_without(call: Call, *names: str) -> dict[str, Any]:
    return {k: v for k, v in fields_of(replace(call, raw=None)).items() if k not in names}


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([TWILIO_ADAPTER, SIGNALWIRE_ADAPTER]), records(LAML_RECORD, LAML_KEYS))
def test_laml_normalize_is_normalize_checked_on_hostile_records(
    adapter: Any, raw: dict[str, Any]
) -> None:
    fast, checked = adapter.normalize(raw), adapter.normalize_checked(raw)
    assert same(fields_without(fast), fields_without(checked))
    assert fast.raw is raw and checked.raw is raw
    lean = adapter.lean_fields(raw)
    if lean is not None:
        assert set(lean) == adapter.lean_fields_read
        for key, value in lean.items():
            assert same(value, getattr(checked, key)), key


@settings(max_examples=300, deadline=None)
@given(records(FD_RECORD, [*FD_RECORD, *fdn.START_KEYS, "Caller", "Dialled", "Other"]))
def test_fonedynamics_lean_fields_are_the_normalized_calls_fields(raw: dict[str, Any]) -> None:
    call = FD.normalize(raw)
    lean = FD.lean_fields(raw)
    if lean is not None:
        assert set(lean) == FD.lean_fields_read
        for key, value in lean.items():
            assert same(value, getattr(call, key)), key


@pytest.mark.parametrize(
    ("name", "adapter", "base", "keys"), ADAPTERS, ids=[a[0] for a in ADAPTERS]
)
@settings(max_examples=300, deadline=None)
@given(data=st.data(), lean=st.booleans())
def test_normalize_of_a_dict_is_normalize_of_any_other_mapping(
    name: str, adapter: Any, base: dict[str, Any], keys: list[str], data: st.DataObject, lean: bool
) -> None:
    """A ``dict`` may take the plain readers, another mapping always takes the checked ones:
    the calls (warnings, extras and links included) are the same."""
    raw = data.draw(records(base, keys))
    adapter.lean = lean
    try:
        plain, checked = adapter.normalize(raw), adapter.normalize(MappingProxyType(raw))
    finally:
        adapter.lean = False
    # LaML's checked path builds links and extras even for a lean consumer (it may: see lean)
    skip = ("links", "extras") if lean and name in ("twilio", "signalwire") else ()
    assert same(fields_without(plain, *skip), fields_without(checked, *skip))
