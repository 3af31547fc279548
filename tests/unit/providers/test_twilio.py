"""Twilio adapter: official examples → Calls, filter → native params, errors, paging, links."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import load_fixture
from tui.core import errors
from tui.core.account import Account
from tui.core.filter import CallFilter, NumberPattern, NumRange, TimeBound
from tui.core.http import RetryPolicy
from tui.core.model import Call, Direction, Status
from tui.core.normalize import Fields, parse_time
from tui.core.plan import Where
from tui.core.query import parse_query
from tui.core.walk import Walker
from tui.providers.laml import LINK_PAGE_LIMIT
from tui.providers.laml_normalize import CONSUMED_KEYS
from tui.providers.laml_parse import fast_time, next_uri_hint
from tui.providers.laml_plan import MAX_STATUS_QUERIES, day_bounds
from tui.providers.twilio import TwilioAdapter

AC = "ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
CA = "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
TOKEN = "auth-token-123"
ROOT = f"/2010-04-01/Accounts/{AC}"
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


def account(**kw: Any) -> Account:
    values: dict[str, Any] = {
        "name": "main",
        "provider": "twilio",
        "base_url": "https://api.twilio.com",
        "account": AC,
        "username": AC,
        "password": TOKEN,
    }
    values.update(kw)
    return Account(**values)


class Recorder:
    """A MockTransport handler that records requests and answers from a function."""

    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


async def no_sleep(_: float) -> None:
    return None


def adapter(answer: Handler | None = None, **kw: Any) -> tuple[TwilioAdapter, Recorder]:
    recorder = Recorder(answer or (lambda r: httpx.Response(500)))
    made = TwilioAdapter(
        account(**kw),
        transport=httpx.MockTransport(recorder),
        sleep=no_sleep,
        retry=RetryPolicy(attempts=3, base_delay=0.01, budget=100),
    )
    return made, recorder


def fetched_call() -> dict[str, Any]:
    raw: dict[str, Any] = load_fixture("twilio/examples/call.fetch.json")
    return raw


def call_schema_fields() -> list[str]:
    spec = load_fixture("twilio/api_v2010_calls.openapi.json")
    return list(spec["components"]["schemas"]["api.v2010.account.call"]["properties"])


def example_records() -> list[dict[str, Any]]:
    records = [fetched_call()]
    for name in ("calls_list.readFullPage1.json", "calls_list.readFullPage2.json"):
        records.extend(load_fixture(f"twilio/examples/{name}")["calls"])
    return records


def query_of(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.url.query.decode(), keep_blank_values=True)


# -- normalization -------------------------------------------------------------------------------


def test_fetched_call_example_becomes_a_complete_call() -> None:
    made, _ = adapter()
    call = made.normalize(fetched_call())
    assert call.provider == "twilio"
    assert call.account == "main"
    assert call.id == CA
    assert call.parent_id == "CAdeadbeefdeadbeefdeadbeefdeadbeef"
    assert (call.from_number, call.to_number) == ("+13051416799", "+13051913581")
    assert (call.from_formatted, call.to_formatted) == ("(305) 141-6799", "(305) 191-3581")
    assert call.from_name == "callerid"
    assert call.created_at == datetime(2019, 10, 18, 17, 0, tzinfo=UTC)
    assert call.started_at == datetime(2019, 10, 18, 17, 2, tzinfo=UTC)
    assert call.ended_at == datetime(2019, 10, 18, 17, 3, tzinfo=UTC)
    assert call.duration == 4
    assert call.price == Decimal("-0.200")
    assert call.cost == Decimal("0.200")
    assert call.currency == "USD"
    assert (call.status, call.status_raw) == (Status.COMPLETED, "completed")
    assert (call.direction, call.direction_raw) == (Direction.OUTBOUND, "outbound-api")
    assert call.answered_by == "machine_start"
    assert call.warnings == ()
    assert call.raw == fetched_call()


def test_fetched_call_keeps_twilio_specific_fields_verbatim_in_extras() -> None:
    made, _ = adapter()
    extras = made.normalize(fetched_call()).extras
    assert extras["queue_time"] == "1000"
    assert extras["trunk_sid"] == "TKdeadbeefdeadbeefdeadbeefdeadbeef"
    assert extras["group_sid"] == "GPdeadbeefdeadbeefdeadbeefdeadbeef"
    assert extras["phone_number_sid"] == "PNdeadbeefdeadbeefdeadbeefdeadbeef"
    assert extras["forwarded_from"] == "calledvia"
    assert extras["caller_name"] == "callerid"
    assert extras["api_version"] == "2010-04-01"
    assert extras["account_sid"] == AC
    assert extras["uri"] == f"{ROOT}/Calls/{CA}.json"
    assert extras["subresource_uris"]["payments"].endswith("/Payments.json")


def test_the_example_covers_every_property_of_the_call_schema() -> None:
    assert set(call_schema_fields()) <= set(fetched_call())


@pytest.mark.parametrize("raw", example_records(), ids=lambda r: r["sid"])
def test_every_field_of_an_example_is_normalized_or_kept_in_extras(raw: dict[str, Any]) -> None:
    made, _ = adapter()
    call = made.normalize(raw)
    used_formatted = {"from_formatted", "to_formatted"}
    for key, value in raw.items():
        if value is None or value == "":
            continue
        assert key in CONSUMED_KEYS | used_formatted or call.extras.get(key) == value, key
    assert call.warnings == ()


def test_annotation_lands_in_extras() -> None:
    made, _ = adapter()
    call = made.normalize({**fetched_call(), "annotation": "billingreferencetag"})
    assert call.extras["annotation"] == "billingreferencetag"


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("queued", Status.QUEUED),
        ("ringing", Status.RINGING),
        ("in-progress", Status.IN_PROGRESS),
        ("completed", Status.COMPLETED),
        ("busy", Status.BUSY),
        ("failed", Status.FAILED),
        ("no-answer", Status.NO_ANSWER),
        ("canceled", Status.CANCELED),
    ],
)
def test_every_twilio_status_maps_to_its_normalized_status(raw: str, status: Status) -> None:
    made, _ = adapter()
    call = made.normalize({**fetched_call(), "status": raw})
    assert (call.status, call.status_raw, call.warnings) == (status, raw, ())


@pytest.mark.parametrize(
    ("raw", "direction"),
    [
        ("inbound", Direction.INBOUND),
        ("trunking-originating", Direction.INBOUND),
        ("outbound-api", Direction.OUTBOUND),
        ("outbound-dial", Direction.OUTBOUND),
        ("trunking-terminating", Direction.OUTBOUND),
    ],
)
def test_every_twilio_direction_maps_and_keeps_the_raw_word(raw: str, direction: Direction) -> None:
    made, _ = adapter()
    call = made.normalize({**fetched_call(), "direction": raw})
    assert (call.direction, call.direction_raw, call.warnings) == (direction, raw, ())


def test_an_unknown_status_is_unknown_with_a_warning_and_the_raw_value() -> None:
    made, _ = adapter()
    call = made.normalize({**fetched_call(), "status": "teleported", "direction": "sideways"})
    assert (call.status, call.status_raw) == (Status.UNKNOWN, "teleported")
    assert (call.direction, call.direction_raw) == (Direction.UNKNOWN, "sideways")
    assert any("status" in w for w in call.warnings)
    assert any("direction" in w for w in call.warnings)


def test_statuses_are_matched_without_regard_to_case() -> None:
    made, _ = adapter()
    call = made.normalize({**fetched_call(), "status": "No-Answer"})
    assert (call.status, call.status_raw) == (Status.NO_ANSWER, "No-Answer")


def test_an_unanswered_call_has_no_duration_price_or_times_and_no_warning() -> None:
    made, _ = adapter()
    raw = {**fetched_call(), "status": "busy", "duration": "", "price": None}
    raw |= {"start_time": None, "end_time": ""}
    call = made.normalize(raw)
    assert (call.duration, call.price, call.started_at, call.ended_at) == (None, None, None, None)
    assert call.time == call.created_at
    assert call.warnings == ()


def test_mistyped_values_become_none_with_warnings_and_never_raise() -> None:
    made, _ = adapter()
    raw = {**fetched_call(), "duration": "4.5s", "price": "free", "start_time": "yesterday-ish"}
    raw |= {"from": ["+1"], "subresource_uris": "nope"}
    call = made.normalize(raw)
    assert (call.duration, call.price, call.started_at, call.from_number) == (None,) * 4
    assert len(call.warnings) == 5
    assert call.raw is raw


def test_a_record_that_is_not_an_object_still_normalizes() -> None:
    made, _ = adapter()
    call = made.normalize(["not", "a", "call"])
    assert call.id == "?"
    assert call.warnings


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*call_schema_fields(), "formatted_from"]), json_values))
def test_the_normalizer_never_raises_on_any_json_values(raw: dict[str, Any]) -> None:
    made, _ = adapter()
    call = made.normalize(raw)
    assert isinstance(call, Call)
    assert call.raw is raw


@pytest.mark.parametrize(
    "text",
    [
        "Fri, 18 Oct 2019 17:00:00 +0000",
        "Mon, 14 Feb 2022 22:23:00 +0100",
        "Wed, 19 Sept 2018 20:00:00 +0000",
        "Wed, 9 Sep 2018 20:00:00 +0000",
        "Sun, 31 Dec 2023 23:59:59 +0000",
        "2019-10-18T17:00:00Z",
    ],
)
def test_the_fast_time_path_agrees_with_the_general_parser(text: str) -> None:
    assert fast_time(Fields({"t": text}), "t") == parse_time(text)


@pytest.mark.parametrize(
    "text", ["Fri, 31 Feb 2019 17:00:00 +0000", "Fri, 18 Oct 2019 25:00:00 +0000", "Fri, ٠٨ Oct"]
)
def test_the_fast_time_path_warns_on_impossible_times(text: str) -> None:
    f = Fields({"t": text})
    assert fast_time(f, "t") is None
    assert f.warnings


def test_links_name_the_advertised_subresources_parent_and_children() -> None:
    made, _ = adapter()
    links = made.normalize(fetched_call()).links
    assert links["self"] == f"{ROOT}/Calls/{CA}.json"
    assert links["recordings"] == f"{ROOT}/Calls/{CA}/Recordings.json"
    assert links["notifications"] == f"{ROOT}/Calls/{CA}/Notifications.json"
    assert links["events"] == f"{ROOT}/Calls/{CA}/Events.json"
    parent = "CAdeadbeefdeadbeefdeadbeefdeadbeef"
    assert links["parent"] == f"https://api.twilio.com{ROOT}/Calls/{parent}.json"
    assert links["children"] == f"https://api.twilio.com{ROOT}/Calls.json?ParentCallSid={CA}"


def test_links_are_built_when_the_record_advertises_none() -> None:
    made, _ = adapter()
    raw = {k: v for k, v in fetched_call().items() if k not in ("uri", "subresource_uris")}
    raw["parent_call_sid"] = None
    links = made.normalize(raw).links
    assert links["self"] == f"https://api.twilio.com{ROOT}/Calls/{CA}.json"
    assert links["events"] == f"https://api.twilio.com{ROOT}/Calls/{CA}/Events.json"
    assert "parent" not in links


def test_a_hostile_sid_cannot_change_the_path_of_a_link() -> None:
    made, _ = adapter()
    links = made.normalize({**fetched_call(), "sid": "../../Keys", "subresource_uris": {}}).links
    assert "/Calls/..%2F..%2FKeys/Recordings.json" in links["recordings"]


# -- plan ----------------------------------------------------------------------------------------


def plan_of(text: str) -> Any:
    made, _ = adapter()
    return made.plan(parse_query(text), NOW)


def test_an_empty_filter_is_one_query_with_no_parameters() -> None:
    plan = plan_of("")
    assert list(plan.queries) == [{}]
    assert plan.items == ()
    assert plan.local.is_empty


def test_one_status_is_sent_as_status() -> None:
    plan = plan_of("status:no-answer")
    assert list(plan.queries) == [{"Status": "no-answer"}]
    assert plan.where("status") is Where.SERVER
    assert plan.local.is_empty


def test_several_statuses_are_one_query_each_merged_by_time() -> None:
    plan = plan_of("status:failed,busy to:+15550100")
    assert list(plan.queries) == [
        {"To": "+15550100", "Status": "busy"},
        {"To": "+15550100", "Status": "failed"},
    ]
    assert plan.merge == "merge"
    assert plan.newest_first
    assert plan.where("status") is Where.SERVER
    assert plan.local.is_empty


def test_more_statuses_than_the_split_limit_are_filtered_locally() -> None:
    wanted = frozenset(list(Status)[: MAX_STATUS_QUERIES + 1])
    made, _ = adapter()
    plan = made.plan(CallFilter(statuses=wanted), NOW)
    assert list(plan.queries) == [{}]
    assert plan.where("status") is Where.LOCAL
    assert plan.local.statuses == wanted


def test_a_status_twilio_does_not_have_is_filtered_locally() -> None:
    plan = plan_of("status:ivr")
    assert list(plan.queries) == [{}]
    assert plan.where("status") is Where.LOCAL
    assert plan.local.statuses == {Status.IVR}


def test_one_exact_number_each_is_sent_as_from_and_to() -> None:
    plan = plan_of("from:+14155550100 to:sip:alice@example.com")
    assert list(plan.queries) == [{"From": "+14155550100", "To": "sip:alice@example.com"}]
    assert plan.where("from") is Where.SERVER
    assert plan.where("to") is Where.SERVER
    assert plan.local.is_empty


def test_formatting_noise_is_dropped_from_a_number_sent_to_the_server() -> None:
    made, _ = adapter()
    plan = made.plan(CallFilter(from_numbers=(NumberPattern("+1 (415) 555-0100"),)), NOW)
    assert list(plan.queries) == [{"From": "+14155550100"}]


@pytest.mark.parametrize("text", ["to:+4420*", "to:+442071234567,+442079876543"])
def test_prefixes_and_several_numbers_are_filtered_locally(text: str) -> None:
    plan = plan_of(text)
    assert list(plan.queries) == [{}]
    assert plan.where("to") is Where.LOCAL
    assert plan.local == parse_query(text)


def test_time_bounds_are_coarse_utc_days_on_the_server_and_exact_locally() -> None:
    plan = plan_of("since:2026-11-01T10:30Z until:2026-11-03T08:00Z")
    # queued calls have no start time yet: they come from a query of their own, merged by time
    assert list(plan.queries) == [
        {"StartTime>": "2026-11-01", "StartTime<": "2026-11-04"},
        {"Status": "queued"},
    ]
    assert plan.merge == "merge"
    assert plan.where("since") is Where.BOTH
    assert plan.where("until") is Where.BOTH
    assert [i.native for i in plan.items] == ["StartTime>=2026-11-01", "StartTime<=2026-11-04"]
    assert plan.local.since == TimeBound.parse("2026-11-01T10:30Z")
    assert plan.local.until == TimeBound.parse("2026-11-03T08:00Z")


def test_a_time_range_without_queued_calls_needs_no_query_for_them() -> None:
    plan = plan_of("status:completed,busy since:2026-11-01 to:+14155550100")
    assert list(plan.queries) == [
        {"To": "+14155550100", "StartTime>": "2026-11-01", "Status": "busy"},
        {"To": "+14155550100", "StartTime>": "2026-11-01", "Status": "completed"},
    ]
    plan = plan_of("status:queued,busy since:2026-11-01 to:+14155550100")
    assert list(plan.queries) == [
        {"To": "+14155550100", "StartTime>": "2026-11-01", "Status": "busy"},
        {"To": "+14155550100", "Status": "queued"},
    ]
    assert plan.local.since == TimeBound.parse("2026-11-01")


def test_an_until_at_midnight_needs_no_extra_day() -> None:
    assert day_bounds(None, datetime(2026, 11, 3, tzinfo=UTC)) == (None, "2026-11-03")


def test_day_bounds_lose_no_record_under_any_reading_of_start_time_before() -> None:
    until = datetime(2026, 11, 3, 0, 0, 1, tzinfo=UTC)
    _, high = day_bounds(None, until)
    assert high is not None
    midnight = datetime.strptime(high, "%Y-%m-%d").replace(tzinfo=UTC)
    assert midnight >= until  # "before midnight of D" still includes every call before until


def test_relative_bounds_resolve_against_now_in_utc() -> None:
    plan = plan_of("since:-2h")
    assert list(plan.queries) == [{"StartTime>": "2026-11-10"}, {"Status": "queued"}]
    assert plan.local.since == TimeBound.parse("-2h")


async def test_the_day_bound_is_sent_on_the_wire_as_the_key_start_time_greater() -> None:
    made, recorder = adapter(lambda r: httpx.Response(200, json={"calls": []}))
    source, _ = made.source(parse_query("since:2026-11-01"), now=NOW, page_size=50)
    await source.fetch(source.first)
    request = recorder.requests[0]
    assert b"StartTime%3E=2026-11-01" in request.url.query
    assert query_of(request)["PageSize"] == ["50"]


def test_parent_is_sent_as_parent_call_sid() -> None:
    plan = plan_of(f"parent:{CA}")
    assert list(plan.queries) == [{"ParentCallSid": CA}]
    assert plan.where("parent") is Where.SERVER
    assert plan.warnings == ()


def test_a_parent_that_is_not_a_call_sid_is_sent_with_a_warning() -> None:
    plan = plan_of("parent:abc")
    assert list(plan.queries) == [{"ParentCallSid": "abc"}]
    assert plan.warnings


@pytest.mark.parametrize(
    ("text", "key"),
    [("dir:in", "dir"), ("dur:>60", "dur"), ("price:>=0.05", "price"), ('"refund"', "text")],
)
def test_fields_twilio_cannot_filter_are_applied_locally(text: str, key: str) -> None:
    plan = plan_of(text)
    assert list(plan.queries) == [{}]
    assert plan.where(key) is Where.LOCAL
    assert plan.local == parse_query(text)


def test_ids_are_applied_locally() -> None:
    made, _ = adapter()
    flt = CallFilter(ids=(CA,))
    plan = made.plan(flt, NOW)
    assert plan.where("id") is Where.LOCAL
    assert plan.local == flt


def test_a_provider_extra_is_unsupported_and_ignored_with_a_warning() -> None:
    plan = plan_of("source:google")
    assert plan.where("source") is Where.UNSUPPORTED
    assert plan.local.is_empty
    assert plan.warnings


def test_every_active_field_of_a_full_filter_gets_exactly_one_plan_item() -> None:
    made, _ = adapter()
    flt = CallFilter(
        statuses=frozenset({Status.COMPLETED}),
        directions=frozenset({Direction.INBOUND}),
        from_numbers=(NumberPattern("+1555", True),),
        to_numbers=(NumberPattern("+15550100"),),
        since=TimeBound.parse("2026-11-01"),
        until=TimeBound.parse("2026-11-02"),
        duration=NumRange(Decimal(5)),
        price=NumRange(high=Decimal(1)),
        parent_id=CA,
        ids=("CA1",),
        text=("refund",),
        extras=(("trunk", ("t1",)),),
    )
    plan = made.plan(flt, NOW)
    keys = [item.field for item in plan.items]
    expected = [
        "status",
        "dir",
        "from",
        "to",
        "since",
        "until",
        "dur",
        "price",
        "parent",
        "id",
        "text",
        "trunk",
    ]
    assert sorted(keys) == sorted(expected)
    local = {i.field for i in plan.items if i.where in (Where.LOCAL, Where.BOTH)}
    assert local == {"dir", "from", "since", "until", "dur", "price", "id", "text"}
    assert plan.local == flt.only(
        "directions", "from_numbers", "since", "until", "duration", "price", "ids", "text"
    )


# -- errors --------------------------------------------------------------------------------------


def error(status: int, code: int, message: str, **headers: str) -> httpx.Response:
    body = {"code": code, "message": message, "more_info": f"https://x/{code}", "status": status}
    return httpx.Response(status, json=body, headers=headers)


@pytest.mark.parametrize(
    ("response", "kind", "code", "message"),
    [
        (error(401, 20003, "Authenticate"), errors.AuthError, "20003", "Authenticate"),
        (error(403, 20403, "Forbidden"), errors.ForbiddenError, "20403", "Forbidden"),
        (
            error(404, 20404, "The requested resource was not found"),
            errors.NotFoundError,
            "20404",
            "The requested resource was not found",
        ),
        (
            error(400, 21481, "Invalid PageToken"),
            errors.BadRequestError,
            "21481",
            "invalid page token: Invalid PageToken",
        ),
        (error(400, 20001, "Invalid Status"), errors.BadRequestError, "20001", "Invalid Status"),
        (error(500, 20500, "Internal Server Error"), errors.ServerError, "20500", None),
    ],
)
async def test_each_error_body_becomes_its_typed_error_with_code_and_message(
    response: httpx.Response, kind: type[errors.ProviderError], code: str, message: str | None
) -> None:
    made, _ = adapter(lambda r: response)
    with pytest.raises(kind) as caught:
        await made.get_call(CA)
    assert caught.value.code == code
    assert caught.value.status == response.status_code
    assert caught.value.provider == "Twilio"
    if message:
        assert caught.value.message == message
    assert caught.value.detail == f"https://x/{code}"


async def test_a_not_found_code_on_another_status_is_still_not_found() -> None:
    made, _ = adapter(lambda r: error(400, 20404, "not found"))
    with pytest.raises(errors.NotFoundError):
        await made.get_call(CA)


async def test_429_is_retried_honouring_retry_after_then_raised_as_rate_limited() -> None:
    waits: list[float] = []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)

    recorder = Recorder(lambda r: error(429, 20429, "Too Many Requests", **{"Retry-After": "7"}))
    made = TwilioAdapter(
        account(),
        transport=httpx.MockTransport(recorder),
        sleep=sleep,
        retry=RetryPolicy(attempts=3, budget=100),
    )
    with pytest.raises(errors.RateLimitedError) as caught:
        await made.get_call(CA)
    assert caught.value.retry_after == 7
    assert caught.value.code == "20429"
    assert waits == [7, 7]
    assert len(recorder.requests) == 3


async def test_a_retried_503_that_recovers_returns_the_call() -> None:
    answers = iter([httpx.Response(503), httpx.Response(200, json=fetched_call())])
    made, recorder = adapter(lambda r: next(answers))
    call = await made.get_call(CA)
    assert call.id == CA
    assert len(recorder.requests) == 2


async def test_an_html_error_page_is_a_server_error_saying_so() -> None:
    page = httpx.Response(
        502, text="<html>Bad gateway</html>", headers={"content-type": "text/html"}
    )
    made, _ = adapter(lambda r: page)
    with pytest.raises(errors.ServerError) as caught:
        await made.get_call(CA)
    assert "HTML" in caught.value.message


async def test_a_body_that_is_not_json_is_malformed() -> None:
    body = httpx.Response(200, text='{"calls": [', headers={"content-type": "application/json"})
    made, _ = adapter(lambda r: body)
    source, _ = made.source(CallFilter(), now=NOW)
    with pytest.raises(errors.MalformedResponseError):
        await source.fetch(source.first)


@pytest.mark.parametrize(
    "body",
    [[], {"calls": "x"}, {"items": []}, {"calls": [], "next_page_uri": 5}],
    ids=["list", "calls-not-list", "no-calls", "bad-next"],
)
async def test_a_page_without_the_twilio_envelope_is_malformed(body: Any) -> None:
    made, _ = adapter(lambda r: httpx.Response(200, json=body))
    source, _ = made.source(CallFilter(), now=NOW)
    with pytest.raises(errors.MalformedResponseError):
        await source.fetch(source.first)


@pytest.mark.parametrize(
    "body", [None, [], {"code": {"x": 1}, "message": ["m"]}, {"code": True}, "text"]
)
def test_parse_error_never_raises_on_odd_bodies(body: Any) -> None:
    info = TwilioAdapter.parse_error(httpx.Response(400), body)
    assert info.kind is None
    assert info.code is None
    assert info.message is None


# -- paging --------------------------------------------------------------------------------------


def record(n: int) -> dict[str, Any]:
    return {
        **fetched_call(),
        "sid": f"CA{n:032x}",
        "parent_call_sid": None,
        "start_time": f"Fri, 18 Oct 2019 17:{59 - n:02d}:00 +0000",
    }


def pages_answer(pages: list[list[int]]) -> Handler:
    """Twilio's envelope: PageToken = PA + last sid, next_page_uri relative to the host."""

    def answer(request: httpx.Request) -> httpx.Response:
        query = query_of(request)
        index = int(query.get("Page", ["0"])[0])
        if index:
            last = pages[index - 1][-1]
            assert query["PageToken"] == [f"PACA{last:032x}"]
        size = query["PageSize"][0]
        nxt = None
        if index + 1 < len(pages):
            token = f"PACA{pages[index][-1]:032x}"
            nxt = f"{ROOT}/Calls.json?Status=completed&PageSize={size}&Page={index + 1}"
            nxt += f"&PageToken={token}"
        body = {
            "calls": [record(n) for n in pages[index]],
            "page": index,
            "page_size": int(size),
            "start": 0,
            "end": 0,
            "uri": str(request.url.raw_path),
            "first_page_uri": f"{ROOT}/Calls.json?PageSize={size}&Page=0",
            "next_page_uri": nxt,
            "previous_page_uri": None,
        }
        return httpx.Response(200, json=body)

    return answer


async def test_a_three_page_walk_follows_next_page_uri_and_reads_each_call_once() -> None:
    made, recorder = adapter(pages_answer([[0, 1], [2, 3], [4]]))
    source, _ = made.source(parse_query("status:completed"), now=NOW, page_size=2)
    seen: list[str] = []
    cursor = source.first
    while True:
        page = await source.fetch(cursor)
        seen.extend(call.id for call in page.calls)
        assert page.raw_count == len(page.calls)
        assert page.total is None
        if page.next is None:
            break
        cursor = page.next
    assert seen == [f"CA{n:032x}" for n in range(5)]
    first, second, third = recorder.requests
    assert first.url.path == f"{ROOT}/Calls.json"
    assert query_of(first) == {"Status": ["completed"], "PageSize": ["2"]}
    assert str(second.url).startswith(f"https://api.twilio.com{ROOT}/Calls.json?")
    assert query_of(third)["Page"] == ["2"]
    expected = "Basic " + base64.b64encode(f"{AC}:{TOKEN}".encode()).decode()
    assert all(r.headers["Authorization"] == expected for r in recorder.requests)


async def test_two_statuses_are_walked_as_two_queries_merged_newest_first() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        status = query_of(request)["Status"][0]
        numbers = [0, 2, 4] if status == "busy" else [1, 3]
        calls = [record(n) | {"status": status} for n in numbers]
        return httpx.Response(200, json={"calls": calls, "next_page_uri": None})

    made, recorder = adapter(answer)
    source, _ = made.source(parse_query("status:busy,failed"), now=NOW, page_size=10)
    page = await source.fetch(source.first)
    assert [c.id for c in page.calls] == [f"CA{n:032x}" for n in range(5)]
    assert page.next is None
    assert sorted(query_of(r)["Status"][0] for r in recorder.requests) == ["busy", "failed"]


async def test_an_api_key_authenticates_while_the_account_sid_stays_in_the_path() -> None:
    made, recorder = adapter(
        lambda r: httpx.Response(200, json=fetched_call()), username="SK" + "b" * 32
    )
    await made.get_call(CA)
    request = recorder.requests[0]
    assert request.url.path == f"{ROOT}/Calls/{CA}.json"
    expected = base64.b64encode(f"SK{'b' * 32}:{TOKEN}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"


async def test_an_api_key_without_an_account_sid_is_a_config_error() -> None:
    made, recorder = adapter(account="", username="SK" + "b" * 32)
    with pytest.raises(errors.ConfigError):
        await made.get_call(CA)
    assert recorder.requests == []


# -- one call and its links ---------------------------------------------------------------------


async def test_get_call_fetches_the_call_resource_and_normalizes_it() -> None:
    made, recorder = adapter(lambda r: httpx.Response(200, json=fetched_call()))
    call = await made.get_call(CA)
    assert call.id == CA
    assert recorder.requests[0].url == f"https://api.twilio.com{ROOT}/Calls/{CA}.json"


async def test_get_call_of_an_unknown_sid_is_not_found() -> None:
    made, _ = adapter(lambda r: error(404, 20404, "The requested resource was not found"))
    with pytest.raises(errors.NotFoundError) as caught:
        await made.get_call("CA" + "0" * 32)
    assert caught.value.code == "20404"


async def test_recordings_are_listed_from_the_call_subresource_with_wav_media_urls() -> None:
    body = load_fixture("twilio/examples/call_recordings_list.readFull.json")
    made, recorder = adapter(lambda r: httpx.Response(200, json=body))
    result = await made.follow(made.normalize(fetched_call()), "recordings")
    assert recorder.requests[0].url == f"https://api.twilio.com{ROOT}/Calls/{CA}/Recordings.json"
    assert result.kind == "recordings"
    (rec,) = result.recordings
    assert rec.id == "REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
    assert rec.call_id == CA
    assert (rec.duration, rec.channels, rec.status) == (4, 2, "completed")
    assert (rec.price, rec.currency) == (Decimal("-0.0025"), "USD")
    assert rec.started_at == datetime(2016, 10, 14, 21, 56, 34, tzinfo=UTC)
    assert rec.media_url == (
        f"https://api.twilio.com{ROOT}/Recordings/REaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.wav"
    )
    assert rec.warnings == ()


async def test_a_call_without_recordings_lists_none() -> None:
    body = load_fixture("twilio/examples/call_recordings_list.readEmpty.json")
    made, _ = adapter(lambda r: httpx.Response(200, json=body))
    result = await made.follow(made.normalize(fetched_call()), "recordings")
    assert result.recordings == []


async def test_notifications_become_log_entries() -> None:
    item = {
        "sid": "NOaaaa",
        "call_sid": CA,
        "log": "0",
        "error_code": "11200",
        "message_text": "HTTP retrieval failure",
        "message_date": "Fri, 18 Oct 2019 17:02:30 +0000",
        "more_info": "https://www.twilio.com/docs/errors/11200",
        "request_method": "POST",
        "request_url": "https://example.com/voice",
    }
    body = {"notifications": [item, {**item, "log": "1"}], "next_page_uri": None}
    made, recorder = adapter(lambda r: httpx.Response(200, json=body))
    result = await made.follow(made.normalize(fetched_call()), "notifications")
    assert recorder.requests[0].url.path == f"{ROOT}/Calls/{CA}/Notifications.json"
    assert result.kind == "entries"
    first, second = result.entries
    assert (first.level, second.level) == ("error", "warning")
    assert first.title == "11200: HTTP retrieval failure"
    assert "POST https://example.com/voice" in first.detail
    assert first.time == datetime(2019, 10, 18, 17, 2, 30, tzinfo=UTC)


async def test_events_become_log_entries_with_the_webhook_request_and_answer() -> None:
    item = {
        "request": {"method": "POST", "url": "https://example.com/twiml", "parameters": {}},
        "response": {
            "response_code": 502,
            "request_duration": 120,
            "content_type": "text/html",
            "response_body": "oops",
            "date_created": "Fri, 18 Oct 2019 17:02:01 +0000",
        },
    }
    pages = iter(
        [
            {"events": [item], "next_page_uri": f"{ROOT}/Calls/{CA}/Events.json?Page=1"},
            {"events": [{"request": "odd", "response": None}], "next_page_uri": None},
        ]
    )
    made, recorder = adapter(lambda r: httpx.Response(200, json=next(pages)))
    result = await made.follow(made.normalize(fetched_call()), "events")
    assert len(recorder.requests) == 2
    first, second = result.entries
    assert first.title == "POST https://example.com/twiml"
    assert first.level == "error"
    assert first.detail == "HTTP 502 · text/html · 120 ms"
    assert first.time == datetime(2019, 10, 18, 17, 2, 1, tzinfo=UTC)
    assert second.title == ""


async def test_the_parent_link_fetches_the_parent_call() -> None:
    parent = "CAdeadbeefdeadbeefdeadbeefdeadbeef"
    body = {**fetched_call(), "sid": parent, "parent_call_sid": None}
    made, recorder = adapter(lambda r: httpx.Response(200, json=body))
    result = await made.follow(made.normalize(fetched_call()), "parent")
    assert recorder.requests[0].url.path == f"{ROOT}/Calls/{parent}.json"
    assert [c.id for c in result.calls] == [parent]


async def test_a_call_without_parent_has_no_parent_to_follow() -> None:
    made, _ = adapter()
    call = made.normalize({**fetched_call(), "parent_call_sid": None})
    with pytest.raises(errors.NotFoundError):
        await made.follow(call, "parent")


async def test_the_children_link_lists_calls_with_parent_call_sid_over_pages() -> None:
    legs = [
        record(1) | {"parent_call_sid": CA, "direction": "outbound-dial"},
        record(2) | {"parent_call_sid": CA, "direction": "outbound-dial"},
    ]
    pages = iter(
        [
            {"calls": legs[:1], "next_page_uri": f"{ROOT}/Calls.json?ParentCallSid={CA}&Page=1"},
            {"calls": legs[1:], "next_page_uri": None},
        ]
    )
    made, recorder = adapter(lambda r: httpx.Response(200, json=next(pages)))
    result = await made.follow(made.normalize(fetched_call()), "children")
    assert query_of(recorder.requests[0])["ParentCallSid"] == [CA]
    assert [c.id for c in result.calls] == [legs[0]["sid"], legs[1]["sid"]]
    assert all(c.direction_raw == "outbound-dial" and c.parent_id == CA for c in result.calls)


async def test_following_a_link_the_call_does_not_have_is_not_found() -> None:
    made, _ = adapter()
    call = made.normalize(fetched_call())
    with pytest.raises(errors.NotFoundError):
        await made.follow(call, "payments")


def test_capabilities_declare_the_server_fields_and_links() -> None:
    caps = TwilioAdapter.capabilities
    assert caps.server_fields == {"status", "from", "to", "since", "until", "parent"}
    assert set(caps.links) >= {"recordings", "notifications", "events", "parent", "children"}
    assert caps.total is False
    assert TwilioAdapter.max_page_size == 1000
    assert TwilioAdapter.paging == "cursor"


def test_the_list_example_pages_parse_with_their_next_page_uri() -> None:
    made, _ = adapter()
    body = load_fixture("twilio/examples/calls_list.readFullPage1.json")
    page = made.parse_page(json.loads(json.dumps(body)))
    assert [c.id for c in page.calls] == [CA, "CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0"]
    assert page.next == body["next_page_uri"]
    empty = made.parse_page(load_fixture("twilio/examples/calls_list.readEmptyDatesLess.json"))
    assert (empty.calls, empty.next, empty.raw_count) == ([], None, 0)


async def test_a_linked_list_longer_than_the_page_limit_says_so_in_the_note() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        page = int(query_of(request).get("Page", ["0"])[0])
        nxt = f"{ROOT}/Calls/{CA}/Notifications.json?Page={page + 1}"
        return httpx.Response(200, json={"notifications": [{"log": "1"}], "next_page_uri": nxt})

    made, recorder = adapter(answer)
    result = await made.follow(made.normalize(fetched_call()), "notifications")
    assert len(result.entries) == LINK_PAGE_LIMIT
    assert len(recorder.requests) == LINK_PAGE_LIMIT
    assert str(LINK_PAGE_LIMIT) in result.note


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.none(), st.text(max_size=60)),
    st.sampled_from([None, 2]),
    st.sampled_from([(",", ":"), (", ", ": ")]),
    st.booleans(),
)
def test_next_uri_hint_reads_the_plain_next_page_uri_from_the_bytes(
    nxt: str | None, indent: int | None, separators: tuple[str, str], ascii_only: bool
) -> None:
    record = {"sid": "CA1", "subresource_uris": {"next_page_uri": "/nested"}}
    body = {"calls": [record], "first_page_uri": "/first", "next_page_uri": nxt, "page": 0}
    data = json.dumps(body, indent=indent, separators=separators, ensure_ascii=ascii_only)
    hint = next_uri_hint(data.encode())
    plain = nxt is not None and nxt.isascii() and nxt.isprintable() and '"' not in nxt
    plain = plain and "\\" not in (nxt or "") and len(nxt or "") > 0
    assert hint == (nxt if plain else None)


@given(st.binary(max_size=200))
def test_next_uri_hint_never_fails_on_any_bytes(data: bytes) -> None:
    hint = next_uri_hint(b'{"next_page_uri":' + data)
    assert hint is None or isinstance(hint, str)


async def test_the_walk_follows_the_decoded_next_page_not_the_guess() -> None:
    """A page whose last ``next_page_uri`` key is a record's: the guess is requested, then
    dropped; the page's own ``next_page_uri`` is followed."""
    seen: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url.params.get("Page")))
        if request.url.params.get("Page") == "9":
            return httpx.Response(404, json={"code": 20404, "message": "not found"})
        if request.url.params.get("Page") == "1":
            return httpx.Response(200, json={"calls": [dict(fetched_call(), sid="CA2")]})
        trap = dict(fetched_call(), sid="CA1", extra={"next_page_uri": "/x/Calls.json?Page=9"})
        body = '{"next_page_uri": "/x/Calls.json?Page=1", "calls": [' + json.dumps(trap) + "]}"
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    ad, _ = adapter(answer)
    source, _plan = ad.source(CallFilter())
    ids = [c.id async for page in Walker(source).pages() for c in page.rows]
    assert ids == ["CA1", "CA2"]
    assert seen[0] == "None" and "9" in seen and seen[-1] == "1"


async def test_a_guessed_next_page_on_another_host_is_not_requested_early() -> None:
    hosts: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        hosts.append(request.url.host)
        if request.url.host != "api.twilio.com":
            return httpx.Response(200, json={"calls": []})
        trap = dict(fetched_call(), extra={"next_page_uri": "https://elsewhere.example/x"})
        body = '{"next_page_uri": null, "calls": [' + json.dumps(trap) + "]}"
        return httpx.Response(200, content=body, headers={"content-type": "application/json"})

    ad, _ = adapter(answer)
    source, _plan = ad.source(CallFilter())
    ids = [c.id async for page in Walker(source).pages() for c in page.rows]
    assert len(ids) == 1
    assert hosts == ["api.twilio.com"]
