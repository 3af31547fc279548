"""The adapters' fast normalization paths give the general paths' calls, and lean calls
(``Adapter.lean``) are the same calls without links and extras, for any record."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.core.model import CALL_FIELDS, Call, Status, build_call
from tui.core.normalize import Fields
from tui.providers import fonedynamics as fd
from tui.providers.base import Adapter
from tui.providers.fonedynamics import FoneDynamicsAdapter
from tui.providers.portsip import PortSipAdapter

from .test_fonedynamics import make_account as fd_account
from .test_portsip import make_account as portsip_account
from .test_signalwire import adapter as signalwire_adapter
from .test_twilio import adapter as twilio_adapter
from .test_twilio import fetched_call

ODD_VALUES = st.one_of(
    st.none(),
    st.just(""),
    st.text(max_size=8),
    st.integers(-5, 10**12),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.text(max_size=3), max_size=2),
    st.sampled_from(
        ["Fri, 18 Oct 2019 17:00:00 +0000", "Fri, 18 Oct 2019X17:00:00 +0000",
         "Fri, 31 Feb 2019 17:00:00 +0000", "Fri, 18 Oct 2019 24:00:00 +0000", "-0.0130",
         "12", " 12", "1e3", "0012", "completed", "in-progress", "inbound", "outbound-dial",
         "Answered", " noanswer ", "IVR", "1763639999", "1763639999000", "٣", "2026-11-19T15:51:13.318341Z",
         "2026-11-19T15:51:13.3183419Z", "2026-11-19T15:51:13Z", "CALLEE_DISCONNECTED", "INBOUND_CALL"]
    ),
)  # fmt: skip


def same_call(a: Call, b: Call) -> bool:
    """Equal in every field (``raw`` compared as JSON text, so NaN equals NaN)."""
    da, db = a.model_dump(exclude={"raw"}), b.model_dump(exclude={"raw"})
    return da == db and json.dumps(a.raw, default=str) == json.dumps(b.raw, default=str)


def lean_of(adapter: Adapter, raw: Any) -> Call:
    adapter.lean = True
    try:
        return adapter.normalize(raw)
    finally:
        adapter.lean = False


def check_lean(adapter: Adapter, raw: Any) -> bool:
    """The lean call is the full call, its links and extras left empty or kept; True if left."""
    full, lean = adapter.normalize(raw), lean_of(adapter, raw)
    assert lean.links in ({}, full.links) and lean.extras in ({}, full.extras)
    update = {"links": lean.links, "extras": lean.extras}
    assert same_call(lean, full.model_copy(update=update))
    return not lean.links and not lean.extras


# -- LaML: the fast path is normalize_checked for every record it accepts ------------------------

TWILIO, _ = twilio_adapter()
SIGNALWIRE, _ = signalwire_adapter()
LAML_KEYS = [*fetched_call(), "formatted_from", "formatted_to", "caller_name"]


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from([TWILIO, SIGNALWIRE]),
    st.dictionaries(st.sampled_from(LAML_KEYS), ODD_VALUES, max_size=6),
)
def test_laml_fast_path_is_the_checked_path(adapter: Any, changes: dict[str, Any]) -> None:
    raw = {**fetched_call(), **changes}
    fast = adapter.normalize(raw)
    assert same_call(fast, adapter.normalize_checked(raw))
    if check_lean(adapter, raw):  # the fast path took it: one dict of every field, in order
        assert tuple(fast.__dict__) == CALL_FIELDS


# -- Fone Dynamics: the fast reads are the Fields reads ------------------------------------------

FD = FoneDynamicsAdapter(fd_account())


def fd_reference(adapter: FoneDynamicsAdapter, raw: Any) -> Call:
    """The Fone Dynamics normalizer before its fast reads: every field through ``Fields``."""
    f = Fields(raw, zone=adapter.zone)
    call_id = f.text(fd.ID_KEY)
    if call_id is None:
        f.warn(f"{fd.ID_KEY} missing")
    status, status_raw = f.enum(fd.DISPOSITION_KEY, fd.DISPOSITIONS, Status.UNKNOWN)
    extras = f.extras(fd.EXTRA_KEYS)
    for key, value in f.raw.items():
        if key not in fd.CONSUMED_KEYS and key not in extras and value not in (None, ""):
            extras[str(key)] = value
    links: dict[str, str] = {}
    recording = f.text(fd.RECORDING_KEY)
    if recording:
        links["recording"] = recording
        links["recordings"] = recording
    if call_id:
        links["self"] = fd.PATH_CALL.format(sid=quote(call_id, safe=""))
    return build_call(
        provider=adapter.provider, account=adapter.account.name, id=call_id or "?",
        from_number=f.text(*fd.FROM_KEYS), to_number=f.text(*fd.TO_KEYS),
        to_name=f.text(fd.FRIENDLY_KEY), started_at=f.time(*fd.START_KEYS),
        duration=f.integer(fd.DURATION_KEY), direction=fd.DIRECTION, status=status,
        status_raw=status_raw, links=links, extras=extras, warnings=tuple(f.warnings), raw=raw,
    )  # fmt: skip


FD_RECORD = {
    "CallSid": "CA8BA93B6CF98231AAEED1633DB2415F75",
    "PropertySid": "PR086DC0EE0C36C178A6308BA7A9C5A507",
    "DateStart": "1763639999",
    "From": "+61413836790",
    "To": "+61210998172",
    "To_Friendly": "Google Business Profile",
    "Duration": 14,
    "Disposition": "Answered",
    "Recording_Uri": "https://fd.example/rec/CA8B.mp3",
    "Attribution_Source": "google",
}
FD_KEYS = [*FD_RECORD, "Caller", "Dialled", "Date_Start", "StartTime", "Date", "Notes", "Other"]


@settings(max_examples=600, deadline=None)
@given(st.dictionaries(st.sampled_from(FD_KEYS), ODD_VALUES, max_size=6))
def test_fonedynamics_normalize_is_the_fields_reference(changes: dict[str, Any]) -> None:
    raw = {**FD_RECORD, **changes}
    assert same_call(FD.normalize(raw), fd_reference(FD, raw))
    assert check_lean(FD, raw)


@pytest.mark.parametrize("raw", [None, [], "x", {}, {"CallSid": None}])
def test_fonedynamics_odd_records_match_the_reference(raw: Any) -> None:
    assert same_call(FD.normalize(raw), fd_reference(FD, raw))


# -- PortSIP: lean calls ---------------------------------------------------------------------------

PORTSIP = PortSipAdapter(portsip_account())
PORTSIP_RECORD = {
    "id": "1175825618852382654",
    "session_id": "1175825618852382655",
    "caller": "16018133379",
    "callee": "107",
    "callee_display_name": "Tomás Ortega",
    "started_at": "2026-11-19T15:51:13.318341Z",
    "answered_at": "2026-11-19T15:51:28.579585Z",
    "ended_at": "2026-11-19T15:52:15.561202Z",
    "direction": "INBOUND_CALL",
    "end_reason": "CALLEE_DISCONNECTED",
    "status_code": 0,
    "duration": 47,
    "trunk": "bandwidth-1",
    "cost": "0.0100",
}


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(st.sampled_from([*PORTSIP_RECORD, "rang_at"]), ODD_VALUES, max_size=6))
def test_portsip_lean_calls_are_the_full_calls_without_links_and_extras(
    changes: dict[str, Any],
) -> None:
    raw = {**PORTSIP_RECORD, **changes}
    assert check_lean(PORTSIP, raw)
    assert PORTSIP.normalize(raw).links  # full calls keep their links


# -- hostile ids: links are still built (a lone surrogate used to fail the whole record) ---------


@pytest.mark.parametrize(
    ("adapter", "raw", "key", "link"),
    [
        (TWILIO, fetched_call(), "sid", "children"),
        (FD, FD_RECORD, "CallSid", "self"),
        (PORTSIP, PORTSIP_RECORD, "id", "self"),
    ],
    ids=["twilio", "fonedynamics", "portsip"],
)
def test_an_id_with_a_lone_surrogate_is_kept_and_linked(
    adapter: Any, raw: Any, key: str, link: str
) -> None:
    call = adapter.safe_normalize({**raw, key: "lone \ud800 id"})
    assert call.id == "lone \ud800 id"
    assert "%ED%A0%80" in call.links[link]
    assert not any("could not normalize" in w for w in call.warnings)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from([TWILIO, SIGNALWIRE]),
    st.dictionaries(st.sampled_from(LAML_KEYS), ODD_VALUES, max_size=6),
)
def test_laml_lean_fields_are_the_normalized_calls_fields(
    adapter: Any, changes: dict[str, Any]
) -> None:
    raw = {**fetched_call(), **changes}
    fields = adapter.lean_fields(raw)
    if fields is None:
        return
    assert set(fields) == adapter.lean_fields_read
    call = adapter.normalize(raw)
    for key, value in fields.items():
        expected = call.__dict__[key]
        assert type(value) is type(expected) and str(value) == str(expected), key


def test_laml_lean_fields_read_a_plain_record_and_refuse_an_odd_one() -> None:
    fields = TWILIO.lean_fields(fetched_call())
    assert fields is not None and fields["id"] == fetched_call()["sid"]
    assert TWILIO.lean_fields({**fetched_call(), "status": "exploded"}) is None
    assert TWILIO.lean_fields([fetched_call()]) is None
