"""PortSIP's bearer-token login as an ``httpx.Auth``: log in, reuse, refresh, re-login once on 401.

The flow yields the login request itself, so every data request still goes through
:class:`tui.core.http.ProviderHttp` (retries, typed errors, origin guard). A transient login
failure (429/5xx) is handed back as the response, so ``ProviderHttp`` retries it like any other;
rejected credentials raise :class:`tui.core.errors.AuthError` with the provider's message.
Tokens and passwords never appear in a message or a log line.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncGenerator, Callable, Generator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from tui.core import errors
from tui.core.normalize import parse_int

# Login paths, relative to the base URL ``https://{host}:8887/api`` (reference §3.2).
LOGIN_PATH = "login"  # JSON {"username", "password", "domain"?} [doc, every spec since 22.0]
OAUTH_TOKEN_PATH = "login/oauth/token"  # form grant_type=password|refresh_token [doc, guide]
# The fixed public OAuth client id printed in PortSIP's authentication guide [doc].
OAUTH_CLIENT_ID = "9d806019-75b2-4b3d-bb8b-f5a3a412cc0a"
OAUTH_SCOPE = "all"
# Which login to try first (account option ``login``: "login" or "oauth"). ``/api/login`` is in
# every spec version (22.0+); the OAuth form only in the current guide [unconfirmed per version].
LOGIN_METHODS = ("login", "oauth")
DEFAULT_LOGIN = "login"
# A login endpoint answering one of these does not exist on this PBX: try the other method.
MISSING_ENDPOINT = frozenset({404, 405, 415, 501})
# Lifetime assumed when a token response has no usable ``expires_in`` (examples: 1800, 3600) [doc].
DEFAULT_EXPIRES_IN = 1800
# Refresh this long before expiry (at most a fifth of the lifetime for very short tokens).
SAFETY_MARGIN = 60.0
# Blob downloads (recording media, ``file_url`` = ``/api/blobs/…``) need no token [doc]: never
# send it there (ProviderHttp would, as the blob is on the account's origin).
PUBLIC_PATH = "blobs/"

Clock = Callable[[], float]


@dataclass(frozen=True)
class Token:
    """An access token and when to stop using it (on the injectable monotonic clock)."""

    access: str
    refresh: str | None
    renew_at: float

    def __repr__(self) -> str:  # never print the secret
        return f"Token(renew_at={self.renew_at:.0f}, refresh={'yes' if self.refresh else 'no'})"


def parse_token(body: Any, now: float) -> Token | None:
    """A token response → :class:`Token` (``None`` when it carries no access token)."""
    if not isinstance(body, Mapping):
        return None
    access = body.get("access_token")
    if not isinstance(access, str) or not access:
        return None
    try:
        lifetime = parse_int(body.get("expires_in"))
    except (ValueError, OverflowError):
        lifetime = None
    if lifetime is None or lifetime <= 0:
        lifetime = DEFAULT_EXPIRES_IN
    margin = min(SAFETY_MARGIN, lifetime / 5)
    refresh = body.get("refresh_token")
    return Token(
        access, refresh if isinstance(refresh, str) and refresh else None, now + lifetime - margin
    )


def login_error(body: Any) -> tuple[str | None, str | None]:
    """(code, message) of a failed login: PortSIP's ``errors`` list or an OAuth error object."""
    if not isinstance(body, Mapping):
        return None, None
    items = body.get("errors")
    if isinstance(items, list) and items and isinstance(items[0], Mapping):
        first = items[0]
        code, message = first.get("code"), first.get("message")
        return (
            str(code) if isinstance(code, str | int) else None,
            str(message) if isinstance(message, str) else None,
        )
    code, message = body.get("error"), body.get("error_description")  # RFC 6749 §5.2
    return (
        code if isinstance(code, str) else None,
        message if isinstance(message, str) else (code if isinstance(code, str) else None),
    )


class PortSipAuth(httpx.Auth):
    """Bearer auth that logs in on demand. One instance per account, shared by all requests."""

    def __init__(
        self,
        *,
        base_url: str,
        username: str,
        password: str,
        domain: str | None = None,
        login: str = DEFAULT_LOGIN,
        client_id: str = OAUTH_CLIENT_ID,
        provider: str = "PortSIP",
        clock: Clock = time.monotonic,
    ) -> None:
        self._base = httpx.URL(base_url.rstrip("/") + "/")
        self._public = self._base.join(PUBLIC_PATH).raw_path
        self._username = username
        self._password = password
        self._domain = domain or None
        first = login if login in LOGIN_METHODS else DEFAULT_LOGIN
        self._order = (first, *[m for m in LOGIN_METHODS if m != first])
        self._client_id = client_id
        self._provider = provider
        self._clock = clock
        self._token: Token | None = None
        self._lock = asyncio.Lock()
        self.logins = 0  # full logins sent (for tests and the status line)
        self.refreshes = 0

    def __repr__(self) -> str:
        return f"PortSipAuth(user={self._username!r}, token={self._token!r})"

    # -- the flow --------------------------------------------------------------------------

    async def async_auth_flow(
        self, request: httpx.Request
    ) -> AsyncGenerator[httpx.Request, httpx.Response]:
        if request.url.raw_path.startswith(self._public):
            yield request  # public media: no token, no login
            return
        rejected: Token | None = None  # the token a 401 refused
        for _ in range(2):  # the request, then once more after a 401 with a fresh token
            async with self._lock:  # concurrent page fetches share one login
                token = self._token
                if token is None or token is rejected or self._clock() >= token.renew_at:
                    self._token = None
                    flow = self._obtain(token or rejected)
                    step = next(flow)
                    try:
                        while True:
                            reply = yield step
                            await reply.aread()
                            step = flow.send(reply)
                    except StopIteration as done:
                        if done.value is not None:
                            return  # transient login failure: ProviderHttp retries it
                token = self._token
            if token is None:
                return
            request.headers["Authorization"] = f"Bearer {token.access}"
            response = yield request
            if response.status_code != 401:
                return
            rejected = token

    # -- obtaining a token (a sync generator the async flow drives) -------------------------

    def _obtain(
        self, old: Token | None
    ) -> Generator[httpx.Request, httpx.Response, httpx.Response | None]:
        """Refresh (if there is a refresh token) else log in; sets ``self._token``.

        Returns ``None`` on success, or the response of a transient failure (429/5xx) for the
        caller to hand back. Raises AuthError / MalformedResponseError otherwise.
        """
        if old is not None and old.refresh:
            response = yield self._refresh_request(old.refresh)
            token = parse_token(_json(response), self._clock()) if response.is_success else None
            if token is not None:
                self.refreshes += 1
                self._token = token
                return None
            # an expired/revoked refresh token: fall through to a full login
        rejected: httpx.Response | None = None
        for method in self._order:
            response = yield self._login_request(method)
            self.logins += 1
            if response.is_success:
                token = parse_token(_json(response), self._clock())
                if token is None:
                    raise errors.MalformedResponseError(
                        "the login answer carries no access_token",
                        provider=self._provider,
                        status=response.status_code,
                        url=_path(response),
                    )
                self._token = token
                return None
            if response.status_code == 429 or response.status_code >= 500:
                return response
            if self._is_rejection(response):
                raise self._auth_error(response)
            if rejected is None:
                rejected = response
        # neither method worked: report the most telling answer (not a 404 of a missing route)
        raise self._auth_error(rejected if rejected is not None else response)

    def _is_rejection(self, response: httpx.Response) -> bool:
        """The credentials were refused (no point trying the other login method)."""
        if response.status_code == 401:
            return True
        if response.status_code in MISSING_ENDPOINT:
            return False
        code, _ = login_error(_json(response))
        return (code or "").upper() in {"UNAUTHORIZED", "INVALID_GRANT", "UNAUTHORIZED_CLIENT"}

    def _auth_error(self, response: httpx.Response) -> errors.AuthError:
        code, message = login_error(_json(response))
        text = self._redact(message or f"login failed (HTTP {response.status_code})")
        return errors.AuthError(
            text,
            provider=self._provider,
            status=response.status_code,
            code=self._redact(code) if code else None,
            url=_path(response),
        )

    def _redact(self, text: str) -> str:
        """Provider text could echo a credential back: never let it reach a message."""
        for secret in (self._password, self._token.access if self._token else ""):
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text if len(text) <= 300 else text[:299] + "…"

    def _login_request(self, method: str) -> httpx.Request:
        if method == "oauth":
            form = {
                "grant_type": "password",
                "username": self._username,
                "password": self._password,
                "scope": OAUTH_SCOPE,
                "client_id": self._client_id,
            }
            if self._domain:
                form["domain"] = self._domain
            return httpx.Request("POST", self._base.join(OAUTH_TOKEN_PATH), data=form)
        body: dict[str, str] = {"username": self._username, "password": self._password}
        if self._domain:
            body["domain"] = self._domain
        return httpx.Request("POST", self._base.join(LOGIN_PATH), json=body)

    def _refresh_request(self, refresh_token: str) -> httpx.Request:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": refresh_token,
            "client_id": self._client_id,
        }
        return httpx.Request("POST", self._base.join(OAUTH_TOKEN_PATH), data=form)


def _json(response: httpx.Response) -> Any:
    try:
        return json.loads(response.content[: 64 * 1024]) if response.content else None
    except (ValueError, RecursionError, UnicodeDecodeError):
        return None


def _path(response: httpx.Response) -> str:
    return str(response.request.url.copy_with(query=None))
