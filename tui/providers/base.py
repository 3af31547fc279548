"""What every provider adapter is: declared capabilities plus small request/parse/normalize steps.

An adapter turns a :class:`CallFilter` into a :class:`Plan` (native queries + a local residual),
builds a :class:`PageSource` that walks the provider's pages, normalizes each record into a
:class:`Call`, fetches one call, and follows a call's links (recordings, events, parent, legs).
Adapters know HTTP only through :class:`ProviderHttp`; they never import Textual.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, Literal

import httpx

from tui.core import errors
from tui.core.account import Account
from tui.core.by_id import IdSource, by_id_plan, fetches_by_id
from tui.core.filter import CallFilter
from tui.core.http import ErrorInfo, ProviderHttp, RetryPolicy
from tui.core.model import Call, LogEntry, Recording
from tui.core.normalize import safely, short_repr
from tui.core.paging import (
    ConcatSource,
    Cursor,
    EarlyPage,
    FuncSource,
    MergeSource,
    Page,
    PageSource,
    PagingKind,
)
from tui.core.plan import Params, Plan
from tui.core.planner import PlanTable
from tui.core.planner import plan as plan_with

LinkKind = Literal["calls", "recordings", "entries"]


@dataclass(frozen=True)
class LinkResult:
    """What following a link gave: calls (parent, legs), recordings, or log entries."""

    kind: LinkKind
    calls: Sequence[Call] = ()
    recordings: Sequence[Recording] = ()
    entries: Sequence[LogEntry] = ()
    note: str = ""


@dataclass(frozen=True)
class Capabilities:
    """What the provider can filter server-side and what links its calls have (data, for the UI)."""

    server_fields: frozenset[str]
    links: tuple[str, ...]
    total: bool  # reports a total count of matching records
    limits: tuple[str, ...] = field(default=())  # human-readable limits, shown in the sidebar


class Adapter(ABC):
    """Base of the five adapters. Subclasses fill the class data and the abstract steps."""

    provider: ClassVar[str]
    title: ClassVar[str]
    paging: ClassVar[PagingKind]
    default_page_size: ClassVar[int]
    max_page_size: ClassVar[int]
    capabilities: ClassVar[Capabilities]
    # What the provider's list can filter, as data (:mod:`tui.core.planner`).
    plan_table: ClassVar[PlanTable]
    # Lean records: when True, normalizers may leave ``Call.links`` and ``Call.extras`` empty
    # (every other field is the same). Set by a consumer that reads neither, for speed: the
    # CLI's listing when no output column and no local filter needs them.
    lean: bool = False
    # Cursor adapters that read a page's next cursor before decoding the page set this and
    # implement :meth:`fetch_page_early` (the walk then asks for the next page sooner).
    early_next: ClassVar[bool] = False
    # The ``Call`` fields :meth:`lean_fields` reads straight from a record (empty: it never does).
    lean_fields_read: ClassVar[frozenset[str]] = frozenset()

    def __init__(
        self,
        account: Account,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        timeout: httpx.Timeout | None = None,
    ) -> None:
        self.account = account
        extra: dict[str, Any] = {}
        if sleep is not None:
            extra["sleep"] = sleep
        self.http = ProviderHttp(
            provider=self.title,
            base_url=account.base_url,
            auth=self.make_auth(),
            parse_error=self.parse_error,
            transport=transport,
            retry=retry,
            timeout=timeout,
            **extra,
        )

    # -- declared by each adapter -------------------------------------------------------------

    @abstractmethod
    def make_auth(self) -> httpx.Auth | None:
        """The credentials as an httpx auth (Basic, or PortSIP's bearer login flow)."""

    @staticmethod
    @abstractmethod
    def parse_error(response: httpx.Response, body: Any) -> ErrorInfo:
        """Read the provider's error body (``body`` is the decoded JSON or ``None``)."""

    def plan(self, flt: CallFilter, now: datetime) -> Plan:
        """Split ``flt`` into native queries and the local residual by the adapter's
        :attr:`plan_table`, times read in the account's zone; may raise QueryRefusedError."""
        return plan_with(self.plan_table, flt, now, self.account.tz)

    def require_config(self) -> None:
        """Raise the :class:`~tui.core.errors.ConfigError` that the account would meet on its
        first request (the same text as the config loader's)."""
        self.account.require_id()

    def local_form(self, flt: CallFilter) -> CallFilter:
        """``flt`` as :meth:`CallFilter.matches` must read it against this provider's calls
        (Exotel: national numbers in their E.164 form)."""
        return flt

    @abstractmethod
    async def fetch_page(self, params: Params, cursor: Cursor, page_size: int) -> Page:
        """Fetch one page of the native query ``params`` at ``cursor`` (None/0 = first)."""

    async def fetch_page_early(self, params: Params, cursor: Cursor, page_size: int) -> EarlyPage:
        """:meth:`fetch_page` with the decoding left to ``finish()`` (see ``early_next``)."""
        raise NotImplementedError(f"{self.title} does not read next cursors early")

    def lean_fields(self, raw: Any) -> dict[str, Any] | None:
        """Some of ``normalize(raw)``'s fields (those in ``lean_fields_read``), without building
        the call, or ``None`` when the record is not plain enough to tell (normalize it then).

        For consumers that only write those fields (the CLI's NDJSON listing): the values are
        exactly the normalized call's.
        """
        return None

    @abstractmethod
    def normalize(self, raw: Any) -> Call:
        """One raw record → ``Call``; total (see :meth:`safe_normalize`)."""

    @abstractmethod
    async def get_call(self, call_id: str) -> Call:
        """Fetch one call by id (raises NotFoundError)."""

    @abstractmethod
    async def follow(self, call: Call, link: str) -> LinkResult:
        """Fetch what ``call.links[link]`` points at."""

    # -- shared machinery -------------------------------------------------------------------

    @property
    def page_size(self) -> int:
        wanted = self.account.page_size or self.default_page_size
        return max(1, min(wanted, self.max_page_size))

    def first_cursor(self) -> Cursor:
        return 0 if self.paging == "offset" else None

    def source(
        self, flt: CallFilter, *, now: datetime | None = None, page_size: int | None = None
    ) -> tuple[PageSource, Plan]:
        """The page source for ``flt`` and the plan it follows (one source per native query).

        A filter with ``id:`` terms fetches those calls directly (:mod:`tui.core.by_id`): one
        request per id, the other terms checked on the fetched calls, no walk of the list.

        An account the config leaves unusable (no id for the provider's paths …) raises its
        :class:`~tui.core.errors.ConfigError` here, before any request, rather than from a page
        fetch inside a pager.
        """
        self.require_config()
        if fetches_by_id(flt):
            plan = by_id_plan(self.local_form(flt), self.provider, self.title)
            return IdSource(flt.ids, self.get_call), plan
        plan = self.plan(flt, now or datetime.now(UTC))
        size = max(1, min(page_size or self.page_size, self.max_page_size))

        def make(params: Params) -> PageSource:
            async def fetch(cursor: Cursor) -> Page:
                return await self.fetch_page(params, cursor, size)

            async def early(cursor: Cursor) -> EarlyPage:
                return await self.fetch_page_early(params, cursor, size)

            return FuncSource(
                self.paging, size, self.first_cursor(), fetch, early if self.early_next else None
            )

        sources = [make(params) for params in plan.queries]
        if len(sources) == 1:
            return sources[0], plan
        if plan.merge == "merge":
            return MergeSource(sources, newest_first=plan.newest_first, provider=self.title), plan
        return ConcatSource(sources), plan

    def safe_normalize(self, raw: Any) -> Call:
        """Normalize, turning even a normalizer bug into a ``Call`` with a warning."""

        def fallback(exc: BaseException) -> Call:
            rid = (
                raw.get("sid") or raw.get("Sid") or raw.get("id") if isinstance(raw, dict) else None
            )
            return Call(
                provider=self.provider,
                account=self.account.name,
                id=str(rid) if rid is not None else "?",
                warnings=(f"could not normalize ({type(exc).__name__}: {short_repr(str(exc))})",),
                raw=raw,
            )

        result: Call = safely(lambda: self.normalize(raw), fallback)
        return result

    def malformed(self, message: str, url: str | None = None) -> errors.MalformedResponseError:
        return errors.MalformedResponseError(message, provider=self.title, url=url)

    async def check(self) -> None:
        """One cheap request that proves the credentials work (``config check``)."""
        source, _ = self.source(CallFilter(), page_size=1)
        await source.fetch(source.first)

    async def aclose(self) -> None:
        await self.http.aclose()
