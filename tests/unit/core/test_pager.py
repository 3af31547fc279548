"""The pager over real HTTP plumbing (httpx.MockTransport): cursor and offset walks, eviction,
loop guards, de-duplication and cancellation."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tui.core import errors
from tui.core.http import ProviderHttp
from tui.core.model import Call
from tui.core.pager import CallPager
from tui.core.paging import Cursor, FuncSource, Page

RECORDS = [{"sid": f"CA{n:04d}", "n": n} for n in range(95)]


def to_call(raw: dict[str, Any]) -> Call:
    return Call(provider="fake", account="acct", id=raw["sid"], duration=raw["n"], raw=raw)


class CursorApi:
    """Twilio-like: ``next_page_uri`` carries the last sid; ``loop``/``repeat`` plant faults."""

    def __init__(self, page_size: int = 10, fault: str | None = None) -> None:
        self.page_size = page_size
        self.fault = fault
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(str(request.url))
        after = request.url.params.get("after")
        start = 0 if after is None else int(after[2:]) + 1
        if self.fault == "repeat" and start >= 20:
            start = 10  # the page after the second repeats the second
        items = RECORDS[start : start + self.page_size]
        nxt = f"/calls?after={items[-1]['sid']}" if start + self.page_size < len(RECORDS) else None
        if self.fault == "self-link" and start >= 30:
            items, nxt = [], str(request.url.raw_path, "ascii")
        if self.fault == "overlap" and after is not None:
            items = [RECORDS[start - 1], *items]  # the previous page's last call again
        return httpx.Response(200, json={"calls": items, "next_page_uri": nxt})


class OffsetApi:
    """PortSIP-like ``{count, items}`` with ``skip``/``top``."""

    def __init__(self) -> None:
        self.skips: list[int] = []

    async def __call__(self, request: httpx.Request) -> httpx.Response:
        skip = int(request.url.params["skip"])
        top = int(request.url.params["top"])
        self.skips.append(skip)
        return httpx.Response(
            200, json={"count": len(RECORDS), "items": RECORDS[skip : skip + top]}
        )


def cursor_source(api: CursorApi) -> FuncSource:
    http = ProviderHttp(
        provider="Fake", base_url="https://fake.test", transport=httpx.MockTransport(api)
    )

    async def fetch(cursor: Cursor) -> Page:
        body = await http.get_json(cursor if isinstance(cursor, str) else "/calls")
        calls = [to_call(r) for r in body["calls"]]
        return Page(calls, body["next_page_uri"], None, len(calls))

    return FuncSource("cursor", api.page_size, None, fetch)


def offset_source(api: OffsetApi, size: int = 10) -> FuncSource:
    http = ProviderHttp(
        provider="Fake", base_url="https://fake.test", transport=httpx.MockTransport(api)
    )

    async def fetch(cursor: Cursor) -> Page:
        assert isinstance(cursor, int)
        body = await http.get_json("/calllogs", params={"skip": cursor, "top": size})
        calls = [to_call(r) for r in body["items"]]
        done = len(calls) < size or cursor + len(calls) >= body["count"]
        return Page(calls, None if done else cursor + len(calls), body["count"], len(calls))

    return FuncSource("offset", size, 0, fetch)


async def read_all(pager: CallPager) -> list[str]:
    ids = []
    index = 0
    while True:
        call = await pager.ensure(index)
        if call is None:
            return ids
        ids.append(call.id)
        index += 1


async def test_cursor_walk_yields_each_record_once_in_order() -> None:
    pager = CallPager(cursor_source(CursorApi()), cache_pages=3)
    assert await read_all(pager) == [r["sid"] for r in RECORDS]
    assert pager.exhausted and pager.loaded == 95
    assert pager.status_text() == "all 95 loaded"


async def test_an_evicted_page_is_refetched_by_its_cursor() -> None:
    api = CursorApi()
    pager = CallPager(cursor_source(api), cache_pages=2)
    await read_all(pager)
    requests_before = len(api.seen)
    assert pager.row(25) is None  # page 2 was evicted: placeholder, and a refetch is scheduled
    call = await pager.ensure(25)
    assert call is not None and call.id == "CA0025"
    assert len(api.seen) == requests_before + 1
    assert api.seen[-1].endswith("/calls?after=CA0019")  # page 2's own cursor, not a rewalk


async def test_peek_reads_what_is_in_memory_and_never_fetches() -> None:
    api = CursorApi()
    pager = CallPager(cursor_source(api), cache_pages=2)
    await read_all(pager)
    requests_before = len(api.seen)
    assert pager.peek(25) is None  # evicted: peek says so and schedules nothing
    assert pager.peek(94) is not None and pager.peek(94).id == "CA0094"  # type: ignore[union-attr]
    assert pager.peek(95) is None and pager.peek(-1) is None
    await asyncio.sleep(0)
    assert len(api.seen) == requests_before and not pager.loading


async def test_overlapping_pages_are_deduplicated() -> None:
    pager = CallPager(cursor_source(CursorApi(fault="overlap")))
    ids = await read_all(pager)
    assert ids == [r["sid"] for r in RECORDS]


@pytest.mark.parametrize(("fault", "kept"), [("self-link", 30), ("repeat", 20)])
async def test_loop_bait_stops_with_a_clear_error_and_keeps_rows(fault: str, kept: int) -> None:
    pager = CallPager(cursor_source(CursorApi(fault=fault)), provider="Fake")
    with pytest.raises(errors.PagingLoopError) as caught:
        await read_all(pager)
    assert "Fake" in str(caught.value) and "paging loop" in str(caught.value)
    assert pager.loaded == kept
    assert pager.row(kept - 1) is not None


async def test_offset_source_with_total_jumps_to_the_end_fetching_only_needed_pages() -> None:
    api = OffsetApi()
    pager = CallPager(offset_source(api), prefetch_rows=0)
    await pager.ensure(0)
    assert pager.random_access and pager.total == 95 and pager.row_count == 95
    last = await pager.ensure(94)
    assert last is not None and last.id == "CA0094"
    assert api.skips == [0, 90]


async def test_offset_walk_with_local_predicate_is_sequential_and_exact() -> None:
    api = OffsetApi()
    pager = CallPager(
        offset_source(api), predicate=lambda c: (c.duration or 0) % 3 == 0, cache_pages=2
    )
    ids = await read_all(pager)
    assert ids == [r["sid"] for r in RECORDS if r["n"] % 3 == 0]
    assert not pager.random_access and pager.scanned == 95


async def test_a_filter_change_cancels_in_flight_fetches() -> None:
    gate = asyncio.Event()
    started = asyncio.Event()

    async def slow(request: httpx.Request) -> httpx.Response:
        started.set()
        await gate.wait()
        return httpx.Response(200, json={"calls": RECORDS[:10], "next_page_uri": None})

    http = ProviderHttp(
        provider="Fake", base_url="https://fake.test", transport=httpx.MockTransport(slow)
    )

    async def fetch(cursor: Cursor) -> Page:
        body = await http.get_json("/calls")
        return Page([to_call(r) for r in body["calls"]], None)

    updates: list[int] = []
    pager = CallPager(
        FuncSource("cursor", 10, None, fetch), listener=lambda p: updates.append(p.loaded)
    )
    assert pager.row(0) is None
    await started.wait()
    assert pager.loading
    pager.cancel()
    gate.set()
    await asyncio.sleep(0)
    assert not pager.loading and pager.loaded == 0 and updates == []


async def test_errors_keep_loaded_rows_and_retry_resumes() -> None:
    calls = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        if calls["n"] == 3:
            return httpx.Response(401, json={"message": "expired"})
        return CursorApi()(request)

    http = ProviderHttp(
        provider="Fake", base_url="https://fake.test", transport=httpx.MockTransport(flaky)
    )

    async def fetch(cursor: Cursor) -> Page:
        body = await http.get_json(cursor if isinstance(cursor, str) else "/calls")
        return Page([to_call(r) for r in body["calls"]], body["next_page_uri"])

    pager = CallPager(FuncSource("cursor", 10, None, fetch))
    with pytest.raises(errors.AuthError):
        await read_all(pager)
    assert pager.loaded == 20 and pager.row(19) is not None
    pager.retry()
    assert len(await read_all(pager)) == 95
