"""PortSIP PBX REST API (v22.x): token login, ``/api/calllogs``, ``/api/cdrs``, recordings, blobs.

Base URL ``http://HOST:PORT/api`` (like ``https://{host}:8887/api``). Sources: providers.md §3, the
fixtures in ``tests/fixtures/providers/portsip`` (OpenAPI excerpt, the official CDR/recording
examples, about.md v22.1) and the knowledge-base guides ``authentication.md`` and
``accessing-cdrs-and-recordings.md``. Every choice for an [unconfirmed] fact is a module constant
with its source, in the module that uses it.

Tokens expire. Tests shorten the lifetime and move the clock without sleeping::

    api = emu.api("portsip")          # a PortSipAPI
    api.token_ttl = 2                 # seconds, for tokens issued from now on
    now = [1000.0]; api.clock = lambda: now[0]
    ... login ...; now[0] += 3        # the token is now expired → 401

Each emulated account is one PBX tenant: its SIP domain is ``AccountSpec.account`` and its login
user/password are ``username``/``password`` (usernames are unique, so ``domain`` is optional at
login; when given it must be the tenant's). Call logs are a pure function of the dataset record
(``ds.call``) and of cheap columns (``ds.start``/``status``/``end``/``parties``/``is_child``); the
live tail (ringing/in-progress/queued) is not listed: a PBX writes a CDR when the call ends.

Modules: this one routes and serves the resources; ``portsip_auth`` (error bodies, token
sessions: the base class), ``portsip_listing`` (query options, paging of call logs and
recordings), ``portsip_odata`` (the ``filter``/``orderby`` grammars) and ``portsip_data`` (the
tenant's call logs, ids and recordings shaped from the dataset).
"""

from __future__ import annotations

import base64
import binascii
import re
from typing import Any

from .api import AccountSpec, Context, route
from .ids import hex_id
from .media import wav
from .portsip_auth import NOT_FOUND, OAUTH_CLIENT_ID, Invalid, PortSipSessions
from .portsip_data import (
    CALLLOG_DETAIL_KEYS,
    CALLLOG_FIELDS,
    CDR_DETAIL_KEYS,
    CDR_FIELDS,
    CDR_LIST_KEYS,
    RECORDING_FIELDS,
    Row,
    Tenant,
)
from .portsip_data import RING_SLACK_S as _RING_SLACK_S
from .portsip_listing import (
    COUNT_ALWAYS,
    TOP_DEFAULT,
    Query,
    page_calls,
    page_recordings,
    parse_query,
    request_options,
)
from .portsip_odata import FieldType, format_time_us
from .wire import Request, Response, json_response

# Names other code imports from here (the tests among them).
__all__ = ["CDR_LIST_KEYS", "OAUTH_CLIENT_ID", "_RING_SLACK_S", "PortSipAPI"]


class PortSipAPI(PortSipSessions):
    """PortSIP PBX REST API. Base URL ``http://HOST:PORT/api``."""

    provider = "portsip"
    base_path = "/api"
    home_country = "AU"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)  # token sessions and tenants: see PortSipSessions
        self.by_blob_tag = {t.blob_tag: t for t in self.tenants.values()}
        both = ("GET", "POST")
        self.routes = [
            route(r"/api/login", self.login, both),
            route(r"/api/login/oauth/token", self.oauth_token, ("POST",)),
            route(r"/api/login/oauth/revoke", self.revoke, ("POST",)),
            route(r"/api/auth/refresh_token", self.refresh_json, ("POST",)),
            route(r"/api/calllogs", self.list_calllogs, both),
            route(r"/api/calllogs/(?P<id>[^/]+)", self.fetch_calllog, both),
            route(r"/api/cdrs", self.list_cdrs, both),
            route(r"/api/cdrs/(?P<id>[^/]+)", self.fetch_cdr, both),
            route(r"/api/recordings", self.list_recordings, both),
            route(r"/api/recordings/(?P<id>[^/]+)", self.fetch_recording, both),
            route(r"/api/blobs/(?P<blob>[^/]+)", self.blob, ("GET",)),
        ]
        self._lists = re.compile(r"/api/(?:calllogs|cdrs|recordings)")

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        out = []
        for i in range(count):
            label = "PortSIP (emulator)" if count == 1 else f"PortSIP {i + 1} (emulator)"
            domain = f"tenant{i + 1}.pbx.callscope.test"
            user = f"manager{i + 1}"
            password = hex_id(seed, "portsip-password", i, length=20)
            out.append(AccountSpec("portsip", label, domain, user, password, f"portsip:{i}"))
        return out

    def empty_page_loop(self, req: Request) -> Response | None:
        if self._lists.fullmatch(req.path) is None:
            return None
        skip = _lenient_int(req.params.get("skip", req.params.get("$skip")), 0)
        top = _lenient_int(req.params.get("top", req.params.get("$top")), TOP_DEFAULT)
        return json_response({"count": skip + 2 * max(top, 1), "items": []})

    def _list_query(self, req: Request, fields: dict[str, FieldType]) -> tuple[Tenant, Query]:
        """The session's tenant and the list options (raises :class:`Invalid`)."""
        return self._tenant(req), parse_query(request_options(req), fields)

    def _list(self, req: Request, fields: dict[str, FieldType], keys: tuple[str, ...]) -> Response:
        try:
            t, q = self._list_query(req, fields)
        except Invalid as e:
            return e.resp
        rows, total = page_calls(t, q)
        return _list_page(q, total or 0, [r.render(keys) for r in rows])

    def list_calllogs(self, req: Request, m: re.Match[str]) -> Response:
        return self._list(req, CALLLOG_FIELDS, tuple(CALLLOG_FIELDS))

    def list_cdrs(self, req: Request, m: re.Match[str]) -> Response:
        return self._list(req, CDR_FIELDS, CDR_LIST_KEYS)

    def _fetch(self, req: Request, cid: str) -> tuple[Row | None, Response | None]:
        try:
            t = self._tenant(req)
        except Invalid as e:
            return None, e.resp
        i = t.index_of(cid)
        if i is None:
            return None, self.error(404, NOT_FOUND[1], NOT_FOUND[0])
        return t.row(i), None

    def fetch_calllog(self, req: Request, m: re.Match[str]) -> Response:
        row, err = self._fetch(req, m["id"])
        return err or json_response(row.render(CALLLOG_DETAIL_KEYS))  # type: ignore[union-attr]

    def fetch_cdr(self, req: Request, m: re.Match[str]) -> Response:
        row, err = self._fetch(req, m["id"])
        if err is not None or row is None:
            return err or self.unauthorized()
        return json_response({"items": [row.render(CDR_DETAIL_KEYS)]})

    # -- recordings -------------------------------------------------------------------------------
    def list_recordings(self, req: Request, m: re.Match[str]) -> Response:
        try:
            t, q = self._list_query(req, RECORDING_FIELDS)
        except Invalid as e:
            return e.resp
        page, seen = page_recordings(t, q)
        items = [
            {
                k: format_time_us(int(v or 0), 3) if k in ("started_at", "ended_at") else v
                for k, v in it.items()
            }
            for it in page
        ]
        return _list_page(q, seen, items)

    def fetch_recording(self, req: Request, m: re.Match[str]) -> Response:
        try:
            t = self._tenant(req)
        except Invalid as e:
            return e.resp
        ref = t.recording_of(m["id"])
        if ref is None:
            return self.error(404, NOT_FOUND[1], NOT_FOUND[0])
        i, k, start, end = ref
        row = t.row(i)
        return json_response(
            {
                "items": [
                    {
                        "caller": row.get("caller"),
                        "callee": row.get("callee"),
                        "started_at": format_time_us(start, 3),
                        "ended_at": format_time_us(end, 3),
                        "duration": (end - start) // 1_000_000,
                        "file_name": t.file_name(i, start),
                        "file_size": len(wav(i * 4 + k)),
                        "file_url": f"{self.base_path}/blobs/{t.blob(i, k)}",
                    }
                ]
            }
        )

    def blob(self, req: Request, m: re.Match[str]) -> Response:
        """The recording's audio. No token: the opaque name is the credential (documented)."""
        try:
            raw = base64.urlsafe_b64decode(m["blob"] + "=" * (-len(m["blob"]) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        t = self.by_blob_tag.get(raw[16:]) if len(raw) == 24 else None
        value = t.blob_codec.decode(raw[:16].hex()) if t is not None else None
        if t is None or value is None:
            return self.error(404, NOT_FOUND[1], NOT_FOUND[0])
        i, k = divmod(value, 4)
        if i >= t.n or k >= self.ctx.dataset.recording_count(t.key, i):
            return self.error(404, NOT_FOUND[1], NOT_FOUND[0])
        return Response(200, wav(i * 4 + k), "audio/x-wav")


def _list_page(q: Query, total: int, items: list[dict[str, Any]]) -> Response:
    """A list body: ``count`` (when asked for) and the page's ``items``."""
    payload: dict[str, Any] = {}
    if q.count or COUNT_ALWAYS:
        payload["count"] = total
    payload["items"] = items
    return json_response(payload)


def _lenient_int(raw: str | None, default: int) -> int:
    try:
        return max(0, min(int(raw or default), 10**9))
    except ValueError:
        return default
