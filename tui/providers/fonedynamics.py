"""Fone Dynamics adapter: REST API v2 "Get Calls" (call-tracking CDRs) → ``Call``.

Account or property scope, ``Date_From``/``Date_To`` epoch filters, ``Disposition``, ``To``,
``Endpoint``, attribution, ``Prompts_keys`` and ``Unique`` pushed down; offset paging with
``Results_Skip``/``Results_Count`` (a ``NextPageToken``/``TotalCount`` is used if one ever
appears); the recording is a URI on the call. Reference: providers.md §2 and §7.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
)
from tui.core.normalize import (
    Deferred,
    parse_int,
    url_quote,
)
from tui.core.paging import Cursor, Page, PagingKind
from tui.core.plan import Params
from tui.core.planner import PlanTable
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.catalog import FONEDYNAMICS
from tui.providers.fonedynamics_normalize import (
    PATH_CALL,
    RECORDING_KEY,
    FoneDynamicsNormalize,
)
from tui.providers.fonedynamics_plan import PLAN_TABLE

# --- Provider facts the reference marks [unconfirmed] (providers.md §2, §8 item 1) -------------
# Every guess lives here so a wrong one is a one-line fix.

# Paths: by analogy with Messages (GET /v2/Messages/{Sid}, /v2/Properties/{Sid}/Messages);
# the same three paths are listed in fixtures/fonedynamics/get_calls.field_catalogue.json.
PATH_ACCOUNT_CALLS = "/v2/Accounts/{sid}/Calls"
PATH_PROPERTY_CALLS = "/v2/Properties/{sid}/Calls"
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


class FoneDynamicsAdapter(FoneDynamicsNormalize, Adapter):
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


__all__ = ["FoneDynamicsAdapter", "error_info", "unwrap_list", "unwrap_one"]
