"""``CallPager``: the lazy, random-access list of calls that the table reads.

``row(i)`` answers at once with a call or ``None`` (a placeholder) and schedules what is
missing; the pager fetches ahead of the reader, keeps a bounded LRU of page *data* while keeping
every page's *cursor* (an evicted page is re-fetched by its cursor, never lost), applies the
plan's local predicate, de-duplicates and guards against paging loops (via :class:`Walker`).

Two modes. *Sequential* (cursor sources, or any source with a local predicate): pages are read
in order, rows numbered as they arrive. *Random access* (offset sources with a reported total
and no local predicate): row ``i`` lives on page ``i // page_size`` at offset ``i``, so jumping
to the end fetches only the pages needed.

Cancellation is by generation: :meth:`cancel` bumps it and cancels the tasks; a result from an
older generation is dropped. A new filter means a new pager.
"""

from __future__ import annotations

import asyncio
import bisect
import logging
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from tui.core import errors
from tui.core.model import Call
from tui.core.paging import Cursor, PageSource
from tui.core.walk import Admitted, Predicate, Walker, early_end, redo

log = logging.getLogger("callscope.pager")

Listener = Callable[["CallPager"], None]


_TO_THE_END = 1 << 62  # a wanted row count that means "every row"


@dataclass
class _PageMeta:
    cursor: Cursor
    row_start: int
    row_count: int
    duplicates: tuple[int, ...] = ()


class CallPager:
    """Rows of one filtered query, loaded lazily. All methods run on the event loop's thread."""

    def __init__(
        self,
        source: PageSource,
        *,
        predicate: Predicate | None = None,
        provider: str = "",
        prefetch_rows: int | None = None,
        cache_pages: int | None = None,
        cache_rows: int = 6_000,
        concurrency: int = 4,
        listener: Listener | None = None,
    ) -> None:
        self.source = source
        self.predicate = predicate
        self.provider = provider
        self.page_size = max(1, source.page_size)
        self.prefetch_rows = prefetch_rows if prefetch_rows is not None else 2 * self.page_size
        # The budget is in rows (a Call with its raw JSON is ~7 KB): 24 pages of 1000 would be
        # ~160 MB, 24 pages of 20 would be nothing.
        pages = cache_pages if cache_pages is not None else cache_rows // self.page_size
        self.cache_pages = max(3, pages)
        self.concurrency = max(1, concurrency)
        self.listener = listener
        self.generation = 0
        self.total: int | None = None
        self.exhausted = False
        self.error: errors.ProviderError | None = None
        self._walker = Walker(source, predicate, provider)
        self._pages: list[_PageMeta] = []  # sequential mode, in order
        self._row_starts: list[int] = []
        self._next_cursor: Cursor = source.first
        self._loaded = 0
        self._data: OrderedDict[int, list[Call]] = OrderedDict()  # page index → rows (LRU)
        self._random = False
        self._want = 0  # sequential: rows the reader wants loaded (incl. prefetch)
        self._extending: asyncio.Task[None] | None = None
        self._inflight: dict[int, asyncio.Task[None]] = {}  # page index → fetch task
        self._settled = asyncio.Event()
        self._deferred: errors.ProviderError | None = None  # raised after a partial batch
        self._page_keys: dict[int, int] = {}  # random mode: hash of a page's ids → page index
        self.fetches = 0

    # -- state the UI reads ---------------------------------------------------------------

    @property
    def loaded(self) -> int:
        """Rows whose place is known (sequential: fetched so far; random: the total)."""
        return self._loaded

    @property
    def random_access(self) -> bool:
        return self._random

    @property
    def scanned(self) -> int:
        return self._walker.scanned

    @property
    def loading(self) -> bool:
        return bool(self._inflight) or (self._extending is not None and not self._extending.done())

    @property
    def row_count(self) -> int:
        """How many rows the table should have now (random access: the provider's total)."""
        return self._loaded

    def status_text(self) -> str:
        """The truth in a few words: ``1,200 loaded · more available`` / ``all 1,734 loaded``."""
        if self._random and self.total is not None:
            return f"{self.total:,} calls · random access"
        if self.exhausted:
            text = f"all {self._loaded:,} loaded"
        elif self.error is not None:
            text = f"{self._loaded:,} loaded · stopped"  # never "more available" while stopped
        else:
            text = f"{self._loaded:,} loaded · more available"
            if self.total is not None:
                text += f" · {self.total:,} in all"
        if self.predicate is not None and self.scanned > self._loaded:
            text += f" · {self.scanned:,} scanned"
        return text

    # -- reading ------------------------------------------------------------------------

    def row(self, index: int) -> Call | None:
        """The call at ``index`` or ``None`` while it loads (never blocks)."""
        if index < 0:
            return None
        page_index, offset = self._locate(index)
        if page_index is None:
            self.want(index, index + 1)
            return None
        rows = self._data.get(page_index)
        if rows is None:
            self._schedule_page(page_index)
            return None
        self._data.move_to_end(page_index)
        return rows[offset] if offset < len(rows) else None

    def peek(self, index: int) -> Call | None:
        """The call at ``index`` if it is in memory; never schedules a fetch."""
        if index < 0:
            return None
        page_index, offset = self._locate(index)
        rows = self._data.get(page_index) if page_index is not None else None
        return rows[offset] if rows is not None and offset < len(rows) else None

    def want(self, start: int, stop: int) -> None:
        """Make rows ``[start, stop)`` and a prefetch margin beyond them available soon."""
        if self.error is not None or start >= stop:
            return
        if self._random:
            first = start // self.page_size
            last = (stop + self.prefetch_rows - 1) // self.page_size
            last = min(last, max(0, (self._loaded - 1) // self.page_size))
            for page_index in range(first, last + 1):
                if page_index not in self._data:
                    self._schedule_page(page_index)
            return
        target = stop + self.prefetch_rows
        if target > self._want:
            self._want = target
        if self._loaded < self._want and not self.exhausted:
            self._ensure_extending()
        first_page = self._page_of_row(start)
        last_page = self._page_of_row(min(stop, self._loaded) - 1)
        if first_page is not None and last_page is not None:
            for page_index in range(first_page, last_page + 1):
                if page_index not in self._data:
                    self._schedule_page(page_index)

    async def ensure(self, index: int) -> Call | None:
        """Wait until row ``index`` is loaded (or the walk ends or fails); return it."""
        while True:
            found = self.row(index)
            if found is not None:
                return found
            if self.error is not None:
                raise self.error
            if index >= self._loaded and self.exhausted:
                return None
            if not self.loading:
                self.want(index, index + 1)
                if not self.loading:
                    return self.row(index)
            await self._wait_settled()

    @property
    def walking(self) -> bool:
        """True while :meth:`walk_to_end` goes on (not stopped, not at the end, no error)."""
        return self._want >= _TO_THE_END and not self.exhausted and self.error is None

    def walk_to_end(self) -> None:
        """Load page after page until the end (``G`` on a cursor-paged provider). The page
        cache stays bounded: only the rows' places are kept for the whole walk."""
        if self._random or self.exhausted:
            return
        self._want = _TO_THE_END
        if self.error is None:
            self._ensure_extending()
        self._notify()

    def stop_walk(self) -> None:
        """Stop a :meth:`walk_to_end` after the batch in flight."""
        if self._want >= _TO_THE_END:
            self._want = self._loaded
            self._notify()

    def retry(self) -> None:
        """Clear the last error and go on from where the walk stopped."""
        self.error = None
        self._notify()

    def cancel(self) -> None:
        """Stop everything in flight; later results of this generation are dropped."""
        self.generation += 1
        for task in list(self._inflight.values()):
            task.cancel()
        self._inflight.clear()
        if self._extending is not None:
            self._extending.cancel()
            self._extending = None
        self._settled.set()

    # -- internals --------------------------------------------------------------------------

    def _locate(self, index: int) -> tuple[int | None, int]:
        if self._random:
            if index >= self._loaded:
                return None, 0
            return index // self.page_size, index % self.page_size
        page_index = self._page_of_row(index)
        if page_index is None:
            return None, 0
        return page_index, index - self._row_starts[page_index]

    def _page_of_row(self, index: int) -> int | None:
        if index < 0 or index >= self._loaded:
            return None
        return bisect.bisect_right(self._row_starts, index) - 1

    def _spawn(self, coro: Coroutine[Any, Any, None]) -> asyncio.Task[None]:
        task = asyncio.get_running_loop().create_task(coro)
        self._settled.clear()
        task.add_done_callback(lambda _t: self._after_task())
        return task

    def _after_task(self) -> None:
        if not self.loading:
            self._settled.set()
            self._notify()  # "loading…" ends now, not at the last page's arrival

    async def _wait_settled(self) -> None:
        self._settled.clear()
        if not self.loading:
            return
        await self._settled.wait()

    def _notify(self) -> None:
        if self.listener is not None:
            try:
                self.listener(self)
            except Exception:  # a UI bug must not break loading
                log.exception("pager listener failed")

    def _fail(self, exc: BaseException) -> None:
        if isinstance(exc, errors.ProviderError):
            self.error = exc
        else:
            log.exception("unexpected failure while paging", exc_info=exc)
            self.error = errors.MalformedResponseError(
                f"unexpected {type(exc).__name__} while reading a page", provider=self.provider
            )
        self._notify()

    def _store(self, page_index: int, rows: list[Call]) -> None:
        self._data[page_index] = rows
        self._data.move_to_end(page_index)
        while len(self._data) > self.cache_pages:
            self._data.popitem(last=False)

    # sequential mode

    def _ensure_extending(self) -> None:
        if self._extending is None or self._extending.done():
            self._extending = self._spawn(self._extend(self.generation))

    async def _extend(self, generation: int) -> None:
        try:
            while not self.exhausted and self._loaded < self._want and self.error is None:
                batch = await self._fetch_next_batch()
                if generation != self.generation:
                    return
                for admitted in batch:
                    self._append(admitted)
                    if self.exhausted:
                        break
                self._notify()
                if self._deferred is not None:
                    failure, self._deferred = self._deferred, None
                    raise failure
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            if generation == self.generation:
                self._fail(exc)

    async def _fetch_next_batch(self) -> list[Admitted]:
        cursor = self._next_cursor
        if self.source.kind == "offset" and isinstance(cursor, int) and not self._pages:
            # First page decides the mode: a total and no predicate → random access.
            page = await self._fetch(cursor)
            admitted = self._walker.admit(cursor, page)
            if page.total is not None and self.predicate is None:
                self._enter_random(admitted)
                return []
            return [admitted]
        if self.source.kind == "offset" and isinstance(cursor, int):
            size = self.page_size
            offsets = [cursor + n * size for n in range(self.concurrency)]
            pages = await asyncio.gather(*(self._fetch(o) for o in offsets))
            batch: list[Admitted] = []
            stop = early_end(offsets, pages, self.provider)
            for at, page in zip(offsets, pages, strict=True):
                try:
                    if stop is not None and at == stop.offset:
                        raise stop.error
                    admitted = self._walker.admit(at, page)
                except errors.ProviderError as exc:
                    if not batch:
                        raise
                    # The walker has counted the pages before this one as read: keep them
                    # (rows loaded before a fault stay) and report the fault once they are in.
                    self._deferred = exc
                    break
                batch.append(admitted)
                if admitted.next is None:
                    break
            return batch
        page = await self._fetch(cursor)
        return [self._walker.admit(cursor, page)]

    async def _fetch(self, cursor: Cursor) -> Any:
        self.fetches += 1
        return await self.source.fetch(cursor)

    def _append(self, admitted: Admitted) -> None:
        page_index = len(self._pages)
        self._pages.append(
            _PageMeta(admitted.cursor, self._loaded, len(admitted.rows), admitted.duplicates)
        )
        self._row_starts.append(self._loaded)
        self._loaded += len(admitted.rows)
        self._store(page_index, admitted.rows)
        if admitted.total is not None:
            self.total = admitted.total
        self._next_cursor = admitted.next
        if admitted.next is None:
            self.exhausted = True

    # random-access mode

    def _enter_random(self, first: Admitted) -> None:
        self._random = True
        self.total = first.total
        self._loaded = first.total or 0
        self.exhausted = True  # every row's place is known
        self._store(0, first.rows)

    def _check_random_page(self, page_index: int, rows: list[Call]) -> None:
        """A short page would leave placeholders forever and a repeated page would show
        another page's calls in its place: both are provider faults, reported (r retries)."""
        expected = max(0, min(self.page_size, self._loaded - page_index * self.page_size))
        if len(rows) < expected:
            raise errors.MalformedResponseError(
                f"page {page_index + 1} came back with {len(rows)} of {expected} calls",
                provider=self.provider,
            )
        if not rows:
            return
        key = hash(tuple(call.id for call in rows))
        other = self._page_keys.setdefault(key, page_index)
        if other != page_index:
            raise errors.PagingLoopError(
                f"the provider sent page {other + 1}'s calls again as page {page_index + 1}",
                provider=self.provider,
            )

    def _schedule_page(self, page_index: int) -> None:
        if page_index in self._inflight or len(self._inflight) >= self.concurrency * 4:
            return
        self._inflight[page_index] = self._spawn(self._refetch(page_index, self.generation))

    async def _refetch(self, page_index: int, generation: int) -> None:
        try:
            if self._random:
                page = await self._fetch(page_index * self.page_size)
                rows = list(page.calls)
                if generation == self.generation:
                    self._check_random_page(page_index, rows)
                if page.total is not None and generation == self.generation:
                    self.total = page.total
            else:
                meta = self._pages[page_index]
                page = await self._fetch(meta.cursor)
                rows = redo(meta.duplicates, page, self.predicate)
                if len(rows) != meta.row_count:
                    log.info("page %d changed since first read", page_index)
                    rows = (rows + [None] * meta.row_count)[: meta.row_count]
            if generation == self.generation:
                self._store(page_index, rows)
                self._notify()
        except asyncio.CancelledError:
            raise
        except BaseException as exc:
            if generation == self.generation:
                self._fail(exc)
        finally:
            if generation == self.generation:
                self._inflight.pop(page_index, None)
