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
    Recording,
)
from tui.core.normalize import (
    Fields,
    parse_time,
    short_repr,
    url_quote,
)
from tui.core.paging import Cursor, Page
from tui.core.plan import Params
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.portsip_auth import DEFAULT_LOGIN, OAUTH_CLIENT_ID, Clock, PortSipAuth
from tui.providers.portsip_normalize import PortSipNormalize
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

# Error codes (§3.6); any other code is treated as UNKNOWN (classified by HTTP status).
ERROR_KINDS: dict[str, type[errors.ProviderError]] = {
    "UNAUTHORIZED": errors.AuthError,
    "VALIDATE_FAILED": errors.BadRequestError,
}


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


class PortSipAdapter(PortSipNormalize, Adapter):
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

    def _links(
        self,
        record: Mapping[str, Any],
        call_id: str,
        caller: str | None,
        callee: str | None,
        started: datetime | None,
        ended: datetime | None,
    ) -> dict[str, str]:
        """The call log's links: itself, its recordings (by caller, callee and time) and the
        other call logs of its session."""
        links = {LINK_SELF: self._base + CALLLOGS_PATH + "/" + url_quote(call_id)}
        join = recordings_filter(caller, callee, started, ended)
        if join is not None:
            links[LINK_RECORDINGS] = self._list_url(RECORDINGS_PATH, join)
        session = record.get("session_id")
        if isinstance(session, str) and session:
            expr = f"session_id eq {odata_string(session)}"
            links[LINK_CHILDREN] = self._list_url(CALLLOGS_PATH, expr)
        return links

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
