"""Fone Dynamics adapter: REST API v2 "Get Calls" (call-tracking CDRs) → ``Call``.

Account or property scope, ``Date_From``/``Date_To`` epoch filters, ``Disposition``, ``To``,
``Endpoint``, attribution, ``Prompts_keys`` and ``Unique`` pushed down; offset paging with
``Results_Skip``/``Results_Count`` (a ``NextPageToken``/``TotalCount`` is used if one ever
appears); the recording is a URI on the call. Reference: providers.md §2 and §7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from functools import cached_property
from typing import Any, ClassVar

import httpx

from tui.core import errors
from tui.core.config_schema import key_path
from tui.core.errors import ConfigError, ConfigProblem
from tui.core.http import ErrorInfo
from tui.core.model import (
    LINK_RECORDING_MEDIA,
    LINK_RECORDINGS,
    LINK_SELF,
    Call,
    Recording,
    Status,
    call_of,
)
from tui.core.normalize import (
    Deferred,
    Fields,
    enum_of,
    integer_of,
    parse_int,
    text_of,
    url_quote,
)
from tui.core.paging import Cursor, Page, PagingKind
from tui.core.plan import Params
from tui.core.planner import PlanTable
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.catalog import FONEDYNAMICS
from tui.providers.fonedynamics_plan import DIRECTION, PLAN_TABLE

# --- Provider facts the reference marks [unconfirmed] (providers.md §2, §8 item 1) -------------
# Every guess lives here so a wrong one is a one-line fix.

# Paths: by analogy with Messages (GET /v2/Messages/{Sid}, /v2/Properties/{Sid}/Messages);
# the same three paths are listed in fixtures/fonedynamics/get_calls.field_catalogue.json.
PATH_ACCOUNT_CALLS = "/v2/Accounts/{sid}/Calls"
PATH_PROPERTY_CALLS = "/v2/Properties/{sid}/Calls"
PATH_CALL = "/v2/Calls/{sid}"
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
# Record field names whose labels were lost in every stored copy of the Get Calls page; the
# spellings are guesses from the filter table ("Date_From") and the Fivetran schema (date_start,
# froms, tos). First present wins.
START_KEYS = ("DateStart", "Date_Start", "StartTime", "Date")
FROM_KEYS = ("From", "Caller")
TO_KEYS = ("To", "Dialled")
# Results_Count: default 200, maximum undocumented. 200 is the one size the server is known to
# return in full, so a "short page" (our end-of-list signal) can never be a silent server cap.
PAGE_SIZE = 200
# Which HTTP status carries CALL_NOT_FOUND is unconfirmed (400 or 404): the ErrorCode decides.

# --- Documented facts (seed 000: Get Calls page; errors page; SDK error model) ----------------

ID_KEY = "CallSid"
DURATION_KEY = "Duration"
DISPOSITION_KEY = "Disposition"
RECORDING_KEY = "Recording_Uri"
FRIENDLY_KEY = "To_Friendly"

# Keys that fill normalized fields (anything else in a record lands in extras).
CONSUMED_KEYS: frozenset[str] = frozenset(
    {ID_KEY, DURATION_KEY, DISPOSITION_KEY, *START_KEYS, *FROM_KEYS, *TO_KEYS}
)
# The documented provider-specific fields, kept verbatim in Call.extras (in this order).
EXTRA_KEYS: tuple[str, ...] = (
    "PropertySid",
    "From_CountryCode",
    "From_Region",
    "From_City",
    FRIENDLY_KEY,
    "Endpoint",
    RECORDING_KEY,
    "Attribution_Source",
    "Attribution_Medium",
    "Attribution_Campaign",
    "Attribution_Content",
    "Session_Traffic_Type",
    "Session_Keywords",
    "Session_ConversionUri",
    "Session_LandingUri",
    "Survey_Type",
    "Survey_Value",
    "Survey_Custom1",
    "Survey_Custom2",
    "Survey_Custom3",
    "Survey_UniqueCode",
    "Prompts_Keys",
    "Notes",
    "CallType",
    "Google_Analytics_ClientId",
    "Google_Adwords_ClickId",
)

# Disposition ↔ normalized status (reference §7.1). Keys are lower-case (Fields.enum folds case).
DISPOSITIONS: dict[str, Status] = {
    "answered": Status.COMPLETED,
    "ivr": Status.IVR,
    "busy": Status.BUSY,
    "noanswer": Status.NO_ANSWER,
    "failed": Status.FAILED,
}
# The fields a Fone Dynamics record never carries (and its one direction), as every call has them.
UNREPORTED: dict[str, Any] = {
    "parent_id": None,
    "from_formatted": None,
    "to_formatted": None,
    "from_name": None,
    "created_at": None,
    "answered_at": None,
    "ended_at": None,
    "price": None,
    "currency": None,
    "direction": DIRECTION,
    "direction_raw": None,
    "answered_by": None,
    "end_reason": None,
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


class FoneDynamicsAdapter(Adapter):
    provider: ClassVar[str] = "fonedynamics"
    title: ClassVar[str] = "Fone Dynamics"
    paging: ClassVar[PagingKind] = "offset"
    default_page_size: ClassVar[int] = PAGE_SIZE
    max_page_size: ClassVar[int] = PAGE_SIZE
    capabilities: ClassVar[Capabilities] = Capabilities(
        server_fields=PLAN_TABLE.server_keys(),
        links=(LINK_RECORDINGS, LINK_RECORDING_MEDIA, LINK_SELF),
        total=False,
        limits=(
            "every call is inbound (no direction)",
            "no price",
            "oldest first",
            f"≤ {PAGE_SIZE} calls per page",
        ),
    )

    @cached_property
    def zone(self) -> tzinfo:
        # Times are epoch seconds (UTC); the zone only reads a zone-less text time, if one comes.
        return self.account.tz

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

    plan_table: ClassVar[PlanTable] = PLAN_TABLE

    # -- pages ------------------------------------------------------------------------------

    def require_config(self) -> None:
        self.list_path()

    def list_path(self) -> str:
        scope = self.account.scope
        if scope not in FONEDYNAMICS.scopes:
            got = f"expected one of {', '.join(FONEDYNAMICS.scopes)}, got {scope!r}"
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

    def normalize(self, raw: Any) -> Call:
        f = Fields(raw, zone=self.zone)
        call_id = text_of(f, ID_KEY)
        if call_id is None:
            f.warn(f"{ID_KEY} missing")
        status, status_raw = enum_of(f, DISPOSITION_KEY, DISPOSITIONS, Status.UNKNOWN)
        recording = text_of(f, RECORDING_KEY)
        extras: dict[str, Any] = {}
        links: dict[str, str] = {}
        if not self.lean:
            extras = f.extras(EXTRA_KEYS)
            # Names the reference does not know (e.g. the real start-time field) stay visible.
            for key, value in f.raw.items():
                if key not in CONSUMED_KEYS and key not in extras and value not in (None, ""):
                    extras[str(key)] = value
            if recording:
                links[LINK_RECORDING_MEDIA] = recording
                links[LINK_RECORDINGS] = recording
            if call_id:
                links[LINK_SELF] = PATH_CALL.format(sid=url_quote(call_id))
        return call_of(
            {
                "provider": self.provider,
                "account": self.account.name,
                **UNREPORTED,
                "id": call_id or "?",
                "from_number": text_of(f, *FROM_KEYS),
                "to_number": text_of(f, *TO_KEYS),
                "to_name": text_of(f, FRIENDLY_KEY),
                "started_at": _start_of(f),
                "duration": integer_of(f, DURATION_KEY),
                "status": status,
                "status_raw": status_raw,
                "links": links,
                "extras": extras,
                "warnings": tuple(f.warnings),
                "raw": raw,
            }
        )

    lean_fields_read = frozenset(
        {
            *("provider", "account", "id", "parent_id", "from_number", "to_number"),
            *("from_formatted", "to_formatted", "from_name", "to_name", "created_at"),
            *("started_at", "answered_at", "ended_at", "duration", "price", "currency"),
            *("direction", "direction_raw", "status", "status_raw", "answered_by", "end_reason"),
        }
    )

    def lean_fields(self, raw: Any) -> dict[str, Any] | None:
        """:meth:`normalize`'s fields but links, extras and warnings, for a record whose every
        read is its plain case (text or null, epoch digits, an integer, a known disposition);
        ``None`` otherwise."""
        if type(raw) is not dict:
            return None
        get = raw.get
        call_id = get(ID_KEY)
        if type(call_id) is not str or not call_id:
            return None
        status_raw = get(DISPOSITION_KEY)
        status = DISPOSITIONS.get(status_raw.strip().lower()) if type(status_raw) is str else None
        if status is None:
            return None
        from_number = _plain_text(raw, FROM_KEYS)
        to_number = _plain_text(raw, TO_KEYS)
        to_name = _plain_text(raw, (FRIENDLY_KEY,))
        if from_number is False or to_number is False or to_name is False:
            return None
        started: datetime | None = None
        for key in START_KEYS:
            value = get(key)
            if value is not None:
                digits = type(value) is str and 0 < len(value) < 12 and value.isascii()
                if not (digits and value.isdigit()):
                    return None
                started = datetime.fromtimestamp(float(value), UTC)
                break
        duration = get(DURATION_KEY)
        if duration is not None and type(duration) is not int:
            return None
        return {
            "provider": self.provider,
            "account": self.account.name,
            **UNREPORTED,
            "id": call_id,
            "from_number": from_number,
            "to_number": to_number,
            "to_name": to_name,
            "started_at": started,
            "duration": duration,
            "status": status,
            "status_raw": status_raw,
        }

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


# Fast reads: see tui.core.normalize.text_of and friends.


def _plain_text(raw: dict[str, Any], keys: tuple[str, ...]) -> str | bool | None:
    """``text_of(Fields(raw), *keys)`` when the first present value is a string; else False."""
    for key in keys:
        value = raw.get(key)
        if value is not None:
            return (value or None) if type(value) is str else False
    return None


def _start_of(f: Fields) -> datetime | None:
    """``f.time(*START_KEYS)``: epoch seconds as digits (under 10**11, so never milliseconds)
    read directly, as ``parse_time`` reads them."""
    get = f.raw.get
    for key in START_KEYS:
        value = get(key)
        if value is not None:
            if type(value) is str and 0 < len(value) < 12 and value.isascii() and value.isdigit():
                return datetime.fromtimestamp(float(value), UTC)
            return f.time(*START_KEYS)
    return None


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


__all__ = ["FoneDynamicsAdapter", "error_info", "unwrap_list", "unwrap_one"]
