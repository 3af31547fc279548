"""Walking a page source in order, safely: local filter, de-duplication and loop guards.

:class:`Walker` admits pages one after another (it is what the pager's sequential mode and the
CLI's streaming listing share). It drops calls the local predicate rejects, drops calls already
seen in the last few pages (providers shift records across page boundaries while new calls
arrive), and stops a walk that goes in circles: a page linking to itself or to a cursor seen
before, a page repeating the previous one, or a long run of empty pages that still link onwards.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from tui.core.errors import MalformedResponseError, PagingLoopError, ProviderError
from tui.core.model import Call
from tui.core.normalize import Deferred
from tui.core.paging import Cursor, EarlyPage, Page, PageSource

Predicate = Callable[[Call], bool]
# A page's raw records and their normalizer → each record's (call id, rendered text).
Render = Callable[[Sequence[Any], Callable[[Any], Call]], list[tuple[str, str]]]

DEDUP_WINDOW_PAGES = 3
MAX_EMPTY_PAGES = 25
OFFSET_READ_AHEAD = 4  # offset sources: pages fetched concurrently while walking


@dataclass(frozen=True)
class Admitted:
    """One page after admission: the rows kept and what was dropped (to redo it on re-fetch)."""

    cursor: Cursor
    rows: list[Call]
    next: Cursor
    total: int | None
    raw_count: int
    duplicates: tuple[int, ...]  # raw positions dropped as already seen
    # Set instead of ``rows`` (then empty) when the walk renders pages (``Walker(render=...)``).
    lines: list[str] | None = None


class Walker:
    """Admits the pages of one source in order. Not thread-safe; one walk per instance."""

    def __init__(
        self,
        source: PageSource,
        predicate: Predicate | None = None,
        provider: str = "",
        *,
        render: Render | None = None,
    ) -> None:
        if render is not None and predicate is not None:
            raise ValueError("a rendering walk has no local filter")
        self.source = source
        self.predicate = predicate
        # Pages whose records are not normalized yet are rendered by ``render`` (it may read
        # them without building calls) and admitted as ``Admitted.lines``.
        self.render = render
        self.provider = provider
        self._recent: deque[frozenset[str]] = deque(maxlen=DEDUP_WINDOW_PAGES)
        self._previous_ids: tuple[str, ...] | None = None
        self._seen_cursors: set[str | int] = set()
        self._empty_run = 0
        self.scanned = 0  # raw records seen

    def admit(self, cursor: Cursor, page: Page) -> Admitted:
        """Check ``page`` (fetched at ``cursor``) for loops, then filter and de-duplicate it."""
        calls = page.calls
        unmade = calls.unmade if self.render and isinstance(calls, Deferred) else None
        if unmade is not None and self.render is not None:
            rendered = self.render(*unmade)
            ids = tuple(call_id for call_id, _ in rendered)
        else:
            ids = tuple(call.id for call in calls)
        if page.next is not None and page.next == cursor:
            raise self._loop("the provider's next page points back at the same page")
        if ids and ids == self._previous_ids:
            raise self._loop("the provider sent the same page twice")
        if isinstance(page.next, str | int):
            if page.next in self._seen_cursors:
                raise self._loop("the provider's next page points at a page already read")
            if isinstance(cursor, str | int):
                self._seen_cursors.add(cursor)
        if page.size == 0 and page.next is not None:
            self._empty_run += 1
            if self._empty_run > MAX_EMPTY_PAGES:
                raise self._loop(f"{MAX_EMPTY_PAGES} empty pages in a row that still link onwards")
        else:
            self._empty_run = 0
        self._previous_ids = ids or self._previous_ids
        self.scanned += page.size
        rows: list[Call] = []
        dropped: list[int] = []
        page_ids: set[str] = set()
        # Ids of the last pages, as one set (a page's worth of lookups in each would cost more).
        seen = frozenset().union(*self._recent) if self._recent else frozenset()
        if unmade is not None:
            lines: list[str] = []
            for position, (call_id, line) in enumerate(rendered):
                if call_id in page_ids or call_id in seen:
                    dropped.append(position)
                    continue
                page_ids.add(call_id)
                lines.append(line)
            self._recent.append(frozenset(page_ids))
            return Admitted(cursor, [], page.next, page.total, page.size, tuple(dropped), lines)
        predicate = self.predicate
        for position, call in enumerate(page.calls):
            call_id = call.id
            if call_id in page_ids or call_id in seen:
                dropped.append(position)
                continue
            page_ids.add(call_id)
            if predicate is None or predicate(call):
                rows.append(call)
        self._recent.append(frozenset(page_ids))
        return Admitted(cursor, rows, page.next, page.total, page.size, tuple(dropped))

    def _loop(self, message: str) -> PagingLoopError:
        return PagingLoopError(message, provider=self.provider)

    async def pages(self) -> AsyncGenerator[Admitted, None]:
        """Every admitted page from the first, in order, with the next page(s) in flight.

        While one page is admitted, normalized and handed to the caller, the request for the
        next one is already out (cursor sources: as soon as the page's cursor is known; offset
        sources: a window of :data:`OFFSET_READ_AHEAD` pages), so the provider works while we do.
        Requests still in flight when the walk ends or the caller stops are cancelled.
        """
        cursor: Cursor = self.source.first
        if self.source.kind == "offset" and isinstance(cursor, int):
            async for admitted in self._offset_pages(cursor):
                yield admitted
            return
        early = getattr(self.source, "early", None)
        walk = self._cursor_pages(cursor) if early is None else self._early_pages(cursor, early)
        async for admitted in walk:
            yield admitted

    async def _cursor_pages(self, cursor: Cursor) -> AsyncIterator[Admitted]:
        pending: asyncio.Future[Page] | None = None
        try:
            page = await self.source.fetch(cursor)
            while True:
                if page.next is not None and page.next != cursor:
                    # A page pointing at itself is refused by ``admit``; anything else is fetched
                    # now (``admit`` still checks it before it is followed).
                    pending = asyncio.ensure_future(self.source.fetch(page.next))
                    await _head_start()
                admitted = self.admit(cursor, page)
                yield admitted
                if admitted.next is None:
                    return
                cursor = admitted.next
                if pending is None:  # pragma: no cover - admit refuses such a page
                    page = await self.source.fetch(cursor)
                else:
                    page = await pending
                    pending = None
        finally:
            _cancel(pending)

    async def _early_pages(
        self, cursor: Cursor, fetch: Callable[[Cursor], Awaitable[EarlyPage]]
    ) -> AsyncIterator[Admitted]:
        """:meth:`_cursor_pages` for a source that reads the next cursor before decoding: the
        next request goes out as soon as a page's body is read (the provider works while it is
        decoded); a wrong guess is cancelled and the true next page requested instead."""
        pending: asyncio.Future[EarlyPage] | None = None
        asked: Cursor = None  # the cursor ``pending`` fetches
        try:
            early = await fetch(cursor)
            while True:
                if early.guess is not None and early.guess != cursor:
                    pending, asked = asyncio.ensure_future(fetch(early.guess)), early.guess
                    await _head_start()
                page = early.finish()
                if page.next != asked:
                    _cancel(pending)
                    pending, asked = None, None
                    if page.next is not None and page.next != cursor:
                        pending, asked = asyncio.ensure_future(fetch(page.next)), page.next
                        await _head_start()
                admitted = self.admit(cursor, page)
                yield admitted
                if admitted.next is None:
                    return
                cursor = admitted.next
                if pending is None:  # pragma: no cover - admit refuses such a page
                    early = await fetch(cursor)
                else:
                    early = await pending
                    pending = None
        finally:
            _cancel(pending)

    async def _offset_pages(self, start: int) -> AsyncIterator[Admitted]:
        size = self.source.page_size
        window: deque[tuple[int, asyncio.Future[Page]]] = deque()
        following = start

        async def top_up() -> None:
            nonlocal following
            added = False
            while len(window) < OFFSET_READ_AHEAD:
                window.append((following, asyncio.ensure_future(self.source.fetch(following))))
                following += size
                added = True
            if added:
                await _head_start()

        try:
            await top_up()
            while True:
                at, task = window.popleft()
                page = await task
                if page.next is None:
                    # The list ends here: unless the pages read ahead have calls (a glitch).
                    later: Sequence[Page] = await asyncio.gather(*(t for _, t in window))
                    stop = early_end([at, *(o for o, _ in window)], [page, *later], self.provider)
                    if stop is not None:
                        raise stop.error
                    yield self.admit(at, page)
                    return
                if not isinstance(page.next, int):
                    # The provider switched to opaque tokens: follow them one by one.
                    _cancel(*(t for _, t in window))
                    window.clear()
                    admitted = self.admit(at, page)
                    yield admitted
                    cursor: Cursor = admitted.next
                    while cursor is not None:
                        page = await self.source.fetch(cursor)
                        admitted = self.admit(cursor, page)
                        yield admitted
                        cursor = admitted.next
                    return
                await top_up()
                yield self.admit(at, page)
        finally:
            _cancel(*(t for _, t in window))


# Event-loop turns given to a request just started before the walk goes on with CPU work:
# httpx has written a request on a kept-alive connection after 3 (measured with httpx 0.28);
# a few more cover a new connection's first steps. Each turn costs microseconds.
HEAD_START_TURNS = 8


async def _head_start() -> None:
    for _ in range(HEAD_START_TURNS):
        await asyncio.sleep(0)


def _cancel(*tasks: asyncio.Future[Any] | None) -> None:
    """Cancel requests nobody will read, without "exception never retrieved" noise."""
    for task in tasks:
        if task is None:
            continue
        if not task.done():
            task.cancel()
        task.add_done_callback(_swallow)


def _swallow(task: asyncio.Future[Any]) -> None:
    if not task.cancelled():
        task.exception()


@dataclass(frozen=True)
class EarlyEnd:
    """A page of a read-ahead batch that ends the list although a later page has calls."""

    offset: int
    error: ProviderError


def early_end(offsets: Sequence[int], pages: Sequence[Page], provider: str) -> EarlyEnd | None:
    """Spot a list that ends too early: an offset page saying "last" before pages with calls.

    Offset providers mark the end with a short or empty page; a glitch that sends an empty page
    mid-list would otherwise end the walk silently and lose every call after it.
    """
    for n, page in enumerate(pages):
        if page.next is None:
            if any(later.size > 0 for later in pages[n + 1 :]):
                message = (
                    f"the list ended early at offset {offsets[n]:,} "
                    "although the pages after it have calls"
                )
                return EarlyEnd(offsets[n], MalformedResponseError(message, provider=provider))
            return None
    return None


def redo(
    admitted_duplicates: tuple[int, ...], page: Page, predicate: Predicate | None
) -> list[Call]:
    """Rebuild a page's rows after re-fetching it: same drops, same filter."""
    drop = set(admitted_duplicates)
    return [
        call
        for position, call in enumerate(page.calls)
        if position not in drop and (predicate is None or predicate(call))
    ]
