"""Every adapter walks every page of several filters and lists exactly the dataset's ground truth:
same ids, same order, nothing missing or doubled — through the Walker and through the pager —
and whatever the server filters agrees with callscope's own local semantics."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest

from tui.core.filter import CallFilter, extra_field
from tui.core.model import Call
from tui.core.plan import Where
from tui.core.query import parse_query
from tui.emulator import Emulator
from tui.providers.base import Adapter

from .conftest import (
    NOW,
    PROVIDERS,
    Truth,
    exotel_default_window,
    truth,
    walk,
    walk_pager,
)

SINCE = NOW - timedelta(days=41, hours=-3, minutes=-17, seconds=-13)  # not a day boundary
UNTIL = NOW - timedelta(days=23, hours=-5, minutes=-41)


def iso(moment: object) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Case:
    query: str
    want: Callable[[Truth], bool]
    # False where only the adapter can read the filter (Exotel's national numbers become E.164
    # in its plan; callscope's core matcher knows no country)
    local: bool = True

    def __str__(self) -> str:
        return self.query or "(no filter)"


def _common(values: list[str]) -> str:
    """The most frequent value (ties: the smallest), so a filter finds several calls."""
    counts = Counter(v for v in values if v)
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)


def _prefix(values: list[str], seed: str) -> str:
    """The shortest prefix of ``seed`` that matches more than one call but not all of them."""
    for n in range(2, len(seed)):
        hits = sum(v.startswith(seed[:n]) for v in values)
        if 1 < hits < len(values):
            return seed[:n]
    raise AssertionError(f"no useful prefix of {seed!r}")


def e164(national_number: str) -> str:
    """Exotel's filters take E.164 (providers.md §5.3) while its records are national."""
    return "+91" + national_number[1:] if national_number.startswith("0") else national_number


def cases(emu: Emulator, provider: str) -> list[Case]:
    rows = truth(emu, provider)
    tos = [r.to or "" for r in rows]
    to = _common(tos)
    prefix = _prefix(tos, to)
    out = [
        Case("", lambda r: True),
        Case("status:busy", lambda r: r.status.value == "busy"),
        Case(f"since:{iso(SINCE)} until:{iso(UNTIL)}", lambda r: SINCE <= r.time < UNTIL),
        Case(f"to:{e164(to) if provider == 'exotel' else to}", lambda r: r.to == to),
        Case(f"to:{prefix}*", lambda r: (r.to or "").startswith(prefix)),
        Case(
            f"status:completed,no-answer since:{iso(SINCE)}",
            lambda r: r.status.value in ("completed", "no-answer") and r.time >= SINCE,
        ),
    ]
    if provider in ("twilio", "signalwire"):
        parent = _common([r.parent or "" for r in rows])
        out.append(Case(f"parent:{parent}", lambda r: r.parent == parent))
    elif provider == "exotel":
        phone = _common([r.extras["exophone"] for r in rows if exotel_default_window(r)])
        out += [
            Case(f"exophone:{e164(phone)}", lambda r: r.extras["exophone"] == phone),
            # what a user copies from a record: the national form works the same
            Case(f"to:{to}", lambda r: r.to == to, local=False),
            Case(f"exophone:{phone}", lambda r: r.extras["exophone"] == phone, local=False),
        ]
    elif provider == "fonedynamics":
        out += [
            Case("source:google", lambda r: r.extras["source"] == "google"),
            Case("keys:1", lambda r: r.extras["keys"].split(",")[0] == "1"),
            Case("keys:2>1", lambda r: r.extras["keys"].startswith("2,1")),
            Case("unique:repeat", lambda r: r.extras["unique"] == "repeat"),
            Case("unique:unique status:busy,completed", lambda r: r.extras["unique"] == "unique"
                 and r.status.value in ("busy", "completed")),
        ]  # fmt: skip
    elif provider == "portsip":
        out += [
            Case("trunk:telstra-sip", lambda r: r.extras["trunk"] == "telstra-sip"),
            Case("reason:CANCELLED", lambda r: r.extras["reason"] == "CANCELLED"),
        ]
    if provider == "exotel":  # no time range: Exotel's default window, the last 31 days
        out = [
            c
            if "since:" in c.query
            else Case(c.query, lambda r, w=c.want: w(r) and exotel_default_window(r), c.local)
            for c in out
        ]
    return out


def expected(emu: Emulator, provider: str, case: Case) -> list[str]:
    return [r.id for r in truth(emu, provider) if case.want(r)]


def ids(calls: list[Call]) -> list[str]:
    return [c.id for c in calls]


# Walks are deterministic (fixed dataset and clock): each (provider, query) is walked once per
# run and shared by the tests that look at it from different sides.
_WALKS: dict[tuple[str, str], list[Call]] = {}


async def walked(adapter: Adapter, query: str) -> list[Call]:
    key = (adapter.provider, query)
    if key not in _WALKS:
        _WALKS[key] = await walk(adapter, parse_query(query))
    return _WALKS[key]


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_every_filter_walks_to_the_ground_truth_in_order(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    for case in cases(emu, provider):
        want = expected(emu, provider, case)
        got = ids(await walked(adapter, case.query))
        assert len(got) == len(set(got)), f"{case}: a call came twice"
        missing = [i for i in want if i not in set(got)]
        extra = [i for i in got if i not in set(want)]
        assert (missing, extra) == ([], []), f"{case}: missing/extra calls"
        assert got == want, f"{case}: same calls, wrong order"
        if case.query:
            assert want, f"{case}: the dataset has no such call (a vacuous case)"


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_the_pager_reads_the_same_rows_as_the_walker(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    for case in cases(emu, provider)[:3]:
        got = ids(await walk_pager(adapter, parse_query(case.query)))
        assert got == expected(emu, provider, case), case


def _server_side(adapter: Adapter, flt: CallFilter) -> bool:
    """Whether the server applies part of ``flt`` and callscope could apply all of it locally
    (Fone Dynamics' ``unique`` has no field in the record: only the server can decide it)."""
    if any(getattr(extra_field(key), "match", "") == "server" for key, _ in flt.extras):
        return False
    plan = adapter.plan(flt, NOW)
    return any(i.where in (Where.SERVER, Where.BOTH) for i in plan.items)


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_server_filters_agree_with_local_semantics(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    """What the provider filters equals callscope's ``CallFilter.matches`` over the unfiltered
    listing (Exotel: its default 31 days, or a retained range wide enough for time filters)."""
    adapter = adapters[provider]
    everything = await walked(adapter, "")
    wide = everything
    if provider == "exotel":
        wide = await walked(adapter, "since:-150d")
    checked = 0
    for case in cases(emu, provider)[1:]:
        flt = parse_query(case.query)
        if not case.local or not _server_side(adapter, flt):
            continue
        base = wide if flt.since is not None or flt.until is not None else everything
        local = [c.id for c in base if flt.matches(c, NOW)]
        served = ids(await walked(adapter, case.query))
        assert served == local, f"{case}: the server and callscope disagree"
        checked += 1
    assert checked >= 3


LIVE_SINCE = NOW - timedelta(days=2)  # the live tail: queued, ringing and in-progress calls
LIVE_UNTIL = NOW - timedelta(hours=12)


@pytest.mark.parametrize("provider", PROVIDERS)
@pytest.mark.parametrize(
    "query",
    [
        f"since:{iso(LIVE_SINCE)}",
        f"since:{iso(LIVE_SINCE)} until:{iso(LIVE_UNTIL)}",
        f"status:queued,completed since:{iso(LIVE_SINCE)}",
        "status:queued since:-2d",
    ],
)
async def test_a_time_range_lists_every_call_whose_shown_time_is_in_it_queued_ones_too(
    emu: Emulator, adapters: dict[str, Adapter], provider: str, query: str
) -> None:
    """A queued call has no start time yet; the table shows (and sorts by) its creation time, so
    ``since:`` must list it when that time is in range, though the provider's ``StartTime``
    filter cannot see it."""
    flt = parse_query(query)
    since = flt.since.resolve(NOW) if flt.since else None
    until = flt.until.resolve(NOW) if flt.until else None
    got = await walk(adapters[provider], flt)
    want = [
        r.id
        for r in truth(emu, provider)
        if (since is None or r.time >= since)
        and (until is None or r.time < until)
        and (not flt.statuses or r.status in flt.statuses)
    ]
    assert ids(got) == want
    assert all(flt.matches(call, NOW) for call in got)  # what is listed is what is shown
    if provider in ("twilio", "signalwire"):
        assert any(r.status.value == "queued" for r in truth(emu, provider) if r.id in want)
