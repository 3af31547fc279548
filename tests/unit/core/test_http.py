"""The HTTP layer over httpx.MockTransport: retries, Retry-After, typed errors, origin guard."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tui.core import errors
from tui.core.http import ErrorInfo, ProviderHttp, RetryPolicy, retry_after_seconds


def twilio_like_error(response: httpx.Response, body: Any) -> ErrorInfo:
    if isinstance(body, dict):
        return ErrorInfo(code=str(body.get("code")), message=body.get("message"))
    return ErrorInfo()


class Recorder:
    """A MockTransport handler answering from a script and remembering what it was sent."""

    def __init__(self, *answers: httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def make(handler: Recorder, sleeps: list[float], **kw: Any) -> ProviderHttp:
    async def fake_sleep(seconds: float) -> None:
        sleeps.append(seconds)

    return ProviderHttp(
        provider="Twilio",
        base_url="https://api.example.test",
        auth=httpx.BasicAuth("ACuser", "s3cret-token"),
        parse_error=twilio_like_error,
        transport=httpx.MockTransport(handler),
        sleep=fake_sleep,
        seed=1,
        **kw,
    )


async def test_503_then_success_is_retried_with_backoff() -> None:
    handler = Recorder(
        httpx.Response(503), httpx.Response(503), httpx.Response(200, json={"ok": 1})
    )
    sleeps: list[float] = []
    http = make(handler, sleeps)
    assert await http.get_json("/x.json") == {"ok": 1}
    assert len(handler.requests) == 3
    assert len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0


async def test_retry_after_is_honoured() -> None:
    handler = Recorder(
        httpx.Response(
            429, headers={"Retry-After": "3"}, json={"code": 20429, "message": "Too Many Requests"}
        ),
        httpx.Response(200, json=[]),
    )
    sleeps: list[float] = []
    await make(handler, sleeps).get_json("/x.json")
    assert sleeps == [3.0]


async def test_429_storm_ends_in_rate_limited_with_the_providers_message() -> None:
    handler = Recorder(httpx.Response(429, json={"code": 20429, "message": "Too Many Requests"}))
    sleeps: list[float] = []
    http = make(handler, sleeps, retry=RetryPolicy(attempts=3))
    with pytest.raises(errors.RateLimitedError) as caught:
        await http.get_json("/x.json")
    assert caught.value.code == "20429" and caught.value.message == "Too Many Requests"
    assert len(handler.requests) == 3 and len(sleeps) == 2


async def test_retry_budget_bounds_total_waiting() -> None:
    handler = Recorder(httpx.Response(429, headers={"Retry-After": "120"}))
    sleeps: list[float] = []
    with pytest.raises(errors.RateLimitedError) as caught:
        await make(handler, sleeps, retry=RetryPolicy(budget=30)).get_json("/x.json")
    assert sleeps == [] and caught.value.retry_after == 120


async def test_connect_errors_are_retried_then_typed() -> None:
    handler = Recorder(httpx.ConnectError("refused"))
    sleeps: list[float] = []
    with pytest.raises(errors.NetworkError) as caught:
        await make(handler, sleeps).get_json("/x.json")
    assert "could not connect" in str(caught.value)
    assert len(handler.requests) == 4


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (400, errors.BadRequestError),
        (401, errors.AuthError),
        (403, errors.ForbiddenError),
        (404, errors.NotFoundError),
    ],
)
async def test_statuses_map_to_typed_errors_carrying_the_provider_code(
    status: int, kind: type
) -> None:
    handler = Recorder(
        httpx.Response(
            status, json={"code": 20404, "message": "The requested resource was not found"}
        )
    )
    with pytest.raises(kind) as caught:
        await make(handler, []).get_json("/x.json")
    assert caught.value.code == "20404"
    assert "The requested resource was not found" in str(caught.value)
    assert "s3cret-token" not in str(caught.value)
    assert len(handler.requests) == 1  # not retried


async def test_a_500_to_a_get_is_retried_like_a_503_then_typed() -> None:
    handler = Recorder(httpx.Response(500, json={"code": 1, "message": "Internal error"}))
    sleeps: list[float] = []
    with pytest.raises(errors.ServerError) as caught:
        await make(handler, sleeps, retry=RetryPolicy(attempts=3)).get_json("/x.json")
    assert caught.value.status == 500 and caught.value.message == "Internal error"
    assert len(handler.requests) == 3 and len(sleeps) == 2 and sleeps[1] > sleeps[0] > 0


async def test_a_500_to_a_post_is_not_retried() -> None:
    """The POST may have taken effect (a PortSIP login, say): one try, then the typed error."""
    handler = Recorder(httpx.Response(500), httpx.Response(200, json={}))
    sleeps: list[float] = []
    with pytest.raises(errors.ServerError):
        await make(handler, sleeps).get_json("/login", method="POST", json_body={})
    assert len(handler.requests) == 1 and sleeps == []


async def test_html_error_page_and_malformed_json_are_typed() -> None:
    html = httpx.Response(200, headers={"content-type": "text/html"}, text="<html>oops</html>")
    with pytest.raises(errors.MalformedResponseError, match="expected JSON, got text/html"):
        await make(Recorder(html), []).get_json("/x.json")
    broken = httpx.Response(
        200, headers={"content-type": "application/json"}, content=b'{"calls": ['
    )
    with pytest.raises(errors.MalformedResponseError, match="not valid JSON"):
        await make(Recorder(broken), []).get_json("/x.json")
    deep = httpx.Response(200, headers={"content-type": "application/json"}, content=b"[" * 100_000)
    with pytest.raises(errors.MalformedResponseError):
        await make(Recorder(deep), []).get_json("/x.json")
    page = httpx.Response(502, headers={"content-type": "text/html"}, text="<h1>Bad gateway</h1>")
    with pytest.raises(errors.ServerError, match="HTML page"):
        await make(Recorder(page), [], retry=RetryPolicy(attempts=1)).get_json("/x.json")


async def test_credentials_go_only_to_the_configured_origin() -> None:
    handler = Recorder(httpx.Response(200, json={}))
    http = make(handler, [])
    await http.get_json("/2010-04-01/Calls.json")
    await http.get_json("https://evil.example.net/next-page.json")
    await http.get_json("https://api.example.test:8443/other-port.json")
    assert "authorization" in handler.requests[0].headers
    assert "authorization" not in handler.requests[1].headers
    assert "authorization" not in handler.requests[2].headers


async def test_redirects_to_another_host_drop_credentials() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.host == "api.example.test":
            return httpx.Response(307, headers={"Location": "https://cdn.example.net/media.wav"})
        return httpx.Response(200, content=b"RIFF")

    seen: list[httpx.Request] = []
    http = ProviderHttp(
        provider="Twilio", base_url="https://api.example.test",
        auth=httpx.BasicAuth("u", "p"), transport=httpx.MockTransport(handler),
    )  # fmt: skip
    async with http.stream("/Recordings/RE1.wav") as response:
        assert await response.aread() == b"RIFF"
    assert "authorization" in seen[0].headers
    assert seen[1].url.host == "cdn.example.net" and "authorization" not in seen[1].headers


def test_retry_after_parses_seconds_and_dates() -> None:
    assert retry_after_seconds("7") == 7.0
    assert retry_after_seconds("garbage") is None
    assert retry_after_seconds(None) is None
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


async def test_a_read_response_is_freed_without_the_cycle_collector() -> None:
    """httpx binds a response and its stream to each other; a page's body must not wait for the
    cyclic collector (callscope list runs it rarely) to be freed."""
    import gc
    import weakref

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"calls": ["x" * 1000] * 100})

    http = ProviderHttp(
        provider="Twilio",
        base_url="https://api.example.test",
        transport=httpx.MockTransport(answer),
    )
    response = await http.request("GET", "/Calls.json")
    assert response.json()["calls"][0] == "x" * 1000
    ref = weakref.ref(response)
    enabled = gc.isenabled()
    gc.disable()
    try:
        del response
        assert ref() is None
    finally:
        if enabled:
            gc.enable()
    await http.aclose()


def test_public_url_is_absolute_on_the_origin_and_carries_no_credentials() -> None:
    http = ProviderHttp(provider="Twilio", base_url="https://ACuser:s3cret@api.example.test/api/")
    assert http.public_url("/2010-04-01/Calls/CA1/Recordings.json?Page=1") == (
        "https://api.example.test/2010-04-01/Calls/CA1/Recordings.json?Page=1"
    )
    assert http.public_url("Calls.json") == "https://api.example.test/api/Calls.json"
    assert http.public_url("https://u:p@cdn.example.net/a.wav") == "https://cdn.example.net/a.wav"
