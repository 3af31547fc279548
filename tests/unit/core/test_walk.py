"""``Walker.pages``: pages in order with the next request already out, nothing left running."""

from __future__ import annotations

import asyncio
from contextlib import aclosing

import pytest

from tui.core.errors import MalformedResponseError, PagingLoopError
from tui.core.model import Call
from tui.core.normalize import Deferred
from tui.core.paging import Cursor, EarlyPage, FuncSource, Page
from tui.core.walk import Walker


def calls(prefix: str, n: int) -> list[Call]:
    return [Call(provider="twilio", account="t", id=f"{prefix}{i}") for i in range(n)]


async def test_cursor_walk_asks_for_the_next_page_before_this_one_is_normalized() -> None:
    events: list[str] = []

    async def fetch(cursor: Cursor) -> Page:
        page = int(cursor or 0)
        events.append(f"fetch {page}")

        def make(raw: str) -> Call:
            if raw.endswith("-0"):
                events.append(f"normalize {page}")
            return Call(provider="twilio", account="t", id=raw)

        raws = [f"p{page}-{i}" for i in range(3)]
        return Page(Deferred(raws, make), str(page + 1) if page < 2 else None)

    rows: list[str] = []
    async for admitted in Walker(FuncSource("cursor", 3, None, fetch)).pages():
        rows.extend(c.id for c in admitted.rows)
    assert rows == [f"p{p}-{i}" for p in range(3) for i in range(3)]
    assert events.index("fetch 1") < events.index("normalize 0")
    assert events.index("fetch 2") < events.index("normalize 1")


async def test_stopping_a_walk_cancels_the_request_already_out() -> None:
    started = asyncio.Event()
    cancelled = asyncio.Event()

    async def fetch(cursor: Cursor) -> Page:
        if cursor is None:
            return Page(calls("a", 2), "next")
        started.set()
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            cancelled.set()
            raise
        raise AssertionError("unreachable")

    async with aclosing(Walker(FuncSource("cursor", 2, None, fetch)).pages()) as pages:
        async for admitted in pages:
            assert [c.id for c in admitted.rows] == ["a0", "a1"]
            break
    assert started.is_set()
    await asyncio.wait_for(cancelled.wait(), 5)


async def test_a_page_pointing_at_a_page_already_read_still_stops_the_walk() -> None:
    async def fetch(cursor: Cursor) -> Page:
        nxt = {None: "b", "b": "c", "c": "b"}[cursor]  # type: ignore[index]
        return Page(calls(str(cursor), 1), nxt)

    with pytest.raises(PagingLoopError):
        async for _ in Walker(FuncSource("cursor", 1, None, fetch)).pages():
            pass


async def test_offset_walk_reads_ahead_keeps_order_and_spots_an_early_end() -> None:
    async def fetch(cursor: Cursor) -> Page:
        at = int(cursor or 0)
        if at >= 50:
            return Page([], None, None, 0)
        size = 10 if at != 40 else 5
        return Page(calls(f"o{at}-", size), None if size < 10 else at + 10)

    ids: list[str] = []
    async for admitted in Walker(FuncSource("offset", 10, 0, fetch)).pages():
        ids.extend(c.id for c in admitted.rows)
    assert ids == [f"o{at}-{i}" for at in range(0, 40, 10) for i in range(10)] + [
        f"o40-{i}" for i in range(5)
    ]

    async def glitch(cursor: Cursor) -> Page:
        at = int(cursor or 0)
        if at == 20:
            return Page([], None, None, 0)  # "the end", but page 30 has calls
        return Page(calls(f"g{at}-", 10), at + 10)

    seen: list[Call] = []
    with pytest.raises(MalformedResponseError):
        async for admitted in Walker(FuncSource("offset", 10, 0, glitch)).pages():
            seen.extend(admitted.rows)
    assert len(seen) == 20


def early_source(
    pages: dict[Cursor, tuple[list[str], Cursor, Cursor]], events: list[str]
) -> FuncSource:
    """A cursor source whose pages say early where they link: ``{cursor: (ids, guess, next)}``."""

    async def early(cursor: Cursor) -> EarlyPage:
        events.append(f"fetch {cursor}")
        ids, guess, nxt = pages[cursor]

        def finish() -> Page:
            events.append(f"decode {cursor}")
            return Page([Call(provider="twilio", account="t", id=i) for i in ids], nxt)

        return EarlyPage(guess, finish)

    async def fetch(cursor: Cursor) -> Page:
        return (await early(cursor)).finish()

    return FuncSource("cursor", 2, None, fetch, early)


async def test_early_walk_asks_for_the_guessed_page_before_decoding_this_one() -> None:
    events: list[str] = []
    pages: dict[Cursor, tuple[list[str], Cursor, Cursor]] = {
        None: (["a", "b"], "p2", "p2"),
        "p2": (["c", "d"], "p3", "p3"),
        "p3": (["e"], None, None),
    }
    ids: list[str] = []
    async for admitted in Walker(early_source(pages, events)).pages():
        ids.extend(c.id for c in admitted.rows)
    assert ids == ["a", "b", "c", "d", "e"]
    assert events == [
        *("fetch None", "fetch p2", "decode None", "fetch p3", "decode p2", "decode p3"),
    ]


async def test_early_walk_follows_the_decoded_next_page_when_the_guess_was_wrong() -> None:
    events: list[str] = []
    pages: dict[Cursor, tuple[list[str], Cursor, Cursor]] = {
        None: (["a"], "wrong", "p2"),  # the guess is not the page's next_page_uri
        "p2": (["b"], "p2", None),  # a guess pointing at itself, on the last page
    }
    ids: list[str] = []
    async for admitted in Walker(early_source(pages, events)).pages():
        ids.extend(c.id for c in admitted.rows)
    assert ids == ["a", "b"]  # "wrong" is not a page: its request failed, unseen
    assert events == ["fetch None", "fetch wrong", "decode None", "fetch p2", "decode p2"]


async def test_early_walk_keeps_the_rows_before_a_malformed_page_and_cancels_the_next() -> None:
    cancelled = asyncio.Event()

    async def early(cursor: Cursor) -> EarlyPage:
        if cursor == "p3":
            try:
                await asyncio.Event().wait()
            except asyncio.CancelledError:
                cancelled.set()
                raise

        def finish() -> Page:
            if cursor == "p2":
                raise MalformedResponseError("truncated")
            return Page(calls("a", 2), "p2")

        return EarlyPage("p2" if cursor is None else "p3", finish)

    async def fetch(cursor: Cursor) -> Page:
        return (await early(cursor)).finish()

    seen: list[Call] = []
    with pytest.raises(MalformedResponseError):
        async for admitted in Walker(FuncSource("cursor", 2, None, fetch, early)).pages():
            seen.extend(admitted.rows)
    assert [c.id for c in seen] == ["a0", "a1"]
    await asyncio.wait_for(cancelled.wait(), 5)
