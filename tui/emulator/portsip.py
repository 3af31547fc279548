"""PortSIP PBX REST API (v22.x): token login, ``/api/calllogs``, ``/api/cdrs``, recordings, blobs.

Base URL ``http://HOST:PORT/api`` (like ``https://{host}:8887/api``). Sources: providers.md §3, the
fixtures in ``tests/fixtures/providers/portsip`` (OpenAPI excerpt, the official CDR/recording
examples, about.md v22.1) and the knowledge-base guides ``authentication.md`` and
``accessing-cdrs-and-recordings.md``. Every choice for an [unconfirmed] fact is a module constant
below with its source.

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
"""

from __future__ import annotations

import base64
import binascii
import functools
import heapq
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import parse_qsl

from .api import AccountSpec, Context, ProviderAPI, route
from .dataset import MAX_DURATION, Core, Dataset
from .ids import SidCodec, hex_id, mix64, stable_hash
from .media import wav
from .portsip_odata import (
    Compare,
    FieldType,
    Node,
    QueryError,
    Value,
    conjuncts,
    evaluate,
    format_time_us,
    parse_filter,
    parse_orderby,
)
from .wire import Request, Response, json_response

# -- documented values ----------------------------------------------------------------------------
OAUTH_CLIENT_ID = "9d806019-75b2-4b3d-bb8b-f5a3a412cc0a"  # authentication.md: "always" this value
DEFAULT_TOKEN_TTL = 1800  # authentication.md examples: "expires_in": 1800 (about.md shows 3600)
TOP_MAX = 100  # OpenAPI /recordings: top int32 1..100, default 100; applied to every list [infer]
TOP_DEFAULT = 100
LOGIN_FAILED = ("UNAUTHORIZED", "Login failed, authentication error")  # authentication.md
LOGIN_FAILED_STATUS = 400  # shown under the "400" tab of authentication.md [unconfirmed: 401?]
REFRESH_FAILED = ("UNKNOWN", "unknown error")  # authentication.md, refresh "400" tab
VALIDATE_FAILED = ("VALIDATE_FAILED", "field validation failed")  # about.md error table
# -- choices for [unconfirmed] facts (providers.md §8.2) -----------------------------------------
# skip: the declared schema says int >= 0 default 0; the prose says "1-based" (about.md). 0-based.
SKIP_BASE = 0
# count: about.md "Count" says clients *request* the total with count=true; the examples always
# show it. The total is therefore present only when asked for (count=true).
COUNT_ALWAYS = False
# Order without orderby: both official list examples (cdrs_list, recordings_list) are newest
# first; about.md only shows an explicit orderby. A term without asc/desc is ascending (OData).
DEFAULT_ORDER: tuple[tuple[str, bool], ...] = (("started_at", True),)
# Bearer failures: no documented body; the errors[] envelope with the login's code, status 401
# (providers.md §3.6: "401 on GET /api/login when not logged in").
TOKEN_INVALID = ("UNAUTHORIZED", "access token is invalid or expired")
NOT_FOUND = ("NOT_FOUND", "resource not found")  # no documented code for an unknown id
REFRESH_TOKEN_TTL = 30 * 86400  # not documented
ROTATE_REFRESH_TOKENS = True  # a refresh returns a new refresh_token and retires the old one
SESSION_ROLE = "Admin"  # tenant Admin: sees tenant-wide CDRs (accessing-cdrs-and-recordings.md)
# file_name "877828121322061824_878156644691742720_102_45060_08202024_140059.wav" of a call that
# started 06:00:59Z: the second segment is the CDR id, the stamp is the PBX's local time (UTC+8).
PBX_UTC_OFFSET_HOURS = 8
SEARCH_FIELDS = ("caller", "callee", "caller_display_name", "callee_display_name", "did_cid")
QUIRK_END_REASON = "CALLER_DISCONNECT"  # official cdrs example, outside the documented enum
QUIRK_PERCENT = 10  # share of caller-disconnected calls that carry the quirky value

_T: FieldType = "time"
CALLLOG_FIELDS: dict[str, FieldType] = {
    "id": "str",
    "session_id": "str",
    "caller": "str",
    "caller_domain": "str",
    "caller_display_name": "str",
    "callee": "str",
    "callee_domain": "str",
    "callee_display_name": "str",
    "started_at": _T,
    "rang_at": _T,
    "answered_at": _T,
    "ended_at": _T,
    "call_id": "str",
    "direction": "str",
    "end_reason": "str",
    "reroute_reason": "str",
    "status_code": "int",
    "destination": "str",
    "outbound_caller_id": "str",
    "did_cid": "str",
    "trunk": "str",
    "duration": "int",
    "service_number": "str",
    "user_data": "str",
}
CDR_FIELDS = {k: v for k, v in CALLLOG_FIELDS.items() if k != "session_id"}
# /cdrs list items: exactly the keys of the official example (cdrs_list.docs_example.json).
CDR_LIST_KEYS = tuple(k for k in CDR_FIELDS if k not in ("service_number", "user_data"))
# Detail (OpenAPI /calllogs/{id}): summary + cost, billed_account, in the spec's order.
CALLLOG_DETAIL_KEYS = (
    *[k for k in CALLLOG_FIELDS if k not in ("service_number", "user_data")],
    "cost",
    "billed_account",
    "service_number",
    "user_data",
)
CDR_DETAIL_KEYS = tuple(k for k in CALLLOG_DETAIL_KEYS if k not in ("id", "session_id"))
RECORDING_FIELDS: dict[str, FieldType] = {
    "id": "str",
    "caller": "str",
    "callee": "str",
    "started_at": _T,
    "ended_at": _T,
}
_HEAVY = frozenset(
    {"answered_at", "duration", "caller_display_name", "callee_display_name", "cost"}
)
_HEAVY_ALL = _HEAVY | {"billed_account"}
_TIME_FIELDS = frozenset(k for k, v in CALLLOG_FIELDS.items() if v == "time")

_EPOCH_MS = int(datetime(2018, 1, 1, tzinfo=UTC).timestamp() * 1000)  # snowflake-like ids
_LOW_BITS = 22
_IDX_MOD = 1 << (_LOW_BITS - 1)
_RING_SLACK_S = 120  # answer - start is below this for every dataset call (a test checks)
_REC_RESUME_MAX_S = 60  # a second recording resumes at most this long after the answer
_REC_LAG_US = (_RING_SLACK_S + _REC_RESUME_MAX_S + 2) * 1_000_000
_EXT_BASE, _EXT_COUNT = 101, 20
_EXT_NAMES = (
    "Kelly Cruickshank", "Lucas Heidenreich", "Dwayne Turcotte", "Amara Okafor", "Sven Lindqvist",
    "Priya Raman", "Tomás Ortega", "Mei Chen", "Olga Petrova", "Noah Williams",
    "Fatima Zahra", "Liam O'Connor", "Yuki Tanaka", "Chloé Martin", "Ravi Patel",
    "Grace Kim", "Jonas Weber", "Aisha Bello", "Mateo Rossi", "Emma Johansson",
)  # fmt: skip
_TRUNKS = (("telstra-sip", "sip.telstra.example"), ("twilio-elastic", "callscope.pstn.example"),
           ("bandwidth-1", "bw-trunk.example.net"))  # fmt: skip
_EXT_NAME_OF = {str(_EXT_BASE + j): name for j, name in enumerate(_EXT_NAMES)}
_FAILED_CODES = (403, 404, 488, 500, 503, 603)
_INTERNAL_PERCENT = 18


class _Invalid(Exception):
    def __init__(self, resp: Response) -> None:
        self.resp = resp


@dataclass(slots=True)
class _Session:
    spec: AccountSpec
    expires: float
    refresh: str


def _strip(addr: str) -> tuple[str, str | None]:
    """A dataset address → (PortSIP number/user, its domain if it names one)."""
    if addr.startswith("sip:"):
        user, _, host = addr[4:].partition("@")
        return user.lstrip("+"), host.split(";")[0] or None
    if addr.startswith("client:"):
        return addr[7:], None
    return addr.lstrip("+"), None


def _status_code(status: str, h: int) -> int:
    """SIP final code: 0 when answered (official example), else by the neutral status."""
    return {
        "completed": 0,
        "busy": 600 if (h >> 12) % 8 == 0 else 486,
        "no-answer": 408 if (h >> 12) % 5 == 0 else 480,
        "canceled": 487,
    }.get(status, _FAILED_CODES[(h >> 12) % len(_FAILED_CODES)])


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _call_id(h: int) -> str:
    raw = (mix64(h ^ 0xCA11) ^ (mix64(h ^ 0x1D) << 64)).to_bytes(16, "big")
    # base64.urlsafe_b64encode without its Python-level wrappers (one per listed call).
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).decode().rstrip("=") + ".."


class _Tenant:
    """The PortSIP view of one account's calls: cheap columns, ids, rows, recordings."""

    def __init__(self, ds: Dataset, spec: AccountSpec) -> None:
        self.ds, self.spec, self.key = ds, spec, spec.key
        self.kh = stable_hash(ds.seed, spec.key, "portsip")
        self.tenant_id = str((mix64(self.kh) % (1 << 40)) << 22 | 1)  # file_name's first segment
        self.blob_codec = SidCodec(ds.seed, spec.key, "portsip-blob")
        self.blob_tag = stable_hash(ds.seed, spec.key, "portsip-blob-tag").to_bytes(8, "big")

    @functools.cached_property
    def own(self) -> frozenset[str]:
        """The tenant's own numbers (DIDs), read from the records' ``endpoint``/``exophone``."""
        found: set[str] = set()
        for j in range(min(self.ds.count(self.key), 64)):
            c = self.ds.call(self.key, j)
            found.update((c.endpoint, c.exophone))
        return frozenset(found)

    @property
    def n(self) -> int:
        """Listed calls: every ended call (the live tail has no CDR yet)."""
        return self.ds.live_from(self.key)

    def h(self, i: int) -> int:
        return mix64(self.kh + i)

    # -- exact times ------------------------------------------------------------------------------
    def start_us(self, i: int, s: int | None = None) -> int:
        """Start in µs; strictly increasing in ``i`` (sub-second parts grow within a second).

        ``s`` is the call's start in seconds when the caller already has it."""
        ds, key = self.ds, self.key
        if s is None:
            s = ds.start(key, i)
        assert s is not None
        k = i
        # start(k - 1) <= slot(k - 1): a slot before s rules out a tie without the full start.
        while k > 0 and i - k < 10_000 and ds.slot(key, k - 1) >= s and ds.start(key, k - 1) == s:
            k -= 1
        micro = self.h(k) % 500_000
        for m in range(k + 1, i + 1):
            micro += 1 + self.h(m) % 1000
        return s * 1_000_000 + min(micro, 999_999)

    def first_at_or_after(self, t_us: int) -> int:
        """Smallest listed index whose start is >= ``t_us`` (``n`` if none)."""
        n = self.n
        i = min(self.ds.first_index_at_or_after(self.key, t_us // 1_000_000), n)
        while i < n and self.start_us(i) < t_us:
            i += 1
        return i

    # -- ids --------------------------------------------------------------------------------------
    def _snowflake(self, us: int, value: int, tag: int) -> str:
        ms = max(0, us // 1000 - _EPOCH_MS)
        return str(ms << _LOW_BITS | (value % _IDX_MOD) << 1 | tag)

    def call_id(self, i: int) -> str:
        return self._snowflake(self.start_us(i), i, 0)

    def session_id(self, i: int) -> str:
        root = i - 1 if self.ds.is_child(self.key, i) else i
        return self._snowflake(self.start_us(root), root, 1)

    def index_of(self, cid: str) -> int | None:
        if not cid.isdigit() or len(cid) > 19:
            return None
        v = int(cid)
        if v & 1:
            return None
        i = (v & ((1 << _LOW_BITS) - 1)) >> 1
        while i < self.n:
            if self.call_id(i) == cid:
                return i
            i += _IDX_MOD
        return None

    # -- rows -------------------------------------------------------------------------------------
    def cheap(self, i: int, c: Core | None = None) -> dict[str, Value]:
        """The fields computable from the dataset's O(1) columns (``c``: call ``i``'s)."""
        ds, key, h = self.ds, self.key, self.h(i)
        if c is None:
            c = ds.core(key, i)
        status = c.status
        child = c.is_child
        parent = c.has_child
        frm, to = c.from_, c.to
        ext_a = _EXT_BASE + (h >> 8) % _EXT_COUNT
        trunk, trunk_host = _TRUNKS[(h >> 24) % len(_TRUNKS)]
        tenant = self.spec.account
        caller, caller_dom, callee, callee_dom = "", tenant, "", tenant
        did = destination = outbound_cid = ""
        if child:  # a transfer leg of the inbound call i - 1 (same session)
            caller, dom = _strip(frm)
            caller_dom = dom or trunk_host
            did = _strip(ds.parties(key, i - 1)[1])[0]
            user, _ = _strip(to)
            if user.isdigit() and len(user) > 6:
                direction, callee, callee_dom = "INBOUND_OUTBOUND_CALL", user, trunk_host
                destination = user
            else:
                direction = "INBOUND_CALL"
                callee = str(_EXT_BASE + stable_hash(to) % _EXT_COUNT)
        elif not parent and h % 100 < _INTERNAL_PERCENT:
            direction, trunk = "EXTENSION_CALL", ""
            ext_b = _EXT_BASE + (ext_a - _EXT_BASE + 1 + (h >> 16) % (_EXT_COUNT - 1)) % _EXT_COUNT
            caller, callee = str(ext_a), str(ext_b)
        elif parent or (to in self.own and frm not in self.own):
            direction = "INBOUND_CALL"
            caller, dom = _strip(frm)
            caller_dom = dom or trunk_host
            callee, did = str(ext_a), _strip(to)[0]
            destination = did
        else:
            direction = "OUTBOUND_CALL"
            caller, outbound_cid = str(ext_a), _strip(frm)[0]
            callee, dom = _strip(to)
            callee_dom = dom or trunk_host
            destination = callee
        if status == "completed":
            code = 0
            if parent:
                end_reason = ("BLIND_TRANSFER_COMPLETED", "CONSULT_TRANSFER_COMPLETED")[
                    (h >> 32) & 1
                ]
            elif (h >> 33) % 100 < 50:
                quirky = (h >> 40) % 100 < QUIRK_PERCENT
                end_reason = QUIRK_END_REASON if quirky else "CALLER_DISCONNECTED"
            else:
                end_reason = "CALLEE_DISCONNECTED"
        else:
            end_reason = "CANCELLED" if status == "canceled" else ""
            code = _status_code(status, h)
        reroute = ""
        if child:
            reroute = "TRANSFER"
        elif direction == "INBOUND_CALL" and status == "no-answer" and (h >> 44) % 4 == 0:
            reroute = "OVERFLOW"
        start = self.start_us(i, c.start)
        end = c.end
        assert end is not None
        return {
            "id": self._snowflake(start, i, 0),
            "session_id": self.session_id(i) if child else self._snowflake(start, i, 1),
            "caller": caller,
            "caller_domain": caller_dom,
            "callee": callee,
            "callee_domain": callee_dom,
            "started_at": start,
            "rang_at": start + 20_000 + (h >> 20) % 80_000,
            "ended_at": end * 1_000_000 + (h >> 40) % 1_000_000,
            "call_id": _call_id(h),
            "direction": direction,
            "end_reason": end_reason,
            "reroute_reason": reroute,
            "status_code": code,
            "destination": destination,
            "outbound_caller_id": outbound_cid,
            "did_cid": did,
            "trunk": trunk,
            "service_number": "",
            "user_data": "",
        }

    def heavy(self, i: int, row: dict[str, Value], c: Core) -> dict[str, Value]:
        """The fields that need the record's generated extras (the caller's name)."""
        h = self.h(i)
        answered = None if c.answer is None else c.answer * 1_000_000 + (h >> 2) % 1_000_000
        names = _EXT_NAME_OF
        direction = row["direction"]
        caller_name = names.get(str(row["caller"]), "")
        if direction in ("INBOUND_CALL", "INBOUND_OUTBOUND_CALL"):
            caller_name = self.ds.extras(c)[0] or ""
        units = c.price_units
        billed = direction in ("OUTBOUND_CALL", "INBOUND_OUTBOUND_CALL") and units is not None
        return {
            "caller_display_name": caller_name,
            "callee_display_name": names.get(str(row["callee"]), ""),
            "answered_at": answered,
            "duration": c.duration or 0,
            # units / 1e5 is the correctly rounded float of the 5-decimal price, like float(Decimal)
            "cost": units / 100_000 if billed and units is not None else 0.0,
            "billed_account": str(row["caller"]) if billed else "",
        }

    def row(self, i: int) -> _Row:
        return _Row(self, i)

    # -- recordings -------------------------------------------------------------------------------
    def recordings(self, i: int) -> list[tuple[int, int, int]]:
        """``(start µs, k, end µs)`` of call ``i``'s recordings (they start after the answer)."""
        count = self.ds.recording_count(self.key, i)
        if not count:
            return []
        r = self.row(i)
        answered, ended = r.get("answered_at"), r.get("ended_at")
        assert isinstance(answered, int) and isinstance(ended, int)
        first = answered + 100_000 + self.h(i) % 90_000
        ms = 1000  # recordings carry millisecond times (recordings_list example): keep them exact
        first -= first % ms
        ended -= ended % ms
        if count == 1:
            return [(first, 0, ended + 3_000)]
        duration = r.get("duration")
        assert isinstance(duration, int)
        mid = answered - answered % ms + min(duration // 2, _REC_RESUME_MAX_S) * 1_000_000
        return [(first, 0, max(first + 1000, mid)), (mid + 500_000, 1, ended + 3_000)]

    def recording_id(self, i: int, k: int, start_us: int) -> str:
        return self._snowflake(start_us, i * 2 + k, 1)

    def recording_of(self, rid: str) -> tuple[int, int, int, int] | None:
        """``(call index, k, start µs, end µs)`` of a recording id, if it names one."""
        if not rid.isdigit() or len(rid) > 19 or not int(rid) & 1:
            return None
        v = (int(rid) & ((1 << _LOW_BITS) - 1)) >> 1
        while v < 2 * self.n:
            i, k = divmod(v, 2)
            for start, kk, end in self.recordings(i):
                if kk == k and self.recording_id(i, k, start) == rid:
                    return i, k, start, end
            v += _IDX_MOD
        return None

    def blob(self, i: int, k: int) -> str:
        raw = bytes.fromhex(self.blob_codec.encode(i * 4 + k)) + self.blob_tag
        return base64.urlsafe_b64encode(raw).decode()

    def file_name(self, i: int, start_us: int) -> str:
        row = self.row(i)
        local = datetime.fromtimestamp(
            int(row.get("started_at") or 0) // 1_000_000,
            timezone(timedelta(hours=PBX_UTC_OFFSET_HOURS)),
        )
        port = 10000 + self.h(i) % 50000
        caller = str(row.get("caller"))
        return f"{self.tenant_id}_{row.get('id')}_{caller}_{port}_{local:%m%d%Y}_{local:%H%M%S}.wav"


class _Row:
    """One call log, computed lazily: the cheap fields first, the caller's name only if needed."""

    __slots__ = ("_cheap", "_core", "_heavy", "i", "t")

    def __init__(self, t: _Tenant, i: int) -> None:
        self.t, self.i = t, i
        self._core: Core | None = None
        self._cheap: dict[str, Value] | None = None
        self._heavy: dict[str, Value] | None = None

    def _columns(self) -> tuple[Core, dict[str, Value]]:
        if self._core is None:
            self._core = self.t.ds.core(self.t.key, self.i)
        if self._cheap is None:
            self._cheap = self.t.cheap(self.i, self._core)
        return self._core, self._cheap

    def get(self, field: str) -> Value:
        if field == "status_code" and self._cheap is None:  # PortSIP's "status": kept O(1)
            return _status_code(self.t.ds.status(self.t.key, self.i), self.t.h(self.i))
        core, cheap = self._columns()
        if field in _HEAVY or field == "billed_account":
            if self._heavy is None:
                self._heavy = self.t.heavy(self.i, cheap, core)
            return self._heavy[field]
        return cheap[field]

    def render(self, keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
        core, cheap = self._columns()
        values = cheap
        if not _HEAVY_ALL.isdisjoint(keys):
            if self._heavy is None:
                self._heavy = self.t.heavy(self.i, cheap, core)
            values = cheap | self._heavy
        out = {k: values[k] for k in keys}
        for k in _TIME_FIELDS.intersection(keys):
            v = out[k]
            out[k] = "" if v is None else format_time_us(v, 6)  # type: ignore[arg-type]
        return out


@dataclass(slots=True)
class _Query:
    node: Node | None
    order: list[tuple[str, bool]]
    skip: int
    top: int
    count: bool
    search: list[str]


class PortSipAPI(ProviderAPI):
    """PortSIP PBX REST API. Base URL ``http://HOST:PORT/api``."""

    provider = "portsip"
    base_path = "/api"
    home_country = "AU"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.token_ttl: float = DEFAULT_TOKEN_TTL  # seconds, for tokens issued from now on
        self.clock: Callable[[], float] = time.time  # injectable: tests move time by hand
        self.tenants = {a.account: _Tenant(ctx.dataset, a) for a in ctx.accounts}
        self.by_user = {a.username: a for a in ctx.accounts}
        self.by_blob_tag = {t.blob_tag: t for t in self.tenants.values()}
        self._sessions: dict[str, _Session] = {}
        self._refresh: dict[str, tuple[AccountSpec, float]] = {}
        self._issued = 0
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
        code, message = VALIDATE_FAILED
        return json_response(
            {"errors": [{"code": code, "message": message, "detail": detail}]}, 400
        )

    def empty_page_loop(self, req: Request) -> Response | None:
        if self._lists.fullmatch(req.path) is None:
            return None
        skip = _lenient_int(req.params.get("skip", req.params.get("$skip")), 0)
        top = _lenient_int(req.params.get("top", req.params.get("$top")), TOP_DEFAULT)
        return json_response({"count": skip + 2 * max(top, 1), "items": []})

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
            body = _json_object(req.body)
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
            body = _json_object(req.body)
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

    def _tenant(self, req: Request) -> _Tenant:
        s = self._session(req)
        if s is None:
            raise _Invalid(self.unauthorized())
        return self.tenants[s.spec.account]

    # -- query options ----------------------------------------------------------------------------
    def _options(self, req: Request) -> dict[str, str]:
        """Query string options, plus (POST) a JSON body's keys the query string lacks."""
        opts = dict(req.params)
        if req.method == "POST" and req.body.strip():
            try:
                body = _json_object(req.body)
            except ValueError as e:
                raise _Invalid(self._validate(str(e))) from None
            for k, v in body.items():
                if isinstance(v, bool):
                    v = "true" if v else "false"
                elif isinstance(v, int | float | str):
                    v = str(v)
                else:
                    raise _Invalid(self._validate(f"{k} must be a string, number or boolean"))
                opts.setdefault(k, v)
        return opts

    def _query(self, opts: dict[str, str], fields: dict[str, FieldType]) -> _Query:
        def get(name: str) -> str | None:
            return opts.get(name, opts.get("$" + name))

        try:
            node = parse_filter(get("filter") or "", fields)
            raw_order = get("orderby")
            order = parse_orderby(raw_order, fields) if raw_order else list(DEFAULT_ORDER)
        except QueryError as e:
            raise _Invalid(self._validate(e.detail)) from None
        skip = _int_option(get("skip"), SKIP_BASE, "skip")
        top = _int_option(get("top"), TOP_DEFAULT, "top")
        if isinstance(skip, str):
            raise _Invalid(self._validate(skip))
        if isinstance(top, str):
            raise _Invalid(self._validate(top))
        if skip < SKIP_BASE:
            raise _Invalid(self._validate(f"skip must be >= {SKIP_BASE}"))
        if not 1 <= top <= TOP_MAX:
            raise _Invalid(self._validate(f"top must be between 1 and {TOP_MAX}"))
        raw_count = (get("count") or "false").lower()
        if raw_count not in ("true", "false"):
            raise _Invalid(self._validate("count must be true or false"))
        search = get("search") or ""
        if len(search) > 1024:
            raise _Invalid(self._validate("search too long"))
        terms = [t.strip() for t in re.split(r"\s+or\s+", search) if t.strip()]
        return _Query(node, order, skip - SKIP_BASE, top, raw_count == "true", terms)

    # -- call logs / CDRs -------------------------------------------------------------------------
    def _call_plan(self, t: _Tenant, q: _Query) -> tuple[int, int, Callable[[_Row], bool] | None]:
        """``[lo, hi)`` of candidate indexes and the residual predicate (None = all match)."""
        lo, hi = 0, t.n
        residual: list[Node] = []
        for c in conjuncts(q.node):
            if isinstance(c, Compare) and c.field == "started_at" and isinstance(c.value, int):
                v = c.value
                if c.op in ("ge", "gt", "eq"):
                    lo = max(lo, t.first_at_or_after(v + (c.op == "gt")))
                if c.op in ("lt", "le", "eq"):
                    hi = min(hi, t.first_at_or_after(v + (c.op != "lt")))
                if c.op != "ne":
                    continue
            elif isinstance(c, Compare) and c.field == "ended_at" and isinstance(c.value, int):
                if c.op in ("lt", "le", "eq"):  # ended >= started
                    hi = min(hi, t.first_at_or_after(c.value + 1))
                if c.op in ("gt", "ge", "eq"):
                    slack = (MAX_DURATION + _RING_SLACK_S + 1) * 1_000_000
                    lo = max(lo, t.first_at_or_after(c.value - slack))
            residual.append(c)
        terms = q.search
        if not residual and not terms:
            return lo, max(lo, hi), None

        def pred(row: _Row) -> bool:
            if any(not evaluate(c, row.get) for c in residual):
                return False
            if terms:
                texts = [str(row.get(f)) for f in SEARCH_FIELDS]
                return any(term in s for term in terms for s in texts)
            return True

        return lo, max(lo, hi), pred

    def _page_calls(self, t: _Tenant, q: _Query) -> tuple[list[_Row], int | None]:
        lo, hi, pred = self._call_plan(t, q)
        first, desc = q.order[0]
        if first in ("started_at", "id") and (first == "started_at" or t.n <= _IDX_MOD):
            # Index order is start order (and id order): walk, skip and stop early.
            if pred is None:
                total = hi - lo
                a = q.skip
                b = min(total, q.skip + q.top)
                idx = (
                    (range(hi - 1 - a, hi - 1 - b, -1) if desc else range(lo + a, lo + b))
                    if a < b
                    else range(0)
                )
                return [t.row(i) for i in idx], total
            order = range(hi - 1, lo - 1, -1) if desc else range(lo, hi)
            page: list[_Row] = []
            seen = 0
            for i in order:
                row = t.row(i)
                if not pred(row):
                    continue
                if q.skip <= seen < q.skip + q.top:
                    page.append(row)
                seen += 1
                if seen >= q.skip + q.top and not q.count:
                    break
            return page, seen if q.count else None
        rows = [t.row(i) for i in range(lo, hi)]
        if pred is not None:
            rows = [r for r in rows if pred(r)]
        for field, d in reversed(q.order):
            rows.sort(key=_row_key(field), reverse=d)
        return rows[q.skip : q.skip + q.top], len(rows)

    def _list(self, req: Request, fields: dict[str, FieldType], keys: tuple[str, ...]) -> Response:
        try:
            t = self._tenant(req)
            q = self._query(self._options(req), fields)
        except _Invalid as e:
            return e.resp
        rows, total = self._page_calls(t, q)
        payload: dict[str, Any] = {}
        if q.count or COUNT_ALWAYS:
            payload["count"] = total if total is not None else 0
        payload["items"] = [r.render(keys) for r in rows]
        return json_response(payload)

    def list_calllogs(self, req: Request, m: re.Match[str]) -> Response:
        return self._list(req, CALLLOG_FIELDS, tuple(CALLLOG_FIELDS))

    def list_cdrs(self, req: Request, m: re.Match[str]) -> Response:
        return self._list(req, CDR_FIELDS, CDR_LIST_KEYS)

    def _fetch(self, req: Request, cid: str) -> tuple[_Row | None, Response | None]:
        try:
            t = self._tenant(req)
        except _Invalid as e:
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
    def _rec_stream(
        self, t: _Tenant, lo: int, hi: int, desc: bool
    ) -> Iterator[tuple[int, int, int, int]]:
        """``(start µs, index, k, end µs)`` of the recordings of calls ``[lo, hi)`` in start order.

        A recording starts between its call's start and start + ``_REC_LAG_US``, so a small heap
        merges the per-call lists into exact start order while walking the calls in index order.
        """
        heap: list[tuple[int, int, int, int]] = []
        sign = -1 if desc else 1
        order = range(hi - 1, lo - 1, -1) if desc else range(lo, hi)
        for i in order:
            if not self.ctx.dataset.recording_count(t.key, i):
                continue
            s = t.start_us(i)
            bound = s + _REC_LAG_US if desc else s
            while heap and (sign * heap[0][0] > sign * bound if desc else heap[0][0] < bound):
                item = heapq.heappop(heap)
                yield sign * item[0], item[1], item[2], item[3]
            for start, k, end in t.recordings(i):
                heapq.heappush(heap, (sign * start, sign * i, k, end))
        while heap:
            item = heapq.heappop(heap)
            yield sign * item[0], item[1], item[2], item[3]

    def list_recordings(self, req: Request, m: re.Match[str]) -> Response:
        try:
            t = self._tenant(req)
            q = self._query(self._options(req), RECORDING_FIELDS)
        except _Invalid as e:
            return e.resp
        lo, hi = 0, t.n
        for c in conjuncts(q.node):
            if isinstance(c, Compare) and c.field == "started_at" and isinstance(c.value, int):
                if c.op in ("lt", "le", "eq"):
                    hi = min(hi, t.first_at_or_after(c.value + 1))
                if c.op in ("gt", "ge", "eq"):
                    lo = max(lo, t.first_at_or_after(c.value - _REC_LAG_US))
        first, desc = q.order[0]
        simple = first in ("started_at", "id")

        def item(r: tuple[int, int, int, int]) -> dict[str, Value]:
            start, i, k, end = r
            row = t.row(i)
            return {
                "id": t.recording_id(abs(i), k, start),
                "caller": row.get("caller"),
                "callee": row.get("callee"),
                "started_at": start,
                "ended_at": end,
            }

        def ok(it: dict[str, Value]) -> bool:
            if q.node is not None and not evaluate(q.node, it.get):
                return False
            if q.search:
                texts = [str(it["caller"]), str(it["callee"])]
                return any(term in s for term in q.search for s in texts)
            return True

        def fix(r: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
            return r[0], abs(r[1]), r[2], r[3]

        page: list[dict[str, Value]] = []
        seen = 0
        if simple:
            for r in self._rec_stream(t, lo, hi, desc):
                it = item(fix(r))
                if not ok(it):
                    continue
                if q.skip <= seen < q.skip + q.top:
                    page.append(it)
                seen += 1
                if seen >= q.skip + q.top and not q.count:
                    break
        else:
            everything = [it for r in self._rec_stream(t, lo, hi, False) if ok(it := item(fix(r)))]
            for field, d in reversed(q.order):
                everything.sort(key=_item_key(field), reverse=d)
            seen, page = len(everything), everything[q.skip : q.skip + q.top]
        payload: dict[str, Any] = {}
        if q.count or COUNT_ALWAYS:
            payload["count"] = seen
        payload["items"] = [
            {
                k: format_time_us(int(v or 0), 3) if k in ("started_at", "ended_at") else v
                for k, v in it.items()
            }
            for it in page
        ]
        return json_response(payload)

    def fetch_recording(self, req: Request, m: re.Match[str]) -> Response:
        try:
            t = self._tenant(req)
        except _Invalid as e:
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


def _token(seed: int, kind: str, n: int) -> str:
    """Like the documented tokens: base64 of a UUID-ish string, upper-cased, no padding."""
    h = hex_id(seed, "portsip", kind, n, length=32)
    text = f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"[:35]
    return base64.b64encode(text.encode()).decode().rstrip("=").upper()


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("the body is not valid JSON") from None
    if not isinstance(value, dict):
        raise ValueError("the body must be a JSON object")
    return value


def _int_option(raw: str | None, default: int, name: str) -> int | str:
    """The option as an int, or an error message."""
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,10}", raw.strip()):
        return f"{name} must be an integer"
    return int(raw)


def _lenient_int(raw: str | None, default: int) -> int:
    try:
        return max(0, min(int(raw or default), 10**9))
    except ValueError:
        return default


def _sort_key(v: Value) -> tuple[int, Any]:
    return (0, 0) if v is None else (1, v)


def _row_key(field: str) -> Callable[[_Row], tuple[int, Any]]:
    return lambda r: _sort_key(r.get(field))


def _item_key(field: str) -> Callable[[dict[str, Value]], tuple[int, Any]]:
    return lambda it: _sort_key(it[field])
