"""Fone Dynamics adapter: REST API v2 "Get Calls" (call-tracking CDRs) → ``Call``.

Account or property scope, ``Date_From``/``Date_To`` epoch filters, ``Disposition``, ``To``,
``Endpoint``, attribution, ``Prompts_keys`` and ``Unique`` pushed down; offset paging with
``Results_Skip``/``Results_Count`` (a ``NextPageToken``/``TotalCount`` is used if one ever
appears); the recording is a URI on the call. Reference: providers.md §2 and §7.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from tui.core import errors
from tui.core.account import SCOPES
from tui.core.config_schema import key_path
from tui.core.errors import ConfigError, ConfigProblem, QueryRefusedError
from tui.core.filter import CallFilter, NumberPattern, canonical_number
from tui.core.http import ErrorInfo
from tui.core.model import (
    LINK_RECORDING_MEDIA,
    LINK_RECORDINGS,
    LINK_SELF,
    Call,
    Recording,
    Status,
)
from tui.core.normalize import (
    Deferred,
    parse_int,
    url_quote,
)
from tui.core.paging import Cursor, Page, PagingKind
from tui.core.plan import FIELD_OF, QUERY_KEY, Params, Plan, PlanItem, Where
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.fonedynamics_normalize import (
    DIRECTION,
    PATH_CALL,
    RECORDING_KEY,
    FoneDynamicsNormalize,
)

# --- Provider facts the reference marks [unconfirmed] (providers.md §2, §8 item 1) -------------
# Every guess lives here so a wrong one is a one-line fix.

# Paths: by analogy with Messages (GET /v2/Messages/{Sid}, /v2/Properties/{Sid}/Messages);
# the same three paths are listed in fixtures/fonedynamics/get_calls.field_catalogue.json.
PATH_ACCOUNT_CALLS = "/v2/Accounts/{sid}/Calls"
PATH_PROPERTY_CALLS = "/v2/Properties/{sid}/Calls"
# Filter names for the time window: taken from the Find SMS page (same semantics, epoch seconds).
PARAM_DATE_FROM = "Date_From"  # inclusive
PARAM_DATE_TO = "Date_To"  # exclusive
# Paging: Results_Skip/Results_Count are documented on Get Calls. The request name of a page token
# is not documented anywhere (OnlineLogins only shows NextPageToken in its response): a guess.
PARAM_SKIP = "Results_Skip"
PARAM_COUNT = "Results_Count"
PARAM_PAGE_TOKEN = "NextPageToken"
# Envelope: SDKs wrap one resource under its type name ({"Message": {...}}) and a 3p CLI reads
# "Messages" from the message list; OnlineLogins documents {"OnlineLogins", "TotalCount",
# "NextPageToken"}. A bare array / object is accepted too.
LIST_KEYS = ("Calls",)
ONE_KEYS = ("Call",)
TOTAL_KEYS = ("TotalCount",)
TOKEN_KEYS = ("NextPageToken",)
# Results_Count: default 200, maximum undocumented. 200 is the one size the server is known to
# return in full, so a "short page" (our end-of-list signal) can never be a silent server cap.
PAGE_SIZE = 200
# Which HTTP status carries CALL_NOT_FOUND is unconfirmed (400 or 404): the ErrorCode decides.

# --- Documented facts (seed 000: Get Calls page; errors page; SDK error model) ----------------

DISPOSITION_PARAM: dict[Status, str] = {
    Status.COMPLETED: "Answered",
    Status.IVR: "IVR",
    Status.BUSY: "Busy",
    Status.NO_ANSWER: "NoAnswer",
    Status.FAILED: "Failed",
}
# ErrorCode → error class (errors page; SDK). Any other "*_NOT_FOUND" is a NotFoundError too.
ERROR_KINDS: dict[str, type[errors.ProviderError]] = {
    "CALL_NOT_FOUND": errors.NotFoundError,
    "ACCOUNT_NOT_FOUND": errors.NotFoundError,
    "FORBIDDEN": errors.ForbiddenError,
    "PARAMETER_REQUIRED": errors.BadRequestError,
    "CONFLICTING_PARAMETERS": errors.BadRequestError,
}
UNKNOWN_ERROR = "UNKNOWN_ERROR"  # what the official Java SDK calls an unparsable error body
_MAX_TEXT = 500

# Filter extras pushed down as comma lists: query key → parameter.
ATTRIBUTION_PARAMS: dict[str, str] = {
    "source": "Attribution_Source",
    "medium": "Attribution_Medium",
    "campaign": "Attribution_Campaign",
    "content": "Attribution_Content",
}
UNIQUE_VALUES: dict[str, str] = {"unique": "Unique", "repeat": "Repeat"}
_OWN_EXTRAS = frozenset({*ATTRIBUTION_PARAMS, "endpoint", "keys", "unique"})


class FoneDynamicsAdapter(FoneDynamicsNormalize, Adapter):
    provider: ClassVar[str] = "fonedynamics"
    title: ClassVar[str] = "Fone Dynamics"
    paging: ClassVar[PagingKind] = "offset"
    default_page_size: ClassVar[int] = PAGE_SIZE
    max_page_size: ClassVar[int] = PAGE_SIZE
    capabilities: ClassVar[Capabilities] = Capabilities(
        server_fields=frozenset(
            {"status", "to", "since", "until", "endpoint", "keys", "unique", *ATTRIBUTION_PARAMS}
        ),
        links=(LINK_RECORDINGS, LINK_RECORDING_MEDIA, LINK_SELF),
        total=False,
        limits=(
            "every call is inbound (no direction)",
            "no price",
            "oldest first",
            f"≤ {PAGE_SIZE} calls per page",
        ),
    )

    # -- auth and errors --------------------------------------------------------------------

    def make_auth(self) -> httpx.Auth:
        # Basic AccountSid:Token; with account scope the path sid is the AccountSid.
        user = self.account.username
        if not user and self.account.scope == "account":
            user = self.account.account
        return httpx.BasicAuth(user, self.account.password.get_secret_value())

    @staticmethod
    def parse_error(response: httpx.Response, body: Any) -> ErrorInfo:
        return error_info(body)

    # -- plan -------------------------------------------------------------------------------

    def plan(self, flt: CallFilter, now: datetime) -> Plan:
        return plan_filter(flt, now)

    # -- pages ------------------------------------------------------------------------------

    def require_config(self) -> None:
        self.list_path()

    def list_path(self) -> str:
        scope = self.account.scope
        if scope not in SCOPES:
            got = f"expected one of {', '.join(SCOPES)}, got {scope!r}"
            path = key_path("accounts", self.account.name, "scope")
            raise ConfigError(problems=[ConfigProblem(path, got)])
        sid = self.account.require_id()  # or the ConfigError naming the missing key
        template = PATH_ACCOUNT_CALLS if scope == "account" else PATH_PROPERTY_CALLS
        return template.format(sid=url_quote(sid))

    async def fetch_page(self, params: Params, cursor: Cursor, page_size: int) -> Page:
        """Cursor: ``int`` offset (first 0), or ``(offset, token)`` once the API hands out a
        ``NextPageToken``; the token then replaces ``Results_Skip``."""
        offset, token = split_cursor(cursor)
        query = dict(params)
        query[PARAM_COUNT] = str(page_size)
        if token is not None:
            query[PARAM_PAGE_TOKEN] = token
        elif offset:
            query[PARAM_SKIP] = str(offset)
        body = await self.http.get_json(self.list_path(), params=query)
        return self.parse_page(body, offset, page_size)

    def parse_page(self, body: Any, offset: int, page_size: int) -> Page:
        records, total, token, has_token = unwrap_list(body)
        if not records:
            self.raise_if_error(body)
        if records is None:
            raise self.malformed(f"expected a list of calls, got {_shape(body)}")
        # Normalized on first use: the listing may render plain records without calls.
        calls = Deferred(records, self.safe_normalize)
        count = len(records)
        reached = offset + count
        nxt: Cursor
        if has_token:  # the provider pages for us: its token (or its absence) is authoritative
            nxt = (reached, token) if token else None
        elif count < page_size or count == 0 or (total is not None and reached >= total):
            nxt = None
        else:
            nxt = reached
        return Page(calls, nxt, total, count)

    def raise_if_error(self, body: Any) -> None:
        """A 2xx body that is only an error envelope (ServiceStack-style APIs may send one)."""
        status = body.get("ResponseStatus") if isinstance(body, Mapping) else None
        if not isinstance(status, Mapping) or not _text(status.get("ErrorCode")):
            return
        info = error_info(body)
        kind = info.kind or errors.BadRequestError
        raise kind(info.message or "", provider=self.title, code=info.code, detail=info.detail)

    # -- one record -------------------------------------------------------------------------

    async def get_call(self, call_id: str) -> Call:
        path = PATH_CALL.format(sid=url_quote(call_id))
        body = await self.http.get_json(path)
        self.raise_if_error(body)
        record = unwrap_one(body)
        if record is None:
            raise errors.NotFoundError(
                f"no call {call_id!r} in the answer", provider=self.title, url=path
            )
        return self.safe_normalize(record)

    # -- links ------------------------------------------------------------------------------

    async def follow(self, call: Call, link: str) -> LinkResult:
        if link in (LINK_RECORDINGS, LINK_RECORDING_MEDIA):
            return LinkResult(kind="recordings", recordings=recordings_of(call))
        if link == LINK_SELF:
            return LinkResult(kind="calls", calls=(await self.get_call(call.id),))
        if link in ("notifications", "events"):
            return LinkResult(kind="entries", note="Fone Dynamics keeps no call events")
        # parent, children or anything else: call tracking records single inbound legs
        return LinkResult(kind="calls", note=f"Fone Dynamics calls have no {link} link")


# --- pure helpers (tests call them directly) ---------------------------------------------------


def split_cursor(cursor: Cursor) -> tuple[int, str | None]:
    """``None``/``int`` → offset; ``(offset, token)`` → both; a bare token string → (0, token)."""
    if cursor is None:
        return 0, None
    if isinstance(cursor, int):
        return max(0, cursor), None
    if isinstance(cursor, str):
        return 0, cursor
    offset = cursor[0] if cursor and isinstance(cursor[0], int) else 0
    token = cursor[1] if len(cursor) > 1 and isinstance(cursor[1], str) else None
    return offset, token


def unwrap_list(body: Any) -> tuple[Sequence[Any] | None, int | None, str | None, bool]:
    """(records or None if the shape is wrong, total, next-page token, whether a token key was
    present at all)."""
    if isinstance(body, list):
        return body, None, None, False
    if not isinstance(body, Mapping):
        return None, None, None, False
    records: Sequence[Any] | None = None
    for key in LIST_KEYS:
        value = body.get(key)
        if isinstance(value, list):
            records = value
            break
    total = None
    for key in TOTAL_KEYS:
        try:
            total = parse_int(body.get(key))
        except (ValueError, OverflowError):
            total = None
        if total is not None:
            break
    has_token = any(key in body for key in TOKEN_KEYS)
    token = None
    for key in TOKEN_KEYS:
        value = body.get(key)
        if isinstance(value, str) and value:
            token = value
            break
    return records, total, token, has_token


def unwrap_one(body: Any) -> Any:
    """The call object of ``GET /v2/Calls/{sid}``: ``{"Call": {...}}``, a bare object, or a
    one-element list; ``None`` when there is none."""
    if isinstance(body, Mapping):
        for key in ONE_KEYS:
            if isinstance(body.get(key), Mapping):
                return body[key]
        records, _, _, _ = unwrap_list(body)
        if records is not None:
            return records[0] if records else None
        return body
    if isinstance(body, list):
        return body[0] if body else None
    return None


def recordings_of(call: Call) -> tuple[Recording, ...]:
    """The call's one recording, straight from ``Recording_Uri`` (no API call needed)."""
    uri = call.links.get(LINK_RECORDING_MEDIA)
    if not uri:
        return ()
    return (
        Recording(
            provider=call.provider,
            id=call.id,
            call_id=call.id,
            started_at=call.started_at,
            media_url=uri,
            raw={RECORDING_KEY: uri},
        ),
    )


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value if len(value) <= _MAX_TEXT else value[: _MAX_TEXT - 1] + "…"
    return None


def error_info(body: Any) -> ErrorInfo:
    """``{"ResponseStatus": {"ErrorCode", "Message", "Errors": [{"FieldName"}]}}`` → ErrorInfo."""
    status = body.get("ResponseStatus") if isinstance(body, Mapping) else None
    if not isinstance(status, Mapping):
        return ErrorInfo(code=UNKNOWN_ERROR)
    code = _text(status.get("ErrorCode")) or UNKNOWN_ERROR
    fields: list[str] = []
    problems = status.get("Errors")
    if isinstance(problems, list):
        for problem in problems[:20]:
            if isinstance(problem, Mapping):
                name = _text(problem.get("FieldName"))
                message = _text(problem.get("Message"))
                if name or message:
                    fields.append(": ".join(p for p in (name, message) if p))
    kind = ERROR_KINDS.get(code)
    if kind is None and code.endswith("_NOT_FOUND"):
        kind = errors.NotFoundError
    return ErrorInfo(
        code=code,
        message=_text(status.get("Message")),
        detail=("fields: " + ", ".join(fields)) if fields else None,
        kind=kind,
    )


def _shape(body: Any) -> str:
    if isinstance(body, Mapping):
        keys = ", ".join(str(k) for k in list(body)[:5])
        return f"an object with keys {keys}" if keys else "an empty object"
    return type(body).__name__


# --- filter → plan -----------------------------------------------------------------------------


def _epoch(moment: datetime, *, up: bool) -> tuple[int, bool]:
    """Unix seconds (rounded down or up) and whether the instant was whole."""
    seconds = moment.astimezone(UTC).timestamp()
    whole = seconds == int(seconds)
    return (math.ceil(seconds) if up else math.floor(seconds)), whole


def _exact_list(patterns: Sequence[NumberPattern]) -> str | None:
    """A comma list of exact numbers, or None when any is a prefix (or can't be sent as one)."""
    values = [canonical_number(p.value) for p in patterns]
    if any(p.prefix for p in patterns) or any(not v or "," in v for v in values):
        return None
    return ",".join(values)


def _plain_list(values: Sequence[str]) -> str | None:
    if any("," in v or not v.strip() for v in values):
        return None
    return ",".join(values)


class _Planner:
    def __init__(self) -> None:
        self.params: dict[str, str] = {}
        self.items: list[PlanItem] = []
        self.local: list[str] = []
        self.warnings: list[str] = []
        self.empty = False  # the filter can match no Fone Dynamics call: send nothing

    def server(self, name: str, param: str, value: str, note: str = "", both: bool = False) -> None:
        self.params[param] = value
        where = Where.BOTH if both else Where.SERVER
        self.items.append(PlanItem(name, where, f"{param}={value}", note))
        if both:
            self.local.append(name)

    def keep_local(self, name: str, note: str = "") -> None:
        self.items.append(PlanItem(name, Where.LOCAL, "", note))
        self.local.append(name)

    def unsupported(self, name: str, note: str) -> None:
        self.items.append(PlanItem(name, Where.UNSUPPORTED, "", note))
        self.warnings.append(f"{name}: {note}; ignored")


def plan_filter(flt: CallFilter, now: datetime) -> Plan:
    """Split ``flt`` into one ``Get Calls`` query and the local residual (reference §2.2)."""
    p = _Planner()
    active = flt.active_fields()
    for name in active:
        key = QUERY_KEY.get(name, name)
        if name == "statuses":
            _plan_status(p, flt)
        elif name == "directions":
            p.keep_local(key, "every Fone Dynamics call is inbound")
            if DIRECTION not in flt.directions:
                p.empty = True
                p.warnings.append("Fone Dynamics calls are all inbound: dir can never match")
        elif name == "to_numbers":
            value = _exact_list(flt.to_numbers)
            if value is None:
                p.keep_local(key, "prefix match is local (To matches exact numbers)")
            else:
                p.server(key, "To", value)
        elif name == "since":
            assert flt.since is not None
            seconds, whole = _epoch(flt.since.resolve(now), up=False)
            p.server(key, PARAM_DATE_FROM, str(max(0, seconds)), "inclusive", both=not whole)
        elif name == "until":
            assert flt.until is not None
            seconds, whole = _epoch(flt.until.resolve(now), up=True)
            if seconds <= 0:
                p.empty = True
            p.server(key, PARAM_DATE_TO, str(max(0, seconds)), "exclusive", both=not whole)
        elif name == "price":
            p.unsupported(key, "Fone Dynamics reports no price")
        elif name == "parent_id":
            p.unsupported(key, "Fone Dynamics calls have no legs")
        elif name in ("from_numbers", "duration", "ids", "text"):
            p.keep_local(key, "no such Fone Dynamics filter")
        else:
            _plan_extra(p, flt, name)
    if (
        flt.since is not None
        and flt.until is not None
        and flt.since.resolve(now) >= flt.until.resolve(now)
    ):
        p.empty = True
    local_names = [FIELD_OF.get(n, n) for n in p.local]
    return Plan(
        queries=[] if p.empty else [p.params],
        local=flt.only(*local_names),
        items=tuple(p.items),
        warnings=tuple(p.warnings),
        merge="concat",
        newest_first=False,
        notes=("no request: the filter can match no Fone Dynamics call",) if p.empty else (),
    )


def _plan_status(p: _Planner, flt: CallFilter) -> None:
    if Status.UNKNOWN in flt.statuses:
        # an unrecognized Disposition normalizes to unknown; the server cannot select those
        p.keep_local("status", "unknown is only known after reading the call")
        return
    mapped = sorted(DISPOSITION_PARAM[s] for s in flt.statuses if s in DISPOSITION_PARAM)
    never = sorted(s.value for s in flt.statuses if s not in DISPOSITION_PARAM)
    note = f"no Disposition for {', '.join(never)}: never matches" if never else ""
    if never:
        p.warnings.append(f"status: Fone Dynamics has no {', '.join(never)} calls")
    if not mapped:
        p.empty = True
        p.keep_local("status", note)
        return
    p.server("status", "Disposition", ",".join(mapped), note)


def _plan_extra(p: _Planner, flt: CallFilter, key: str) -> None:
    values = flt.extra(key)
    if key in ATTRIBUTION_PARAMS:
        value = _plain_list(values)
        if value is None:
            p.keep_local(key, "a value holds a comma")
        else:
            p.server(key, ATTRIBUTION_PARAMS[key], value)
    elif key == "endpoint":
        value = _exact_list([NumberPattern.parse(v) for v in values])
        if value is None:
            p.keep_local(key, "prefix match is local (Endpoint matches exact numbers)")
        else:
            p.server(key, "Endpoint", value)
    elif key == "keys":
        # "1>2" (key 1, then 2 in the nested IVR) → "1,2"; alternatives joined by ";"
        paths = [",".join(part.strip() for part in v.split(">")) for v in values]
        if any(";" in path or not path for path in paths):
            p.keep_local(key, "a value holds a ';'")
        else:
            p.server(key, "Prompts_keys", ";".join(paths), "local re-checks the path", both=True)
    elif key == "unique":
        wanted = {UNIQUE_VALUES.get(v.strip().lower()) for v in values}
        if None in wanted:
            raise QueryRefusedError("unique takes unique or repeat", provider="Fone Dynamics")
        value = wanted.pop() if len(wanted) == 1 else "All"
        p.server(key, "Unique", str(value), "no local evidence: the server decides")
    else:
        p.unsupported(key, "not a Fone Dynamics field")


__all__ = ["FoneDynamicsAdapter", "error_info", "plan_filter", "unwrap_list", "unwrap_one"]
