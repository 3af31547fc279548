"""PortSIP's error bodies and token sessions: login, OAuth token, refresh, revoke.

:class:`PortSipSessions` is the base of :class:`~tui.emulator.portsip.PortSipAPI`: it answers the
auth routes, keeps the issued access/refresh tokens and maps a request's bearer token to its
tenant. Sources: ``authentication.md`` (login, OAuth, refresh bodies) and about.md's error table;
the choices for undocumented facts are the constants below.
"""

from __future__ import annotations

import base64
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from .api import AccountSpec, Context, ProviderAPI
from .ids import hex_id
from .portsip_data import Tenant
from .wire import Request, Response, json_response

# -- documented values ----------------------------------------------------------------------------
OAUTH_CLIENT_ID = "9d806019-75b2-4b3d-bb8b-f5a3a412cc0a"  # authentication.md: "always" this value
DEFAULT_TOKEN_TTL = 1800  # authentication.md examples: "expires_in": 1800 (about.md shows 3600)
LOGIN_FAILED = ("UNAUTHORIZED", "Login failed, authentication error")  # authentication.md
LOGIN_FAILED_STATUS = 400  # shown under the "400" tab of authentication.md [unconfirmed: 401?]
REFRESH_FAILED = ("UNKNOWN", "unknown error")  # authentication.md, refresh "400" tab
VALIDATE_FAILED = ("VALIDATE_FAILED", "field validation failed")  # about.md error table
# Bearer failures: no documented body; the errors[] envelope with the login's code, status 401
# (providers.md §3.6: "401 on GET /api/login when not logged in").
TOKEN_INVALID = ("UNAUTHORIZED", "access token is invalid or expired")
NOT_FOUND = ("NOT_FOUND", "resource not found")  # no documented code for an unknown id
REFRESH_TOKEN_TTL = 30 * 86400  # not documented
ROTATE_REFRESH_TOKENS = True  # a refresh returns a new refresh_token and retires the old one
SESSION_ROLE = "Admin"  # tenant Admin: sees tenant-wide CDRs (accessing-cdrs-and-recordings.md)


class Invalid(Exception):
    """A request answered with ``resp`` (an error body) instead of its resource."""

    def __init__(self, resp: Response) -> None:
        self.resp = resp


@dataclass(slots=True)
class _Session:
    spec: AccountSpec
    expires: float
    refresh: str


def validate_failed(detail: str) -> Response:
    """The 400 ``VALIDATE_FAILED`` body with ``detail`` (a bad option, body or field)."""
    code, message = VALIDATE_FAILED
    return json_response({"errors": [{"code": code, "message": message, "detail": detail}]}, 400)


class PortSipSessions(ProviderAPI):
    """Error bodies, token auth and the tenants of the PortSIP API (see ``PortSipAPI``)."""

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.token_ttl: float = DEFAULT_TOKEN_TTL  # seconds, for tokens issued from now on
        self.clock: Callable[[], float] = time.time  # injectable: tests move time by hand
        self.tenants = {a.account: Tenant(ctx.dataset, a) for a in ctx.accounts}
        self.by_user = {a.username: a for a in ctx.accounts}
        self._sessions: dict[str, _Session] = {}
        self._refresh: dict[str, tuple[AccountSpec, float]] = {}
        self._issued = 0

    # -- errors -----------------------------------------------------------------------------------
    def error(self, status: int, message: str, code: int | str | None = None) -> Response:
        if code is None:
            code = {400: "VALIDATE_FAILED", 401: "UNAUTHORIZED", 404: NOT_FOUND[0]}.get(
                status, "UNKNOWN"
            )
        entry: dict[str, Any] = {"code": str(code), "message": message}
        if code == "UNKNOWN" and message != REFRESH_FAILED[1]:
            entry = {"code": "UNKNOWN", "message": REFRESH_FAILED[1], "detail": message}
        return json_response({"errors": [entry]}, status)

    def unauthorized(self) -> Response:
        resp = self.error(401, TOKEN_INVALID[1], TOKEN_INVALID[0])
        resp.headers.append(("WWW-Authenticate", 'Bearer realm="PortSIP PBX"'))
        return resp

    def _validate(self, detail: str) -> Response:
        return validate_failed(detail)

    # -- auth -------------------------------------------------------------------------------------
    def _issue(self, spec: AccountSpec) -> Response:
        self._issued += 1
        now = self.clock()
        if len(self._sessions) > 10_000:
            self._sessions = {k: s for k, s in self._sessions.items() if s.expires > now}
        access = _token(self.ctx.dataset.seed, "access", self._issued)
        refresh = _token(self.ctx.dataset.seed, "refresh", self._issued)
        self._sessions[access] = _Session(spec, now + self.token_ttl, refresh)
        self._refresh[refresh] = (spec, now + REFRESH_TOKEN_TTL)
        return json_response(
            {
                "access_token": access,
                "expires_in": int(self.token_ttl),
                "refresh_token": refresh,
                "token_type": "Bearer",
            }
        )

    def _check_login(self, fields: dict[str, Any]) -> AccountSpec | None:
        user, password, domain = (
            fields.get("username"),
            fields.get("password"),
            fields.get("domain"),
        )
        spec = self.by_user.get(user) if isinstance(user, str) else None
        if spec is None or not isinstance(password, str) or password != spec.password:
            return None
        if domain not in (None, "") and domain != spec.account:
            return None
        return spec

    def _login_failed(self) -> Response:
        return self.error(LOGIN_FAILED_STATUS, LOGIN_FAILED[1], LOGIN_FAILED[0])

    def _session(self, req: Request) -> _Session | None:
        token = req.bearer()
        s = self._sessions.get(token or "")
        if s is None or s.expires <= self.clock():
            return None
        return s

    def login(self, req: Request, m: re.Match[str]) -> Response:
        if req.method == "GET":
            s = self._session(req)
            if s is None:
                return self.unauthorized()
            remaining = max(0, int(s.expires - self.clock()))
            expires_at = datetime.fromtimestamp(int(s.expires), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            return json_response(
                {
                    "access_token": req.bearer(),
                    "expires_at": expires_at,
                    "expires_in": remaining,
                    "role": SESSION_ROLE,
                }
            )
        try:
            body = json_object(req.body)
        except ValueError as e:
            return self._validate(str(e))
        for name in ("username", "password"):
            if not isinstance(body.get(name), str) or not body[name]:
                return self._validate(f"{name} is required")
        spec = self._check_login(body)
        return self._issue(spec) if spec else self._login_failed()

    def oauth_token(self, req: Request, m: re.Match[str]) -> Response:
        try:
            form = dict(parse_qsl(req.body.decode("utf-8"), keep_blank_values=True))
        except UnicodeDecodeError:
            return self._validate("the body must be application/x-www-form-urlencoded")
        if form.get("client_id") != OAUTH_CLIENT_ID:
            return self._validate("client_id is missing or unknown")
        grant = form.get("grant_type")
        if grant == "password":
            if not form.get("username") or not form.get("password"):
                return self._validate("username and password are required")
            spec = self._check_login(form)
            return self._issue(spec) if spec else self._login_failed()
        if grant == "refresh_token":
            return self._use_refresh(form.get("refresh_token"))
        return self._validate("grant_type must be password or refresh_token")

    def refresh_json(self, req: Request, m: re.Match[str]) -> Response:
        try:
            body = json_object(req.body)
        except ValueError as e:
            return self._validate(str(e))
        return self._use_refresh(body.get("refresh_token"))

    def _use_refresh(self, token: object) -> Response:
        entry = self._refresh.get(token) if isinstance(token, str) else None
        if entry is None or entry[1] <= self.clock():
            return self.error(400, REFRESH_FAILED[1], REFRESH_FAILED[0])
        if ROTATE_REFRESH_TOKENS:
            del self._refresh[token]  # type: ignore[arg-type]
        return self._issue(entry[0])

    def revoke(self, req: Request, m: re.Match[str]) -> Response:
        s = self._session(req)
        if s is None:
            return self.unauthorized()
        self._sessions.pop(req.bearer() or "", None)
        self._refresh.pop(s.refresh, None)
        return Response(200, b"")

    def _tenant(self, req: Request) -> Tenant:
        s = self._session(req)
        if s is None:
            raise Invalid(self.unauthorized())
        return self.tenants[s.spec.account]


def _token(seed: int, kind: str, n: int) -> str:
    """Like the documented tokens: base64 of a UUID-ish string, upper-cased, no padding."""
    h = hex_id(seed, "portsip", kind, n, length=32)
    text = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"[:35]
    return base64.b64encode(text.encode()).decode().rstrip("=").upper()


def json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value
