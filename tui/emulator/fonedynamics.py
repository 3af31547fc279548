"""Fone Dynamics REST API v2 "Get Calls" (providers.md §2).

Base URL ``http://HOST:PORT`` (like ``https://api.fonedynamics.com``); every path under ``/v2``:

- ``GET /v2/Accounts/{AccountSid}/Calls``   every call of the account (all its properties)
- ``GET /v2/Properties/{PropertySid}/Calls`` the calls of one property
- ``GET /v2/Calls/{CallSid}``                one call, ``{"Call": {...}}``
- ``GET /fonedynamics/recordings/{CallSid}.mp3``  the media behind ``Recording_Uri`` (an
  emulator path: the real host of recordings is not documented)

JSON only; HTTP Basic ``AccountSid:Token``. Lists are ``{"Calls": [...]}``, oldest → newest,
offset-paged by ``Results_Skip`` / ``Results_Count`` (a short page is the last page). Errors are
``{"ResponseStatus": {"ErrorCode", "Message", "Errors": [{"ErrorCode", "FieldName", "Message"}]}}``.

Each emulated account has :data:`~.fonedynamics_data.PROPERTIES_PER_ACCOUNT` properties; their
sids are the account's ``properties`` (``callscope emulator`` prints them, ``--json`` carries
them) and are available as :attr:`FoneDynamicsAPI.properties`.

Every choice on an [unconfirmed] fact is a module constant below (or in
:mod:`~.fonedynamics_data`) with the source it rests on.
"""

from __future__ import annotations

import bisect
import re
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .api import AccountSpec, Context, ProviderAPI, route
from .fonedynamics_data import (
    DISPOSITIONS,
    PROPERTIES_PER_ACCOUNT,
    FoneView,
    PropertyRanks,
    account_sid,
    account_token,
    property_sid,
)
from .ids import SidCodec
from .media import mp3
from .wire import Request, Response, json_response

# --- Choices on [unconfirmed] facts (providers.md §2, §8 item 1) --------------------------------
# Paths: by analogy with Messages (GET /v2/Messages/{Sid}, /v2/Properties/{Sid}/Messages); the
# field catalogue fixture lists the same three.
API_ROOT = "/v2"
# Envelope: the SDKs wrap one resource under its type name ({"Message": {...}}) and a third-party
# CLI reads "Messages" from the message list (providers.md §2.4).
LIST_KEY = "Calls"
SINGLE_KEY = "Call"
# OnlineLogins documents "TotalCount" (and "NextPageToken"), Get Calls mentions neither: Calls
# pages carry only the list; the documented end-of-list signal is a short page.
INCLUDE_TOTAL_COUNT = False
# Results_Count: default 200 [doc]; the maximum is undocumented. Beyond it: 400 PARAMETER_INVALID.
DEFAULT_RESULTS_COUNT = 200
MAX_RESULTS_COUNT = 500
# HTTP status of CALL_NOT_FOUND / ACCOUNT_NOT_FOUND / PROPERTY_NOT_FOUND: the errors page lists only
# 400/401/403/500; 404 is the plainer reading of "not found" (the adapter trusts ErrorCode).
NOT_FOUND_STATUS = 404
# ErrorCodes the errors page does not show (its list is truncated in every stored copy): a bad
# value, an unknown property, an auth failure. Named like the documented PARAMETER_REQUIRED /
# ACCOUNT_NOT_FOUND.
INVALID_CODE = "PARAMETER_INVALID"
PROPERTY_NOT_FOUND = "PROPERTY_NOT_FOUND"
UNAUTHORIZED_CODE = "UNAUTHORIZED"
# ServiceStack (whose ResponseStatus shape Fone Dynamics uses) binds query names case-insensitively,
# which also covers the docs' own "Prompts_keys" (request) vs "Prompts_Keys" (response).
PARAM_NAMES_CASE_INSENSITIVE = True
# Comma-list values (Disposition, Unique, attribution) compare case-insensitively, as the default
# SQL Server collation behind a .NET API does [unconfirmed].
VALUES_CASE_INSENSITIVE = True
# Recording media: auth and type undocumented (§2.7). Served without credentials (they are
# accepted too) as MP3; the emulator's --media-auth switch makes credentials mandatory.
RECORDING_PATH = "/fonedynamics/recordings"
RECORDING_TYPE = "audio/mpeg"
# The current docs page adds a "Token" filter whose response field is unnamed anywhere; the
# emulator issues no tokens, so any Token value is rejected (and conflicts with Date_From/To).
TOKEN_SUPPORTED = False

_ERROR_CODES = {
    400: INVALID_CODE,
    401: UNAUTHORIZED_CODE,
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    503: "SERVICE_UNAVAILABLE",
}
_CHECKPOINT_EVERY = 512  # matches between remembered (match count → rank) positions
_MAX_CURSORS = 256  # filter signatures whose checkpoints are kept
_UINT64 = 1 << 64
_KEY = re.compile(r"[0-9*#]")
_NUMBER = re.compile(r"\+?[0-9]{3,20}")
_NUMBER_NOISE = re.compile(r"[\s\-().]")
_CALL_VALUE_BITS = 40  # a CallSid encodes (account number << 40) | index
_T = TypeVar("_T")


class FdError(Exception):
    """A request Fone Dynamics answers with its own error body."""

    def __init__(self, status: int, code: str, message: str, fields: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields


def _invalid(name: str, message: str) -> FdError:
    return FdError(400, INVALID_CODE, message, (name,))


@dataclass(slots=True)
class CallsQuery:
    """A parsed Get Calls request (filters + paging)."""

    date_from: int | None = None
    date_to: int | None = None
    dispositions: frozenset[str] = frozenset()
    to: frozenset[str] = frozenset()
    endpoint: frozenset[str] = frozenset()
    attribution: tuple[frozenset[str], ...] = (frozenset(),) * 4
    prompts: tuple[tuple[str, ...], ...] = ()
    unique: str = "All"
    count: int = DEFAULT_RESULTS_COUNT
    skip: int = 0

    def residual(self) -> bool:
        """Whether a filter beyond the time range / property applies (a scan is needed)."""
        return bool(
            self.dispositions
            or self.to
            or self.endpoint
            or any(self.attribution)
            or self.prompts
            or self.unique != "All"
        )

    def signature(self) -> tuple[object, ...]:
        return (
            self.dispositions,
            self.to,
            self.endpoint,
            self.attribution,
            self.prompts,
            self.unique,
        )


_ATTRIBUTION: tuple[str, ...] = (
    "Attribution_Source",
    "Attribution_Medium",
    "Attribution_Campaign",
    "Attribution_Content",
)
_UNIQUE = ("All", "Unique", "Repeat")


def _norm_number(v: str) -> str:
    return _NUMBER_NOISE.sub("", v).lstrip("+")


def _fold(v: str) -> str:
    return v.casefold() if VALUES_CASE_INSENSITIVE else v


def _items(v: str) -> list[str]:
    return [x.strip() for x in v.split(",") if x.strip()]


def _uint(name: str, v: str, lo: int = 0, hi: int = _UINT64 - 1) -> int:
    s = v.strip()
    if not s.isascii() or not s.isdigit():
        raise _invalid(name, f"'{v}' is an invalid value for '{name}'.")
    n = int(s)
    if not lo <= n <= hi:
        raise _invalid(name, f"{name} must be between {lo} and {hi}.")
    return n


def parse_query(req: Request) -> CallsQuery:
    """Validate and parse the query string; raises :class:`FdError` with the provider's body."""
    params: dict[str, str] = {}
    for name, value in req.query:
        params.setdefault(name.lower() if PARAM_NAMES_CASE_INSENSITIVE else name, value)

    def get(name: str) -> str | None:
        v = params.get(name.lower() if PARAM_NAMES_CASE_INSENSITIVE else name)
        return v if v is not None and v.strip() != "" else None  # empty = not given

    q = CallsQuery()
    v: str | None
    token = get("Token")
    if token is not None:
        if get("Date_From") is not None or get("Date_To") is not None:
            raise FdError(
                400,
                "CONFLICTING_PARAMETERS",
                "Token cannot be combined with Date_From or Date_To.",
                ("Token", "Date_From", "Date_To"),
            )
        if not TOKEN_SUPPORTED:
            raise _invalid("Token", "The Token is invalid or has expired.")
    if (v := get("Date_From")) is not None:
        q.date_from = _uint("Date_From", v)
    if (v := get("Date_To")) is not None:
        q.date_to = _uint("Date_To", v)
    if q.date_from is not None and q.date_to is not None and q.date_from > q.date_to:
        raise FdError(
            400,
            "CONFLICTING_PARAMETERS",
            "Date_From must not be later than Date_To.",
            ("Date_From", "Date_To"),
        )
    if (v := get("Disposition")) is not None:
        canon = {_fold(d): d for d in DISPOSITIONS}
        out = set()
        for item in _items(v):
            d = canon.get(_fold(item))
            if d is None:
                raise _invalid(
                    "Disposition",
                    f"'{item}' is not a valid Disposition; use {', '.join(DISPOSITIONS)}.",
                )
            out.add(d)
        q.dispositions = frozenset(out)
    for name in ("To", "Endpoint"):
        if (v := get(name)) is not None:
            nums = set()
            for item in _items(v):
                if not _NUMBER.fullmatch(_NUMBER_NOISE.sub("", item)):
                    raise _invalid(name, f"'{item}' is not a valid phone number.")
                nums.add(_norm_number(item))
            if name == "To":
                q.to = frozenset(nums)
            else:
                q.endpoint = frozenset(nums)
    attribution = []
    for name in _ATTRIBUTION:
        v = get(name)
        attribution.append(frozenset(_fold(x) for x in _items(v)) if v is not None else frozenset())
    q.attribution = tuple(attribution)
    if (v := get("Prompts_keys")) is not None:
        paths = []
        for alt in v.split(";"):
            if not alt.strip():
                continue
            keys = tuple(k.strip() for k in alt.split(","))
            if not all(_KEY.fullmatch(k) for k in keys):
                raise _invalid(
                    "Prompts_keys",
                    f"'{alt}' is not a valid prompt key path; use keys 0-9, * or # "
                    "separated by commas, alternatives by semi-colons.",
                )
            paths.append(keys)
        q.prompts = tuple(paths)
    if (v := get("Unique")) is not None:
        u = {_fold(x): x for x in _UNIQUE}.get(_fold(v.strip()))
        if u is None:
            raise _invalid("Unique", f"'{v}' is not a valid Unique; use All, Unique or Repeat.")
        q.unique = u
    if (v := get("Results_Count")) is not None:
        q.count = _uint("Results_Count", v, 1, MAX_RESULTS_COUNT)
    if (v := get("Results_Skip")) is not None:
        q.skip = _uint("Results_Skip", v, 0, 2**31 - 1)  # a .NET int
    return q


class _Cursor:
    """Remembered (matches before, rank) positions of one filtered walk, for offset paging."""

    __slots__ = ("marks", "total")

    def __init__(self, r_lo: int) -> None:
        self.marks: list[tuple[int, int]] = [(0, r_lo)]
        self.total: int | None = None

    def nearest(self, skip: int) -> tuple[int, int]:
        j = bisect.bisect_right(self.marks, (skip, 1 << 62)) - 1
        return self.marks[j]

    def remember(self, matched: int, rank: int) -> None:
        j = bisect.bisect_left(self.marks, (matched, rank))
        if j < len(self.marks) and self.marks[j][0] == matched:
            return
        self.marks.insert(j, (matched, rank))


class FoneDynamicsAPI(ProviderAPI):
    """Fone Dynamics REST API v2. Base URL ``http://HOST:PORT`` (like api.fonedynamics.com)."""

    provider = "fonedynamics"
    base_path = ""
    home_country = "AU"

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        out = []
        for i in range(count):
            sid = account_sid(seed, i)
            props = tuple(property_sid(seed, i, p) for p in range(PROPERTIES_PER_ACCOUNT))
            number = "" if count == 1 else f" {i + 1}"
            label = f"Fone Dynamics{number} (emulator)"
            token = account_token(seed, i)
            out.append(
                AccountSpec(
                    "fonedynamics", label, sid, sid, token, f"fonedynamics:{i}", properties=props
                )
            )
        return out

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        ds = ctx.dataset
        self.creds = {a.username: a for a in ctx.accounts}
        self.numbers = {a.account: n for n, a in enumerate(ctx.accounts)}
        self.views = {a.account: FoneView(ds, a.key, n) for n, a in enumerate(ctx.accounts)}
        # PropertySid → (account, property number)
        self.properties: dict[str, tuple[AccountSpec, int]] = {
            sid: (a, p)
            for a in ctx.accounts
            for p, sid in enumerate(self.views[a.account].properties)
        }
        self.codec = SidCodec(ds.seed, "fonedynamics-call")
        self._cursors: OrderedDict[tuple[object, ...], _Cursor] = OrderedDict()
        seg = r"(?P<sid>[^/]*)"
        self.routes = [
            route(rf"{API_ROOT}/Accounts/{seg}/Calls/?", self.list_account_calls),
            route(rf"{API_ROOT}/Properties/{seg}/Calls/?", self.list_property_calls),
            route(rf"{API_ROOT}/Calls/{seg}/?", self.fetch_call),
            route(rf"{RECORDING_PATH}/(?P<sid>[^/]+)\.mp3", self.recording),
        ]
        self._list_patterns = (self.routes[0].pattern, self.routes[1].pattern)

    # -- ids ------------------------------------------------------------------------------------
    def call_sid(self, spec: AccountSpec, i: int) -> str:
        return (
            "CA" + self.codec.encode((self.numbers[spec.account] << _CALL_VALUE_BITS) | i).upper()
        )

    def _decode_call(self, sid: str) -> tuple[AccountSpec, int] | None:
        if len(sid) != 34 or sid[:2].upper() != "CA":
            return None
        value = self.codec.decode(sid[2:])
        if value is None:
            return None
        n, i = value >> _CALL_VALUE_BITS, value & ((1 << _CALL_VALUE_BITS) - 1)
        if n >= len(self.ctx.accounts):
            return None
        spec = self.ctx.accounts[n]
        if i >= self.views[spec.account].finished():
            return None  # live calls are not reported yet
        return spec, i

    def recording_uri(self, sid: str) -> str:
        return f"{self.ctx.origin()}{RECORDING_PATH}/{sid}.mp3"

    def render(self, spec: AccountSpec, i: int) -> dict[str, Any]:
        sid = self.call_sid(spec, i)
        return self.views[spec.account].record(i, sid, self.recording_uri(sid))

    # -- errors ---------------------------------------------------------------------------------
    def error(self, status: int, message: str, code: int | str | None = None) -> Response:
        return self._error(FdError(status, str(code or _ERROR_CODES.get(status, "ERROR")), message))

    def _error(self, e: FdError) -> Response:
        status: dict[str, Any] = {"ErrorCode": e.code, "Message": e.message}
        if e.fields:
            status["Errors"] = [
                {"ErrorCode": e.code, "FieldName": f, "Message": e.message} for f in e.fields
            ]
        headers = (
            [("WWW-Authenticate", 'Basic realm="Fone Dynamics API"')] if e.status == 401 else []
        )
        return json_response({"ResponseStatus": status}, e.status, headers)

    def unauthorized(self) -> Response:
        return self.error(401, "Invalid AccountSid or Token.")

    def _auth(self, req: Request) -> AccountSpec:
        creds = req.basic_auth()
        spec = self.creds.get(creds[0]) if creds else None
        if creds is None or spec is None or spec.password != creds[1]:
            raise FdError(401, UNAUTHORIZED_CODE, "Invalid AccountSid or Token.")
        return spec

    def _guard(self, fn: Callable[[], Response]) -> Response:
        try:
            return fn()
        except FdError as e:
            return self._error(e)

    # -- handlers -------------------------------------------------------------------------------
    def _resolve(
        self,
        req: Request,
        m: re.Match[str],
        kind: str,
        not_found: str,
        lookup: Callable[[str], tuple[AccountSpec, _T] | None],
    ) -> tuple[AccountSpec, _T]:
        """The caller's account and what the path's ``{kind}Sid`` names (``lookup``: its owner
        and value), or the FdError of a missing sid (400), an unknown one (404) or another
        account's (403)."""
        spec = self._auth(req)
        sid, field = m["sid"], f"{kind}Sid"
        if not sid:
            raise FdError(400, "PARAMETER_REQUIRED", f"{field} is required.", (field,))
        found = lookup(sid)
        if found is None:
            raise FdError(NOT_FOUND_STATUS, not_found, f"{kind} '{sid}' was not found.")
        if found[0].account != spec.account:
            raise FdError(403, "FORBIDDEN", f"You do not have permission to this {kind.lower()}.")
        return spec, found[1]

    def _account(self, sid: str) -> tuple[AccountSpec, None] | None:
        n = self.numbers.get(sid)
        return None if n is None else (self.ctx.accounts[n], None)

    def list_account_calls(self, req: Request, m: re.Match[str]) -> Response:
        def run() -> Response:
            spec, _ = self._resolve(req, m, "Account", "ACCOUNT_NOT_FOUND", self._account)
            return self._list(req, spec, None)

        return self._guard(run)

    def list_property_calls(self, req: Request, m: re.Match[str]) -> Response:
        def run() -> Response:
            spec, prop = self._resolve(req, m, "Property", PROPERTY_NOT_FOUND, self.properties.get)
            return self._list(req, spec, prop)

        return self._guard(run)

    def fetch_call(self, req: Request, m: re.Match[str]) -> Response:
        def run() -> Response:
            spec, i = self._resolve(req, m, "Call", "CALL_NOT_FOUND", self._decode_call)
            return json_response({SINGLE_KEY: self.render(spec, i)})

        return self._guard(run)

    def recording(self, req: Request, m: re.Match[str]) -> Response:
        def run() -> Response:
            spec = self._auth(req) if self.ctx.media_auth or req.basic_auth() else None
            found = self._decode_call(m["sid"])
            if found is None or (spec is not None and found[0].account != spec.account):
                raise FdError(NOT_FOUND_STATUS, "NOT_FOUND", "Recording was not found.")
            owner, i = found
            if not self.views[owner.account].has_recording(i):
                raise FdError(NOT_FOUND_STATUS, "NOT_FOUND", "Recording was not found.")
            return Response(200, mp3(), RECORDING_TYPE)

        return self._guard(run)

    # -- listing --------------------------------------------------------------------------------
    def _list(self, req: Request, spec: AccountSpec, prop: int | None) -> Response:
        q = parse_query(req)
        indexes, total = self.select(spec, prop, q)
        payload: dict[str, Any] = {LIST_KEY: [self.render(spec, i) for i in indexes]}
        if INCLUDE_TOTAL_COUNT:
            payload["TotalCount"] = total()
        return json_response(payload)

    def _bounds(self, spec: AccountSpec, q: CallsQuery) -> tuple[int, int]:
        ds, view = self.ctx.dataset, self.views[spec.account]
        fin = view.finished()
        lo = (
            0
            if q.date_from is None
            else min(ds.first_index_at_or_after(spec.key, q.date_from), fin)
        )
        hi = fin if q.date_to is None else min(ds.first_index_at_or_after(spec.key, q.date_to), fin)
        return lo, max(lo, hi)

    def select(
        self, spec: AccountSpec, prop: int | None, q: CallsQuery
    ) -> tuple[list[int], Callable[[], int]]:
        """The indexes of the requested page, and a (possibly costly) total-count function."""
        lo, hi = self._bounds(spec, q)
        ranks = PropertyRanks(prop)
        r_lo, r_hi = ranks.count_below(lo), ranks.count_below(hi)
        if not q.residual():
            start = min(r_lo + q.skip, r_hi)
            end = min(r_hi, start + q.count)
            return [ranks.index_of(r) for r in range(start, end)], lambda: r_hi - r_lo
        match = self._predicate(spec, q)
        if match is None:  # a filter value that no call of the account can have
            return [], lambda: 0
        key = (spec.account, prop, q.signature(), r_lo, r_hi)
        cur = self._cursors.get(key)
        if cur is None:
            cur = self._cursors[key] = _Cursor(r_lo)
            if len(self._cursors) > _MAX_CURSORS:
                self._cursors.popitem(last=False)
        else:
            self._cursors.move_to_end(key)
        matched, rank = cur.nearest(q.skip)
        page: list[int] = []
        while rank < r_hi and len(page) < q.count:
            i = ranks.index_of(rank)
            rank += 1
            if match(i):
                if matched >= q.skip:
                    page.append(i)
                matched += 1
                if matched % _CHECKPOINT_EVERY == 0:
                    cur.remember(matched, rank)
        cur.remember(matched, rank)
        if rank >= r_hi:
            cur.total = matched

        def total() -> int:
            if cur.total is None:
                m, r = cur.nearest(1 << 62)
                m += sum(1 for x in range(r, r_hi) if match(ranks.index_of(x)))
                cur.total = m
            return cur.total

        return page, total

    def _predicate(self, spec: AccountSpec, q: CallsQuery) -> Callable[[int], bool] | None:
        """One test per filter, cheapest (hash-only) first; None if nothing can match."""
        v = self.views[spec.account]
        tests: list[Callable[[int, int], bool]] = []
        if q.to:
            if not q.to & {n.lstrip("+") for t in v.tracking for n in t}:
                return None
            tests.append(lambda i, h: v.to_number(i, h).lstrip("+") in q.to)
        if q.endpoint and not q.endpoint & {n.lstrip("+") for e in v.endpoints for n in e}:
            return None
        if any(q.attribution):
            wanted = q.attribution

            def attr(i: int, h: int) -> bool:
                got = v.attribution(i, h)
                return all(not w or _fold(g) in w for w, g in zip(wanted, got, strict=False))

            tests.append(attr)
        if q.prompts:
            paths = q.prompts

            def prompts(i: int, h: int) -> bool:
                keys = tuple(k for k in v.prompts(i, None, h).split(",") if k)
                return any(keys[: len(p)] == p for p in paths)

            tests.append(prompts)
        if q.unique != "All":
            want_repeat = q.unique == "Repeat"

            def unique(i: int, h: int) -> bool:
                o = v.origin(i, h)
                return (o is not None and o != i) == want_repeat

            tests.append(unique)
        if q.dispositions:
            tests.append(lambda i, h: v.disposition(i, None, h) in q.dispositions)
        if q.endpoint:
            tests.append(lambda i, h: (v.endpoint(i, None, h) or "").lstrip("+") in q.endpoint)

        def match(i: int) -> bool:
            h = v.h(i)
            return all(t(i, h) for t in tests)

        return match

    # -- faults ---------------------------------------------------------------------------------
    def empty_page_loop(self, req: Request) -> Response | None:
        # Offset paging has no next link to point back at itself: the closest Fone Dynamics
        # form of this fault is an empty page, which a client takes for the end of the list.
        if not any(p.fullmatch(req.path) for p in self._list_patterns):
            return None
        payload: dict[str, Any] = {LIST_KEY: []}
        if INCLUDE_TOTAL_COUNT:
            payload["TotalCount"] = 0
        return json_response(payload)
