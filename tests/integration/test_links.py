"""One call and its links against the emulator: ``get_call`` equals the listed record, recordings
are found and their media downloads, parent and child legs lead to the right calls; Exotel's
split queries merge to the ground truth and an impossible plan is refused clearly."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tui.core.errors import Action, QueryRefusedError
from tui.core.filter import CallFilter
from tui.core.model import LINK_CHILDREN, LINK_PARENT, LINK_RECORDINGS, Call
from tui.core.query import parse_query
from tui.emulator import Emulator
from tui.providers.base import Adapter

from .conftest import NOW, PROVIDERS, Truth, exotel_default_window, truth, walk

# Normalized fields a list record and the one-call answer must agree on.
SAME = (
    "id",
    "parent_id",
    "from_number",
    "to_number",
    "created_at",
    "started_at",
    "ended_at",
    "duration",
    "status",
    "direction",
    "answered_by",
)
PRICED = {"twilio", "signalwire", "exotel"}  # PortSIP's price is on the one call log only


_LISTED: dict[str, dict[str, Call]] = {}


async def listed(adapter: Adapter) -> dict[str, Call]:
    """Every listed call by id (walked once per run: the dataset and clock are fixed)."""
    if adapter.provider not in _LISTED:
        flt = parse_query("since:-80d") if adapter.provider == "exotel" else CallFilter()
        _LISTED[adapter.provider] = {c.id: c for c in await walk(adapter, flt)}
    return _LISTED[adapter.provider]


def pick(rows: list[Truth], calls: dict[str, Call], want: str) -> Truth:
    """A listed call with recordings (``want="recording"``) or with a parent (``"child"``)."""
    for row in rows:
        if row.id in calls and (row.recordings if want == "recording" else row.parent):
            return row
    raise AssertionError(f"no listed call with a {want}")


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_get_call_equals_the_listed_record(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    calls = await listed(adapter)
    rows = truth(emu, provider)
    chosen = [pick(rows, calls, "recording")]
    if provider != "fonedynamics" and provider != "portsip":
        chosen.append(pick(rows, calls, "child"))
    for row in chosen:
        one = await adapter.get_call(row.id)
        assert one.warnings == ()
        fields = SAME + (("price", "currency") if provider in PRICED else ())
        mine = {f: getattr(calls[row.id], f) for f in fields}
        assert {f: getattr(one, f) for f in fields} == mine


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_recordings_are_found_and_their_media_downloads(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    calls = await listed(adapter)
    row = pick(truth(emu, provider), calls, "recording")
    call = calls[row.id]
    assert LINK_RECORDINGS in call.links
    result = await adapter.follow(call, LINK_RECORDINGS)
    assert result.kind == "recordings"
    expected = 1 if provider in ("exotel", "fonedynamics") else row.recordings
    assert len(result.recordings) == expected, result.note
    for recording in result.recordings:
        assert recording.media_url
        async with adapter.http.stream(recording.media_url) as response:
            body = await response.aread()
        assert response.status_code == 200 and len(body) > 100
        assert response.headers["content-type"].startswith("audio/")


@pytest.mark.parametrize("provider", ["twilio", "signalwire", "exotel"])
async def test_parent_and_children_lead_to_the_right_calls(
    emu: Emulator, adapters: dict[str, Adapter], provider: str
) -> None:
    adapter = adapters[provider]
    calls = await listed(adapter)
    child = pick(truth(emu, provider), calls, "child")
    parent = await adapter.follow(calls[child.id], LINK_PARENT)
    assert [c.id for c in parent.calls] == [child.parent]
    legs = await adapter.follow(parent.calls[0], LINK_CHILDREN)
    if provider == "exotel":  # Exotel lists no child calls: the legs of the call instead
        assert legs.kind == "entries" and legs.entries
    else:
        assert child.id in [c.id for c in legs.calls]
        assert all(c.parent_id == child.parent for c in legs.calls)


async def test_portsip_children_are_the_call_logs_of_the_same_session(
    emu: Emulator, adapters: dict[str, Adapter]
) -> None:
    adapter = adapters["portsip"]
    calls = await listed(adapter)
    rows = truth(emu, "portsip")
    sessions: dict[str, list[str]] = {}
    for row in rows:
        sessions.setdefault(row.extras["session"], []).append(row.id)
    ids = next(v for v in sessions.values() if len(v) > 1)
    result = await adapter.follow(calls[ids[0]], LINK_CHILDREN)
    assert sorted(c.id for c in result.calls) == sorted(ids[1:])  # the others of the session


# -- Exotel's split queries ----------------------------------------------------------------------


async def test_exotel_more_than_five_numbers_are_merged_in_order(
    emu: Emulator, adapters: dict[str, Adapter]
) -> None:
    adapter = adapters["exotel"]
    rows = [r for r in truth(emu, "exotel") if exotel_default_window(r)]
    wanted = list(dict.fromkeys(r.to for r in rows if r.to and r.to.startswith("0")))[:6]
    assert len(wanted) == 6  # more than Exotel's 5 per query
    e164 = ["+91" + n[1:] for n in wanted]
    flt = parse_query("to:" + ",".join(e164))
    plan = adapter.plan(flt, NOW)
    assert len(plan.queries) == 2 and plan.merge == "merge"
    got = [c.id for c in await walk(adapter, flt)]
    assert got == [r.id for r in rows if r.to in wanted]


async def test_exotel_range_over_a_month_is_split_into_windows_read_newest_first(
    emu: Emulator, adapters: dict[str, Adapter]
) -> None:
    adapter = adapters["exotel"]
    since, until = NOW - timedelta(days=75, hours=7), NOW - timedelta(days=3, minutes=11)
    flt = parse_query(f"since:{since:%Y-%m-%dT%H:%M:%SZ} until:{until:%Y-%m-%dT%H:%M:%SZ}")
    plan = adapter.plan(flt, NOW)
    assert len(plan.queries) >= 3 and plan.merge == "concat"
    got = [c.id for c in await walk(adapter, flt)]
    assert got == [r.id for r in truth(emu, "exotel") if since <= r.time < until]
    assert len(got) > 200


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("until:-200d", ("6 months",)),
        ("since:-170d " + " ".join(f"to:+9198765432{i:02d}" for i in range(21)), ("queries",)),
    ],
)
async def test_exotel_refuses_a_plan_it_cannot_send_whole(
    adapters: dict[str, Adapter], query: str, words: tuple[str, ...]
) -> None:
    adapter = adapters["exotel"]
    with pytest.raises(QueryRefusedError) as caught:
        adapter.source(parse_query(query), now=NOW)
    message = str(caught.value)
    assert message.startswith("Exotel: query refused")
    assert all(w in message for w in words), message
    assert caught.value.action is Action.NARROW and not caught.value.retryable
