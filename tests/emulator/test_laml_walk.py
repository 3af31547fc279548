"""Walking every page of a filter gives exactly the dataset's ground truth, in order."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from tui.emulator import CallRecord, EmulatedAccount, Emulator

from .conftest import calls_url, client, origin_of

SW_STATUS = {"no-answer": "canceled"}  # SignalWire has no "no-answer" (providers.md §4.4)


def day(ts: int | None) -> str | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


def instant(text: str) -> int:
    return int(datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp())


async def walk(emu: Emulator, a: EmulatedAccount, params: dict[str, str]) -> list[str]:
    sids: list[str] = []
    root = a.base_url if a.provider == "twilio" else origin_of(a)
    async with client(a) as c:
        r = await c.get(calls_url(a), params={"PageSize": "60", **params})
        while True:
            assert r.status_code == 200, r.text
            body = r.json()
            sids += [x["sid"] for x in body["calls"]]
            if not body["next_page_uri"]:
                return sids
            r = await c.get(root + body["next_page_uri"])


def truth(emu: Emulator, a: EmulatedAccount, pred: Callable[[CallRecord], bool]) -> list[str]:
    sids = emu.api(a.provider).sids[a.account]  # type: ignore[attr-defined]
    if not hasattr(emu, "_truth_cache"):
        emu._truth_cache = {}  # type: ignore[attr-defined]
    cache = emu._truth_cache  # type: ignore[attr-defined]
    if a.key not in cache:
        cache[a.key] = list(emu.dataset.calls(a.key))  # newest first
    records = cache[a.key]
    return [sids.call(c.index) for c in records if pred(c)]


@pytest.mark.parametrize("provider", ["twilio", "signalwire"])
async def test_walks_match_ground_truth(emu: Emulator, provider: str) -> None:
    a = emu.account(provider)
    ds = emu.dataset
    recs = list(ds.calls(a.key))
    sample = recs[len(recs) // 3]
    child = next(c for c in recs if c.parent_index is not None)
    sids = emu.api(provider).sids[a.account]  # type: ignore[attr-defined]
    status = (
        (lambda c: SW_STATUS.get(c.status, c.status))
        if provider == "signalwire"
        else (lambda c: c.status)
    )
    d = day(sample.start)
    t = "2026-10-15T13:30:00Z"
    cases: list[tuple[dict[str, str], Callable[[CallRecord], bool]]] = [
        ({}, lambda c: True),
        ({"Status": "busy"}, lambda c: status(c) == "busy"),
        ({"Status": "canceled"}, lambda c: status(c) == "canceled"),
        ({"Status": "ringing"}, lambda c: c.status == "ringing"),
        ({"StartTime": d or ""}, lambda c: day(c.start) == d),
        ({"StartTime>": d or ""}, lambda c: c.start is not None and (day(c.start) or "") >= (d or "")),
        ({"StartTime<": d or ""}, lambda c: c.start is not None and (day(c.start) or "") <= (d or "")),
        ({"StartTime>": t}, lambda c: c.start is not None and c.start >= instant(t)),
        ({"StartTime<": t}, lambda c: c.start is not None and c.start <= instant(t)),
        ({"EndTime>": t, "Status": "completed"}, lambda c: c.end is not None and c.end >= instant(t) and c.status == "completed"),
        ({"To": sample.to}, lambda c: c.to == sample.to),
        ({"From": sample.from_}, lambda c: c.from_ == sample.from_),
        ({"ParentCallSid": sids.call(child.parent_index)}, lambda c: c.parent_index == child.parent_index),
    ]  # fmt: skip
    for params, pred in cases:
        expected = truth(emu, a, pred)
        got = await walk(emu, a, params)
        assert got == expected, params
        assert len(set(got)) == len(got)
    assert await walk(emu, a, {"Status": "busy", "StartTime>": d or ""})  # combined filters work
