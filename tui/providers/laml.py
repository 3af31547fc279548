"""The LaML call-log adapter Twilio (2010-04-01) and SignalWire (Compatibility API) share.

The two APIs are one design: ``…/Accounts/{id}/Calls.json`` with ``To``/``From``/``Status``/
``ParentCallSid``/``StartTime>``/``StartTime<`` filters, ``next_page_uri`` paging and the
``{code, message, more_info, status}`` error body. Where they differ (field spellings, number
types, sid shapes, vocabularies, paths, subresources) the difference is a :class:`LamlDialect`
value, one per provider, side by side at the end of this module.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit, urlunsplit

import httpx

from tui.core import errors
from tui.core.account import Account, path_id
from tui.core.model import (
    LINK_CHILDREN,
    LINK_EVENTS,
    LINK_NOTIFICATIONS,
    LINK_PARENT,
    LINK_RECORDINGS,
    LINK_SELF,
    Call,
    Direction,
    Recording,
    Status,
)
from tui.core.normalize import Deferred, Fields, short_repr, url_quote
from tui.core.paging import Cursor, EarlyPage, FuncSource, Page
from tui.core.plan import Params
from tui.core.walk import Walker
from tui.providers.base import Adapter, Capabilities, LinkResult
from tui.providers.laml_normalize import (
    FORMATTED_FROM_KEYS,
    FORMATTED_TO_KEYS,
    LamlNormalize,
)
from tui.providers.laml_parse import (
    event_entry,
    list_envelope,
    next_uri_hint,
    notification_entry,
    parse_laml_error,
)
from tui.providers.laml_plan import MAX_STATUS_QUERIES, plan_table

# -- design choices and provider facts (one line each to change) ------------------------------

# Pages read when following a link (recordings, notifications, events, child legs); more than
# that is reported in the result's note, never dropped silently.
LINK_PAGE_LIMIT = 20

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class LamlDialect:
    """Everything in which one LaML provider differs from the other."""

    provider: str
    title: str
    # Path from ``account.base_url`` to ``Accounts/…``: Twilio's base is the bare host, while
    # SignalWire's already ends in ``/api/laml/2010-04-01``.
    version_path: str
    call_sid: re.Pattern[str]
    call_sid_hint: str
    statuses: Mapping[str, Status]  # record vocabulary → normalized
    filter_statuses: frozenset[Status]  # what the list's ``Status=`` accepts
    directions: Mapping[str, Direction]
    formatted_from: tuple[str, ...]  # spellings, preferred first
    formatted_to: tuple[str, ...]
    # Subresources listed from ``subresource_uris`` (built when not advertised, if ``built``).
    advertised_links: tuple[str, ...]
    built_links: tuple[str, ...]
    # SignalWire: ``Recordings.json?CallSid=`` when the advertised call subresource fails.
    recordings_fallback: bool
    # SignalWire's paging/subresource URIs have no ``.json``; add it when fetching them.
    json_suffix_on_links: bool
    media_extension: str
    time_filter_format: str
    default_page_size: int
    max_page_size: int
    newest_first: bool
    links: tuple[str, ...]


# -- small pure helpers ----------------------------------------------------------------------


def path_segment(value: str) -> str:
    """``value`` as one URL path segment (ids come from users and providers: never a path)."""
    return value if _SAFE_SEGMENT.fullmatch(value) else url_quote(value)


def with_json_suffix(url: str) -> str:
    """``…/Calls?Page=1`` → ``…/Calls.json?Page=1`` (a last segment with an extension is kept)."""
    parts = urlsplit(url)
    last = parts.path.rsplit("/", 1)[-1]
    if not last or "." in last:
        return url
    return urlunsplit(parts._replace(path=parts.path + ".json"))


# -- the adapter -----------------------------------------------------------------------------


class LamlAdapter(LamlNormalize, Adapter):
    """The LaML adapter; :class:`TwilioAdapter` and :class:`SignalWireAdapter` give a dialect."""

    dialect: ClassVar[LamlDialect]
    paging = "cursor"

    def __init_subclass__(cls, dialect: LamlDialect | None = None, **kwargs: Any) -> None:
        """``class TwilioAdapter(LamlAdapter, dialect=TWILIO)``: the class data from the dialect."""
        super().__init_subclass__(**kwargs)
        if dialect is not None:
            cls.dialect = dialect
            cls.provider = dialect.provider
            cls.title = dialect.title
            cls.default_page_size = dialect.default_page_size
            cls.max_page_size = dialect.max_page_size
            cls.plan_table = plan_table(dialect)
            cls.capabilities = capabilities_of(dialect)

    def __init__(self, account: Account, **kwargs: Any) -> None:
        super().__init__(account, **kwargs)
        d = self.dialect
        self.api_root = str(self.http.base_url) + d.version_path
        # Twilio: an API key (SK…) authenticates, the path takes the account SID
        path_account = path_id(account.provider, account.account, account.username)
        self.path_account = path_account
        self.account_root = self.api_root + "Accounts/" + path_segment(path_account) + "/"

    # -- auth and errors ---------------------------------------------------------------------

    def make_auth(self) -> httpx.Auth | None:
        username = self.account.username or self.account.account
        return httpx.BasicAuth(username, self.account.password.get_secret_value())

    parse_error = staticmethod(parse_laml_error)

    def _require_account(self) -> None:
        if not self.path_account:
            self.account.require_id()  # raises the ConfigError naming the missing key

    # -- URLs --------------------------------------------------------------------------------

    @property
    def calls_url(self) -> str:
        return self.account_root + "Calls.json"

    def call_url(self, sid: str) -> str:
        return self.account_root + "Calls/" + path_segment(sid) + ".json"

    def call_subresource_url(self, sid: str, name: str) -> str:
        return self.account_root + "Calls/" + path_segment(sid) + "/" + name + ".json"

    def recordings_by_call_url(self, sid: str) -> str:
        return self.account_root + "Recordings.json?CallSid=" + path_segment(sid)

    def children_url(self, sid: str) -> str:
        return self.calls_url + "?ParentCallSid=" + path_segment(sid)

    def media_url(self, account_sid: str | None, recording_sid: str) -> str:
        owner = path_segment(account_sid) if account_sid else path_segment(self.path_account)
        return (
            f"{self.api_root}Accounts/{owner}/Recordings/"
            f"{path_segment(recording_sid)}{self.dialect.media_extension}"
        )

    def _target(self, url: str) -> str:
        return with_json_suffix(url) if self.dialect.json_suffix_on_links else url

    # -- pages -------------------------------------------------------------------------------

    early_next = True

    async def fetch_page(self, params: Params, cursor: Cursor, page_size: int) -> Page:
        return (await self.fetch_page_early(params, cursor, page_size)).finish()

    async def fetch_page_early(self, params: Params, cursor: Cursor, page_size: int) -> EarlyPage:
        """The page's body read; its ``next_page_uri`` read from the bytes, the rest on
        ``finish()`` (the walk requests the next page while this one is decoded)."""
        self._require_account()
        if cursor is None:
            url = self.calls_url
            query: Params | None = {**params, "PageSize": str(page_size)}
        elif isinstance(cursor, str):
            url = self._target(cursor)
            query = None
        else:
            raise TypeError(f"{self.title} cursors are next_page_uri strings, got {cursor!r}")
        http = self.http
        response = await http.request("GET", url, params=query)

        def finish() -> Page:
            return self.parse_page(http.decode(response), url)

        guess = next_uri_hint(response.content)
        if guess is not None and not http.is_own(http.url(self._target(guess))):
            guess = None  # only the decoded page may send the walk to another host
        return EarlyPage(guess, finish)

    def parse_page(self, body: Any, url: str | None = None) -> Page:
        try:
            records, nxt = list_envelope(body, "calls")
        except ValueError as exc:
            raise self.malformed(str(exc), url) from None
        # Normalized on first use: the walk sends the next page's request first.
        return Page(Deferred(records, self._normalize_page_record), nxt, None, len(records))

    def _links_of(
        self, uri: Any, advertised: Mapping[str, Any], sid: str, parent: str | None
    ) -> dict[str, str]:
        d = self.dialect
        links = {LINK_SELF: uri if isinstance(uri, str) and uri else self.call_url(sid)}
        for name in d.advertised_links:
            value = advertised.get(name)
            if isinstance(value, str) and value:
                links[name] = value
            elif name in d.built_links:
                links[name] = self.call_subresource_url(sid, name.capitalize())
        if LINK_RECORDINGS not in links and d.recordings_fallback:
            links[LINK_RECORDINGS] = self.recordings_by_call_url(sid)
        if parent:
            links[LINK_PARENT] = self.call_url(parent)
        links[LINK_CHILDREN] = self.children_url(sid)
        return links

    def normalize_recording(self, raw: Any) -> Recording:
        f = Fields(raw)
        sid = f.text("sid")
        if sid is None:
            f.warn("sid: missing")
        media = self.media_url(f.text("account_sid"), sid) if sid is not None else None
        return Recording(
            provider=self.provider,
            id=sid or "?",
            call_id=f.text("call_sid"),
            started_at=f.time("start_time") or f.time("date_created"),
            duration=f.integer("duration"),
            channels=f.integer("channels", "channel"),
            status=f.text("status"),
            media_url=media,
            price=f.decimal("price"),
            currency=f.text("price_unit"),
            warnings=tuple(f.warnings),
            raw=raw,
        )

    # -- one call and its links --------------------------------------------------------------

    async def get_call(self, call_id: str) -> Call:
        self._require_account()
        if not call_id:
            raise errors.NotFoundError("no call id given", provider=self.title)
        url = self.call_url(call_id)
        body = await self.http.get_json(url)
        if not isinstance(body, Mapping):
            raise self.malformed(f"expected a call object, got {short_repr(body)}", url)
        return self.safe_normalize(body)

    async def follow(self, call: Call, link: str) -> LinkResult:
        self._require_account()
        if link == LINK_PARENT:
            if not call.parent_id:
                raise errors.NotFoundError("this call has no parent leg", provider=self.title)
            return LinkResult("calls", calls=(await self.get_call(call.parent_id),))
        if link == LINK_CHILDREN:
            return await self._children(call)
        if link == LINK_RECORDINGS:
            return await self._recordings(call)
        if link in (LINK_NOTIFICATIONS, LINK_EVENTS) and link in call.links:
            raws, note = await self._walk_list(call.links[link], link)
            convert = notification_entry if link == LINK_NOTIFICATIONS else event_entry
            return LinkResult("entries", entries=[convert(r) for r in raws], note=note)
        raise errors.NotFoundError(f"this call has no {link} link", provider=self.title)

    async def _children(self, call: Call) -> LinkResult:
        params = {"ParentCallSid": call.id}

        async def fetch(cursor: Cursor) -> Page:
            return await self.fetch_page(params, cursor, self.page_size)

        walker = Walker(FuncSource("cursor", self.page_size, None, fetch), provider=self.title)
        calls: list[Call] = []
        pages = 0
        note = ""
        async for admitted in walker.pages():
            calls.extend(admitted.rows)
            pages += 1
            if admitted.next is not None and pages >= LINK_PAGE_LIMIT:
                note = f"first {pages} pages of legs only"
                break
        return LinkResult("calls", calls=calls, note=note)

    async def _recordings(self, call: Call) -> LinkResult:
        url = call.links.get(LINK_RECORDINGS)
        fallback = (
            self.recordings_by_call_url(call.id) if self.dialect.recordings_fallback else None
        )
        if url is None:
            url = fallback or self.call_subresource_url(call.id, "Recordings")
        note = ""
        try:
            raws, note = await self._walk_list(url, "recordings")
        except errors.NotFoundError:
            if fallback is None or url == fallback:
                raise
            raws, note = await self._walk_list(fallback, "recordings")
            note = "; ".join(
                n for n in ("the call's recordings URI answered 404: listed by CallSid", note) if n
            )
        recordings = [self.normalize_recording(r) for r in raws]
        return LinkResult("recordings", recordings=recordings, note=note)

    async def _walk_list(self, url: str, key: str) -> tuple[list[Any], str]:
        """Every item of a linked LaML list, following ``next_page_uri`` (bounded)."""
        items: list[Any] = []
        target: str | None = url
        pages = 0
        while target is not None:
            if pages >= LINK_PAGE_LIMIT:
                return items, f"first {pages} pages of {key} only"
            full = self._target(target)
            body = await self.http.get_json(full)
            try:
                found, target = list_envelope(body, key)
            except ValueError as exc:
                raise self.malformed(str(exc), full) from None
            items.extend(found)
            pages += 1
        return items, ""


# -- the two dialects --------------------------------------------------------------------------

_TWILIO_STATUSES = {s: Status(s) for s in ("queued", "ringing", "in-progress", "completed")} | {
    "busy": Status.BUSY,
    "failed": Status.FAILED,
    "no-answer": Status.NO_ANSWER,
    "canceled": Status.CANCELED,
}
_FILTERABLE = frozenset(_TWILIO_STATUSES.values())

TWILIO = LamlDialect(
    provider="twilio",
    title="Twilio",
    version_path="2010-04-01/",
    call_sid=re.compile(r"CA[0-9a-fA-F]{32}"),
    call_sid_hint="Twilio call SID (CA + 32 hex digits)",
    statuses=_TWILIO_STATUSES,
    filter_statuses=_FILTERABLE,  # providers.md §6.2: one of the 8 statuses
    # providers.md §7.2; outbound-dial marks a child leg (kept in direction_raw)
    directions={
        "inbound": Direction.INBOUND,
        "trunking-originating": Direction.INBOUND,
        "outbound-api": Direction.OUTBOUND,
        "outbound-dial": Direction.OUTBOUND,
        "trunking-terminating": Direction.OUTBOUND,
    },
    formatted_from=FORMATTED_FROM_KEYS,
    formatted_to=FORMATTED_TO_KEYS,
    advertised_links=(LINK_RECORDINGS, LINK_NOTIFICATIONS, LINK_EVENTS),
    built_links=(LINK_RECORDINGS, LINK_NOTIFICATIONS, LINK_EVENTS),  # providers.md §6.1
    recordings_fallback=False,
    json_suffix_on_links=False,
    # providers.md §6.6: WAV always works; MP3 is refused for encrypted recordings (16109)
    media_extension=".wav",
    time_filter_format="%Y-%m-%d",
    default_page_size=200,
    max_page_size=1000,  # providers.md §6.2
    newest_first=True,  # [unconfirmed] providers.md §1 "newest first"
    links=(
        LINK_SELF,
        LINK_RECORDINGS,
        LINK_NOTIFICATIONS,
        LINK_EVENTS,
        LINK_PARENT,
        LINK_CHILDREN,
    ),
)

SIGNALWIRE = LamlDialect(
    provider="signalwire",
    title="SignalWire",
    version_path="",  # base_url is https://{space}.signalwire.com/api/laml/2010-04-01
    call_sid=re.compile(
        r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    ),
    call_sid_hint="SignalWire call sid (a UUID)",
    # providers.md §4.4 lists 7 statuses; §7.1 says accept no-answer if sent
    statuses=_TWILIO_STATUSES,
    # the spec fixture (compatibility_calls.openapi.json, Status parameter) includes no-answer
    filter_statuses=_FILTERABLE,
    # providers.md §7.2: inbound/outbound, and the Twilio words the SDK fork may send
    directions={
        "inbound": Direction.INBOUND,
        "outbound": Direction.OUTBOUND,
        "outbound-api": Direction.OUTBOUND,
        "outbound-dial": Direction.OUTBOUND,
    },
    formatted_from=("formatted_from", "from_formatted"),
    formatted_to=("formatted_to", "to_formatted"),
    # notifications is "always null" in the spec; linked only when advertised
    advertised_links=(LINK_RECORDINGS, LINK_NOTIFICATIONS),
    built_links=(),
    # providers.md §4.1: GET on the advertised Calls/{sid}/Recordings is [unconfirmed]
    recordings_fallback=True,
    # [unconfirmed] providers.md §1 "JSON when .json suffix used"; SignalWire's URIs omit it
    json_suffix_on_links=True,
    media_extension=".wav",  # providers.md §4.7
    # [unconfirmed] providers.md §4.2: dates (public page) or RFC 2822 (TypeSpec)
    time_filter_format="%Y-%m-%d",
    default_page_size=200,
    max_page_size=1000,  # compatibility_calls.openapi.json: PageSize maximum 1000
    newest_first=True,  # [unconfirmed] providers.md §1
    links=(LINK_SELF, LINK_RECORDINGS, LINK_PARENT, LINK_CHILDREN),
)


def capabilities_of(d: LamlDialect) -> Capabilities:
    return Capabilities(
        server_fields=plan_table(d).server_keys(),
        links=d.links,
        total=False,
        limits=(
            f"one Status per query: ≤ {MAX_STATUS_QUERIES} statuses are merged from "
            "separate queries, more are filtered locally",
            "From and To: one number each, exact match (prefixes are filtered locally)",
            "time bounds by UTC day on the server, refined locally",
            f"PageSize ≤ {d.max_page_size}",
        ),
    )
