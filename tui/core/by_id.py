"""Calls fetched one by one by id: the page source and the plan of a filter with ``id:`` terms.

Every provider can fetch one call by its id, so ``id:CA1,CA2`` costs one request per id instead
of a walk through the whole account. The other terms of the filter are checked on the fetched
calls, except those only a provider's list can decide (they are reported as ignored).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from tui.core.errors import NotFoundError
from tui.core.filter import CallFilter, extra_field
from tui.core.model import Call
from tui.core.paging import Cursor, Page, PagingKind
from tui.core.plan import QUERY_KEY, Plan, PlanItem, Where

# Ids looked up at once (one page of the walk): a few requests in flight, rows shown as they come.
IDS_PER_PAGE = 8
# More ids than this are filtered on the list instead: a walk costs fewer requests by then.
MAX_IDS = 500

FetchOne = Callable[[str], Awaitable[Call]]


@dataclass
class IdSource:
    """Pages of calls fetched by id; the cursor is the offset in ``ids``. An id the provider
    does not know is no row (``NotFoundError``); any other failure ends the walk, typed."""

    ids: Sequence[str]
    fetch_one: FetchOne
    page_size: int = IDS_PER_PAGE
    kind: PagingKind = "cursor"
    first: Cursor = 0

    async def fetch(self, cursor: Cursor) -> Page:
        start = cursor if isinstance(cursor, int) else 0
        chunk = self.ids[start : start + self.page_size]
        tasks = [asyncio.ensure_future(self._one(call_id)) for call_id in chunk]
        try:
            found = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:
                task.cancel()
                task.add_done_callback(_retrieve)
            raise
        end = start + len(chunk)
        calls = [call for call in found if call is not None]
        return Page(calls, end if end < len(self.ids) else None, None, len(chunk))

    async def _one(self, call_id: str) -> Call | None:
        try:
            return await self.fetch_one(call_id)
        except NotFoundError:
            return None


def _retrieve(task: asyncio.Future[Call | None]) -> None:
    """Read a dropped lookup's outcome, so asyncio does not report it as never retrieved."""
    if not task.cancelled():
        task.exception()


def fetches_by_id(flt: CallFilter) -> bool:
    """Whether ``flt``'s calls are fetched by id rather than found by walking the list."""
    return 0 < len(flt.ids) <= MAX_IDS


def by_id_plan(flt: CallFilter, provider: str, title: str) -> Plan:
    """The plan of ``flt`` when its ids are fetched directly: no list query; every other term
    local, except those this provider's calls cannot tell (another provider's extras, and
    extras only the list can decide, such as Fone Dynamics' unique/repeat)."""
    count = len(flt.ids)
    noun = "call" if count == 1 else "calls"
    items = [PlanItem("id", Where.SERVER, f"{count} {noun} fetched directly", "one request per id")]
    warnings: list[str] = []
    local: list[str] = []
    rest = flt.without("ids")
    for name in rest.active_fields():
        key = QUERY_KEY.get(name, name)
        spec = extra_field(name)
        if spec is not None and provider not in spec.providers:
            note = f"{title} calls have no {spec.label.lower()}"
        elif spec is not None and spec.match == "server":
            note = f"only {title}'s call list can tell {spec.label.lower()}"
        else:
            items.append(PlanItem(key, Where.LOCAL, "", "checked on the fetched calls"))
            local.append(name)
            continue
        items.append(PlanItem(key, Where.UNSUPPORTED, "", note))
        warnings.append(f"{key}: {note}; ignored")
    return Plan(
        queries=[],
        local=rest.only(*local),
        items=tuple(items),
        warnings=tuple(warnings),
        by_id=True,
    )
