"""The HTTP layer: one reused ``httpx.AsyncClient`` per account, retries and typed errors.

Everything an adapter sends goes through :class:`ProviderHttp`. It retries 429, 502, 503, 504
(and, for a GET, 500) and transport failures with exponential backoff and jitter (honouring
``Retry-After``), bounded in attempts and in total time; it turns every failure into one
:mod:`tui.core.errors` type carrying the provider's own code and message (parsed by the
adapter's ``parse_error``); and it sends credentials only to the account's configured origin —
an absolute next-page, link or redirect URL on another host is fetched without them.
"""

from __future__ import annotations

import asyncio
import email.utils
import functools
import json
import logging
import random
import ssl
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpcore
import httpx

from tui.core import errors, fastjson
from tui.core.normalize import short_repr

log = logging.getLogger("callscope.http")

# httpcore reads a response 64 KiB at a time and passes each piece through h11 and three
# generator layers; a 1000-call Twilio page is 2 MB. Up to 256 KiB a read (what an asyncio socket
# hands over at once) costs ~5% fewer instructions per listed call. httpcore has no setting for
# it, so the class constant is raised, once, if it is there and smaller.
READ_BYTES = 256 * 1024
if getattr(httpcore.AsyncHTTP11Connection, "READ_NUM_BYTES", READ_BYTES) < READ_BYTES:
    httpcore.AsyncHTTP11Connection.READ_NUM_BYTES = READ_BYTES

USER_AGENT = "callscope/0.1 (+https://github.com/callscope)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Retried only when the request is idempotent: a 500 mid-walk is often one bad moment of the
# provider (Exotel answers 500 now and then), but a POST that failed with 500 may have happened.
IDEMPOTENT_RETRY_STATUSES = frozenset({500})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD"})
_MAX_ERROR_BODY = 64 * 1024
# Far below Python's own limit: deeply nested JSON from a hostile server fails fast and typed.
_MAX_JSON_DEPTH_ERRORS = (RecursionError, ValueError, UnicodeDecodeError, TypeError)


@dataclass(frozen=True)
class ErrorInfo:
    """What an adapter reads out of a provider's error body."""

    code: str | None = None
    message: str | None = None
    detail: str | None = None
    # Overrides the class chosen by HTTP status (e.g. Fone Dynamics' CALL_NOT_FOUND on a 400).
    kind: type[errors.ProviderError] | None = None


ErrorParser = Callable[[httpx.Response, Any], ErrorInfo]


def no_error_body(response: httpx.Response, body: Any) -> ErrorInfo:
    return ErrorInfo()


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries: at most ``attempts`` tries and ``budget`` seconds of waiting in all."""

    attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    budget: float = 30.0
    jitter: float = 0.25  # ± fraction of each delay, so clients don't retry in lockstep
    statuses: frozenset[int] = RETRY_STATUSES
    idempotent_statuses: frozenset[int] = IDEMPOTENT_RETRY_STATUSES

    def retries(self, method: str, status: int) -> bool:
        """Whether an answer with ``status`` to a ``method`` request is worth another try."""
        if status in self.statuses:
            return True
        return status in self.idempotent_statuses and method.upper() in IDEMPOTENT_METHODS

    def delay(self, attempt: int, rng: random.Random) -> float:
        base = min(self.max_delay, self.base_delay * (2**attempt))
        return float(max(0.0, base * (1 + rng.uniform(-self.jitter, self.jitter))))


@dataclass
class HttpStats:
    """Counters the UI and benchmarks read (requests sent, retries, bytes)."""

    requests: int = 0
    retries: int = 0
    bytes: int = 0
    last_retry_reason: str = ""
    retry_log: list[str] = field(default_factory=list)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds or an HTTP date; ``None`` if absent/garbage."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


@functools.cache
def tls_context(*, verified: bool = True) -> ssl.SSLContext:
    """One TLS context per process: loading the CA bundle costs ~20 ms per client otherwise.

    An ``http://`` account (the emulator, a lab PBX) already sends everything in clear, so its
    client gets a context without the CA bundle; ``https://`` accounts are always verified.
    """
    if verified:
        return httpx.create_ssl_context()
    return httpx.create_ssl_context(verify=False)


def origin_of(url: httpx.URL) -> tuple[str, str, int | None]:
    port = url.port or {"http": 80, "https": 443}.get(url.scheme)
    return (url.scheme, url.host, port)


class ProviderHttp:
    """One account's HTTP client. Create once, reuse for every request, ``aclose()`` at exit."""

    def __init__(
        self,
        *,
        provider: str,
        base_url: str,
        auth: httpx.Auth | None = None,
        parse_error: ErrorParser = no_error_body,
        timeout: httpx.Timeout | None = None,
        retry: RetryPolicy | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        headers: Mapping[str, str] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        seed: int | None = None,
    ) -> None:
        self.provider = provider
        self.base_url = httpx.URL(base_url.rstrip("/") + "/")
        self.origin = origin_of(self.base_url)
        self.auth = auth
        self.parse_error = parse_error
        self.retry = retry or RetryPolicy()
        self.stats = HttpStats()
        self._sleep = sleep
        self._rng = random.Random(seed)
        self.client = httpx.AsyncClient(
            verify=tls_context(verified=self.base_url.scheme == "https"),
            timeout=timeout or httpx.Timeout(20.0, connect=5.0),
            transport=transport,
            headers={"User-Agent": USER_AGENT, "Accept": "application/json", **(headers or {})},
            follow_redirects=True,
            event_hooks={"request": [self._guard_credentials]},
            limits=httpx.Limits(max_connections=8, max_keepalive_connections=8),
        )

    # -- URLs and the origin guard -----------------------------------------------------------

    def url(self, target: str | httpx.URL) -> httpx.URL:
        """Resolve a path (relative to the base URL, or absolute on its host) or a full URL."""
        if isinstance(target, httpx.URL):
            return target
        if target.startswith(("http://", "https://")):
            return httpx.URL(target)
        if target.startswith("/"):
            return self.base_url.copy_with(raw_path=target.encode("ascii", "ignore"))
        return self.base_url.join(target)

    def public_url(self, target: str | httpx.URL) -> str:
        """``target`` as an absolute URL to show or hand out (copy): resolved as :meth:`url`
        resolves it, without userinfo (a configured base URL may carry the credentials)."""
        return str(self.url(target).copy_with(username=None, password=None))

    def is_own(self, url: httpx.URL) -> bool:
        return origin_of(url) == self.origin

    async def _guard_credentials(self, request: httpx.Request) -> None:
        # Runs before every hop, redirects included: never let a credential leave the origin.
        if not self.is_own(request.url):
            for name in ("Authorization", "Cookie", "Proxy-Authorization"):
                request.headers.pop(name, None)

    # -- requests --------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        target: str | httpx.URL,
        *,
        params: Any = None,
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
        authenticated: bool = True,
    ) -> httpx.Response:
        """Send with retries; return a 2xx response (body read) or raise a typed error."""
        url = self.url(target)
        use_auth: Any = self.auth if (authenticated and self.is_own(url)) else None
        started = time.monotonic()
        waited = 0.0
        attempt = 0
        while True:
            try:
                self.stats.requests += 1
                response = await self.client.request(
                    method, url, params=params, json=json_body, data=data, auth=use_auth
                )
                self.stats.bytes += len(response.content)
            except httpx.TimeoutException as exc:
                failure: errors.ProviderError = errors.NetworkError(
                    _timeout_text(exc), provider=self.provider, url=_safe_url(url)
                )
            except httpx.TransportError as exc:
                failure = errors.NetworkError(
                    _transport_text(exc), provider=self.provider, url=_safe_url(url)
                )
            except errors.ProviderError:
                raise  # raised by an auth flow (PortSIP login), already typed
            else:
                if response.is_success:
                    _unbind(response)
                    return response
                failure = self.error_from(response)
                if not self.retry.retries(method, response.status_code):
                    raise failure
            attempt += 1
            delay = self.retry.delay(attempt - 1, self._rng)
            if isinstance(failure, errors.RateLimitedError) and failure.retry_after is not None:
                delay = failure.retry_after
            spent = time.monotonic() - started
            if attempt >= self.retry.attempts or waited + delay > self.retry.budget:
                raise failure
            self.stats.retries += 1
            self.stats.last_retry_reason = failure.summary()
            log.info("retry %d in %.2fs after %s", attempt, delay, failure.summary())
            waited += delay
            del spent
            await self._sleep(delay)

    def error_from(self, response: httpx.Response) -> errors.ProviderError:
        """Map a non-2xx response to the typed error, with the provider's code and message."""
        status = response.status_code
        body: Any = None
        content = response.content[:_MAX_ERROR_BODY]
        try:
            body = json.loads(content) if content else None
        except _MAX_JSON_DEPTH_ERRORS:
            body = None
        try:
            info = self.parse_error(response, body)
        except Exception:  # a hostile error body must not break error reporting
            info = ErrorInfo()
        message = info.message
        if not message:
            content_type = response.headers.get("content-type", "")
            if "html" in content_type:
                message = f"the provider answered with an HTML page ({_reason(response)})"
            else:
                message = _reason(response)
        kind = info.kind or _kind_for_status(status)
        kwargs: dict[str, Any] = {
            "provider": self.provider,
            "status": status,
            "code": info.code,
            "detail": info.detail,
            "url": _safe_url(response.request.url) if response.request else None,
        }
        if kind is errors.RateLimitedError:
            return errors.RateLimitedError(
                message,
                retry_after=retry_after_seconds(response.headers.get("retry-after")),
                **kwargs,
            )
        return kind(message, **kwargs)

    async def get_json(
        self,
        target: str | httpx.URL,
        *,
        params: Any = None,
        method: str = "GET",
        json_body: Any = None,
        data: Mapping[str, str] | None = None,
    ) -> Any:
        """Request and decode a JSON body; anything that is not JSON is a typed malformed error."""
        response = await self.request(method, target, params=params, json_body=json_body, data=data)
        return self.decode(response)

    def decode(self, response: httpx.Response) -> Any:
        content_type = response.headers.get("content-type", "")
        if content_type and "json" not in content_type and "javascript" not in content_type:
            raise errors.MalformedResponseError(
                f"expected JSON, got {content_type.split(';')[0]}",
                provider=self.provider,
                status=response.status_code,
                url=_safe_url(response.request.url),
            )
        try:
            return fastjson.loads(response.content)
        except _MAX_JSON_DEPTH_ERRORS as exc:
            raise errors.MalformedResponseError(
                f"the body is not valid JSON ({_json_problem(exc)}, {len(response.content)} bytes)",
                provider=self.provider,
                status=response.status_code,
                url=_safe_url(response.request.url),
            ) from None

    @asynccontextmanager
    async def stream(
        self, target: str | httpx.URL, *, authenticated: bool = True
    ) -> AsyncIterator[httpx.Response]:
        """Stream a download (recording media). Credentials only if the URL is on the origin."""
        url = self.url(target)
        use_auth: Any = self.auth if (authenticated and self.is_own(url)) else None
        try:
            async with self.client.stream("GET", url, auth=use_auth) as response:
                if not response.is_success:
                    await response.aread()
                    raise self.error_from(response)
                yield response
        except httpx.TimeoutException as exc:
            raise errors.NetworkError(_timeout_text(exc), provider=self.provider) from None
        except httpx.TransportError as exc:
            raise errors.NetworkError(_transport_text(exc), provider=self.provider) from None

    async def aclose(self) -> None:
        await self.client.aclose()


_SPENT = httpx.ByteStream(b"")


def _unbind(response: httpx.Response) -> None:
    """Let reference counting free a read response (and its body) as soon as it is dropped.

    httpx binds the response and its stream to each other (the stream records the elapsed time
    on close): a cycle, so a page's body (up to megabytes) lived until the cyclic collector ran,
    which ``callscope list`` makes rare. The body is read and the stream closed by now; the
    stream is replaced by an empty one.
    """
    if response.is_stream_consumed and response.is_closed:
        response.stream = _SPENT


def _kind_for_status(status: int) -> type[errors.ProviderError]:
    if status == 401:
        return errors.AuthError
    if status == 403:
        return errors.ForbiddenError
    if status == 404:
        return errors.NotFoundError
    if status == 429:
        return errors.RateLimitedError
    if status >= 500:
        return errors.ServerError
    return errors.BadRequestError


def _reason(response: httpx.Response) -> str:
    try:
        return response.reason_phrase or f"HTTP {response.status_code}"
    except Exception:
        return f"HTTP {response.status_code}"


def _safe_url(url: httpx.URL) -> str:
    """The URL without userinfo or query (queries can be long; userinfo can hold secrets)."""
    return str(url.copy_with(username=None, password=None, query=None))


def _timeout_text(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "timed out connecting to the provider"
    if isinstance(exc, httpx.ReadTimeout):
        return "timed out waiting for the provider's answer"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a free connection"
    return "timed out"


def _transport_text(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "could not connect to the provider"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "the connection broke mid-answer (reset or truncated)"
    if isinstance(exc, httpx.ReadError):
        return "the connection was reset while reading"
    return f"transport failure ({type(exc).__name__})"


def _json_problem(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return f"{exc.msg} at byte {exc.pos}"
    return short_repr(str(exc))
