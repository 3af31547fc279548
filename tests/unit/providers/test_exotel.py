"""Exotel adapter: normalization of the docs' payloads, the plan, errors, paging and links."""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import load_fixture
from tui.core import errors
from tui.core.account import Account
from tui.core.filter import CallFilter, NumberPattern, NumRange, TimeBound
from tui.core.http import RetryPolicy
from tui.core.model import Direction, Status
from tui.core.paging import ConcatSource, MergeSource
from tui.core.plan import Where
from tui.core.query import parse_query
from tui.providers import exotel_plan
from tui.providers.exotel import ExotelAdapter
from tui.providers.exotel_normalize import CONSUMED_KEYS, DETAIL_KEYS

NOW = datetime(2026, 3, 15, 12, 0, tzinfo=UTC)
BASE = "https://api.exotel.com"
CALLS = "/v1/Accounts/acme1/Calls.json"
DETAILS = "exotel/examples/call_details.details_true.docs_example.json"
BULK = "exotel/examples/calls_bulk.docs_example.json"

Handler = Callable[[httpx.Request], httpx.Response]


def account(zone: str = "UTC") -> Account:
    return Account(
        name="ex",
        provider="exotel",
        base_url=BASE,
        account="acme1",
        username="api-key",
        password="api-token",  # type: ignore[arg-type]
        zone=zone,
    )


def adapter(handler: Handler | None = None, zone: str = "UTC", **kw: Any) -> ExotelAdapter:
    async def no_sleep(delay: float) -> None:
        return None

    transport = httpx.MockTransport(handler) if handler else None
    return ExotelAdapter(account(zone), transport=transport, sleep=no_sleep, **kw)


def plan(query: str | CallFilter, zone: str = "UTC") -> Any:
    flt = parse_query(query) if isinstance(query, str) else query
    return adapter(zone=zone).plan(flt, NOW)


def query_of(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(str(request.url)).query).items()}


def record(sid: str, created: str, **extra: Any) -> dict[str, Any]:
    return {"Sid": sid, "DateCreated": created, "StartTime": created, "Status": "completed"} | extra


# --- normalization ---------------------------------------------------------------------------


def test_details_example_becomes_a_complete_call_read_in_the_account_zone() -> None:
    raw = load_fixture(DETAILS)["Call"]
    call = adapter(zone="Asia/Kolkata").normalize(raw)
    assert call.id == "b6cfaf5f5cef3ca0fc937749ef96d245"
    assert call.parent_id is None
    assert (call.from_number, call.to_number) == ("0XXXXX30240", "0XXXXX38847")
    # "2017-03-03 10:48:33" in IST is 05:18:33 UTC
    assert call.created_at == datetime(2017, 3, 3, 5, 18, 33, tzinfo=UTC)
    assert call.started_at == datetime(2017, 3, 3, 5, 18, 33, tzinfo=UTC)
    assert call.ended_at == datetime(2017, 3, 3, 5, 19, 50, tzinfo=UTC)
    assert call.duration == 17
    assert call.price == Decimal("1.500")
    assert (call.status, call.status_raw) == (Status.COMPLETED, "completed")
    assert (call.direction, call.direction_raw) == (Direction.OUTBOUND, "outbound-api")
    assert call.extras["Details"] == raw["Details"]
    assert call.extras["ConversationDuration"] == 8
    assert call.extras["Leg1Status"] == "completed"
    assert call.extras["Leg2Status"] == "completed"
    assert call.extras["Legs"] == raw["Details"]["Legs"]
    assert call.extras["DateUpdated"] == "2017-03-03 10:53:33"
    assert call.extras["PhoneNumberSid"] == "0XXXXXX4890"
    assert call.links["recording"] == raw["RecordingUrl"]
    assert call.links["self"] == f"{BASE}/v1/Accounts/acme1/Calls/{call.id}.json"
    assert call.links["children"] == call.links["self"] + "?details=true"
    assert call.warnings == ()
    assert call.raw is raw


def test_times_default_to_utc_when_the_account_has_no_zone() -> None:
    call = adapter().normalize({"Sid": "a", "DateCreated": "2017-03-03 10:48:33"})
    assert call.created_at == datetime(2017, 3, 3, 10, 48, 33, tzinfo=UTC)


FULL_RECORD: dict[str, Any] = {
    **load_fixture(DETAILS)["Call"],
    "ParentCallSid": "p1",
    "Currency": "INR",
    "AnsweredBy": "Human",
    "ForwardedFrom": "0XXXXX11111",
    "CallerName": "Asha",
    "Uri": "/v1/Accounts/your_sid/Calls/b6cfaf5f5cef3ca0fc937749ef96d245",
    "PhoneNumber": "0XXXXXX4890",
    "ConversationDuration": 8,
    "PreSignedRecordingUrl": "https://exotel-recordings.s3.amazonaws.com/x.mp3?X-Amz-Signature=1",
}


@pytest.mark.parametrize(
    "raw",
    [FULL_RECORD, load_fixture(DETAILS)["Call"], load_fixture(BULK)["Calls"][0]],
    ids=["every-documented-field", "details-example", "bulk-example"],
)
def test_every_documented_key_lands_in_a_normalized_field_or_in_extras(raw: dict[str, Any]) -> None:
    call = adapter().normalize(raw)
    for key, value in raw.items():
        if value is None:
            continue
        assert key in CONSUMED_KEYS or call.extras.get(key) == value, key
        if key in CONSUMED_KEYS:
            assert getattr(call, CONSUMED_KEYS[key]) is not None, key
    for key in DETAIL_KEYS:
        if key in raw.get("Details", {}):
            assert call.extras[key] == raw["Details"][key]


def test_full_record_fills_currency_caller_name_answered_by_and_parent_link() -> None:
    call = adapter().normalize(FULL_RECORD)
    assert call.currency == "INR"
    assert call.from_name == "Asha" and call.extras["CallerName"] == "Asha"
    assert call.answered_by == "Human"
    assert call.parent_id == "p1"
    assert call.links["parent"] == f"{BASE}/v1/Accounts/acme1/Calls/p1.json"
    # the pre-signed URL works without credentials: it is the media link
    assert call.links["recording"] == FULL_RECORD["PreSignedRecordingUrl"]
    assert call.extras["RecordingUrl"] == FULL_RECORD["RecordingUrl"]
    assert call.extras["Uri"] == FULL_RECORD["Uri"]


def test_bulk_example_record_normalizes() -> None:
    call = adapter().normalize(load_fixture(BULK)["Calls"][0])
    assert call.id == "c5797dcbaaeed7678c4062a4a3ed2f8a"
    assert call.duration == 45 and call.price == Decimal("1.500")
    assert call.time == datetime(2019, 12, 3, 10, 48, 33, tzinfo=UTC)
    assert call.links["recording"] == "https://..."


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("queued", Status.QUEUED),
        ("ringing", Status.RINGING),
        ("in-progress", Status.IN_PROGRESS),
        ("completed", Status.COMPLETED),
        ("failed", Status.FAILED),
        ("busy", Status.BUSY),
        ("no-answer", Status.NO_ANSWER),
        ("canceled", Status.CANCELED),
    ],
)
def test_status_maps_per_reference(raw: str, status: Status) -> None:
    call = adapter().normalize({"Sid": "a", "Status": raw})
    assert (call.status, call.status_raw, call.warnings) == (status, raw, ())


@pytest.mark.parametrize(
    ("raw", "direction"),
    [
        ("inbound", Direction.INBOUND),
        ("outbound-dial", Direction.OUTBOUND),
        ("outbound-api", Direction.OUTBOUND),
    ],
)
def test_direction_maps_per_reference(raw: str, direction: Direction) -> None:
    call = adapter().normalize({"Sid": "a", "Direction": raw})
    assert (call.direction, call.direction_raw) == (direction, raw)


def test_unknown_status_and_direction_become_unknown_with_a_warning_and_the_raw_kept() -> None:
    call = adapter().normalize({"Sid": "a", "Status": "voicemail", "Direction": "sideways"})
    assert (call.status, call.status_raw) == (Status.UNKNOWN, "voicemail")
    assert (call.direction, call.direction_raw) == (Direction.UNKNOWN, "sideways")
    assert len(call.warnings) == 2


def test_undocumented_fields_are_kept_in_extras_not_dropped() -> None:
    call = adapter().normalize({"Sid": "a", "CustomField": "x", "Empty": ""})
    assert call.extras == {"CustomField": "x"}


def test_garbage_values_become_none_with_warnings() -> None:
    raw = {
        "Sid": "a",
        "Duration": "17.5",
        "Price": "free",
        "DateCreated": "yesterday-ish",
        "StartTime": "2017-13-03 10:48:33",  # the fast path's shape, not a date
    }
    call = adapter().normalize(raw)
    assert (call.duration, call.price, call.created_at, call.started_at) == (None,) * 4
    assert len(call.warnings) == 4


def test_a_recording_url_that_is_not_http_is_not_linked() -> None:
    call = adapter().normalize({"Sid": "a", "RecordingUrl": "file:///etc/passwd"})
    assert "recording" not in call.links and "recordings" not in call.links
    assert call.extras["RecordingUrl"] == "file:///etc/passwd"
    assert call.warnings


def test_ids_are_quoted_in_links() -> None:
    call = adapter().normalize({"Sid": "../x y", "ParentCallSid": "a/b"})
    assert call.links["self"].endswith("/Calls/..%2Fx%20y.json")
    assert call.links["parent"].endswith("/Calls/a%2Fb.json")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
KEYS = st.sampled_from([*CONSUMED_KEYS, "Details", "RecordingUrl", "PreSignedRecordingUrl"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(JSON, st.dictionaries(KEYS, JSON)))
def test_normalize_never_raises_on_any_json_value(raw: Any) -> None:
    exo = adapter()
    call = exo.normalize(raw)
    assert call.provider == "exotel"
    assert isinstance(call.warnings, tuple)


# --- the plan --------------------------------------------------------------------------------


def test_no_time_filter_sends_no_date_and_the_plan_says_only_31_days_are_searched() -> None:
    p = plan("")
    assert [dict(q) for q in p.queries] == [{"SortBy": "DateCreated:desc"}]
    assert any("last 31 days" in w for w in p.warnings)
    assert any("31 days" in n for n in p.notes)
    assert p.newest_first


def test_statuses_are_a_comma_list() -> None:
    p = plan("status:failed,no-answer,busy,canceled since:-1d")
    assert p.queries[0]["Status"] == "busy,canceled,failed,no-answer"
    assert p.where("status") is Where.SERVER


def test_status_unknown_is_local_and_ivr_alone_never_matches_locally() -> None:
    assert plan("status:unknown,failed").where("status") is Where.LOCAL
    p = plan("status:ivr")
    assert p.where("status") is Where.LOCAL and "Status" not in p.queries[0]
    p = plan("status:ivr,busy")
    assert p.queries[0]["Status"] == "busy"


@pytest.mark.parametrize(
    ("query", "native"),
    [
        ("dir:in", "inbound"),
        ("dir:out", "outbound-dial,outbound-api"),
        ("dir:in,out", "inbound,outbound-dial,outbound-api"),
        ("dir:in,internal", "inbound"),
    ],
)
def test_directions_map_to_exotel_values(query: str, native: str) -> None:
    p = plan(query)
    assert p.queries[0]["Direction"] == native
    assert p.where("dir") is Where.SERVER


def test_direction_internal_or_unknown_is_local() -> None:
    assert plan("dir:internal").where("dir") is Where.LOCAL
    assert plan("dir:unknown").where("dir") is Where.LOCAL


@pytest.mark.parametrize(
    ("key", "param"), [("from", "From"), ("to", "To"), ("exophone", "PhoneNumber")]
)
def test_exact_numbers_are_sent_as_a_comma_list(key: str, param: str) -> None:
    p = plan(f"{key}:+919876543210,+919800000000")
    assert p.queries[0][param] == "+919800000000,+919876543210"
    assert p.where(key) is Where.SERVER
    assert p.local.is_empty


def test_numbers_are_sent_without_formatting_noise() -> None:
    flt = CallFilter(to_numbers=(NumberPattern("+91 (98765) 43210"),))
    assert plan(flt).queries[0]["To"] == "+919876543210"


def test_a_prefix_pattern_makes_the_whole_number_filter_local() -> None:
    p = plan("to:+9198*,+919800000000")
    assert "To" not in p.queries[0]
    assert p.where("to") is Where.LOCAL
    assert p.local.to_numbers == (NumberPattern("+9198", True), NumberPattern("+919800000000"))


def test_a_number_with_a_comma_is_never_sent() -> None:
    flt = CallFilter(from_numbers=(NumberPattern("+1,+2"),))
    p = plan(flt)
    assert "From" not in p.queries[0] and p.where("from") is Where.LOCAL


def test_more_than_five_numbers_are_split_into_queries_merged_by_time() -> None:
    numbers = [f"+9198000000{n:02d}" for n in range(12)]
    p = plan("to:" + ",".join(numbers) + " status:busy since:-2d")
    assert len(p.queries) == 3
    assert [q["To"].split(",") for q in p.queries] == [numbers[:5], numbers[5:10], numbers[10:]]
    assert all(q["Status"] == "busy" for q in p.queries)
    assert len({q["DateCreated"] for q in p.queries}) == 1
    assert p.merge == "merge" and p.newest_first
    assert p.where("to") is Where.SERVER


def test_ids_are_a_sid_list_split_by_100() -> None:
    p = plan("id:a1,b2")
    assert p.queries[0]["Sid"] == "a1,b2"
    assert p.where("id") is Where.SERVER
    many = CallFilter(ids=tuple(f"sid{n:03d}" for n in range(150)))
    p = plan(many)
    assert [len(q["Sid"].split(",")) for q in p.queries] == [100, 50]
    assert p.merge == "merge"


@pytest.mark.parametrize(
    ("query", "native", "where"),
    [
        ("dur:10..45", "gte:10s;lte:45s", Where.SERVER),
        ("dur:>=10", "gte:10s", Where.SERVER),
        ("dur:<=45", "lte:45s", Where.SERVER),
        ("dur:30", "eq:30s", Where.SERVER),
        ("dur:>10", "gte:10s", Where.BOTH),
        ("dur:<45", "lte:45s", Where.BOTH),
        ("dur:>10 dur:<45", "gte:10s;lte:45s", Where.BOTH),
    ],
)
def test_duration_maps_to_operator_values_and_strict_bounds_are_refined_locally(
    query: str, native: str, where: Where
) -> None:
    p = plan(query)
    assert p.queries[0]["Duration"] == native
    assert p.where("dur") is where
    assert (p.local.duration is not None) == (where is Where.BOTH)


def test_fractional_duration_bounds_are_widened_to_whole_seconds_and_refined_locally() -> None:
    flt = CallFilter(duration=NumRange(Decimal("9.5"), Decimal("20.2")))
    p = plan(flt)
    assert p.queries[0]["Duration"] == "gte:9s;lte:21s"
    assert p.where("dur") is Where.BOTH


@pytest.mark.parametrize(
    ("rng", "native", "where"),
    [
        (NumRange(Decimal("0.10"), Decimal("1.0")), "gte:0.10;lte:1.0", Where.SERVER),
        (NumRange(Decimal("0.300030"), Decimal("0.300030")), "eq:0.300030", Where.SERVER),
        (NumRange(Decimal("0.5"), None, low_inclusive=False), "gte:0.5", Where.BOTH),
    ],
)
def test_price_maps_to_operator_values(rng: NumRange, native: str, where: Where) -> None:
    p = plan(CallFilter(price=rng))
    assert p.queries[0]["Price"] == native
    assert p.where("price") is where


def test_negative_range_is_checked_locally() -> None:
    p = plan(CallFilter(duration=NumRange(Decimal(-5), Decimal(3))))
    assert "Duration" not in p.queries[0] and p.where("dur") is Where.LOCAL


def test_parent_and_text_are_local_and_other_providers_extras_are_unsupported() -> None:
    p = plan('parent:abc "refund" source:google trunk:t1')
    assert p.where("parent") is Where.LOCAL
    assert p.where("text") is Where.LOCAL
    assert p.where("source") is Where.UNSUPPORTED and p.where("trunk") is Where.UNSUPPORTED
    assert any(w.startswith("source:") for w in p.warnings)
    assert p.local.parent_id == "abc" and p.local.text == ("refund",)
    assert p.local.extra("source") == ()


def test_every_active_field_gets_exactly_one_plan_item() -> None:
    flt = parse_query(
        "status:busy dir:in from:+1 to:+2* exophone:+3 since:-3d until:-1d dur:>5 price:<2 "
        'parent:p id:x "word" source:s'
    )
    p = plan(flt)
    fields = [item.field for item in p.items]
    assert sorted(fields) == sorted(
        [
            "status",
            "dir",
            "from",
            "to",
            "exophone",
            "since",
            "until",
            "dur",
            "price",
            "parent",
            "id",
            "text",
            "source",
        ]
    )
    local = {i.field for i in p.items if i.where in (Where.LOCAL, Where.BOTH)}
    assert local == {"to", "until", "dur", "price", "parent", "text"}
    assert p.local == flt.only("to_numbers", "until", "duration", "price", "parent_id", "text")


def test_time_range_is_sent_in_the_account_zone_with_inclusive_bounds() -> None:
    p = plan("since:2026-03-01T00:00:00Z until:2026-03-10T00:00:00Z", zone="Asia/Kolkata")
    assert [q["DateCreated"] for q in p.queries] == [
        "gte:2026-03-01 05:30:00;lte:2026-03-10 05:30:00"
    ]
    # since is exact on DateCreated; lte is inclusive so the exclusive until is re-checked
    assert p.where("since") is Where.SERVER
    assert p.where("until") is Where.BOTH
    assert p.local.until == TimeBound.parse("2026-03-10T00:00:00Z") and p.local.since is None


def test_a_fractional_since_is_floored_and_refined_locally() -> None:
    p = plan("since:2026-03-01T00:00:00.500Z until:2026-03-10T00:00:00.250Z")
    assert p.queries[0]["DateCreated"] == "gte:2026-03-01 00:00:00;lte:2026-03-10 00:00:01"
    assert p.where("since") is Where.BOTH and p.where("until") is Where.BOTH


def test_since_alone_ends_the_window_just_after_now() -> None:
    p = plan("since:-2h")
    assert p.queries[0]["DateCreated"] == "gte:2026-03-15 10:00:00;lte:2026-03-15 12:05:00"
    assert p.where("since") is Where.SERVER and p.local.is_empty


def test_a_range_over_a_month_is_split_into_month_windows_newest_first() -> None:
    p = plan("since:2026-01-01T00:00:00Z until:2026-03-10T00:00:00Z")
    assert [q["DateCreated"] for q in p.queries] == [
        "gte:2026-02-10 00:00:01;lte:2026-03-10 00:00:00",
        "gte:2026-01-10 00:00:01;lte:2026-02-10 00:00:00",
        "gte:2026-01-01 00:00:00;lte:2026-01-10 00:00:00",
    ]
    assert p.merge == "concat" and p.newest_first
    assert "3 windows" in p.items[0].note


def test_month_windows_are_contiguous_disjoint_and_each_under_a_month() -> None:
    p = plan("since:2025-10-31T00:00:00Z until:2026-03-01T00:00:00Z")
    spans = []
    for q in p.queries:
        gte, lte = (
            datetime.strptime(part[4:], "%Y-%m-%d %H:%M:%S") for part in q["DateCreated"].split(";")
        )
        spans.append((gte, lte))
        assert exotel_plan._add_months(gte, 1) > lte  # under one calendar month
    for (newer_gte, _), (_, older_lte) in itertools.pairwise(spans):
        assert older_lte == newer_gte - timedelta(seconds=1)  # no gap, no overlap
    assert spans[-1][0] == datetime(2025, 10, 31)
    assert spans[0][1] == datetime(2026, 3, 1)


def test_a_range_reaching_past_six_months_warns_and_starts_at_the_oldest_kept() -> None:
    p = plan("since:2025-01-01 until:2026-03-01")
    assert any("6 months" in w for w in p.warnings)
    oldest = p.queries[-1]["DateCreated"].split(";")[0]
    assert oldest == "gte:2025-09-15 13:00:00"  # 6 months before now, plus the slack
    assert p.where("since") is Where.SERVER


def test_a_range_entirely_older_than_six_months_is_refused() -> None:
    with pytest.raises(errors.QueryRefusedError, match="6 months"):
        plan("since:2025-01-01 until:2025-02-01")


def test_until_alone_searches_the_whole_retained_history() -> None:
    p = plan("until:-1d")
    assert len(p.queries) == 6
    assert p.queries[0]["DateCreated"].endswith("lte:2026-03-14 12:00:00")
    assert p.queries[-1]["DateCreated"].startswith("gte:2025-09-15 13:00:00")
    assert any("oldest" in n for n in p.notes)


@pytest.mark.parametrize("until", ["9999-12-31", "9999-12-31T23:59:59Z"])
def test_a_far_future_until_ends_the_window_just_after_now(until: str) -> None:
    p = plan(f"since:-1d until:{until}", zone="Asia/Kolkata")  # east of UTC: past year 9999
    assert p.queries[0]["DateCreated"] == "gte:2026-03-14 17:30:00;lte:2026-03-15 17:35:00"
    assert p.where("until") is Where.BOTH


def test_a_far_past_since_is_clipped_to_the_oldest_kept() -> None:
    p = plan("since:0001-01-01 until:-1d", zone="America/New_York")
    assert p.queries[-1]["DateCreated"].startswith("gte:2025-09-15 09:00:00")
    assert any("6 months" in w for w in p.warnings)


def test_an_empty_time_range_sends_nothing() -> None:
    p = plan("since:-1d until:-2d")
    assert list(p.queries) == []
    assert p.notes


def test_numbers_and_windows_multiply_and_are_merged_by_time() -> None:
    numbers = ",".join(f"+9198000000{n:02d}" for n in range(7))
    p = plan(f"from:{numbers} since:2026-01-01 until:2026-03-10")
    assert len(p.queries) == 6
    assert p.merge == "merge"


def test_too_many_queries_is_refused_with_a_clear_message() -> None:
    numbers = ",".join(f"+9198000000{n:02d}" for n in range(30))  # 6 groups
    with pytest.raises(errors.QueryRefusedError) as caught:
        plan(f"to:{numbers} since:2025-10-01 until:2026-03-10")
    assert "at most 24" in str(caught.value) and "groups of To" in str(caught.value)


def test_the_sort_is_newest_first() -> None:
    assert plan("since:-1d").queries[0]["SortBy"] == "DateCreated:desc"


# --- errors ----------------------------------------------------------------------------------


def respond(status: int, body: Any = None, **kw: Any) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        if isinstance(body, bytes | str):
            return httpx.Response(status, content=body, **kw)
        return httpx.Response(status, json=body, **kw)

    return handler


async def first_page(exo: ExotelAdapter) -> Any:
    source, _ = exo.source(parse_query("since:-1d"), now=NOW)
    return await source.fetch(source.first)


@pytest.mark.parametrize(
    ("fixture", "code"),
    [
        ("exotel/examples/error_401_unauthorized.docs_example.json", "UNAUTHORIZED"),
        ("exotel/examples/error_401_invalid_account_sid.docs_example.json", "INVALID_ACCOUNT_SID"),
    ],
)
async def test_401_bodies_become_auth_errors_with_exotel_code_and_message(
    fixture: str, code: str
) -> None:
    body = load_fixture(fixture)
    with pytest.raises(errors.AuthError) as caught:
        await first_page(adapter(respond(401, body)))
    assert caught.value.code == code
    assert caught.value.message == body["RestException"]["Message"]
    assert caught.value.status == 401


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.BadRequestError),
        (402, errors.BadRequestError),
        (403, errors.ForbiddenError),
        (404, errors.NotFoundError),
        (500, errors.ServerError),
        (503, errors.ServerError),
    ],
)
async def test_error_statuses_become_typed_errors(status: int, kind: type[Exception]) -> None:
    body = {"RestException": {"Status": status, "Message": "Invalid parameter", "Code": "E1"}}
    with pytest.raises(kind) as caught:
        await first_page(adapter(respond(status, body)))
    assert isinstance(caught.value, errors.ProviderError)
    assert (caught.value.code, caught.value.message) == ("E1", "Invalid parameter")


async def test_a_not_found_code_on_a_400_is_a_not_found_error() -> None:
    body = {"RestException": {"Status": 400, "Message": "No such call", "Code": "NOT_FOUND"}}
    with pytest.raises(errors.NotFoundError):
        await adapter(respond(400, body)).get_call("abc")


async def test_429_is_retried_then_rate_limited_with_retry_after() -> None:
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)

    body = {"RestException": {"Status": 429, "Message": "Too Many Requests", "Code": "RATE"}}
    exo = ExotelAdapter(
        account(),
        transport=httpx.MockTransport(respond(429, body, headers={"Retry-After": "3"})),
        sleep=sleep,
        retry=RetryPolicy(attempts=3),
    )
    with pytest.raises(errors.RateLimitedError) as caught:
        await first_page(exo)
    assert caught.value.retry_after == 3
    assert caught.value.code == "RATE"
    assert delays == [3, 3]


async def test_a_body_that_is_not_json_is_malformed() -> None:
    handler = respond(200, b"{not json", headers={"content-type": "application/json"})
    with pytest.raises(errors.MalformedResponseError):
        await first_page(adapter(handler))


async def test_xml_instead_of_json_is_malformed() -> None:
    handler = respond(200, b"<TwilioResponse/>", headers={"content-type": "application/xml"})
    with pytest.raises(errors.MalformedResponseError, match="xml"):
        await first_page(adapter(handler))


async def test_json_without_a_calls_list_is_malformed() -> None:
    with pytest.raises(errors.MalformedResponseError, match="Calls"):
        await first_page(adapter(respond(200, {"Metadata": {}})))
    with pytest.raises(errors.MalformedResponseError, match="Calls"):
        await first_page(adapter(respond(200, {"Calls": "nope"})))


async def test_an_html_error_page_becomes_a_typed_error_saying_so() -> None:
    handler = respond(502, b"<html>Bad gateway</html>", headers={"content-type": "text/html"})
    with pytest.raises(errors.ServerError, match="HTML page"):
        await first_page(adapter(handler, retry=RetryPolicy(attempts=1)))


def test_error_parsing_never_raises_on_hostile_bodies() -> None:
    request = httpx.Request("GET", BASE)
    bodies: list[Any] = [None, [], "x", {"RestException": None}, {"RestException": {"Code": {}}}]
    for body in bodies:
        info = ExotelAdapter.parse_error(httpx.Response(400, request=request), body)
        assert info.code is None


# --- paging ----------------------------------------------------------------------------------


async def test_a_multi_page_walk_follows_next_page_uri_verbatim() -> None:
    pages = {
        None: ([record(f"c{n}", f"2026-03-15 11:{59 - n:02d}:00") for n in range(3)], "A1"),
        "A1": ([record(f"c{n}", f"2026-03-15 11:{59 - n:02d}:00") for n in range(3, 6)], "A2"),
        "A2": ([record(f"c{n}", f"2026-03-15 11:{59 - n:02d}:00") for n in range(6, 8)], None),
    }
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        after = query_of(request).get("After")
        calls, nxt = pages[after]
        meta = {"Total": 8, "PageSize": 3, "FirstPageUri": CALLS, "PrevPageUri": None}
        meta["NextPageUri"] = f"{CALLS}?PageSize=3&After={nxt}" if nxt else ""
        return httpx.Response(200, json={"Metadata": meta, "Calls": calls})

    exo = adapter(handler)
    source, _p = exo.source(parse_query("status:completed since:-1d"), now=NOW, page_size=3)
    cursor = source.first
    ids: list[str] = []
    totals = []
    while True:
        page = await source.fetch(cursor)
        ids += [c.id for c in page.calls]
        totals.append(page.total)
        if page.next is None:
            break
        cursor = page.next
    assert ids == [f"c{n}" for n in range(8)]
    assert totals == [8, 8, 8]
    assert len(seen) == 3
    first = query_of(seen[0])
    assert seen[0].url.path == CALLS
    assert first["PageSize"] == "3" and first["Status"] == "completed"
    assert first["DateCreated"] == "gte:2026-03-14 12:00:00;lte:2026-03-15 12:05:00"
    assert first["SortBy"] == "DateCreated:desc"
    assert str(seen[1].url) == f"{BASE}{CALLS}?PageSize=3&After=A1"
    expected = "Basic " + base64.b64encode(b"api-key:api-token").decode()
    assert all(r.headers["Authorization"] == expected for r in seen)


async def test_a_missing_or_null_next_page_uri_ends_the_list_and_null_calls_is_empty() -> None:
    exo = adapter(respond(200, {"Calls": None}))
    page = await first_page(exo)
    assert (list(page.calls), page.next, page.total, page.size) == ([], None, None, 0)


async def test_month_windows_are_read_one_after_another_newest_first() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        gte = query_of(request)["DateCreated"][4:14]
        day = (datetime.strptime(gte, "%Y-%m-%d") + timedelta(days=5)).strftime("%Y-%m-%d")
        calls = [record(f"w{gte}", f"{day} 10:00:00")]
        return httpx.Response(200, json={"Metadata": {"NextPageUri": None}, "Calls": calls})

    exo = adapter(handler)
    source, _p = exo.source(parse_query("since:2026-01-01 until:2026-03-10"), now=NOW)
    assert isinstance(source, ConcatSource)
    cursor, ids = source.first, []
    while cursor is not None:
        page = await source.fetch(cursor)
        ids += [c.id for c in page.calls]
        cursor = page.next
    assert ids == ["w2026-02-10", "w2026-01-10", "w2026-01-01"]


async def test_number_groups_are_merged_newest_first() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        to = query_of(request)["To"]
        minute = 50 if to.startswith("+1") else 55
        calls = [record(f"{to[:2]}-{m}", f"2026-03-15 11:{m:02d}:00") for m in (minute, minute - 2)]
        return httpx.Response(200, json={"Metadata": {}, "Calls": calls})

    numbers = ",".join([f"+1{n}" for n in range(5)] + ["+99"])
    source, _ = adapter(handler).source(parse_query(f"to:{numbers} since:-1d"), now=NOW)
    assert isinstance(source, MergeSource)
    page = await source.fetch(source.first)
    assert [c.id for c in page.calls] == ["+9-55", "+9-53", "+1-50", "+1-48"]


# --- one call and links ----------------------------------------------------------------------


def details_handler(calls: dict[str, dict[str, Any]], seen: list[httpx.Request]) -> Handler:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        sid = request.url.path.rsplit("/", 1)[-1].removesuffix(".json")
        if sid not in calls:
            body = {"RestException": {"Status": 404, "Message": "Not found", "Code": "404"}}
            return httpx.Response(404, json=body)
        return httpx.Response(200, json={"Call": calls[sid]})

    return handler


async def test_get_call_asks_for_details_and_reads_the_call_envelope() -> None:
    raw = load_fixture(DETAILS)["Call"]
    seen: list[httpx.Request] = []
    exo = adapter(details_handler({raw["Sid"]: raw}, seen))
    call = await exo.get_call(raw["Sid"])
    assert call.id == raw["Sid"] and call.extras["Legs"] == raw["Details"]["Legs"]
    assert seen[0].url.path == f"/v1/Accounts/acme1/Calls/{raw['Sid']}.json"
    assert query_of(seen[0]) == {"details": "true"}
    assert seen[0].headers["Authorization"].startswith("Basic ")


async def test_get_call_of_an_unknown_sid_is_not_found() -> None:
    with pytest.raises(errors.NotFoundError):
        await adapter(details_handler({}, [])).get_call("nope")
    with pytest.raises(errors.NotFoundError):
        await adapter(respond(200, {"Call": None})).get_call("nope")
    with pytest.raises(errors.MalformedResponseError):
        await adapter(respond(200, {"Calls": []})).get_call("nope")


async def test_get_call_quotes_the_id_in_the_path() -> None:
    seen: list[httpx.Request] = []
    with pytest.raises(errors.NotFoundError):
        await adapter(details_handler({}, seen)).get_call("../../x")
    assert seen[0].url.raw_path.startswith(b"/v1/Accounts/acme1/Calls/..%2F..%2Fx.json")


async def test_follow_recordings_refetches_the_call_for_a_fresh_pre_signed_url() -> None:
    stale = adapter().normalize(FULL_RECORD)
    fresh = FULL_RECORD | {"PreSignedRecordingUrl": "https://exotel-recordings.s3/fresh.mp3"}
    seen: list[httpx.Request] = []
    exo = adapter(details_handler({stale.id: fresh}, seen))
    result = await exo.follow(stale, "recordings")
    assert result.kind == "recordings"
    (rec,) = result.recordings
    assert rec.media_url == "https://exotel-recordings.s3/fresh.mp3"
    assert rec.call_id == stale.id
    assert rec.raw == {
        "PreSignedRecordingUrl": "https://exotel-recordings.s3/fresh.mp3",
        "RecordingUrl": FULL_RECORD["RecordingUrl"],
    }
    assert rec.warnings == ()


async def test_follow_recordings_with_only_a_recording_url_warns_it_may_need_credentials() -> None:
    raw = load_fixture(DETAILS)["Call"]
    exo = adapter(details_handler({raw["Sid"]: raw}, []))
    result = await exo.follow(exo.normalize(raw), "recordings")
    (rec,) = result.recordings
    assert rec.media_url == raw["RecordingUrl"] and rec.warnings


async def test_follow_recordings_of_a_call_without_one_is_empty() -> None:
    raw = {"Sid": "a1", "Status": "busy"}
    exo = adapter(details_handler({"a1": raw}, []))
    result = await exo.follow(exo.normalize(raw), "recordings")
    assert result.recordings == () and result.note


async def test_follow_parent_fetches_the_parent_call() -> None:
    child = adapter().normalize(FULL_RECORD)
    seen: list[httpx.Request] = []
    exo = adapter(details_handler({"p1": {"Sid": "p1", "Direction": "inbound"}}, seen))
    result = await exo.follow(child, "parent")
    assert result.kind == "calls" and [c.id for c in result.calls] == ["p1"]
    assert seen[0].url.path.endswith("/Calls/p1.json")


async def test_follow_parent_without_a_parent_is_empty_and_sends_nothing() -> None:
    exo = adapter(details_handler({}, []))
    result = await exo.follow(exo.normalize({"Sid": "a"}), "parent")
    assert result.calls == () and result.note


async def test_follow_children_returns_the_legs_from_details_as_entries() -> None:
    raw = load_fixture(DETAILS)["Call"]
    listed = adapter().normalize(load_fixture(BULK)["Calls"][0] | {"Sid": raw["Sid"]})
    exo = adapter(details_handler({raw["Sid"]: raw}, []))
    result = await exo.follow(listed, "children")
    assert result.kind == "entries"
    assert [e.title for e in result.entries] == ["Leg 1", "Leg 2"]
    assert [e.level for e in result.entries] == ["completed", "completed"]
    assert "to From 0XXXXX30240" in result.entries[0].detail
    assert "on call 21 s" in result.entries[0].detail
    assert "to To 0XXXXX38847" in result.entries[1].detail
    assert result.entries[1].raw == raw["Details"]["Legs"][1]


async def test_legs_in_the_status_callback_shape_are_read_too() -> None:
    legs = load_fixture("exotel/examples/status_callback_legs.docs_example.json")["Legs"]
    raw = {"Sid": "a1", "Direction": "inbound", "Details": {"Legs": [*legs, "junk"]}}
    exo = adapter(details_handler({"a1": raw}, []))
    result = await exo.follow(exo.normalize(raw), "children")
    assert [e.level for e in result.entries] == ["completed", "completed", None]
    assert "answered by HUMAN" in result.entries[1].detail
    assert "caller into the ExoPhone" in result.entries[0].detail


async def test_follow_self_refetches_and_unknown_links_are_not_found() -> None:
    raw = {"Sid": "a1"}
    exo = adapter(details_handler({"a1": raw}, []))
    call = exo.normalize(raw)
    assert [c.id for c in (await exo.follow(call, "self")).calls] == ["a1"]
    with pytest.raises(errors.NotFoundError):
        await exo.follow(call, "events")


def test_an_account_without_a_sid_is_a_config_error() -> None:
    with pytest.raises(errors.ConfigError):
        ExotelAdapter(account().model_copy(update={"account": ""}))


def test_capabilities_declare_the_limits() -> None:
    caps = ExotelAdapter.capabilities
    assert "exophone" in caps.server_fields and "parent" not in caps.server_fields
    assert any("5 numbers" in limit for limit in caps.limits)
    assert ExotelAdapter.max_page_size == 100 and ExotelAdapter.paging == "cursor"
    assert json.dumps(list(caps.limits))  # plain data for the UI
