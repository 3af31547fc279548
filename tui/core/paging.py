"""Pages and page sources: the seam between an adapter's HTTP walk and the pager.

A :class:`PageSource` fetches one page by cursor. *Cursor* sources (Twilio, SignalWire, Exotel)
are sequential: a page's cursor is only known from the page before it. *Offset* sources (Fone
Dynamics, PortSIP) compute any page's cursor (its offset) directly, so the pager can fetch
pages out of order and in parallel.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from tui.core.errors import PagingLoopError
from tui.core.model import Call

PagingKind = Literal["cursor", "offset"]
Cursor = str | int | tuple[object, ...] | None

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Page:
    """One page as the provider sent it (already normalized, not yet locally filtered).

    ``next`` is the cursor of the following page or ``None`` on the last page; ``total`` is
    the provider's count of all matching records when it reports one; ``raw_count`` is the
    number of records the provider put on the page (before anything was dropped).
    """

    calls: Sequence[Call]
    next: Cursor
    total: int | None = None
    raw_count: int = -1

    @property
    def size(self) -> int:
        return self.raw_count if self.raw_count >= 0 else len(self.calls)


@dataclass(frozen=True)
class EarlyPage:
    """A page whose body is read but not yet decoded (cursor sources that can say early where
    the next page is: Twilio and SignalWire write ``next_page_uri`` near the end of the body).

    ``guess`` is the next cursor as read cheaply from the body, or ``None`` when there is none
    or it could not be read; the walk may request it at once. ``finish()`` decodes and parses
    the page (typed errors for a malformed body); its ``next`` is the truth, which a wrong
    guess does not change.
    """

    guess: Cursor
    finish: Callable[[], Page]


class PageSource(Protocol):
    """Fetches pages of one native query (or a merge of several)."""

    kind: PagingKind
    page_size: int
    first: Cursor

    async def fetch(self, cursor: Cursor) -> Page: ...


@dataclass
class FuncSource:
    """A page source from a fetch function (what adapters build)."""

    kind: PagingKind
    page_size: int
    first: Cursor
    fetcher: Callable[[Cursor], Awaitable[Page]]
    # Cursor sources only, optional: the same page as an :class:`EarlyPage` (``fetcher`` gives
    # its ``finish()``), so the walk can ask for the next page before decoding this one.
    early: Callable[[Cursor], Awaitable[EarlyPage]] | None = None

    async def fetch(self, cursor: Cursor) -> Page:
        return await self.fetcher(cursor)


def sort_key(call: Call) -> tuple[datetime, str]:
    return (call.time or _EPOCH, call.id)


class ConcatSource:
    """Several sources read one after another (disjoint, ordered windows), as one cursor source.

    The cursor is ``(source index, inner cursor)``.
    """

    kind: PagingKind = "cursor"

    def __init__(self, sources: Sequence[PageSource]) -> None:
        self.sources = list(sources)
        self.page_size = max((s.page_size for s in self.sources), default=50)
        self.first: Cursor = (0, self.sources[0].first) if self.sources else None

    async def fetch(self, cursor: Cursor) -> Page:
        if not self.sources or not isinstance(cursor, tuple):
            return Page([], None, 0, 0)
        index, inner = cursor
        assert isinstance(index, int)
        page = await self.sources[index].fetch(inner)  # type: ignore[arg-type]
        if page.next is not None:
            nxt: Cursor = (index, page.next)
        elif index + 1 < len(self.sources):
            nxt = (index + 1, self.sources[index + 1].first)
        else:
            nxt = None
        return Page(page.calls, nxt, None, page.size)


class MergeSource:
    """Several interleaving sources merged by time (newest first or oldest first).

    Each call of :meth:`fetch` returns up to ``page_size`` calls in merged order. The cursor
    carries, per source, its inner cursor and the calls fetched but not yet emitted, so an
    evicted merged page can be rebuilt exactly from its cursor.

    The sources are disjoint queries (one status each, one group of numbers each …): a page
    of calls that one of them already sent, at another cursor, is the provider repeating itself,
    which the walk behind the merge cannot see; it is refused as a paging loop.
    """

    kind: PagingKind = "cursor"

    def __init__(
        self, sources: Sequence[PageSource], *, newest_first: bool = True, provider: str = ""
    ) -> None:
        self.sources = list(sources)
        self.newest_first = newest_first
        self.provider = provider
        self.page_size = max((s.page_size for s in self.sources), default=50)
        # per source: (inner cursor to fetch next or None when drained, buffered calls)
        self.first: Cursor = tuple((s.first, (), False) for s in self.sources)
        # per source: the inner cursor and the ids of the last page it gave
        self._last: list[tuple[Cursor, tuple[str, ...]] | None] = [None] * len(self.sources)

    def _check(self, index: int, cursor: Cursor, page: Page) -> None:
        ids = tuple(call.id for call in page.calls)
        if ids:
            for other, last in enumerate(self._last):
                if last is not None and last[1] == ids and (other != index or last[0] != cursor):
                    raise PagingLoopError(
                        "the provider sent the same page twice (for two different queries)"
                        if other != index
                        else "the provider sent the same page twice",
                        provider=self.provider,
                    )
        self._last[index] = (cursor, ids)

    async def fetch(self, cursor: Cursor) -> Page:
        assert isinstance(cursor, tuple)
        states: list[list[Any]] = [list(state) for state in cursor if isinstance(state, tuple)]
        out: list[Call] = []
        while len(out) < self.page_size:
            # refill every source whose buffer is empty and that has more pages
            for index, (state, source) in enumerate(zip(states, self.sources, strict=True)):
                inner, buffered, done = state
                while not buffered and not done:
                    page = await source.fetch(inner)
                    self._check(index, inner, page)
                    buffered = tuple(page.calls)
                    inner = page.next
                    done = page.next is None
                    state[:] = [inner, buffered, done]
            candidates = [(i, s[1][0]) for i, s in enumerate(states) if s[1]]
            if not candidates:
                break
            pick = (max if self.newest_first else min)(candidates, key=lambda c: sort_key(c[1]))
            index, call = pick
            states[index][1] = states[index][1][1:]
            out.append(call)
        exhausted = all(not s[1] and s[2] for s in states)
        nxt: Cursor = None if exhausted else tuple(tuple(s) for s in states)
        return Page(out, nxt, None, len(out))
