"""``id:`` terms fetch those calls one by one (``adapter.get_call``) instead of walking the
account: the same calls as the ground truth, one request per id, an unknown id is no row, and
the other terms of the filter apply to the fetched calls."""

from __future__ import annotations

import pytest

from tui.core.plan import Where
from tui.core.query import parse_query
from tui.emulator import Emulator
from tui.providers.base import Adapter

from .conftest import PROVIDERS, Truth, truth, walk, walk_pager

UNKNOWN = {
    "twilio": "CA" + "0" * 32,
    "signalwire": "00000000-0000-4000-8000-000000000000",
    "exotel": "0" * 32,
    "fonedynamics": "CA" + "0" * 32,
    "portsip": "999999999",
}


def picked(emu: Emulator, provider: str) -> list[Truth]:
    """Three calls far apart: the newest, one in the middle, the oldest (Exotel: older than its
    default 31-day window, which a listing without since: would not reach)."""
    rows = truth(emu, provider)
    return [rows[0], rows[len(rows) // 2], rows[-1]]


def requests(emu: Emulator, provider: str) -> int:
    return emu.faults.requests(provider)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_ids_are_fetched_directly_with_one_request_each(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    await adapter.check()  # logged in (PortSIP) before counting
    rows = picked(emu, provider)
    wanted = sorted(r.id for r in rows)
    flt = parse_query("id:" + ",".join([*wanted, UNKNOWN[provider]]))
    before = requests(emu, provider)
    got = await walk(adapter, flt)
    assert sorted(c.id for c in got) == wanted  # the unknown id: no row, no error
    assert requests(emu, provider) - before == 4  # one per id, no page of the list
    _, plan = adapter.source(flt)
    assert plan.where("id") is Where.SERVER and "fetched directly" in plan.describe()
    assert plan.local.is_empty and plan.queries == []


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_other_terms_apply_to_the_fetched_calls(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    await adapter.check()
    rows = truth(emu, provider)
    keep = rows[len(rows) // 2]
    other = next(r for r in rows if r.status != keep.status)
    flt = parse_query(f"id:{keep.id},{other.id} status:{keep.status.value}")
    before = requests(emu, provider)
    assert [c.id for c in await walk(adapter, flt)] == [keep.id]
    assert requests(emu, provider) - before == 2
    # the browser's path: the pager reads the same rows
    assert [c.id for c in await walk_pager(adapter, flt)] == [keep.id]
