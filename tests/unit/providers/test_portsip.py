"""PortSIP adapter: normalization of the official examples, filter → OData, login/refresh,
errors, offset paging, one call log, recordings and session legs (all through MockTransport)."""

from __future__ import annotations

import asyncio
import copy
import json
from collections.abc import Callable
from dataclasses import replace
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
from tui.providers import portsip_plan
from tui.providers.portsip import PortSipAdapter
from tui.providers.portsip_auth import OAUTH_CLIENT_ID
from tui.providers.portsip_normalize import CONSUMED_KEYS, EXTRA_KEYS, derive_status

BASE = "https://pbx.example.com:8887/api"
NOW = datetime(2026, 11, 15, 12, 0, tzinfo=UTC)
PASSWORD = "s3cret-pass"
TOKEN = load_fixture("portsip/examples/access_token.docs_example.json")
CDRS = load_fixture("portsip/examples/cdrs_list.docs_example.json")
SPEC = load_fixture("portsip/calllogs_cdrs_recordings.openapi.json")


def spec_fields(path: str) -> list[str]:
    schema = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    props = schema["schema"]["properties"]
    if "items" in props and "count" in props:
        return list(props["items"]["items"]["properties"])
    return list(props)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def no_sleep(seconds: float) -> None:
    return None


Handler = Callable[[httpx.Request], httpx.Response]


class FakePbx:
    """A tiny PortSIP: login endpoints, and data routes given by the test."""

    def __init__(self, routes: dict[str, Handler] | None = None) -> None:
        self.routes = routes or {}
        self.requests: list[httpx.Request] = []
        self.tokens_issued = 0
        self.login_status: dict[str, httpx.Response] = {}
        self.valid: set[str] = set()

    def issue(self, expires_in: int = 3600) -> httpx.Response:
        self.tokens_issued += 1
        access = f"tok-{self.tokens_issued}"
        self.valid.add(access)
        return httpx.Response(
            200,
            json={
                "access_token": access,
                "expires_in": expires_in,
                "refresh_token": f"ref-{self.tokens_issued}",
                "token_type": "Bearer",
            },
        )

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/api/")
        if path in ("login", "login/oauth/token"):
            canned = self.login_status.get(path)
            return canned if canned is not None else self.issue()
        if "blobs/" not in path:
            header = request.headers.get("authorization", "")
            if not header.startswith("Bearer ") or header[7:] not in self.valid:
                return httpx.Response(
                    401, json={"errors": [{"code": "UNAUTHORIZED", "message": "token invalid"}]}
                )
        for prefix, route in self.routes.items():
            if path == prefix or path.startswith(prefix + "/"):
                return route(request)
        return httpx.Response(404, json={"errors": [{"code": "NOT_FOUND", "message": "no route"}]})

    def data_requests(self) -> list[httpx.Request]:
        return [r for r in self.requests if not r.url.path.startswith("/api/login")]

    def logins(self) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path.startswith("/api/login")]


def make_account(**kw: Any) -> Account:
    base: dict[str, Any] = {
        "name": "pbx",
        "provider": "portsip",
        "base_url": BASE,
        "username": "admin@tenant",
        "password": PASSWORD,
        "domain": "tenant.example.com",
    }
    base.update(kw)
    return Account(**base)


def make_adapter(pbx: FakePbx, clock: Clock | None = None, **kw: Any) -> PortSipAdapter:
    return PortSipAdapter(
        make_account(**kw),
        transport=httpx.MockTransport(pbx.handler),
        sleep=no_sleep,
        clock=clock or Clock(),
    )


def query(request: httpx.Request) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}


def offline() -> PortSipAdapter:
    return make_adapter(FakePbx())


# -- normalization ---------------------------------------------------------------------------


def test_official_answered_extension_call_becomes_a_complete_call() -> None:
    call = offline().normalize(CDRS["items"][0])
    assert call.provider == "portsip" and call.account == "pbx"
    assert call.id == "878156644691742720"
    assert (call.from_number, call.to_number) == ("102", "103")
    assert (call.from_name, call.to_name) == ("Kelly Cruickshank", "Lucas Heidenreich")
    assert call.started_at == datetime(2024, 8, 20, 6, 0, 59, 457188, tzinfo=UTC)
    assert call.answered_at == datetime(2024, 8, 20, 6, 1, 1, 965027, tzinfo=UTC)
    assert call.ended_at == datetime(2024, 8, 20, 6, 1, 36, 158919, tzinfo=UTC)
    assert call.duration == 35
    assert call.direction is Direction.INTERNAL and call.direction_raw == "EXTENSION_CALL"
    assert call.status is Status.COMPLETED
    assert call.end_reason == "CALLER_DISCONNECT"  # the example's spelling, kept verbatim
    assert call.extras == {
        "caller_domain": "test.com",
        "callee_domain": "test.com",
        "rang_at": "2024-08-20T06:00:59.543647Z",
        "call_id": "JooRSqaUcdwZnsD7DNgA3Q..",
        "status_code": 0,
    }
    assert call.warnings == ()
    assert call.raw is CDRS["items"][0]
    assert call.price is None and call.parent_id is None


def test_official_busy_call_treats_empty_strings_as_absent() -> None:
    call = offline().normalize(CDRS["items"][1])
    assert call.answered_at is None
    assert call.end_reason is None
    assert call.status is Status.BUSY
    assert call.extras["status_code"] == 486
    assert "reroute_reason" not in call.extras and "trunk" not in call.extras
    assert call.warnings == ()


def test_null_and_empty_string_are_alike() -> None:
    nulls = {k: (None if v == "" else v) for k, v in CDRS["items"][1].items()}
    a, b = offline().normalize(nulls), offline().normalize(CDRS["items"][1])
    assert replace(a, raw=None) == replace(b, raw=None)


def full_record() -> dict[str, Any]:
    """A detail record with every documented field set (the spec's list + detail fields)."""
    record = dict(CDRS["items"][0])
    record.update(
        session_id="NzAwNTUxOTA5NzczMTQ4MTYw",
        reroute_reason="TRANSFER",
        destination="5551000",
        outbound_caller_id="+15550001",
        did_cid="+15559999",
        trunk="sip-trunk-1",
        service_number="800",
        user_data="crm=42",
        cost=0.25,
        billed_account="acme",
        end_reason="CALLEE_DISCONNECTED",
        direction="OUTBOUND_CALL",
    )
    return record


def test_every_documented_field_lands_in_a_normalized_field_or_extras() -> None:
    documented = set(spec_fields("/calllogs")) | set(spec_fields("/calllogs/{id}"))
    assert documented <= CONSUMED_KEYS | set(EXTRA_KEYS)
    record = full_record()
    assert set(record) == documented
    call = offline().normalize(record)
    for key in record:
        assert key in CONSUMED_KEYS or call.extras.get(key) == record[key], key
    for key in EXTRA_KEYS:
        assert call.extras[key] == record[key]
    assert call.price == Decimal("0.25")
    assert call.direction is Direction.OUTBOUND
    assert call.warnings == ()


def test_undocumented_fields_are_kept_in_extras_not_dropped() -> None:
    record = dict(CDRS["items"][0], sentiment="positive", queue_time=12)
    call = offline().normalize(record)
    assert call.extras["sentiment"] == "positive" and call.extras["queue_time"] == 12


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("INBOUND_CALL", Direction.INBOUND),
        ("INBOUND_OUTBOUND_CALL", Direction.INBOUND),
        ("OUTBOUND_CALL", Direction.OUTBOUND),
        ("EXTENSION_CALL", Direction.INTERNAL),
    ],
)
def test_directions_map_per_reference(raw: str, expected: Direction) -> None:
    call = offline().normalize(dict(CDRS["items"][0], direction=raw))
    assert call.direction is expected and call.direction_raw == raw


def test_unknown_direction_is_unknown_with_a_warning_and_the_raw_value() -> None:
    call = offline().normalize(dict(CDRS["items"][0], direction="CONFERENCE_CALL"))
    assert call.direction is Direction.UNKNOWN
    assert call.direction_raw == "CONFERENCE_CALL"
    assert any("direction" in w for w in call.warnings)


def test_undocumented_end_and_reroute_reasons_are_kept_with_a_warning() -> None:
    record = dict(CDRS["items"][0], end_reason="ALIENS", reroute_reason="WORMHOLE")
    call = offline().normalize(record)
    assert call.end_reason == "ALIENS" and call.extras["reroute_reason"] == "WORMHOLE"
    assert len([w for w in call.warnings if "undocumented" in w]) == 2


T = datetime(2026, 11, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        # 1. not ended: answered → in-progress, rang → ringing
        ({"answered_at": T, "rang_at": T}, Status.IN_PROGRESS),
        ({"rang_at": T}, Status.RINGING),
        # 2. answered and ended, or talk time → completed (even with a SIP error code)
        ({"answered_at": T, "ended_at": T, "status_code": 0}, Status.COMPLETED),
        ({"ended_at": T, "duration": 12, "status_code": 486}, Status.COMPLETED),
        ({"answered_at": T, "ended_at": T, "end_reason": "CANCELLED"}, Status.COMPLETED),
        # 3. neither ended, answered nor ringing → unknown
        ({}, Status.UNKNOWN),
        # 4. canceled before busy/no-answer
        ({"ended_at": T, "end_reason": "CANCELLED", "status_code": 486}, Status.CANCELED),
        ({"ended_at": T, "status_code": 487}, Status.CANCELED),
        # 5. busy
        ({"ended_at": T, "status_code": 486}, Status.BUSY),
        ({"ended_at": T, "status_code": 600}, Status.BUSY),
        # 6. no-answer
        ({"ended_at": T, "status_code": 408}, Status.NO_ANSWER),
        ({"ended_at": T, "status_code": 480, "rang_at": T}, Status.NO_ANSWER),
        # 7. anything else unanswered and ended → failed
        ({"ended_at": T, "status_code": 503}, Status.FAILED),
        ({"ended_at": T, "status_code": 0, "duration": 0}, Status.FAILED),
        ({"ended_at": T}, Status.FAILED),
    ],
)
def test_status_is_derived_rule_by_rule(kw: dict[str, Any], expected: Status) -> None:
    args: dict[str, Any] = {
        "answered_at": None,
        "ended_at": None,
        "rang_at": None,
        "duration": None,
        "status_code": None,
        "end_reason": None,
    }
    args.update(kw)
    assert derive_status(**args) is expected


def test_underivable_status_warns() -> None:
    record = {"id": "1", "caller": "101", "started_at": "2026-11-01T10:00:00Z"}
    call = offline().normalize(record)
    assert call.status is Status.UNKNOWN and any("status" in w for w in call.warnings)


@pytest.mark.parametrize(
    "raw",
    [
        None,
        [],
        "text",
        42,
        {},
        {"id": {"nested": 1}},
        {"id": "1", "started_at": "yesterday-ish", "duration": "long", "status_code": [486]},
        {"id": "1", "direction": 5, "cost": "free", "caller": {"x": 1}, "session_id": 7},
        {"id": "x'y", "caller": "o'neil", "started_at": "2026-11-01T10:00:00Z"},
        {"id": True, "ended_at": 1e300, "answered_at": "9999-99-99T99:99:99Z"},
    ],
)
def test_normalizer_never_raises_on_any_json(raw: Any) -> None:
    call = offline().safe_normalize(raw)
    assert call.provider == "portsip"
    assert call.raw is raw


def test_links_point_at_the_call_its_recordings_and_its_session() -> None:
    call = offline().normalize(dict(CDRS["items"][0], session_id="S1"))
    assert call.links["self"] == f"{BASE}/calllogs/878156644691742720"
    url = httpx.URL(call.links["recordings"])
    assert url.path == "/api/recordings"
    assert url.params["filter"] == (
        "caller eq '102' and callee eq '103' and ended_at ge '2024-08-20T06:00:54Z'"
        " and started_at le '2024-08-20T06:01:42Z'"
    )
    children = httpx.URL(call.links["children"])
    assert children.path == "/api/calllogs"
    assert children.params["filter"] == "session_id eq 'S1'"
    assert "parent" not in call.links


def test_a_call_without_session_has_no_children_link() -> None:
    assert "children" not in offline().normalize(CDRS["items"][0]).links


# -- plan: filter → OData ------------------------------------------------------------------------


def plan_of(text: str) -> Any:
    return offline().plan(parse_query(text), NOW)


def test_empty_filter_sends_order_and_count_only() -> None:
    plan = offline().plan(CallFilter(), NOW)
    assert list(plan.queries) == [{"orderby": "started_at desc", "count": "true"}]
    assert plan.items == () and plan.local.is_empty and plan.newest_first


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("since:2026-11-01", "since", "started_at ge '2026-11-01T00:00:00Z'"),
        ("until:2026-11-02", "until", "started_at lt '2026-11-02T00:00:00Z'"),
        ("since:-2h", "since", "started_at ge '2026-11-15T10:00:00Z'"),
        ("since:2026-11-01T10:00:00.5Z", "since", "started_at ge '2026-11-01T10:00:00Z'"),
        ("until:2026-11-01T10:00:00.5Z", "until", "started_at lt '2026-11-01T10:00:01Z'"),
        ("from:101", "from", "caller eq '101'"),
        ("to:44*", "to", "startswith(callee,'44')"),
        ("from:101,44*", "from", "(caller eq '101' or startswith(caller,'44'))"),
        ('from:"(415) 555-0100"', "from", "caller eq '4155550100'"),
        ("dur:>=5", "dur", "duration ge 5"),
        ("dur:>5", "dur", "duration ge 6"),
        ("dur:5..60", "dur", "duration ge 5 and duration le 60"),
        ("dur:<5", "dur", "duration le 4"),
        ("dir:in", "dir", "(direction eq 'INBOUND_CALL' or direction eq 'INBOUND_OUTBOUND_CALL')"),
        ("dir:out", "dir", "direction eq 'OUTBOUND_CALL'"),
        ("dir:internal", "dir", "direction eq 'EXTENSION_CALL'"),
        ("trunk:Carrier-A", "trunk", "trunk eq 'Carrier-A'"),
        ("reason:cancelled", "reason", "end_reason eq 'CANCELLED'"),
        ("id:a,b", "id", "(id eq 'a' or id eq 'b')"),
    ],
)
def test_each_filter_field_becomes_its_odata_clause(text: str, field: str, expected: str) -> None:
    plan = plan_of(text)
    assert plan.queries[0]["filter"] == expected
    (item,) = plan.items
    assert item.field == field
    assert item.native == f"filter={expected}"
    # the spec declares no filter on /calllogs: everything is re-checked locally
    assert item.where is Where.BOTH
    assert plan.local == parse_query(text)


def test_clauses_combine_with_and_in_filter_order() -> None:
    plan = plan_of("from:101 to:44* since:2026-11-01 until:2026-11-02 dir:out dur:>=5")
    assert plan.queries[0]["filter"] == (
        "direction eq 'OUTBOUND_CALL' and caller eq '101' and startswith(callee,'44')"
        " and started_at ge '2026-11-01T00:00:00Z' and started_at lt '2026-11-02T00:00:00Z'"
        " and duration ge 5"
    )
    assert plan.queries[0]["orderby"] == "started_at desc"
    assert len(plan.queries) == 1


def test_odata_strings_double_quotes_inside_values() -> None:
    plan = plan_of('trunk:"o\'brien"')
    assert plan.queries[0]["filter"] == "trunk eq 'o''brien'"


@pytest.mark.parametrize("text", ["status:busy,no-answer", '"refund"'])
def test_status_and_text_are_local_only(text: str) -> None:
    plan = plan_of(text)
    assert "filter" not in plan.queries[0]
    (item,) = plan.items
    assert item.where is Where.LOCAL
    assert plan.local == parse_query(text)


def test_sip_address_and_unknown_direction_stay_local() -> None:
    plan = plan_of("from:sip:alice@pbx.example.com dir:unknown")
    assert "filter" not in plan.queries[0]
    assert {i.field: i.where for i in plan.items} == {"from": Where.LOCAL, "dir": Where.LOCAL}


@pytest.mark.parametrize(("text", "field"), [("price:>0.1", "price"), ("parent:X", "parent")])
def test_price_and_parent_are_unsupported_and_warned(text: str, field: str) -> None:
    plan = plan_of(text)
    (item,) = plan.items
    assert (item.field, item.where) == (field, Where.UNSUPPORTED)
    assert plan.warnings and field in plan.warnings[0]
    assert plan.local.is_empty  # never filters every row away locally


def test_other_providers_extras_are_unsupported() -> None:
    plan = plan_of("exophone:+9180*")
    assert plan.items[0].where is Where.UNSUPPORTED and plan.local.is_empty


def test_every_active_field_has_exactly_one_plan_item() -> None:
    flt = parse_query(
        'status:busy dir:in from:101 to:44* since:-1d until:now dur:>5 price:>1 parent:p id:x "hi"'
        " trunk:t reason:CANCELLED"
    )
    plan = offline().plan(flt, NOW)
    assert len(plan.items) == len(flt.active_fields()) == len({i.field for i in plan.items})
    pushed = {i.field for i in plan.items if i.where is Where.BOTH}
    assert pushed == {"dir", "from", "to", "since", "until", "dur", "id", "trunk", "reason"}
    assert pushed <= PortSipAdapter.capabilities.server_fields


def test_too_many_ids_are_filtered_locally() -> None:
    flt = CallFilter(ids=tuple(str(n) for n in range(portsip_plan.MAX_IDS_PUSHED + 1)))
    plan = offline().plan(flt, NOW)
    assert "filter" not in plan.queries[0] and plan.items[0].where is Where.LOCAL


def test_a_filter_that_would_grow_too_long_keeps_the_rest_local() -> None:
    numbers = ",".join(f"+44207946{n:04d}" for n in range(150))
    plan = plan_of(f"dir:out to:{numbers}")
    assert plan.queries[0]["filter"] == "direction eq 'OUTBOUND_CALL'"
    assert {i.field: i.where for i in plan.items} == {"dir": Where.BOTH, "to": Where.LOCAL}
    assert plan.local == parse_query(f"dir:out to:{numbers}")


def test_trusting_the_server_filter_is_a_one_line_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(PortSipAdapter, "plan_table", portsip_plan.plan_table(exact=True))
    plan = plan_of("from:101 status:busy")
    assert {i.field: i.where for i in plan.items} == {"status": Where.LOCAL, "from": Where.SERVER}
    assert plan.local == parse_query("status:busy")


# -- auth ---------------------------------------------------------------------------------------


def calllogs_route(records: list[dict[str, Any]]) -> Handler:
    def route(request: httpx.Request) -> httpx.Response:
        q = query(request)
        skip, top = int(q.get("skip", 0)), int(q.get("top", 100))
        return httpx.Response(
            200, json={"count": len(records), "items": records[skip : skip + top]}
        )

    return route


async def list_once(adapter: PortSipAdapter) -> Any:
    source, _ = adapter.source(CallFilter(), now=NOW)
    return await source.fetch(source.first)


async def test_json_login_sends_credentials_and_domain_then_a_bearer_token() -> None:
    pbx = FakePbx({"calllogs": calllogs_route(CDRS["items"])})
    adapter = make_adapter(pbx)
    await list_once(adapter)
    await list_once(adapter)
    (login,) = pbx.logins()
    assert login.method == "POST" and login.url == f"{BASE}/login"
    assert json.loads(login.content) == {
        "username": "admin@tenant",
        "password": PASSWORD,
        "domain": "tenant.example.com",
    }
    data = pbx.data_requests()
    assert [r.headers["authorization"] for r in data] == ["Bearer tok-1", "Bearer tok-1"]


async def test_login_omits_domain_when_the_account_has_none() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    await list_once(make_adapter(pbx, domain=None))
    assert json.loads(pbx.logins()[0].content) == {"username": "admin@tenant", "password": PASSWORD}


async def test_oauth_option_uses_the_token_form() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    await list_once(make_adapter(pbx, options={"login": "oauth"}))
    (login,) = pbx.logins()
    assert login.url == f"{BASE}/login/oauth/token"
    assert login.headers["content-type"] == "application/x-www-form-urlencoded"
    assert {k: v[0] for k, v in parse_qs(login.content.decode()).items()} == {
        "grant_type": "password",
        "username": "admin@tenant",
        "password": PASSWORD,
        "domain": "tenant.example.com",
        "scope": "all",
        "client_id": OAUTH_CLIENT_ID,
    }


async def test_missing_login_endpoint_falls_back_to_the_other_method() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    pbx.login_status["login"] = httpx.Response(404, text="Not Found")
    await list_once(make_adapter(pbx))
    assert [r.url.path for r in pbx.logins()] == ["/api/login", "/api/login/oauth/token"]
    assert pbx.data_requests()[0].headers["authorization"] == "Bearer tok-1"


@pytest.mark.parametrize("status", [400, 401])
async def test_rejected_login_is_an_auth_error_with_the_provider_message(status: int) -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    body = {"errors": [{"code": "UNAUTHORIZED", "message": "Login failed, authentication error"}]}
    pbx.login_status["login"] = httpx.Response(status, json=body)
    with pytest.raises(errors.AuthError) as caught:
        await list_once(make_adapter(pbx))
    err = caught.value
    assert err.message == "Login failed, authentication error"
    assert err.code == "UNAUTHORIZED" and err.status == status
    assert PASSWORD not in str(err) and PASSWORD not in repr(err.__dict__)
    assert len(pbx.logins()) == 1  # refused credentials are not tried twice
    assert pbx.data_requests() == []


async def test_a_provider_message_echoing_the_password_is_redacted() -> None:
    pbx = FakePbx()
    body = {"errors": [{"code": "UNAUTHORIZED", "message": f"bad password {PASSWORD}"}]}
    pbx.login_status["login"] = httpx.Response(400, json=body)
    with pytest.raises(errors.AuthError) as caught:
        await list_once(make_adapter(pbx))
    assert PASSWORD not in str(caught.value) and "***" in str(caught.value)


async def test_transient_login_failure_is_retried_by_the_http_layer() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    answers = [httpx.Response(503, text="busy")]

    def login(request: httpx.Request) -> httpx.Response:
        return answers.pop() if answers else pbx.issue()

    original = pbx.handler

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/login":
            pbx.requests.append(request)
            return login(request)
        return original(request)

    adapter = PortSipAdapter(
        make_account(), transport=httpx.MockTransport(handler), sleep=no_sleep, clock=Clock()
    )
    await list_once(adapter)
    assert len(pbx.logins()) == 2 and adapter.http.stats.retries == 1


async def test_login_answer_without_a_token_is_malformed() -> None:
    pbx = FakePbx()
    pbx.login_status["login"] = httpx.Response(200, json={"role": "admin"})
    with pytest.raises(errors.MalformedResponseError):
        await list_once(make_adapter(pbx))


async def test_token_is_refreshed_before_expiry_with_the_refresh_token() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    clock = Clock()
    adapter = make_adapter(pbx, clock)
    await list_once(adapter)
    clock.now += 3600 - 61  # still inside the token's life minus the safety margin
    await list_once(adapter)
    assert len(pbx.logins()) == 1
    clock.now += 2  # within the margin: refresh first
    await list_once(adapter)
    refresh = pbx.logins()[1]
    assert refresh.url == f"{BASE}/login/oauth/token"
    assert {k: v[0] for k, v in parse_qs(refresh.content.decode()).items()} == {
        "grant_type": "refresh_token",
        "refresh_token": "ref-1",
        "client_id": OAUTH_CLIENT_ID,
    }
    assert pbx.data_requests()[-1].headers["authorization"] == "Bearer tok-2"


async def test_a_refused_refresh_falls_back_to_a_full_login() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    clock = Clock()
    adapter = make_adapter(pbx, clock)
    await list_once(adapter)
    pbx.login_status["login/oauth/token"] = httpx.Response(
        400, json={"error": "invalid_grant", "error_description": "refresh token expired"}
    )
    clock.now += 4000
    await list_once(adapter)
    assert [r.url.path for r in pbx.logins()] == [
        "/api/login",
        "/api/login/oauth/token",
        "/api/login",
    ]


async def test_a_401_on_data_logs_in_again_once_and_retries() -> None:
    pbx = FakePbx({"calllogs": calllogs_route(CDRS["items"])})
    adapter = make_adapter(pbx)
    await list_once(adapter)
    pbx.valid.clear()  # the PBX restarted: every token is gone
    page = await list_once(adapter)
    assert len(page.calls) == 2
    assert pbx.data_requests()[-1].headers["authorization"] == "Bearer tok-2"


async def test_a_second_401_is_an_auth_error_not_a_loop() -> None:
    def always_401(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"errors": [{"code": "UNAUTHORIZED", "message": "nope"}]})

    pbx = FakePbx({"calllogs": always_401})
    with pytest.raises(errors.AuthError) as caught:
        await list_once(make_adapter(pbx))
    assert caught.value.message == "nope"
    assert len(pbx.data_requests()) == 2 and pbx.tokens_issued == 2


async def test_concurrent_requests_share_one_login() -> None:
    pbx = FakePbx({"calllogs": calllogs_route(CDRS["items"])})
    adapter = make_adapter(pbx)
    await asyncio.gather(*(list_once(adapter) for _ in range(5)))
    assert len(pbx.logins()) == 1


async def test_blob_downloads_on_the_same_origin_carry_no_token() -> None:
    def blob(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"RIFF....", headers={"content-type": "audio/wav"})

    pbx = FakePbx({"blobs": blob})
    adapter = make_adapter(pbx)
    async with adapter.http.stream(f"{BASE}/blobs/abc") as response:
        assert await response.aread() == b"RIFF...."
    assert pbx.logins() == []
    assert "authorization" not in pbx.requests[0].headers


async def test_an_id_spelling_blobs_still_gets_the_token() -> None:
    pbx = FakePbx({"calllogs": lambda r: httpx.Response(200, json=CDRS["items"][0])})
    await make_adapter(pbx).get_call("x/blobs/y")
    assert pbx.data_requests()[0].headers["authorization"] == "Bearer tok-1"


async def test_the_secrets_never_show_in_the_auth_repr() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    adapter = make_adapter(pbx)
    await list_once(adapter)
    text = repr(adapter.http.auth)
    assert PASSWORD not in text and "tok-1" not in text and "ref-1" not in text


# -- errors --------------------------------------------------------------------------------------


def error_body(code: str, message: str, detail: Any = None) -> dict[str, Any]:
    return {"errors": [{"code": code, "message": message, "detail": detail}]}


@pytest.mark.parametrize(
    ("response", "kind", "code", "message"),
    [
        (
            httpx.Response(403, json=error_body("FORBIDDEN", "not allowed")),
            errors.ForbiddenError,
            "FORBIDDEN",
            "not allowed",
        ),
        (
            httpx.Response(404, json=error_body("UNKNOWN", "unknown error")),
            errors.NotFoundError,
            "UNKNOWN",
            "unknown error",
        ),
        (
            httpx.Response(400, json=error_body("VALIDATE_FAILED", "field validation failed")),
            errors.BadRequestError,
            "VALIDATE_FAILED",
            "field validation failed",
        ),
        (
            httpx.Response(400, json=error_body("UNAUTHORIZED", "session expired")),
            errors.AuthError,
            "UNAUTHORIZED",
            "session expired",
        ),
        (
            httpx.Response(409, json=error_body("SOMETHING_NEW", "a future code")),
            errors.BadRequestError,  # unknown codes are UNKNOWN: classified by HTTP status
            "SOMETHING_NEW",
            "a future code",
        ),
        (
            httpx.Response(
                429, json=error_body("UNKNOWN", "slow down"), headers={"Retry-After": "7"}
            ),
            errors.RateLimitedError,
            "UNKNOWN",
            "slow down",
        ),
        (
            httpx.Response(500, json=error_body("UNKNOWN", "db down")),
            errors.ServerError,
            "UNKNOWN",
            "db down",
        ),
        (
            httpx.Response(
                502,
                text="<html><body>Bad Gateway</body></html>",
                headers={"content-type": "text/html"},
            ),
            errors.ServerError,
            None,
            "the provider answered with an HTML page (Bad Gateway)",
        ),
        (
            httpx.Response(400, json={}),  # the docs' own 400 example is {}
            errors.BadRequestError,
            None,
            "Bad Request",
        ),
    ],
)
async def test_error_bodies_become_typed_errors(
    response: httpx.Response, kind: type[errors.ProviderError], code: str | None, message: str
) -> None:
    pbx = FakePbx({"calllogs": lambda request: response})
    adapter = PortSipAdapter(
        make_account(),
        transport=httpx.MockTransport(pbx.handler),
        sleep=no_sleep,
        clock=Clock(),
        retry=RetryPolicy(attempts=2),
    )
    with pytest.raises(errors.ProviderError) as caught:
        await list_once(adapter)
    err = caught.value
    assert type(err) is kind
    assert (err.code, err.message, err.status) == (code, message, response.status_code)
    if kind is errors.RateLimitedError:
        assert isinstance(err, errors.RateLimitedError) and err.retry_after == 7


def test_error_detail_is_kept_as_compact_text() -> None:
    response = httpx.Response(400, request=httpx.Request("GET", BASE))
    info = PortSipAdapter.parse_error(
        response, error_body("VALIDATE_FAILED", "bad", {"field": "top", "max": 100})
    )
    assert info.detail == '{"field":"top","max":100}'


@pytest.mark.parametrize(
    "body", [None, [], "x", {"errors": "x"}, {"errors": [1, 2]}, {"errors": [{"code": {}}]}]
)
def test_parse_error_never_raises_on_odd_bodies(body: Any) -> None:
    response = httpx.Response(400, request=httpx.Request("GET", BASE))
    PortSipAdapter.parse_error(response, body)


async def test_a_body_that_is_not_json_is_malformed() -> None:
    pbx = FakePbx(
        {
            "calllogs": lambda r: httpx.Response(
                200, text="{oops", headers={"content-type": "application/json"}
            )
        }
    )
    with pytest.raises(errors.MalformedResponseError):
        await list_once(make_adapter(pbx))


@pytest.mark.parametrize("body", [[1, 2], {"items": {"a": 1}}, "x"])
async def test_an_envelope_of_another_shape_is_malformed(body: Any) -> None:
    pbx = FakePbx({"calllogs": lambda r: httpx.Response(200, json=body)})
    with pytest.raises(errors.MalformedResponseError):
        await list_once(make_adapter(pbx))


# -- paging --------------------------------------------------------------------------------------


def synthetic(n: int) -> list[dict[str, Any]]:
    out = []
    for i in range(n):
        record = copy.deepcopy(CDRS["items"][i % 2])
        record["id"] = f"id-{i:04d}"
        record["started_at"] = f"2026-11-01T{23 - i // 60 % 24:02d}:{59 - i % 60:02d}:00.5Z"
        out.append(record)
    return out


async def walk(
    adapter: PortSipAdapter, flt: CallFilter, page_size: int
) -> tuple[list[Any], list[Any]]:
    source, _ = adapter.source(flt, now=NOW, page_size=page_size)
    cursor = source.first
    pages = []
    while True:
        page = await source.fetch(cursor)
        pages.append(page)
        if page.next is None:
            return pages, [c.id for p in pages for c in p.calls]
        cursor = page.next


async def test_a_multi_page_walk_reads_every_record_once_in_order() -> None:
    records = synthetic(250)
    pbx = FakePbx({"calllogs": calllogs_route(records)})
    pages, ids = await walk(make_adapter(pbx), parse_query("from:101,102"), 100)
    assert ids == [r["id"] for r in records]
    assert [p.total for p in pages] == [250, 250, 250]
    assert [p.raw_count for p in pages] == [100, 100, 50]
    assert [p.next for p in pages] == [100, 200, None]
    sent = [query(r) for r in pbx.data_requests()]
    assert [(q["skip"], q["top"]) for q in sent] == [("0", "100"), ("100", "100"), ("200", "100")]
    assert all(q["orderby"] == "started_at desc" and q["count"] == "true" for q in sent)
    assert all(q["filter"] == "(caller eq '101' or caller eq '102')" for q in sent)


async def test_an_exact_multiple_of_the_page_stops_at_the_count() -> None:
    pbx = FakePbx({"calllogs": calllogs_route(synthetic(6))})
    pages, ids = await walk(make_adapter(pbx), CallFilter(), 3)
    assert len(pages) == 2 and len(ids) == 6 and len(pbx.data_requests()) == 2


async def test_without_a_count_a_short_page_ends_the_walk() -> None:
    records = synthetic(7)

    def route(request: httpx.Request) -> httpx.Response:
        q = query(request)
        skip, top = int(q["skip"]), int(q["top"])
        return httpx.Response(200, json={"items": records[skip : skip + top]})

    pbx = FakePbx({"calllogs": route})
    pages, ids = await walk(make_adapter(pbx), CallFilter(), 3)
    assert [p.total for p in pages] == [None, None, None]
    assert ids == [r["id"] for r in records]


async def test_page_size_is_capped_at_the_provider_maximum() -> None:
    pbx = FakePbx({"calllogs": calllogs_route([])})
    adapter = make_adapter(pbx)
    source, _ = adapter.source(CallFilter(), now=NOW, page_size=1000)
    await source.fetch(source.first)
    assert query(pbx.data_requests()[0])["top"] == "100"


# -- one call log, recordings, session legs ------------------------------------------------------


async def test_get_call_reads_the_unwrapped_detail_with_cost() -> None:
    detail = dict(full_record())

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/calllogs/878156644691742720":
            return httpx.Response(200, json=detail)
        return httpx.Response(404, json=error_body("UNKNOWN", "not found"))

    pbx = FakePbx({"calllogs": route})
    adapter = make_adapter(pbx)
    call = await adapter.get_call("878156644691742720")
    assert call.price == Decimal("0.25") and call.extras["billed_account"] == "acme"
    with pytest.raises(errors.NotFoundError):
        await adapter.get_call("nope")


async def test_get_call_also_accepts_an_items_wrapped_detail() -> None:
    detail = dict(CDRS["items"][0])
    pbx = FakePbx({"calllogs": lambda r: httpx.Response(200, json={"items": [detail]})})
    call = await make_adapter(pbx).get_call("878156644691742720")
    assert call.id == "878156644691742720"


async def test_get_call_quotes_the_id_in_the_path() -> None:
    pbx = FakePbx({"calllogs": lambda r: httpx.Response(200, json=CDRS["items"][0])})
    await make_adapter(pbx).get_call("a/b c")
    assert pbx.data_requests()[0].url.raw_path == b"/api/calllogs/a%2Fb%20c"


async def test_follow_recordings_joins_by_caller_callee_and_time_then_reads_details() -> None:
    call = offline().normalize(CDRS["items"][0])
    listing = {
        "count": 3,
        "items": [
            {  # the official detail's recording of this call
                "id": "R1",
                "caller": "102",
                "callee": "103",
                "started_at": "2024-08-20T06:01:02.109Z",
                "ended_at": "2024-08-20T06:01:36.161Z",
            },
            {  # same parties, another day: a server ignoring `filter` must not leak it
                "id": "R2",
                "caller": "102",
                "callee": "103",
                "started_at": "2024-08-21T06:01:02.109Z",
                "ended_at": "2024-08-21T06:01:36.161Z",
            },
            load_fixture("portsip/examples/recordings_list.docs_example.json")["items"][0],
        ],
    }
    detail = load_fixture("portsip/examples/recording_detail.docs_example.json")

    def route(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/recordings":
            return httpx.Response(200, json=listing)
        if request.url.path == "/api/recordings/R1":
            return httpx.Response(200, json=detail)
        return httpx.Response(404, json=error_body("UNKNOWN", "no"))

    pbx = FakePbx({"recordings": route})
    result = await make_adapter(pbx).follow(call, "recordings")
    assert result.kind == "recordings"
    (rec,) = result.recordings
    assert rec.id == "R1" and rec.call_id == call.id
    assert (
        rec.media_url == "https://pbx.example.com:8887/api/blobs/rZTOS5yB5elnATSbfxd_pgAQQKn01i8M"
    )
    assert rec.duration == 34
    assert rec.started_at == datetime(2024, 8, 20, 6, 1, 2, 109000, tzinfo=UTC)
    assert rec.raw["detail"]["file_name"].split("_")[1] == call.id
    listed = pbx.data_requests()[0]
    assert query(listed)["filter"].startswith("caller eq '102' and callee eq '103'")
    assert listed.headers["authorization"] == "Bearer tok-1"


async def test_follow_children_lists_the_other_call_logs_of_the_session() -> None:
    leg_a = dict(CDRS["items"][0], session_id="S1")
    leg_b = dict(CDRS["items"][1], session_id="S1")
    stranger = dict(CDRS["items"][1], id="other", session_id="S2")
    call = offline().normalize(leg_a)

    def route(request: httpx.Request) -> httpx.Response:
        assert query(request)["filter"] == "session_id eq 'S1'"
        return httpx.Response(200, json={"count": 3, "items": [leg_b, leg_a, stranger]})

    result = await make_adapter(FakePbx({"calllogs": route})).follow(call, "children")
    assert result.kind == "calls"
    assert [c.id for c in result.calls] == [leg_b["id"]]


async def test_follow_self_refetches_the_call_and_unknown_links_are_not_found() -> None:
    pbx = FakePbx({"calllogs": lambda r: httpx.Response(200, json=CDRS["items"][0])})
    adapter = make_adapter(pbx)
    call = adapter.normalize(CDRS["items"][0])
    result = await adapter.follow(call, "self")
    assert [c.id for c in result.calls] == [call.id]
    with pytest.raises(errors.NotFoundError):
        await adapter.follow(call, "parent")
