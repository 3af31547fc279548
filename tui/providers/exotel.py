"""Exotel adapter: Voice v1 ``Calls.json`` (operator filters, ``NextPageUri`` cursor) → ``Call``.

Exotel writes operators into parameter values (``DateCreated=gte:…;lte:…``, ``Duration=gte:10s``)
and enforces hard limits (≤ 5 numbers per filter, ≤ 1 month per query, ≤ 6 months of history), so
the plan splits a filter into several native queries where a limit bites, or refuses it; nothing
is silently truncated. Times are zone-less ``YYYY-MM-DD HH:MM:SS`` in the account's zone
(``Account.zone``). One call comes with ``details=true`` (legs). Reference: providers.md §5, §7.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from typing import Any, ClassVar

import httpx

from tui.core import errors
from tui.core.account import Account
from tui.core.filter import CallFilter
from tui.core.http import ErrorInfo
from tui.core.model import (
    LINK_CHILDREN,
    LINK_PARENT,
    LINK_RECORDING_MEDIA,
    LINK_RECORDINGS,
    LINK_SELF,
    Call,
    Direction,
    LogEntry,
    Recording,
)
from tui.core.normalize import short_repr, url_quote
from tui.core.paging import Cursor, Page, PagingKind
from tui.core.plan import Params
from tui.core.planner import PlanTable
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.exotel_normalize import RECORDING_MEDIA_KEYS, ExotelNormalize
from tui.providers.exotel_plan import (
    DEFAULT_WINDOW_DAYS,
    MAX_NUMBERS,
    MAX_QUERIES,
    MAX_SPAN_MONTHS,
    PLAN_TABLE,
    RETENTION_MONTHS,
    international_filter,
)

# --- Provider facts the reference marks [unconfirmed] (providers.md §5, §8 item 4) ------------
# Every guess lives here (query facts: tui/providers/exotel_plan.py) so a wrong one is one line.

# `Metadata.Total`: seen only in third-party clients; whether it is the grand total or the page
# count is unconfirmed. We report it as the grand total.
REPORT_TOTAL = True
# HTTP status of an unknown CallSid is unconfirmed; a "not found" Code on any status is a 404.
NOT_FOUND_CODES = frozenset({"NOT_FOUND", "RESOURCE_NOT_FOUND", "CALL_NOT_FOUND"})

# --- Documented facts (seed 003: Call Details bulk; developer.exotel.com/api) ------------------

CALLS_PATH = "v1/Accounts/{sid}/Calls.json"
CALL_PATH = "v1/Accounts/{sid}/Calls/{call}.json"
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
RATE_LIMIT = "200 requests/min per account"

_MAX_TEXT = 500


class ExotelAdapter(ExotelNormalize, Adapter):
    provider: ClassVar[str] = "exotel"
    title: ClassVar[str] = "Exotel"
    paging: ClassVar[PagingKind] = "cursor"
    default_page_size: ClassVar[int] = DEFAULT_PAGE_SIZE
    max_page_size: ClassVar[int] = MAX_PAGE_SIZE
    capabilities: ClassVar[Capabilities] = Capabilities(
        server_fields=PLAN_TABLE.server_keys(),
        links=(LINK_SELF, LINK_RECORDINGS, LINK_RECORDING_MEDIA, LINK_PARENT, LINK_CHILDREN),
        total=True,
        limits=(
            f"≤ {MAX_NUMBERS} numbers per query (more are split)",
            f"≤ {MAX_SPAN_MONTHS} month per query (longer ranges are split)",
            f"≤ {RETENTION_MONTHS} months of history",
            f"no time range = last {DEFAULT_WINDOW_DAYS} days",
            f"≤ {MAX_QUERIES} queries per filter",
            RATE_LIMIT,
        ),
    )

    def __init__(self, account: Account, **kwargs: Any) -> None:
        super().__init__(account, **kwargs)
        sid = url_quote(self.account.require_id())  # or the ConfigError naming the key
        self.zone: tzinfo = self.account.tz
        self.calls_path = CALLS_PATH.format(sid=sid)
        # Links are absolute URLs: a prefix in base_url (an emulator) is kept.
        self._call_base = str(self.http.url(CALL_PATH.format(sid=sid, call="")))[: -len(".json")]

    # -- auth and errors --------------------------------------------------------------------

    def make_auth(self) -> httpx.Auth:
        # Basic auth: username = API key, password = API token (developer.exotel.com/api).
        return httpx.BasicAuth(self.account.username, self.account.password.get_secret_value())

    @staticmethod
    def parse_error(response: httpx.Response, body: Any) -> ErrorInfo:
        return error_info(body, response.status_code)

    # -- plan -------------------------------------------------------------------------------

    plan_table: ClassVar[PlanTable] = PLAN_TABLE

    def local_form(self, flt: CallFilter) -> CallFilter:
        return international_filter(flt)

    # -- pages ------------------------------------------------------------------------------

    async def fetch_page(self, params: Params, cursor: Cursor, page_size: int) -> Page:
        """Cursor: ``None`` for the first page, then ``Metadata.NextPageUri`` verbatim."""
        if cursor is None:
            query = {**params, "PageSize": str(page_size)}
            body = await self.http.get_json(self.calls_path, params=query)
        elif isinstance(cursor, str):
            body = await self.http.get_json(cursor)
        else:
            raise self.malformed(f"not an Exotel page cursor: {short_repr(cursor)}")
        return self.parse_page(body)

    def parse_page(self, body: Any) -> Page:
        if not isinstance(body, Mapping) or "Calls" not in body:
            raise self.malformed(f'expected {{"Metadata", "Calls"}}, got {_shape(body)}')
        records = body["Calls"]
        if records is None:
            records = []
        if not isinstance(records, list):
            raise self.malformed(f'"Calls" is not a list but {_shape(records)}')
        meta = body.get("Metadata")
        meta = meta if isinstance(meta, Mapping) else {}
        nxt = meta.get("NextPageUri")
        total = meta.get("Total")
        return Page(
            [self.safe_normalize(raw) for raw in records],
            nxt.strip() if isinstance(nxt, str) and nxt.strip() else None,
            total if REPORT_TOTAL and _is_count(total) else None,
            len(records),
        )

    # -- one record -------------------------------------------------------------------------

    def call_url(self, call_id: str) -> str:
        safe = call_id if call_id.isalnum() and call_id.isascii() else url_quote(call_id)
        return f"{self._call_base}{safe}.json"

    async def get_call(self, call_id: str) -> Call:
        """One call with ``details=true`` (legs, conversation duration)."""
        if not call_id:
            raise errors.NotFoundError("no call id", provider=self.title)
        sid = url_quote(self.account.account)
        path = CALL_PATH.format(sid=sid, call=url_quote(call_id))
        body = await self.http.get_json(path, params={"details": "true"})
        record = body.get("Call") if isinstance(body, Mapping) else None
        if isinstance(body, Mapping) and "Call" in body and record is None:
            raise errors.NotFoundError(f"no call {call_id}", provider=self.title)
        if not isinstance(record, Mapping):
            raise self.malformed(f'expected {{"Call": {{...}}}}, got {_shape(body)}')
        return self.safe_normalize(record)

    # -- links ------------------------------------------------------------------------------

    async def follow(self, call: Call, link: str) -> LinkResult:
        """Recordings: the call's URLs, refreshed (a pre-signed URL expires within an hour).
        Children: Exotel has no child-call listing, so a call's legs (``details=true``) are
        returned as entries. Parent and self: the call by id."""
        if link in (LINK_RECORDINGS, LINK_RECORDING_MEDIA):
            fresh = await self.get_call(call.id)
            found = recordings_of(fresh) or recordings_of(call)
            return LinkResult("recordings", recordings=found, note="" if found else "no recording")
        if link == LINK_CHILDREN:
            fresh = await self.get_call(call.id)
            entries = leg_entries(fresh)
            return LinkResult(
                "entries",
                entries=entries,
                note="legs of the call (Exotel lists no child calls)" if entries else "no legs",
            )
        if link == LINK_PARENT:
            if not call.parent_id:
                return LinkResult("calls", note="no parent call")
            return LinkResult("calls", calls=(await self.get_call(call.parent_id),))
        if link == LINK_SELF:
            return LinkResult("calls", calls=(await self.get_call(call.id),))
        raise errors.NotFoundError(f"Exotel calls have no {link!r} link", provider=self.title)


# --- pure helpers (tests call them directly) -----------------------------------------------


def _shape(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object with keys " + short_repr(sorted(str(k) for k in value)[:8])
    return f"{type(value).__name__} {short_repr(value)}"


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value[:_MAX_TEXT] or None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def error_info(body: Any, status: int | None = None) -> ErrorInfo:
    """``{"RestException": {"Status", "Message", "Code"}}`` → code and message; never raises."""
    exc = body.get("RestException") if isinstance(body, Mapping) else None
    if not isinstance(exc, Mapping):
        return ErrorInfo()
    code = _text(exc.get("Code"))
    own_status = _text(exc.get("Status"))
    detail = None
    if own_status is not None and own_status != str(status):
        detail = f"RestException status {own_status}"
    kind = errors.NotFoundError if code is not None and code.upper() in NOT_FOUND_CODES else None
    return ErrorInfo(code=code, message=_text(exc.get("Message")), detail=detail, kind=kind)


def recordings_of(call: Call) -> tuple[Recording, ...]:
    """The one recording of an Exotel call, from its ``PreSignedRecordingUrl``/``RecordingUrl``."""
    urls = {k: call.extras[k] for k in RECORDING_MEDIA_KEYS if isinstance(call.extras.get(k), str)}
    media = next((u for u in urls.values() if u.lower().startswith(("https://", "http://"))), None)
    if media is None:
        return ()
    warnings: tuple[str, ...] = ()
    if "PreSignedRecordingUrl" not in urls:
        warnings = ("RecordingUrl may need the account's credentials (no pre-signed URL)",)
    return (
        Recording(
            provider="exotel",
            id=call.id,
            call_id=call.id,
            started_at=call.started_at,
            media_url=media,
            warnings=warnings,
            raw=urls,
        ),
    )


def leg_entries(call: Call) -> tuple[LogEntry, ...]:
    """A call's legs (``Details.Legs``) as entries. Leg roles per the docs: inbound, leg 1 is the
    caller's leg into the ExoPhone and leg 2 the onward leg; API calls dial From, then To."""
    legs = call.extras.get("Legs")
    if not isinstance(legs, list):
        return ()
    entries: list[LogEntry] = []
    for n, item in enumerate(legs, 1):
        leg = item.get("Leg") if isinstance(item, Mapping) else None
        leg = leg if isinstance(leg, Mapping) else item
        if not isinstance(leg, Mapping):
            entries.append(LogEntry(title=f"Leg {n}", detail=short_repr(item), raw=item))
            continue
        leg_id = _text(leg.get("Id")) or str(n)
        status = _text(leg.get("Status")) or _text(call.extras.get(f"Leg{leg_id}Status"))
        parts: list[str] = []
        if leg_id == "1":
            parts.append(
                "caller into the ExoPhone"
                if call.direction is Direction.INBOUND
                else f"to From {call.from_number or '?'}"
            )
        elif leg_id == "2":
            parts.append(
                "onward leg"
                if call.direction is Direction.INBOUND
                else f"to To {call.to_number or '?'}"
            )
        if status:
            parts.append(status)
        on_call = _text(leg.get("OnCallDuration"))
        if on_call is not None:
            parts.append(f"on call {on_call} s")
        answered = _text(leg.get("AnsweredBy"))
        if answered:
            parts.append(f"answered by {answered}")
        entries.append(
            LogEntry(level=status, title=f"Leg {leg_id}", detail=" · ".join(parts), raw=item)
        )
    return tuple(entries)
