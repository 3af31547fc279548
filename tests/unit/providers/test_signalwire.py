"""SignalWire adapter: the LaML code with SignalWire's dialect (spellings, types, paths, links)."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from tests.conftest import load_fixture
from tui.core import errors
from tui.core.account import Account
from tui.core.filter import CallFilter
from tui.core.http import RetryPolicy
from tui.core.model import Direction, Status
from tui.core.plan import Where
from tui.core.query import parse_query
from tui.providers.laml_normalize import CONSUMED_KEYS
from tui.providers.signalwire import SignalWireAdapter

PROJECT = "b3877c40-da60-4998-90ad-b792e98472af"
SID = "b3877c40-da60-4998-90ad-b792e98472ca"
TOKEN = "PTsecret"
HOST = "https://example.signalwire.com"
ROOT = f"/api/laml/2010-04-01/Accounts/{PROJECT}"
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    def __init__(self, answer: Handler) -> None:
        self.answer = answer
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answer(request)


async def no_sleep(_: float) -> None:
    return None


def adapter(answer: Handler | None = None) -> tuple[SignalWireAdapter, Recorder]:
    recorder = Recorder(answer or (lambda r: httpx.Response(500)))
    made = SignalWireAdapter(
        Account(
            name="sw",
            provider="signalwire",
            base_url=f"{HOST}/api/laml/2010-04-01",
            account=PROJECT,
            username=PROJECT,
            password=TOKEN,
        ),
        transport=httpx.MockTransport(recorder),
        sleep=no_sleep,
        retry=RetryPolicy(attempts=2, base_delay=0.01),
    )
    return made, recorder


def schema_call() -> dict[str, Any]:
    body = load_fixture("signalwire/examples/calls_list.assembled_from_schema_examples.json")
    raw: dict[str, Any] = body["calls"][0]
    return raw


def sdk_call() -> dict[str, Any]:
    raw: dict[str, Any] = load_fixture("signalwire/examples/call_fetch.sdk_test_fixture.json")
    return raw


def query_of(request: httpx.Request) -> dict[str, list[str]]:
    return parse_qs(request.url.query.decode(), keep_blank_values=True)


# -- normalization -------------------------------------------------------------------------------


def test_the_schema_example_becomes_a_complete_call() -> None:
    made, _ = adapter()
    call = made.normalize(schema_call())
    assert (call.provider, call.account, call.id) == ("signalwire", "sw", SID)
    assert call.parent_id == PROJECT  # the spec example reuses a UUID; kept as given
    assert (call.from_number, call.to_number) == ("+13103384645", "+13105678901")
    assert (call.from_formatted, call.to_formatted) == ("(310) 338-4645", "(310) 567-8901")
    assert call.created_at == datetime(2018, 9, 19, 20, 0, tzinfo=UTC)
    assert call.started_at == datetime(2018, 9, 19, 20, 0, 1, tzinfo=UTC)
    assert call.ended_at == datetime(2018, 9, 21, 10, 0, tzinfo=UTC)
    assert call.duration == 20  # a number on SignalWire, a string on Twilio
    assert call.price == Decimal("0.003")  # a positive float on SignalWire
    assert call.currency == "USD"
    assert (call.status, call.direction) == (Status.QUEUED, Direction.INBOUND)
    assert call.answered_by == "human"
    assert call.warnings == ()


def test_signalwire_quality_fields_are_kept_in_extras() -> None:
    made, _ = adapter()
    extras = made.normalize(schema_call()).extras
    assert extras["audio_in_mos"] == 4.5
    assert extras["sip_result_code"] == "200"
    assert extras["audio_rtt_avg"] == 50
    assert extras["audio_out_lost"] == 0
    assert extras["phone_number_sid"] == "b3877c40-da60-4998-90ad-b792e98472pn"
    assert extras["api_version"] == "2010-04-01"


def test_the_schema_example_covers_every_property_of_the_call_schema() -> None:
    spec = load_fixture("signalwire/compatibility_calls.openapi.json")
    assert set(spec["components"]["schemas"]["Call"]["properties"]) <= set(schema_call())


@pytest.mark.parametrize(
    "raw",
    [
        schema_call(),
        sdk_call(),
        *load_fixture("signalwire/examples/calls_list.sdk_test_fixture.json")["calls"],
    ],
    ids=["schema", "sdk-fetch", "sdk-list"],
)
def test_every_field_of_an_example_is_normalized_or_kept_in_extras(raw: dict[str, Any]) -> None:
    made, _ = adapter()
    call = made.normalize(raw)
    for key, value in raw.items():
        if value is None or value == "":
            continue
        if key in ("formatted_from", "from_formatted"):
            assert call.from_formatted == value or call.extras.get(key) == value
            continue
        if key in ("formatted_to", "to_formatted"):
            assert call.to_formatted == value or call.extras.get(key) == value
            continue
        assert key in CONSUMED_KEYS or call.extras.get(key) == value, key
    assert call.warnings == ()


def test_either_spelling_of_the_formatted_numbers_is_read() -> None:
    made, _ = adapter()
    raw = {k: v for k, v in schema_call().items() if k not in ("formatted_from", "formatted_to")}
    call = made.normalize(raw)
    assert (call.from_formatted, call.to_formatted) == ("(310) 338-4645", "(310) 567-8901")
    only_signalwire = {
        k: v for k, v in schema_call().items() if k not in ("from_formatted", "to_formatted")
    }
    assert made.normalize(only_signalwire).from_formatted == "(310) 338-4645"


def test_differing_spellings_keep_the_other_one_in_extras() -> None:
    made, _ = adapter()
    call = made.normalize({**schema_call(), "from_formatted": "+1 310 338 4645"})
    assert call.from_formatted == "(310) 338-4645"
    assert call.extras["from_formatted"] == "+1 310 338 4645"


def test_the_sept_month_of_the_docs_is_read() -> None:
    made, _ = adapter()
    call = made.normalize({**schema_call(), "date_created": "Wed, 19 Sept 2018 20:00:00 +0000"})
    assert call.created_at == datetime(2018, 9, 19, 20, 0, tzinfo=UTC)
    assert call.warnings == ()


def test_twilio_style_string_duration_and_price_are_accepted() -> None:
    made, _ = adapter()
    call = made.normalize({**schema_call(), "duration": "7", "price": "-0.0065"})
    assert (call.duration, call.price, call.warnings) == (7, Decimal("-0.0065"), ())


def test_the_sdk_fixture_queued_call_has_no_times_and_no_price() -> None:
    made, _ = adapter()
    call = made.normalize(sdk_call())
    assert (call.status, call.started_at, call.ended_at, call.price) == (
        Status.QUEUED,
        None,
        None,
        None,
    )
    assert call.duration == 0
    assert (call.direction, call.direction_raw) == (Direction.OUTBOUND, "outbound-api")


@pytest.mark.parametrize(
    ("raw", "direction"),
    [
        ("inbound", Direction.INBOUND),
        ("outbound", Direction.OUTBOUND),
        ("outbound-api", Direction.OUTBOUND),
        ("outbound-dial", Direction.OUTBOUND),
    ],
)
def test_signalwire_directions_and_twilio_words_map(raw: str, direction: Direction) -> None:
    made, _ = adapter()
    call = made.normalize({**schema_call(), "direction": raw})
    assert (call.direction, call.direction_raw, call.warnings) == (direction, raw, ())


def test_a_twilio_only_direction_is_unknown_for_signalwire_with_a_warning() -> None:
    made, _ = adapter()
    call = made.normalize({**schema_call(), "direction": "trunking-originating"})
    assert (call.direction, call.direction_raw) == (Direction.UNKNOWN, "trunking-originating")
    assert call.warnings


@pytest.mark.parametrize(
    "raw", ["queued", "ringing", "in-progress", "canceled", "completed", "busy", "failed"]
)
def test_every_signalwire_status_maps(raw: str) -> None:
    made, _ = adapter()
    call = made.normalize({**schema_call(), "status": raw})
    assert (call.status.value, call.status_raw, call.warnings) == (raw, raw, ())


def test_no_answer_is_accepted_if_sent() -> None:
    made, _ = adapter()
    assert made.normalize({**schema_call(), "status": "no-answer"}).status is Status.NO_ANSWER


def test_links_use_the_advertised_laml_uris() -> None:
    made, _ = adapter()
    links = made.normalize(schema_call()).links
    assert links["self"] == f"{ROOT}/Calls/{SID}.json"
    assert links["recordings"] == f"{ROOT}/Calls/{SID}/Recordings.json"
    assert "notifications" not in links  # advertised as null
    assert "events" not in links
    assert links["parent"] == f"{HOST}{ROOT}/Calls/{PROJECT}.json"
    assert links["children"] == f"{HOST}{ROOT}/Calls.json?ParentCallSid={SID}"


def test_without_an_advertised_recordings_uri_the_link_lists_by_call_sid() -> None:
    made, _ = adapter()
    links = made.normalize({**schema_call(), "subresource_uris": None}).links
    assert links["recordings"] == f"{HOST}{ROOT}/Recordings.json?CallSid={SID}"


# -- plan ----------------------------------------------------------------------------------------


def test_the_filter_maps_to_the_same_wire_parameters_as_twilio() -> None:
    made, _ = adapter()
    text = f"status:no-answer from:+13103384645 parent:{SID} since:2026-11-01 until:2026-11-02"
    plan = made.plan(parse_query(text), NOW)
    assert list(plan.queries) == [
        {
            "From": "+13103384645",
            "StartTime>": "2026-11-01",
            "StartTime<": "2026-11-02",
            "ParentCallSid": SID,
            "Status": "no-answer",
        }
    ]
    assert plan.where("status") is Where.SERVER
    assert plan.where("since") is Where.BOTH
    assert plan.warnings == ()
    assert plan.local == parse_query("since:2026-11-01 until:2026-11-02")


def test_a_parent_that_is_not_a_uuid_warns() -> None:
    made, _ = adapter()
    plan = made.plan(parse_query("parent:CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"), NOW)
    assert plan.warnings


# -- paging --------------------------------------------------------------------------------------


def record(n: int) -> dict[str, Any]:
    sid = f"00000000-0000-4000-8000-{n:012x}"
    start = f"Sun, 03 Feb 2019 18:{59 - n:02d}:00 +0000"
    return {**sdk_call(), "sid": sid, "start_time": start, "status": "completed"}


async def test_a_three_page_walk_follows_next_page_uri_under_api_laml() -> None:
    pages = [[0, 1], [2, 3], [4]]

    def answer(request: httpx.Request) -> httpx.Response:
        index = int(query_of(request).get("Page", ["0"])[0])
        nxt = None
        if index + 1 < len(pages):
            token = "PA" + record(pages[index][-1])["sid"]
            nxt = f"{ROOT}/Calls?Page={index + 1}&PageSize=2&PageToken={token}"
        body = {
            "uri": f"{ROOT}/Calls?Page={index}&PageSize=2",
            "first_page_uri": f"{ROOT}/Calls?Page=0&PageSize=2",
            "next_page_uri": nxt,
            "previous_page_uri": None,
            "page": index,
            "page_size": 2,
            "calls": [record(n) for n in pages[index]],
        }
        return httpx.Response(200, json=body)

    made, recorder = adapter(answer)
    source, _ = made.source(CallFilter(), now=NOW, page_size=2)
    seen: list[str] = []
    cursor = source.first
    while True:
        page = await source.fetch(cursor)
        seen.extend(c.id for c in page.calls)
        if page.next is None:
            break
        cursor = page.next
    assert seen == [record(n)["sid"] for n in range(5)]
    first, second, third = recorder.requests
    assert str(first.url) == f"{HOST}{ROOT}/Calls.json?PageSize=2"
    assert second.url.path == f"{ROOT}/Calls.json"  # the advertised URI, with .json
    assert query_of(second)["PageToken"] == ["PA" + record(1)["sid"]]
    assert query_of(third)["Page"] == ["2"]
    expected = "Basic " + base64.b64encode(f"{PROJECT}:{TOKEN}".encode()).decode()
    assert all(r.headers["Authorization"] == expected for r in recorder.requests)


def test_the_sdk_list_fixture_is_one_last_page() -> None:
    made, _ = adapter()
    page = made.parse_page(load_fixture("signalwire/examples/calls_list.sdk_test_fixture.json"))
    assert [c.id for c in page.calls] == ["82e7850d-054e-4067-8c4f-6568acd96575"]
    assert page.next is None


# -- errors --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "kind", "code", "message"),
    [
        (
            401,
            load_fixture("signalwire/examples/error.assembled_from_schema_examples.json"),
            errors.AuthError,
            "20003",
            "Authentication failed",
        ),
        (
            400,
            {"errors": [{"code": "30010", "message": "Price exceeds max", "more_info": "u"}]},
            errors.BadRequestError,
            "30010",
            "Price exceeds max",
        ),
        (
            422,
            {"errors": ["Status is invalid", "To is invalid"]},
            errors.BadRequestError,
            None,
            "Status is invalid; To is invalid",
        ),
        (
            404,
            {"code": 20404, "message": "Not Found", "more_info": "u", "status": 404},
            errors.NotFoundError,
            "20404",
            "Not Found",
        ),
        (403, {"code": 20403, "message": "No Voice scope"}, errors.ForbiddenError, "20403", None),
    ],
    ids=["auth", "errors-objects", "errors-strings", "not-found", "forbidden"],
)
async def test_each_signalwire_error_body_becomes_its_typed_error(
    status: int,
    body: Any,
    kind: type[errors.ProviderError],
    code: str | None,
    message: str | None,
) -> None:
    made, _ = adapter(lambda r: httpx.Response(status, json=body))
    with pytest.raises(kind) as caught:
        await made.get_call(SID)
    assert (caught.value.code, caught.value.status, caught.value.provider) == (
        code,
        status,
        "SignalWire",
    )
    if message:
        assert caught.value.message == message


async def test_a_429_without_retry_after_is_retried_then_rate_limited() -> None:
    made, recorder = adapter(lambda r: httpx.Response(429, json={"code": 20429, "message": "slow"}))
    with pytest.raises(errors.RateLimitedError) as caught:
        await made.get_call(SID)
    assert caught.value.retry_after is None
    assert len(recorder.requests) == 2


async def test_an_xml_answer_is_malformed() -> None:
    xml = httpx.Response(200, text="<Response/>", headers={"content-type": "application/xml"})
    made, _ = adapter(lambda r: xml)
    with pytest.raises(errors.MalformedResponseError):
        await made.get_call(SID)


# -- one call and its links ---------------------------------------------------------------------


async def test_get_call_fetches_under_api_laml_and_normalizes() -> None:
    made, recorder = adapter(lambda r: httpx.Response(200, json=sdk_call()))
    call = await made.get_call("82e7850d-054e-4067-8c4f-6568acd96575")
    assert recorder.requests[0].url.path == (
        f"{ROOT}/Calls/82e7850d-054e-4067-8c4f-6568acd96575.json"
    )
    assert call.id == "82e7850d-054e-4067-8c4f-6568acd96575"


def recordings_body() -> Any:
    return load_fixture("signalwire/examples/recordings_list.recorded_exchange.json")["response"][
        "body"
    ]


async def test_recordings_come_from_the_advertised_uri() -> None:
    made, recorder = adapter(lambda r: httpx.Response(200, json=recordings_body()))
    result = await made.follow(made.normalize(schema_call()), "recordings")
    assert recorder.requests[0].url.path == f"{ROOT}/Calls/{SID}/Recordings.json"
    (rec,) = result.recordings
    assert rec.id == "e4c78e17-c0e2-441d-b5dd-39a6dad496f8"
    assert rec.call_id == "d411976d-d319-4fbd-923c-57c62b6f677a"
    assert (rec.duration, rec.channels, rec.price) == (14, 1, Decimal("0.0"))
    assert rec.media_url == (
        f"{HOST}/api/laml/2010-04-01/Accounts/signalwire-account-123/Recordings/"
        "e4c78e17-c0e2-441d-b5dd-39a6dad496f8.wav"
    )
    assert result.note == ""


async def test_an_advertised_uri_without_json_is_fetched_with_json() -> None:
    made, recorder = adapter(lambda r: httpx.Response(200, json=recordings_body()))
    await made.follow(made.normalize(sdk_call()), "recordings")
    assert recorder.requests[0].url.path.endswith("/Recordings.json")


async def test_a_404_on_the_advertised_uri_falls_back_to_recordings_by_call_sid() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if "/Calls/" in request.url.path:
            return httpx.Response(404, json={"code": 20404, "message": "Not Found"})
        return httpx.Response(
            200,
            json=load_fixture(
                "signalwire/examples/recordings_list.assembled_from_schema_examples.json"
            )
            | {"next_page_uri": None},
        )

    made, recorder = adapter(answer)
    result = await made.follow(made.normalize(schema_call()), "recordings")
    advertised, fallback = recorder.requests
    assert advertised.url.path == f"{ROOT}/Calls/{SID}/Recordings.json"
    assert fallback.url.path == f"{ROOT}/Recordings.json"
    assert query_of(fallback) == {"CallSid": [SID]}
    (rec,) = result.recordings
    assert (rec.channels, rec.duration, rec.price) == (1, 4, Decimal("-0.0025"))
    assert "404" in result.note


async def test_a_404_on_the_fallback_itself_is_not_found() -> None:
    made, recorder = adapter(lambda r: httpx.Response(404, json={"code": 20404, "message": "x"}))
    call = made.normalize({**schema_call(), "subresource_uris": {}})
    with pytest.raises(errors.NotFoundError):
        await made.follow(call, "recordings")
    assert len(recorder.requests) == 1


async def test_children_are_listed_with_parent_call_sid() -> None:
    leg = record(1) | {"parent_call_sid": SID}
    made, recorder = adapter(
        lambda r: httpx.Response(200, json={"calls": [leg], "next_page_uri": None})
    )
    result = await made.follow(made.normalize(schema_call()), "children")
    assert recorder.requests[0].url.path == f"{ROOT}/Calls.json"
    assert query_of(recorder.requests[0])["ParentCallSid"] == [SID]
    assert [c.parent_id for c in result.calls] == [SID]


async def test_notifications_are_not_followed_when_not_advertised() -> None:
    made, recorder = adapter()
    with pytest.raises(errors.NotFoundError):
        await made.follow(made.normalize(schema_call()), "notifications")
    assert recorder.requests == []


def test_capabilities_differ_from_twilio_only_in_links() -> None:
    caps = SignalWireAdapter.capabilities
    assert caps.server_fields == {"status", "from", "to", "since", "until", "parent"}
    assert "events" not in caps.links
    assert {"recordings", "parent", "children"} <= set(caps.links)
    assert SignalWireAdapter.max_page_size == 1000
