"""Fone Dynamics adapter: normalization, filter → Get Calls parameters, errors, paging, links."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import load_fixture
from tui.core import errors
from tui.core.account import Account
from tui.core.filter import CallFilter
from tui.core.http import RetryPolicy
from tui.core.model import Direction, Status
from tui.core.plan import Where
from tui.core.query import parse_query
from tui.providers import adapter_class
from tui.providers import fonedynamics as fd
from tui.providers import fonedynamics_normalize as fdn
from tui.providers.fonedynamics import FoneDynamicsAdapter

NOW = datetime(2026, 3, 10, 12, 0, 0, tzinfo=UTC)
BASE = "https://api.fonedynamics.com"
CATALOGUE = load_fixture("fonedynamics/get_calls.field_catalogue.json")
# The catalogue's documented response fields (three labels were lost: "<label lost …>").
DOCUMENTED = [k for k in CATALOGUE["response_fields"] if not k.startswith("<")]


def make_account(**over: Any) -> Account:
    data: dict[str, Any] = {
        "name": "fd",
        "provider": "fonedynamics",
        "base_url": BASE,
        "account": "AC123",
        "username": "AC123",
        "password": "tok-secret",
    }
    data.update(over)
    return Account(**data)


# Normalize/plan need no network: one adapter (one idle httpx client) serves those tests.
NORMALIZER = FoneDynamicsAdapter(make_account())

Handler = Callable[[httpx.Request], httpx.Response]


class Recorder:
    """A MockTransport that records requests and answers from a handler."""

    def __init__(self, handler: Handler) -> None:
        self.requests: list[httpx.Request] = []
        self.handler = handler
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.handler(request)

    def params(self, n: int = -1) -> dict[str, str]:
        query = parse_qs(urlsplit(str(self.requests[n].url)).query, keep_blank_values=True)
        return {k: v[0] for k, v in query.items()}


class FakeSleep:
    def __init__(self) -> None:
        self.delays: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


def adapter_with(handler: Handler, **account: Any) -> tuple[FoneDynamicsAdapter, Recorder]:
    rec = Recorder(handler)
    adapter = FoneDynamicsAdapter(
        make_account(**account),
        transport=rec.transport,
        sleep=FakeSleep(),
        retry=RetryPolicy(attempts=3, budget=100.0),
    )
    return adapter, rec


def record(sid: str = "CA1", start: int = 1_773_100_000, **over: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "CallSid": sid,
        "PropertySid": "PR1",
        "DateStart": start,
        "From": "+61290000001",
        "To": "+61300000002",
        "Duration": 42,
        "Disposition": "Answered",
    }
    raw.update(over)
    return raw


def full_record() -> dict[str, Any]:
    """One value for every field the Get Calls page documents (plus the guessed three)."""
    raw: dict[str, Any] = {key: f"v-{key}" for key in DOCUMENTED}
    raw.update(
        CallSid="CA900",
        DateStart="1773100000",
        From="anonymous",
        To="+61300000002",
        Duration=125,
        Disposition="IVR",
        Recording_Uri="https://api.fonedynamics.com/v2/Recordings/RE1.mp3",
        Session_Traffic_Type="Organic",
        Prompts_Keys="1,2",
    )
    return raw


def ok(body: Any) -> httpx.Response:
    return httpx.Response(200, json=body)


# --- normalization ---------------------------------------------------------------------------


def test_every_documented_field_lands_in_a_normalized_field_or_in_extras() -> None:
    raw = full_record()
    call = NORMALIZER.normalize(raw)
    for key in raw:
        assert key in fdn.CONSUMED_KEYS or call.extras.get(key) == raw[key], key
    assert set(DOCUMENTED) <= fdn.CONSUMED_KEYS | set(fdn.EXTRA_KEYS)
    assert call.warnings == ()
    assert call.raw is raw


def test_full_record_is_normalized_into_a_complete_call() -> None:
    raw = full_record()
    call = NORMALIZER.normalize(raw)
    assert call.provider == "fonedynamics"
    assert call.account == "fd"
    assert call.id == "CA900"
    assert call.started_at == datetime.fromtimestamp(1773100000, UTC)
    assert call.from_number == "anonymous"
    assert call.to_number == "+61300000002"
    assert call.to_name == "v-To_Friendly"
    assert call.duration == 125
    assert (call.status, call.status_raw) == (Status.IVR, "IVR")
    assert (call.direction, call.direction_raw) == (Direction.INBOUND, None)
    assert call.price is None and call.currency is None and call.parent_id is None
    assert call.extras["Attribution_Source"] == "v-Attribution_Source"
    assert call.extras["Prompts_Keys"] == "1,2"
    assert call.extras["PropertySid"] == "v-PropertySid"
    assert call.links == {
        "recording": raw["Recording_Uri"],
        "recordings": raw["Recording_Uri"],
        "self": "/v2/Calls/CA900",
    }


@pytest.mark.parametrize(
    ("disposition", "status"),
    [
        ("Answered", Status.COMPLETED),
        ("IVR", Status.IVR),
        ("Busy", Status.BUSY),
        ("NoAnswer", Status.NO_ANSWER),
        ("Failed", Status.FAILED),
        ("noanswer", Status.NO_ANSWER),
    ],
)
def test_disposition_maps_to_the_normalized_status(disposition: str, status: Status) -> None:
    call = NORMALIZER.normalize(record(Disposition=disposition))
    assert call.status is status
    assert call.status_raw == disposition
    assert call.warnings == ()


def test_unknown_disposition_is_unknown_with_a_warning_and_the_raw_value_kept() -> None:
    call = NORMALIZER.normalize(record(Disposition="Voicemail"))
    assert call.status is Status.UNKNOWN
    assert call.status_raw == "Voicemail"
    assert any("Disposition" in w and "Voicemail" in w for w in call.warnings)


def test_missing_disposition_is_unknown_without_a_warning() -> None:
    raw = record()
    del raw["Disposition"]
    call = NORMALIZER.normalize(raw)
    assert (call.status, call.status_raw, call.warnings) == (Status.UNKNOWN, None, ())


@pytest.mark.parametrize("key", fdn.START_KEYS)
@pytest.mark.parametrize("value", [1773100000, "1773100000", 1773100000.0, "1773100000000"])
def test_start_time_is_read_from_any_guessed_spelling_as_epoch_seconds(
    key: str, value: Any
) -> None:
    raw = record()
    del raw["DateStart"]
    raw[key] = value
    call = NORMALIZER.normalize(raw)
    assert call.started_at == datetime(2026, 3, 9, 23, 46, 40, tzinfo=UTC)
    assert call.time == call.started_at


def test_caller_and_dialled_number_accept_the_alternative_spellings() -> None:
    raw = {"CallSid": "CA1", "Caller": "+6111", "Dialled": "+6122"}
    call = NORMALIZER.normalize(raw)
    assert (call.from_number, call.to_number) == ("+6111", "+6122")


def test_every_call_is_inbound() -> None:
    call = NORMALIZER.normalize(record())
    assert call.direction is Direction.INBOUND


def test_undocumented_fields_are_kept_in_extras_not_dropped() -> None:
    call = NORMALIZER.normalize(record(Token="T-9", Ring_Time=3))
    assert call.extras["Token"] == "T-9"
    assert call.extras["Ring_Time"] == 3


def test_mistyped_values_become_none_with_warnings() -> None:
    raw = record(Duration="long", DateStart="soon", From={"x": 1})
    call = NORMALIZER.normalize(raw)
    assert call.duration is None and call.started_at is None and call.from_number is None
    assert len(call.warnings) == 3


def test_missing_call_sid_gives_a_placeholder_id_and_a_warning() -> None:
    call = NORMALIZER.normalize({"Duration": 3})
    assert call.id == "?"
    assert "CallSid missing" in call.warnings
    assert "self" not in call.links


def test_call_sid_is_escaped_in_the_self_link() -> None:
    call = NORMALIZER.normalize(record(sid="../a b"))
    assert call.links["self"] == "/v2/Calls/..%2Fa%20b"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    sorted(fdn.CONSUMED_KEYS | set(fdn.EXTRA_KEYS) | {"junk"}),
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(JSON, st.dictionaries(KEYS, JSON, max_size=12)))
def test_normalize_never_raises_on_any_json_value(raw: Any) -> None:
    call = NORMALIZER.normalize(raw)
    assert isinstance(call.id, str)
    assert call.raw is raw


# --- filter → plan ---------------------------------------------------------------------------


def plan(query: str) -> Any:
    return NORMALIZER.plan(parse_query(query), NOW)


def test_empty_filter_is_one_unfiltered_query_oldest_first() -> None:
    result = NORMALIZER.plan(CallFilter(), NOW)
    assert list(result.queries) == [{}]
    assert result.items == ()
    assert result.local.is_empty
    assert result.newest_first is False


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("status:completed", {"Disposition": "Answered"}),
        ("status:busy,no-answer,failed,ivr", {"Disposition": "Busy,Failed,IVR,NoAnswer"}),
        ("to:+61300000002,+61300000003", {"To": "+61300000002,+61300000003"}),
        ('to:"+61 3 0000 0002"', {"To": "+61300000002"}),
        ("since:2026-03-01T00:00:00Z", {"Date_From": "1772323200"}),
        ("until:2026-03-02T00:00:00Z", {"Date_To": "1772409600"}),
        ("since:-2h", {"Date_From": str(int(NOW.timestamp()) - 7200)}),
        ("endpoint:+61400000001", {"Endpoint": "+61400000001"}),
        ("source:google,bing", {"Attribution_Source": "bing,google"}),
        ("medium:cpc", {"Attribution_Medium": "cpc"}),
        ("campaign:spring", {"Attribution_Campaign": "spring"}),
        ("content:ad1", {"Attribution_Content": "ad1"}),
        ("unique:unique", {"Unique": "Unique"}),
        ("unique:repeat", {"Unique": "Repeat"}),
        ("unique:unique,repeat", {"Unique": "All"}),
    ],
)
def test_filter_field_maps_to_the_exact_native_parameter(
    query: str, params: dict[str, str]
) -> None:
    result = plan(query)
    assert list(result.queries) == [params]
    assert [item.where for item in result.items] == [Where.SERVER]
    assert result.local.is_empty
    assert result.items[0].native == "{}={}".format(*next(iter(params.items())))


def test_ivr_keys_path_becomes_prompts_keys_and_is_rechecked_locally() -> None:
    result = plan("keys:1>2,3>5")
    assert list(result.queries) == [{"Prompts_keys": "1,2;3,5"}]
    assert result.where("keys") is Where.BOTH
    assert result.local.extra("keys") == ("1>2", "3>5")


def test_whole_second_time_window_is_exact_on_the_server() -> None:
    result = plan("since:2026-03-01T00:00:00Z until:2026-03-02T00:00:00Z")
    assert list(result.queries) == [{"Date_From": "1772323200", "Date_To": "1772409600"}]
    assert result.where("since") is Where.SERVER and result.where("until") is Where.SERVER
    assert result.local.is_empty


def test_fractional_bounds_widen_to_whole_seconds_and_are_refined_locally() -> None:
    result = plan("since:2026-03-01T00:00:00.5Z until:2026-03-02T00:00:00.5Z")
    assert list(result.queries) == [{"Date_From": "1772323200", "Date_To": "1772409601"}]
    assert result.where("since") is Where.BOTH and result.where("until") is Where.BOTH
    assert result.local.since is not None and result.local.until is not None


def test_empty_time_window_sends_no_request() -> None:
    result = plan("since:2026-03-02 until:2026-03-01")
    assert list(result.queries) == []


def test_statuses_without_a_disposition_never_match_and_are_reported() -> None:
    result = plan("status:completed,queued,ringing")
    assert list(result.queries) == [{"Disposition": "Answered"}]
    assert result.where("status") is Where.SERVER
    assert "queued" in result.items[0].note and "ringing" in result.items[0].note
    assert any("queued" in w for w in result.warnings)


def test_only_statuses_without_a_disposition_send_no_request() -> None:
    result = plan("status:queued,canceled,in-progress")
    assert list(result.queries) == []
    assert result.warnings


def test_status_unknown_is_applied_locally() -> None:
    result = plan("status:unknown,busy")
    assert list(result.queries) == [{}]
    assert result.where("status") is Where.LOCAL
    assert result.local.statuses == frozenset({Status.UNKNOWN, Status.BUSY})


def test_inbound_direction_is_always_true_and_outbound_yields_nothing() -> None:
    inbound = plan("dir:in")
    assert list(inbound.queries) == [{}]
    assert inbound.where("dir") is Where.LOCAL
    outbound = plan("dir:out")
    assert list(outbound.queries) == []
    assert any("inbound" in w for w in outbound.warnings)


def test_prefix_numbers_are_matched_locally() -> None:
    result = plan("to:+613*,+61300000002 endpoint:+614*")
    assert list(result.queries) == [{}]
    assert result.where("to") is Where.LOCAL and result.where("endpoint") is Where.LOCAL
    assert result.local.to_numbers and result.local.extra("endpoint") == ("+614*",)


@pytest.mark.parametrize("query", ["from:+6111", "dur:>30", "id:CA1", "refund"])
def test_fields_without_a_server_filter_are_local(query: str) -> None:
    result = plan(query)
    assert list(result.queries) == [{}]
    assert [item.where for item in result.items] == [Where.LOCAL]
    assert result.local == parse_query(query)


@pytest.mark.parametrize("query", ["price:>0.1", "parent:CA1", "trunk:t1", "exophone:+911"])
def test_fields_fone_dynamics_has_no_data_for_are_unsupported_with_a_warning(query: str) -> None:
    result = plan(query)
    assert list(result.queries) == [{}]
    assert [item.where for item in result.items] == [Where.UNSUPPORTED]
    assert result.local.is_empty
    assert len(result.warnings) == 1


def test_attribution_value_with_a_comma_cannot_be_sent_and_is_local() -> None:
    result = plan('campaign:"a,b"')
    assert list(result.queries) == [{}]
    assert result.where("campaign") is Where.LOCAL


def test_every_active_field_gets_exactly_one_plan_item() -> None:
    query = (
        "status:busy dir:in from:+6111 to:+6122 since:-1d until:now dur:>5 price:<1 parent:CA9 "
        "id:CA1 source:g medium:m campaign:c content:x endpoint:+6133 keys:1>2 unique:repeat "
        "trunk:t refund"
    )
    flt = parse_query(query)
    result = NORMALIZER.plan(flt, NOW)
    fields = [item.field for item in result.items]
    assert sorted(fields) == sorted(
        {"statuses": "status", "directions": "dir", "from_numbers": "from", "to_numbers": "to",
         "duration": "dur", "parent_id": "parent", "ids": "id"}.get(n, n)
        for n in flt.active_fields()
    )  # fmt: skip
    assert len(fields) == len(set(fields))
    local_or_both = {i.field for i in result.items if i.where in (Where.LOCAL, Where.BOTH)}
    assert local_or_both == {"dir", "from", "dur", "id", "text", "keys"}
    assert len(result.queries) == 1
    assert set(result.queries[0]) == {
        "Disposition", "To", "Date_From", "Date_To", "Attribution_Source", "Attribution_Medium",
        "Attribution_Campaign", "Attribution_Content", "Endpoint", "Prompts_keys", "Unique",
    }  # fmt: skip


def test_plan_local_residual_matches_normalized_calls() -> None:
    adapter = FoneDynamicsAdapter(make_account())
    result = adapter.plan(parse_query("keys:1>2 dur:>30"), NOW)
    hit = adapter.normalize(record(Prompts_Keys="1,2,4", Duration=31))
    miss = adapter.normalize(record(Prompts_Keys="3", Duration=31))
    assert result.local.matches(hit, NOW) and not result.local.matches(miss, NOW)


# --- errors ----------------------------------------------------------------------------------


def fd_error(code: str, message: str = "went wrong", **extra: Any) -> dict[str, Any]:
    return {"ResponseStatus": {"ErrorCode": code, "Message": message, **extra}}


@pytest.mark.parametrize(
    ("status", "body", "kind", "code"),
    [
        (401, fd_error("UNAUTHORIZED", "bad token"), errors.AuthError, "UNAUTHORIZED"),
        (403, fd_error("FORBIDDEN"), errors.ForbiddenError, "FORBIDDEN"),
        (400, fd_error("CALL_NOT_FOUND"), errors.NotFoundError, "CALL_NOT_FOUND"),
        (404, fd_error("CALL_NOT_FOUND"), errors.NotFoundError, "CALL_NOT_FOUND"),
        (400, fd_error("ACCOUNT_NOT_FOUND"), errors.NotFoundError, "ACCOUNT_NOT_FOUND"),
        (400, fd_error("PROPERTY_NOT_FOUND"), errors.NotFoundError, "PROPERTY_NOT_FOUND"),
        (400, fd_error("FORBIDDEN"), errors.ForbiddenError, "FORBIDDEN"),
        (400, fd_error("PARAMETER_REQUIRED"), errors.BadRequestError, "PARAMETER_REQUIRED"),
        (400, fd_error("CONFLICTING_PARAMETERS"), errors.BadRequestError, "CONFLICTING_PARAMETERS"),
        (500, fd_error("INTERNAL_ERROR"), errors.ServerError, "INTERNAL_ERROR"),
    ],
)
async def test_error_body_becomes_the_typed_error_with_the_providers_code_and_message(
    status: int, body: Any, kind: type[errors.ProviderError], code: str
) -> None:
    adapter, _ = adapter_with(lambda r: httpx.Response(status, json=body))
    with pytest.raises(kind) as caught:
        await adapter.get_call("CA1")
    assert type(caught.value) is kind
    assert caught.value.code == code
    assert caught.value.message == body["ResponseStatus"]["Message"]
    assert caught.value.status == status
    assert caught.value.provider == "Fone Dynamics"


async def test_field_errors_are_named_in_the_detail() -> None:
    body = fd_error("PARAMETER_REQUIRED", "missing", Errors=[{"FieldName": "Date_From"}, 7])
    adapter, _ = adapter_with(lambda r: httpx.Response(400, json=body))
    source, _ = adapter.source(CallFilter(), now=NOW)
    with pytest.raises(errors.BadRequestError) as caught:
        await source.fetch(source.first)
    assert caught.value.detail == "fields: Date_From"


async def test_rate_limit_honours_retry_after_then_raises_rate_limited() -> None:
    sleep = FakeSleep()
    rec = Recorder(lambda r: httpx.Response(429, headers={"Retry-After": "7"}, text="slow down"))
    adapter = FoneDynamicsAdapter(
        make_account(), transport=rec.transport, sleep=sleep, retry=RetryPolicy(attempts=3)
    )
    with pytest.raises(errors.RateLimitedError) as caught:
        await adapter.get_call("CA1")
    assert caught.value.retry_after == 7
    assert caught.value.code == fd.UNKNOWN_ERROR
    assert sleep.delays == [7, 7]
    assert len(rec.requests) == 3


async def test_server_error_is_retried_then_recovers() -> None:
    answers = iter([httpx.Response(503, text="busy"), ok({"Call": record()})])
    adapter, rec = adapter_with(lambda r: next(answers))
    call = await adapter.get_call("CA1")
    assert call.id == "CA1" and len(rec.requests) == 2


async def test_html_error_page_is_a_typed_error_with_unknown_code() -> None:
    page = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    adapter, _ = adapter_with(
        lambda r: httpx.Response(502, text=page, headers={"content-type": "text/html"})
    )
    with pytest.raises(errors.ServerError) as caught:
        await adapter.get_call("CA1")
    assert caught.value.code == fd.UNKNOWN_ERROR
    assert "HTML" in caught.value.message


async def test_malformed_json_is_a_malformed_response_error() -> None:
    adapter, _ = adapter_with(
        lambda r: httpx.Response(
            200, text='{"Calls": [', headers={"content-type": "application/json"}
        )
    )
    source, _ = adapter.source(CallFilter(), now=NOW)
    with pytest.raises(errors.MalformedResponseError):
        await source.fetch(source.first)


async def test_list_answer_of_the_wrong_shape_is_malformed() -> None:
    adapter, _ = adapter_with(lambda r: ok({"Items": []}))
    source, _ = adapter.source(CallFilter(), now=NOW)
    with pytest.raises(errors.MalformedResponseError, match="Items"):
        await source.fetch(source.first)


async def test_error_envelope_inside_a_200_is_raised_typed() -> None:
    adapter, _ = adapter_with(lambda r: ok(fd_error("CALL_NOT_FOUND", "no such call")))
    with pytest.raises(errors.NotFoundError, match="no such call"):
        await adapter.get_call("CA404")


@pytest.mark.parametrize(
    "body",
    [None, [], "text", {"ResponseStatus": "x"}, {"ResponseStatus": {"ErrorCode": 5}}],
)
def test_unparsable_error_bodies_give_unknown_error(body: Any) -> None:
    info = fd.error_info(body)
    assert info.code == fd.UNKNOWN_ERROR
    assert info.kind is None


def test_sdk_error_envelope_fixture_parses() -> None:
    info = fd.error_info(load_fixture("fonedynamics/error_envelope.sdk_shape.json"))
    assert (info.code, info.message) == ("<string>", "<string>")


# --- paging ----------------------------------------------------------------------------------


def paged_handler(records: list[dict[str, Any]], **envelope: Any) -> Handler:
    def handle(request: httpx.Request) -> httpx.Response:
        query = dict(request.url.params)
        skip = int(query.get("Results_Skip", "0"))
        count = int(query["Results_Count"])
        return ok({"Calls": records[skip : skip + count], **envelope})

    return handle


async def walk(adapter: FoneDynamicsAdapter, flt: CallFilter, page_size: int) -> list[Any]:
    source, _ = adapter.source(flt, now=NOW, page_size=page_size)
    pages = []
    cursor = source.first
    while True:
        page = await source.fetch(cursor)
        pages.append(page)
        if page.next is None:
            return pages
        cursor = page.next


async def test_offset_walk_reads_every_record_once_in_order_and_stops_on_a_short_page() -> None:
    records = [record(f"CA{i}", start=1_773_000_000 + i) for i in range(7)]
    adapter, rec = adapter_with(paged_handler(records))
    pages = await walk(adapter, parse_query("status:busy,completed"), page_size=3)
    assert [len(p.calls) for p in pages] == [3, 3, 1]
    assert [p.next for p in pages] == [3, 6, None]
    ids = [c.id for p in pages for c in p.calls]
    assert ids == [f"CA{i}" for i in range(7)]
    assert [rec.params(i).get("Results_Skip") for i in range(3)] == [None, "3", "6"]
    assert all(rec.params(i)["Results_Count"] == "3" for i in range(3))
    assert all(rec.params(i)["Disposition"] == "Answered,Busy" for i in range(3))
    assert all(r.url.path == "/v2/Accounts/AC123/Calls" for r in rec.requests)


async def test_full_last_page_is_followed_by_one_empty_page() -> None:
    records = [record(f"CA{i}") for i in range(6)]
    adapter, rec = adapter_with(paged_handler(records))
    pages = await walk(adapter, CallFilter(), page_size=3)
    assert [len(p.calls) for p in pages] == [3, 3, 0]
    assert len(rec.requests) == 3


async def test_total_count_is_reported_and_ends_the_walk_without_an_empty_page() -> None:
    records = [record(f"CA{i}") for i in range(6)]
    adapter, rec = adapter_with(paged_handler(records, TotalCount=6))
    pages = await walk(adapter, CallFilter(), page_size=2)
    assert [len(p.calls) for p in pages] == [2, 2, 2]
    assert all(p.total == 6 for p in pages)
    assert len(rec.requests) == 3


async def test_next_page_token_is_preferred_over_the_offset_when_present() -> None:
    records = [record(f"CA{i}") for i in range(5)]

    def handle(request: httpx.Request) -> httpx.Response:
        token = request.url.params.get("NextPageToken")
        start = {None: 0, "t2": 2, "t4": 4}[token]
        nxt = {0: "t2", 2: "t4", 4: None}[start]
        return ok({"Calls": records[start : start + 2], "NextPageToken": nxt, "TotalCount": 5})

    adapter, rec = adapter_with(handle)
    pages = await walk(adapter, CallFilter(), page_size=2)
    assert [c.id for p in pages for c in p.calls] == [f"CA{i}" for i in range(5)]
    assert [p.next for p in pages] == [(2, "t2"), (4, "t4"), None]
    assert [rec.params(i).get("NextPageToken") for i in range(3)] == [None, "t2", "t4"]
    assert all("Results_Skip" not in rec.params(i) for i in range(3))


async def test_bare_array_envelope_is_accepted() -> None:
    adapter, _ = adapter_with(lambda r: ok([record("CA1"), record("CA2")]))
    source, _ = adapter.source(CallFilter(), now=NOW, page_size=5)
    page = await source.fetch(source.first)
    assert [c.id for c in page.calls] == ["CA1", "CA2"] and page.next is None


async def test_a_bad_record_on_a_page_becomes_a_call_with_a_warning() -> None:
    adapter, _ = adapter_with(lambda r: ok({"Calls": [record("CA1"), "garbage"]}))
    source, _ = adapter.source(CallFilter(), now=NOW, page_size=5)
    page = await source.fetch(source.first)
    assert page.raw_count == 2 and page.calls[1].warnings


async def test_property_scope_lists_the_property_calls() -> None:
    adapter, rec = adapter_with(lambda r: ok({"Calls": []}), scope="property", account="PR 7")
    source, _ = adapter.source(CallFilter(), now=NOW)
    page = await source.fetch(source.first)
    assert page.next is None
    assert rec.requests[0].url.raw_path.startswith(b"/v2/Properties/PR%207/Calls?")
    assert rec.params()["Results_Count"] == "200"


async def test_an_unknown_scope_is_a_config_error_before_any_request() -> None:
    adapter, rec = adapter_with(lambda r: ok({"Calls": []}), scope="company")
    with pytest.raises(errors.ConfigError, match=r"^accounts\.fd\.scope: expected one of"):
        adapter.source(CallFilter(), now=NOW)
    assert rec.requests == []


async def test_a_filter_that_can_match_nothing_sends_no_request() -> None:
    adapter, rec = adapter_with(lambda r: ok({"Calls": [record()]}))
    source, _ = adapter.source(parse_query("dir:out"), now=NOW)
    page = await source.fetch(source.first)
    assert list(page.calls) == [] and page.next is None and rec.requests == []


# --- auth, one call, links --------------------------------------------------------------------


async def test_requests_carry_basic_auth_with_account_sid_and_token() -> None:
    adapter, rec = adapter_with(lambda r: ok({"Call": record()}))
    await adapter.get_call("CA1")
    expected = base64.b64encode(b"AC123:tok-secret").decode()
    assert rec.requests[0].headers["Authorization"] == f"Basic {expected}"
    assert rec.requests[0].headers["Accept"] == "application/json"


def test_registry_resolves_the_adapter() -> None:
    assert adapter_class("fonedynamics") is FoneDynamicsAdapter


@pytest.mark.parametrize(
    "body", [{"Call": record("CA7")}, record("CA7"), {"Calls": [record("CA7")]}]
)
async def test_get_call_reads_the_wrapped_or_bare_record(body: Any) -> None:
    adapter, rec = adapter_with(lambda r: ok(body))
    call = await adapter.get_call("CA7")
    assert call.id == "CA7"
    assert rec.requests[0].url.path == "/v2/Calls/CA7"


async def test_get_call_of_an_empty_answer_is_not_found() -> None:
    adapter, _ = adapter_with(lambda r: ok({"Calls": []}))
    with pytest.raises(errors.NotFoundError):
        await adapter.get_call("CA7")


async def test_follow_recordings_gives_one_recording_from_the_uri_without_a_request() -> None:
    uri = "https://media.example.com/rec/1.mp3"
    adapter, rec = adapter_with(lambda r: ok({}))
    call = adapter.normalize(record("CA5", Recording_Uri=uri))
    for link in ("recordings", "recording"):
        result = await adapter.follow(call, link)
        assert result.kind == "recordings"
        [recording] = result.recordings
        assert (recording.id, recording.call_id, recording.media_url) == ("CA5", "CA5", uri)
        assert recording.started_at == call.started_at
    assert rec.requests == []


async def test_follow_recordings_of_a_call_without_recording_is_empty() -> None:
    adapter, _ = adapter_with(lambda r: ok({}))
    result = await adapter.follow(adapter.normalize(record()), "recordings")
    assert result.kind == "recordings" and list(result.recordings) == []


async def test_follow_self_refetches_the_call() -> None:
    adapter, rec = adapter_with(lambda r: ok({"Call": record("CA5", Duration=99)}))
    result = await adapter.follow(adapter.normalize(record("CA5")), "self")
    assert result.kind == "calls" and result.calls[0].duration == 99
    assert rec.requests[0].url.path == "/v2/Calls/CA5"


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        ("parent", "calls"),
        ("children", "calls"),
        ("events", "entries"),
        ("notifications", "entries"),
    ],
)
async def test_links_fone_dynamics_lacks_give_an_empty_result_with_a_note(
    link: str, kind: str
) -> None:
    adapter, rec = adapter_with(lambda r: ok({}))
    result = await adapter.follow(adapter.normalize(record()), link)
    assert result.kind == kind and result.note
    assert not result.calls and not result.entries and rec.requests == []


def test_capabilities_declare_the_server_fields() -> None:
    caps = FoneDynamicsAdapter.capabilities
    assert caps.server_fields >= {"status", "to", "since", "until", "unique", "keys", "source"}
    assert FoneDynamicsAdapter.paging == "offset"
    assert FoneDynamicsAdapter.max_page_size == fd.PAGE_SIZE == 200


def test_an_unknown_unique_value_is_refused() -> None:
    flt = CallFilter(extras=(("unique", ("sometimes",)),))
    with pytest.raises(errors.QueryRefusedError, match="unique"):
        NORMALIZER.plan(flt, NOW)


def test_cursor_forms_split_into_offset_and_token() -> None:
    assert fd.split_cursor(None) == (0, None)
    assert fd.split_cursor(400) == (400, None)
    assert fd.split_cursor((400, "tok")) == (400, "tok")
    assert fd.split_cursor("tok") == (0, "tok")
