"""Property tests: normalizers, the query language and page parsing never fail untyped.

- any JSON value → each adapter's ``normalize`` gives a ``Call`` (odd values become warnings);
- any text → ``parse_query`` gives a filter or a ``QueryError``;
- any bytes as a list page (through ``httpx.MockTransport``) → a ``Page`` or a typed
  ``ProviderError`` (``MalformedResponseError`` for what cannot be read).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from tests.hardening.conftest import COUNTS, PROVIDERS
from tests.hardening.payloads import HOSTILE
from tui.core import errors
from tui.core.account import Account
from tui.core.filter import CallFilter
from tui.core.http import RetryPolicy
from tui.core.model import Call
from tui.core.paging import Page
from tui.core.query import parse_query
from tui.providers import adapter_for

NOW_TEXT = "2026-11-20T12:00:00Z"
FAST = RetryPolicy(attempts=1, base_delay=0, budget=0)
SETTINGS = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from([h[:200] for h in HOSTILE]),
    st.sampled_from(["", "0", "-1", "1e400", "NaN", NOW_TEXT, "+14155550100", "completed"]),
)
json_values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=25,
)


def record_like(keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Dicts that use the provider's real field names with any values."""
    return st.dictionaries(st.sampled_from(keys), json_values, max_size=len(keys))


def account(provider: str) -> Account:
    return Account(name=f"fuzz-{provider}", provider=provider, base_url="https://api.example.test",
                   account="AC123", username="user", password=SecretStr("pw-fuzz-123"))  # fmt: skip


ADAPTERS = {p: adapter_for(account(p), retry=FAST) for p in PROVIDERS}
# Field names each provider sends, so the fuzzer reaches past "not a dict" into the parsers.
FIELDS = [
    "sid", "Sid", "id", "ID", "CallSid", "call_id", "status", "Status", "direction", "Direction",
    "from", "to", "From", "To", "caller", "callee", "start_time", "end_time", "StartTime",
    "EndTime", "started_at", "ended_at", "DateCreated", "date_created", "duration", "Duration",
    "price", "Price", "price_unit", "PriceUnit", "parent_call_sid", "ParentCallSid", "answered_by",
    "caller_name", "uri", "subresource_uris", "Details", "Recordings", "RecordingUrl",
    "call_type", "end_reason", "session_id", "CallStatus", "DialCallStatus", "Attribution",
]  # fmt: skip


@SETTINGS
@given(provider=st.sampled_from(PROVIDERS), raw=st.one_of(json_values, record_like(FIELDS)))
def test_every_normalizer_turns_any_json_into_a_call(provider: str, raw: Any) -> None:
    COUNTS["fuzz: normalizer inputs"] += 1
    call = ADAPTERS[provider].normalize(raw)
    assert isinstance(call, Call)
    assert ADAPTERS[provider].safe_normalize(raw).provider == provider


@SETTINGS
@given(text=st.one_of(st.text(max_size=80), st.lists(st.sampled_from([
    "status:", "failed", "dir:in", "to:+44*", "since:-2h", "until:", "dur:<5", "price:>=0.05",
    '"refund', '"', ",", ":", "*", "-", "..", "id:", " ", "\x1b[31m", "[/]", "\u202e", "1e400",
    "since:2026-13-45", "dur:5..2", "price:NaN",
]), max_size=8).map("".join)))  # fmt: skip
def test_the_query_language_gives_a_filter_or_a_query_error(text: str) -> None:
    COUNTS["fuzz: query texts"] += 1
    try:
        result = parse_query(text)
    except errors.QueryError as exc:
        assert 0 <= exc.column <= len(text) + 1
        return
    assert isinstance(result, CallFilter)


TOKEN = {"access_token": "tok", "expires_in": 3600, "refresh_token": "r", "token_type": "Bearer"}


def fetch_with_body(provider: str, body: bytes, content_type: str) -> Any:
    def handle(request: httpx.Request) -> httpx.Response:
        if "login" in request.url.path or "oauth" in request.url.path:
            return httpx.Response(200, json=TOKEN)
        return httpx.Response(200, headers={"content-type": content_type}, content=body)

    async def run() -> Any:
        adapter = adapter_for(account(provider), transport=httpx.MockTransport(handle), retry=FAST)
        try:
            source, _ = adapter.source(CallFilter(), page_size=5)
            return await source.fetch(source.first)
        finally:
            await adapter.aclose()

    return asyncio.run(run())


bodies = st.one_of(
    st.binary(max_size=300),
    json_values.map(lambda v: json.dumps(v, allow_nan=True).encode()),
    st.builds(
        lambda key, records: json.dumps({key: records}).encode(),
        st.sampled_from(["calls", "Calls", "items", "Items", "data", "Data"]),
        st.lists(record_like(FIELDS), max_size=3),
    ),
    st.just(b"[" * 10_000 + b"]" * 10_000),
    st.just(b'{"calls": [' + b'{"a":' * 5000 + b"1" + b"}" * 5000 + b"]}"),
    st.just(b'{"calls": [{"sid": NaN, "duration": 1e400}], "next_page_uri": 7}'),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(provider=st.sampled_from(PROVIDERS), body=bodies,
       content_type=st.sampled_from(["application/json", "text/html", ""]))  # fmt: skip
def test_any_bytes_as_a_list_page_give_a_page_or_a_typed_error(
    provider: str, body: bytes, content_type: str
) -> None:
    COUNTS["fuzz: page bodies"] += 1
    try:
        page = fetch_with_body(provider, body, content_type)
    except errors.ProviderError:
        return
    assert isinstance(page, Page)
    assert all(isinstance(call, Call) for call in page.calls)
