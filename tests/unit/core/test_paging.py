"""Merged page sources: several disjoint queries read as one list, in time order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tui.core import errors
from tui.core.model import Call
from tui.core.paging import Cursor, FuncSource, MergeSource, Page

T0 = datetime(2026, 11, 20, tzinfo=UTC)


def calls(*minutes: int) -> list[Call]:
    return [
        Call(provider="fake", account="a", id=f"C{m}", created_at=T0 + timedelta(minutes=m))
        for m in minutes
    ]


def source(*pages: list[Call]) -> FuncSource:
    async def fetch(cursor: Cursor) -> Page:
        index = int(cursor or 0)
        nxt = index + 1 if index + 1 < len(pages) else None
        return Page(pages[index], nxt)

    return FuncSource("cursor", 2, None, fetch)


async def test_disjoint_queries_are_merged_newest_first_and_pages_rebuild_from_cursors() -> None:
    merged = MergeSource([source(calls(9, 5), calls(3)), source(calls(7, 1))], provider="Twilio")
    first = await merged.fetch(merged.first)
    second = await merged.fetch(first.next)
    assert [c.id for c in [*first.calls, *second.calls]] == ["C9", "C7", "C5", "C3"]
    again = await merged.fetch(first.next)  # an evicted page, fetched again by its cursor
    assert [c.id for c in again.calls] == ["C5", "C3"]


async def test_a_query_answered_with_another_querys_page_is_a_paging_loop() -> None:
    """A provider repeating its previous answer to the next request (the emulator's ``repeat``
    fault) must not silently swap one query's calls for another's."""
    page = calls(9, 5)
    merged = MergeSource([source(page), source(page)], provider="Twilio")
    with pytest.raises(errors.PagingLoopError, match="Twilio: paging loop"):
        await merged.fetch(merged.first)
