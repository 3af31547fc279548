"""The dataset: deterministic, time-ordered, realistic enough, lazy at a million calls."""

from __future__ import annotations

import tracemalloc
from collections import Counter

import httpx

from tui.emulator import Dataset, Emulator
from tui.emulator.hostile import HOSTILE_STRINGS

from .conftest import calls_url, client


def test_start_times_are_monotone_and_within_the_window() -> None:
    ds = Dataset(seed=3, calls=2000)
    times = [ds.sort_time("k", i) for i in range(2000)]
    assert times == sorted(times)
    assert ds.now - 90 * 86400 <= times[0] and times[-1] <= ds.now


def test_status_mix_children_and_recordings_are_realistic() -> None:
    ds = Dataset(seed=3, calls=5000)
    calls = list(ds.calls("k", newest_first=False))
    mix = Counter(c.status for c in calls)
    assert mix["completed"] > 0.6 * len(calls)
    assert all(mix[s] > 0 for s in ("busy", "no-answer", "failed", "canceled"))
    live = [c for c in calls if c.status in ("ringing", "in-progress", "queued")]
    assert live and all(c.index >= len(calls) - 10 for c in live)
    for c in calls:
        if c.parent_index is not None:
            parent = calls[c.parent_index]
            assert parent.direction == "inbound" and parent.status == "completed"
            assert c.direction == "outbound" and parent.start is not None and c.start is not None
            assert 0 <= c.start - parent.start < 60 or c.start == ds.sort_time("k", c.index)
    assert any(c.to.startswith(("sip:", "client:")) for c in calls)
    assert len({c.from_[:3] for c in calls if c.from_.startswith("+")}) >= 5
    assert 0.2 < sum(c.has_recording for c in calls) / mix["completed"] < 0.6
    durations = sorted(c.duration for c in calls if c.status == "completed" and c.duration)
    assert durations[len(durations) // 2] < 60 < durations[-1]  # heavy tail


def test_cheap_columns_agree_with_the_full_record_of_every_call() -> None:
    # List pages render from Dataset.core/extras, ground truth is Dataset.call: they must agree.
    for n in (1, 2, 3, 60, 3000):
        ds = Dataset(seed=5, calls=n, hostile=True)
        for i in range(n):
            c, k = ds.call("k", i), ds.core("k", i)
            assert (k.idx, k.is_child, k.status, k.created, k.start, k.answer, k.end) == (
                c.index, c.is_child, c.status, c.created, c.start, c.answer, c.end
            )  # fmt: skip
            assert (k.duration, k.ring, k.direction, k.from_, k.to, k.country) == (
                c.duration, c.ring, c.direction, c.from_, c.to, c.country
            )  # fmt: skip
            assert (k.price, str(k.price), k.recordings) == (c.price, str(c.price), c.recordings)
            assert k.has_child == bool(ds.children_of("k", i))
            assert ds.extras(k, sip=True) == (c.caller_name, c.answered_by, c.sip_status)
            assert ds.slot("k", i) >= (c.start if c.start is not None else c.created)
        assert [k.idx for k in ds.cores("k", range(n))] == list(range(n))


def test_same_seed_same_records_other_seed_other_records() -> None:
    a, b, c = Dataset(seed=7, calls=300), Dataset(seed=7, calls=300), Dataset(seed=8, calls=300)
    assert list(a.calls("x")) == list(b.calls("x"))
    assert list(a.calls("x")) != list(c.calls("x"))


def test_hostile_plants_every_string() -> None:
    ds = Dataset(seed=1, calls=500, hostile=True)
    names = {c.caller_name for c in ds.calls("k")}
    assert set(HOSTILE_STRINGS) <= names
    assert not any(c.caller_name in HOSTILE_STRINGS for c in Dataset(seed=1, calls=500).calls("k"))


async def test_same_seed_gives_the_same_bytes() -> None:
    bodies = []
    for _ in range(2):
        async with Emulator(calls=300) as emu:
            a = emu.account("twilio")
            async with client(a) as c:
                bodies.append((await c.get(calls_url(a), params={"PageSize": 100})).content)
    assert bodies[0] == bodies[1]


async def test_hostile_strings_reach_the_wire_intact() -> None:
    async with Emulator(calls=500, hostile=True) as emu:
        a = emu.account("twilio")
        async with client(a) as c:
            calls = (await c.get(calls_url(a), params={"PageSize": 1000})).json()["calls"]
    assert set(HOSTILE_STRINGS) <= {x["caller_name"] for x in calls}


async def test_a_million_calls_serve_a_first_page_lazily() -> None:
    tracemalloc.start()
    async with Emulator(calls=1_000_000) as emu:
        a = emu.account("twilio")
        async with httpx.AsyncClient(auth=(a.username, a.password)) as c:
            for params in ({}, {"Status": "busy"}, {"StartTime": "2026-10-01"}):
                r = await c.get(calls_url(a), params=params)
                assert r.status_code == 200 and len(r.json()["calls"]) == 50
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 50 * 1024 * 1024  # nothing proportional to a million calls was built
