"""PortSIP PBX adapter: ``/api/calllogs`` with OData-like ``filter``, ``skip``/``top`` paging.

PortSIP is self-hosted (``https://{host}:8887/api``) and speaks bearer tokens from a login call
(:mod:`tui.providers.portsip_auth`). It has no status field: the status is derived from the SIP
code, the answer/end times and the end reason (:func:`derive_status`). Recordings are not linked
from a call log; they are found by caller, callee and time overlap. ``session_id`` groups the
call logs of one session: they are this adapter's ``children`` link.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

import httpx

from tui.core import errors
from tui.core.account import Account
from tui.core.http import ErrorInfo, RetryPolicy
from tui.core.model import (
    LINK_CHILDREN,
    LINK_RECORDINGS,
    LINK_SELF,
    Call,
    Direction,
    Recording,
    Status,
    call_of,
)
from tui.core.normalize import (
    Fields,
    enum_of,
    integer_of,
    iso_time_of,
    parse_time,
    short_repr,
    text_of,
    url_quote,
)
from tui.core.paging import Cursor, Page
from tui.core.plan import Params
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.portsip_auth import DEFAULT_LOGIN, OAUTH_CLIENT_ID, Clock, PortSipAuth
from tui.providers.portsip_odata import (
    RECORDING_OVERLAP_SLACK,
    odata_string,
    recordings_filter,
)
from tui.providers.portsip_plan import PLAN_TABLE

# -- provider facts (reference §3; [unconfirmed] ones are one-line fixes here) ----------------

CALLLOGS_PATH = "calllogs"  # relative to the base URL https://{host}:8887/api
RECORDINGS_PATH = "recordings"
MAX_TOP = 100  # `top` is 1..100 where declared (/recordings); assumed for /calllogs [unconfirmed]
# The prose says skip is 1-based, the declared schema says >= 0, default 0 [unconfirmed, §3.4].
SKIP_BASE = 0
MAX_RECORDING_DETAILS = 20  # GET /recordings/{id} per matching recording, at most
MAX_LINK_PAGES = 5  # pages walked when following recordings/children (server may ignore filter)

DIRECTIONS: dict[str, Direction] = {  # §7.2
    "inbound_call": Direction.INBOUND,
    "inbound_outbound_call": Direction.INBOUND,  # entered from a trunk, then went out again
    "outbound_call": Direction.OUTBOUND,
    "extension_call": Direction.INTERNAL,
}
# fmt: off
END_REASONS = frozenset({
    "CALLER_DISCONNECTED", "CALLEE_DISCONNECTED", "BLIND_TRANSFER_COMPLETED",
    "CONSULT_TRANSFER_COMPLETED", "REPLACED", "REFERRED", "REDIRECTED", "CANCELLED",
    # not in the spec's enum, but in PortSIP's own CDR example (accessing-cdrs-and-recordings.md)
    "CALLER_DISCONNECT", "CALLEE_DISCONNECT",
})
REROUTE_REASONS = frozenset({
    "TRANSFER", "OVERFLOW",
    # added in v22.5 (§3.5)
    "CAPACITY_BLOCKED", "QUEUE_EXIT", "QUEUE_ABANDONED", "REDIRECT", "FORWARDING_UNCONDITIONAL",
    "FORWARDING_BUSY", "FORWARDING_NO_ANSWER", "FORWARDING_NOT_REACHABLE", "FORWARDING_EXCEPTION",
    "FORWARDING_LUNCH", "FORWARDING_BUSINESS_TRIP", "FORWARDING_AWAY", "FORWARDING_NIGHT_MODE",
})
# fmt: on
# SIP final codes → status (§7.1: standard SIP meanings, not PortSIP documentation).
CANCEL_REASONS = frozenset({"CANCELLED", "CANCELED"})
CANCEL_CODES = frozenset({487})
BUSY_CODES = frozenset({486, 600})
NO_ANSWER_CODES = frozenset({408, 480})
# Error codes (§3.6); any other code is treated as UNKNOWN (classified by HTTP status).
ERROR_KINDS: dict[str, type[errors.ProviderError]] = {
    "UNAUTHORIZED": errors.AuthError,
    "VALIDATE_FAILED": errors.BadRequestError,
}

# fmt: off
# Fields read into normalized Call fields; every other key of a record goes to extras verbatim.
CONSUMED_KEYS = frozenset({
    "id", "caller", "callee", "caller_display_name", "callee_display_name",
    "started_at", "answered_at", "ended_at", "duration", "direction", "end_reason",
    "cost",  # → price, and kept in extras too
})
# Documented fields that land in extras (§3.5); listed for tests and readers.
EXTRA_KEYS = (
    "session_id", "call_id", "caller_domain", "callee_domain", "destination",
    "outbound_caller_id", "did_cid", "trunk", "service_number", "user_data", "reroute_reason",
    "status_code", "cost", "billed_account", "rang_at",
)
# fmt: on

# -- status derivation -------------------------------------------------------------------------


def derive_status(
    *,
    answered_at: datetime | None,
    ended_at: datetime | None,
    rang_at: datetime | None,
    duration: int | None,
    status_code: int | None,
    end_reason: str | None,
) -> Status:
    """PortSIP has no status field; derive one (reference §7.1), rules in this order:

    1. not ended: answered → in-progress; rang (and no talk time) → ringing;
    2. answered and ended, or any talk time → completed;
    3. then the call was not answered; if it has not ended either, we cannot tell → unknown;
    4. end reason CANCELLED or SIP 487 → canceled;
    5. SIP 486 / 600 → busy;
    6. SIP 408 / 480 → no-answer;
    7. any other unanswered, ended call → failed.
    """
    talked = duration is not None and duration > 0
    if ended_at is None:
        if answered_at is not None:
            return Status.IN_PROGRESS
        if rang_at is not None and not talked:
            return Status.RINGING
    if (answered_at is not None and ended_at is not None) or talked:
        return Status.COMPLETED
    if ended_at is None:
        return Status.UNKNOWN
    if (end_reason or "").upper() in CANCEL_REASONS or status_code in CANCEL_CODES:
        return Status.CANCELED
    if status_code in BUSY_CODES:
        return Status.BUSY
    if status_code in NO_ANSWER_CODES:
        return Status.NO_ANSWER
    return Status.FAILED


def recording_matches(item: Mapping[str, Any], call: Call) -> bool:
    """The local half of the join (the server may ignore ``filter``)."""
    if call.from_number is not None and item.get("caller") != call.from_number:
        return False
    if call.to_number is not None and item.get("callee") != call.to_number:
        return False
    try:
        started = parse_time(item.get("started_at"))
        ended = parse_time(item.get("ended_at"))
    except (ValueError, OverflowError):
        return False
    if call.started_at is None:
        return False
    if ended is not None and ended < call.started_at - RECORDING_OVERLAP_SLACK:
        return False
    return not (
        started is not None
        and call.ended_at is not None
        and started > call.ended_at + RECORDING_OVERLAP_SLACK
    )


def parse_envelope(body: Any) -> tuple[list[Any], int | None]:
    """``{count, items}`` → (items, count); raises ValueError for another shape."""
    if not isinstance(body, Mapping):
        raise ValueError(f"expected an object with items, got {short_repr(body)}")
    if "items" not in body:  # §3.3: every list answers {count, items}; another object is not one
        raise ValueError(f"expected an object with items, got keys {short_repr(sorted(body))}")
    items = body.get("items")
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValueError(f"items is not a list: {short_repr(items)}")
    count = body.get("count")
    if isinstance(count, bool) or not isinstance(count, int) or count < 0:
        count = None
    return items, count


def _detail_item(body: Any) -> Any:
    """A detail body: the object itself, or the spec's ``{"items": [{...}]}`` wrapping."""
    if isinstance(body, Mapping) and "items" in body and "id" not in body:
        items = body["items"]
        if isinstance(items, list):
            return items[0] if items else None
        return items
    return body


class PortSipAdapter(Adapter):
    provider = "portsip"
    title = "PortSIP"
    paging = "offset"
    default_page_size = 100
    max_page_size = MAX_TOP
    capabilities = Capabilities(
        server_fields=PLAN_TABLE.server_keys(),
        links=(LINK_RECORDINGS, LINK_CHILDREN, LINK_SELF),
        total=True,
        limits=(
            "≤ 100 call logs per page",
            "status is derived locally (PortSIP has no status field)",
            "no cost in call-log lists (one call log only)",
            "filters also checked locally (calllogs filter support unconfirmed)",
        ),
    )

    def __init__(
        self,
        account: Account,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        timeout: httpx.Timeout | None = None,
        clock: Clock | None = None,
    ) -> None:
        self._clock = clock
        super().__init__(account, transport=transport, retry=retry, sleep=sleep, timeout=timeout)
        self._base = str(self.http.base_url)  # ends with "/"
        self._zone = account.tz

    # -- auth and errors -------------------------------------------------------------------

    def make_auth(self) -> httpx.Auth:
        options = self.account.options
        extra: dict[str, Any] = {"clock": self._clock} if self._clock is not None else {}
        return PortSipAuth(
            base_url=self.account.base_url,
            username=self.account.username,
            password=self.account.password.get_secret_value(),
            domain=self.account.domain,
            login=str(options.get("login") or DEFAULT_LOGIN),
            client_id=str(options.get("client_id") or OAUTH_CLIENT_ID),
            provider=self.title,
            **extra,
        )

    @staticmethod
    def parse_error(response: httpx.Response, body: Any) -> ErrorInfo:
        """``{"errors": [{"code", "message", "detail"}]}`` (also OAuth's ``error`` object)."""
        if not isinstance(body, Mapping):
            return ErrorInfo()
        found = body.get("errors")
        if isinstance(found, list) and found:
            entries = [e for e in found if isinstance(e, Mapping)]
            if not entries:
                return ErrorInfo()
            first = entries[0]
            code = first.get("code")
            code_text = (
                str(code) if isinstance(code, str | int) and not isinstance(code, bool) else None
            )
            messages = [m for e in entries[:3] if isinstance(m := e.get("message"), str) and m]
            detail = first.get("detail")
            detail_text = None
            if detail is not None and detail != "":
                detail_text = detail if isinstance(detail, str) else _compact_json(detail)
            kind = ERROR_KINDS.get((code_text or "").upper())
            if kind is errors.BadRequestError and response.status_code != 400:
                kind = None  # keep 404/403 … classification by status
            return ErrorInfo(code_text, "; ".join(messages) or None, detail_text, kind)
        oauth_code = body.get("error")
        if isinstance(oauth_code, str):
            description = body.get("error_description")
            kind = errors.AuthError if oauth_code in ("invalid_grant", "invalid_client") else None
            message = description if isinstance(description, str) and description else oauth_code
            return ErrorInfo(oauth_code, message, None, kind)
        return ErrorInfo()

    plan_table = PLAN_TABLE

    # -- pages -----------------------------------------------------------------------------

    async def fetch_page(self, params: Params, cursor: Cursor, page_size: int) -> Page:
        skip = cursor if isinstance(cursor, int) else 0
        top = max(1, min(page_size, MAX_TOP))
        query = {**params, "skip": str(skip + SKIP_BASE), "top": str(top)}
        body = await self.http.get_json(CALLLOGS_PATH, params=query)
        try:
            records, count = parse_envelope(body)
        except ValueError as exc:
            raise self.malformed(str(exc), self._base + CALLLOGS_PATH) from None
        if not records and count is not None and skip < count:
            # the page contradicts its own count: ending here would silently drop the rest
            raise self.malformed(
                f"an empty page at offset {skip} although the count says {count} call logs",
                self._base + CALLLOGS_PATH,
            )
        calls = [self.safe_normalize(record) for record in records]
        end = skip + len(records)
        last = len(records) < top or (count is not None and end >= count)
        return Page(calls, None if last else end, count, len(records))

    # -- normalize -------------------------------------------------------------------------

    def normalize(self, raw: Any) -> Call:
        f = Fields(raw, zone=self._zone)
        record = f.raw
        # Fast reads (tui.core.normalize.text_of and friends): Fields' results, sooner.
        call_id = text_of(f, "id")
        if call_id is None:
            f.warn("record has no id")
            call_id = f.text("call_id", "session_id") or "?"
        started = iso_time_of(f, "started_at")
        answered = iso_time_of(f, "answered_at")
        ended = iso_time_of(f, "ended_at")
        rang = iso_time_of(f, "rang_at")
        duration = integer_of(f, "duration")
        status_code = integer_of(f, "status_code")
        end_reason = text_of(f, "end_reason")
        if end_reason is not None and end_reason not in END_REASONS:
            f.warn(f"end_reason: undocumented value {short_repr(end_reason)}")
        reroute = text_of(f, "reroute_reason")
        if reroute is not None and reroute not in REROUTE_REASONS:
            f.warn(f"reroute_reason: undocumented value {short_repr(reroute)}")
        direction, direction_raw = enum_of(f, "direction", DIRECTIONS, Direction.UNKNOWN)
        status = derive_status(
            answered_at=answered,
            ended_at=ended,
            rang_at=rang,
            duration=duration,
            status_code=status_code,
            end_reason=end_reason,
        )
        if status is Status.UNKNOWN:
            f.warn("status: cannot be derived (neither ended, answered nor ringing)")
        caller, callee = text_of(f, "caller"), text_of(f, "callee")
        from_name, to_name = text_of(f, "caller_display_name"), text_of(f, "callee_display_name")
        price = f.decimal("cost")
        extras: dict[str, Any] = {}
        links: dict[str, str] = {}
        if not self.lean:
            extras = {
                key: value
                for key, value in record.items()
                if key not in CONSUMED_KEYS and value is not None and value != ""
            }
            cost = record.get("cost")
            if cost is not None and cost != "":
                extras["cost"] = cost
            links[LINK_SELF] = self._base + CALLLOGS_PATH + "/" + url_quote(call_id)
            join = recordings_filter(caller, callee, started, ended)
            if join is not None:
                links[LINK_RECORDINGS] = self._list_url(RECORDINGS_PATH, join)
            session = record.get("session_id")
            if isinstance(session, str) and session:
                expr = f"session_id eq {odata_string(session)}"
                links[LINK_CHILDREN] = self._list_url(CALLLOGS_PATH, expr)
        return call_of(
            {
                "provider": self.provider,
                "account": self.account.name,
                "id": call_id,
                "parent_id": None,
                "from_number": caller,
                "to_number": callee,
                "from_formatted": None,
                "to_formatted": None,
                "from_name": from_name,
                "to_name": to_name,
                "created_at": None,
                "started_at": started,
                "answered_at": answered,
                "ended_at": ended,
                "duration": duration,
                "price": price,
                "currency": None,
                "direction": direction,
                "direction_raw": direction_raw,
                "status": status,
                "status_raw": None,
                "answered_by": None,
                "end_reason": end_reason,
                "links": links,
                "extras": extras,
                "warnings": tuple(f.warnings),
                "raw": raw,
            }
        )

    def _list_url(self, path: str, expr: str) -> str:
        return f"{self._base}{path}?filter={url_quote(expr)}"  # == urlencode, cheaper

    # -- one call and links ----------------------------------------------------------------

    async def get_call(self, call_id: str) -> Call:
        body = await self.http.get_json(CALLLOGS_PATH + "/" + url_quote(call_id))
        record = _detail_item(body)
        if not isinstance(record, Mapping):
            raise self.malformed(f"expected a call log object, got {short_repr(body)}")
        return self.safe_normalize(record)

    async def follow(self, call: Call, link: str) -> LinkResult:
        target = call.links.get(link)
        if link == LINK_SELF:
            return LinkResult("calls", calls=[await self.get_call(call.id)])
        if target is None:
            raise errors.NotFoundError(f"this call has no {link} link", provider=self.title)
        if link == LINK_RECORDINGS:
            return await self._recordings(call, target)
        if link == LINK_CHILDREN:
            return await self._session_calls(call, target)
        raise errors.NotFoundError(f"PortSIP calls have no {link} link", provider=self.title)

    async def _walk(self, url: str, order: str) -> tuple[list[Any], bool]:
        """Every record of a link's list (bounded); ``True`` when the bound cut it short."""
        found: list[Any] = []
        skip = 0
        for _ in range(MAX_LINK_PAGES):
            params = {"orderby": order, "skip": str(skip + SKIP_BASE), "top": str(MAX_TOP)}
            # httpx replaces a URL's query when given params: merge into the link's own
            page_url = self.http.url(url).copy_merge_params(params)
            body = await self.http.get_json(page_url)
            try:
                records, count = parse_envelope(body)
            except ValueError as exc:
                raise self.malformed(str(exc), url.split("?")[0]) from None
            found.extend(records)
            skip += len(records)
            if len(records) < MAX_TOP or (count is not None and skip >= count):
                return found, False
        return found, True

    async def _session_calls(self, call: Call, url: str) -> LinkResult:
        """The other call logs of this call's session (PortSIP's nearest thing to legs)."""
        session = call.extras.get("session_id")
        records, cut = await self._walk(url, "started_at asc")
        calls = [
            self.safe_normalize(r)
            for r in records
            if isinstance(r, Mapping) and r.get("session_id") == session and r.get("id") != call.id
        ]
        note = f"first {MAX_LINK_PAGES * MAX_TOP} call logs searched" if cut else ""
        return LinkResult("calls", calls=calls, note=note)

    async def _recordings(self, call: Call, url: str) -> LinkResult:
        records, cut = await self._walk(url, "started_at asc")
        matches = [r for r in records if isinstance(r, Mapping) and recording_matches(r, call)]
        notes = []
        if cut:
            notes.append(f"first {MAX_LINK_PAGES * MAX_TOP} recordings searched")
        if len(matches) > MAX_RECORDING_DETAILS:
            notes.append(
                f"{len(matches)} recordings match; the first {MAX_RECORDING_DETAILS} shown"
            )
            matches = matches[:MAX_RECORDING_DETAILS]
        recordings = await asyncio.gather(*(self._recording(call, m) for m in matches))
        return LinkResult("recordings", recordings=recordings, note="; ".join(notes))

    async def _recording(self, call: Call, summary: Mapping[str, Any]) -> Recording:
        rid = summary.get("id")
        if not isinstance(rid, str | int) or isinstance(rid, bool) or rid == "":
            return self.recording_from(summary, None, call.id, ["recording has no id"])
        try:
            body = await self.http.get_json(RECORDINGS_PATH + "/" + url_quote(str(rid)))
        except errors.NotFoundError:
            return self.recording_from(summary, None, call.id, ["recording detail not found"])
        return self.recording_from(summary, _detail_item(body), call.id, [])

    def recording_from(
        self, summary: Mapping[str, Any], detail: Any, call_id: str, warnings: list[str]
    ) -> Recording:
        """A recording from its list entry and its ``/recordings/{id}`` detail (may be None)."""
        f = Fields({**summary, **(detail if isinstance(detail, Mapping) else {})})
        if detail is not None and not isinstance(detail, Mapping):
            f.warn(f"recording detail is not an object: {short_repr(detail)}")
        started, ended = f.time("started_at"), f.time("ended_at")
        duration = f.integer("duration")
        if duration is None and started is not None and ended is not None:
            duration = round((ended - started).total_seconds())
        media = f.text("file_url")
        if media is not None:
            try:
                media = str(self.http.url(media))
            except (httpx.InvalidURL, ValueError, TypeError):
                f.warn(f"file_url: not a URL: {short_repr(media)}")
        return Recording(
            provider=self.provider,
            id=f.text("id") or "?",
            call_id=call_id,
            started_at=started,
            duration=duration,
            channels=None,
            status=None,  # v22.5's `status` is the AI-transcription state: kept in raw
            media_url=media,
            price=None,
            currency=None,
            warnings=tuple(warnings + f.warnings),
            raw={"summary": summary, "detail": detail},
        )


def _compact_json(value: Any) -> str:
    try:
        text = json.dumps(value, separators=(",", ":"), default=str)
    except (TypeError, ValueError, RecursionError):
        text = short_repr(value)
    return text if len(text) <= 300 else text[:299] + "…"
