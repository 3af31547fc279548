"""Every injected fault, on every provider, ends in the typed error or in a recovered walk whose
result is identical to the fault-free one; PortSIP's token expiry mid-walk is invisible."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import pytest

from tui.core import errors
from tui.core.query import parse_query
from tui.core.walk import OFFSET_READ_AHEAD
from tui.emulator import FAULT_KINDS, Emulator
from tui.emulator.portsip import PortSipAPI
from tui.providers.base import Adapter

from .conftest import (
    FAST_RETRY,
    FAULT_OUTCOMES,
    NOW,
    PROVIDERS,
    make_adapter,
    short_timeout,
    walk,
)

RECOVERED = "recovered"
LOOP = {"PagingLoopError", "MalformedResponseError"}
# What a user may meet after each fault (the fault hits the walk's 2nd request): transient
# trouble (rate limits, 500/502/503 on a GET, broken or stalled connections, slow or padded
# bodies) is retried and invisible; a definite answer (refused credentials, an unreadable 200,
# paging that goes in circles) is the typed error naming the provider. Never a silently different list.
EXPECTED: dict[str, set[str]] = {
    "500": {RECOVERED},  # a GET answered 500 is retried (tui.core.http)
    "503": {RECOVERED},
    "429": {RECOVERED},
    "429-no-retry-after": {RECOVERED},
    "auth": {"AuthError"},
    "slow": {RECOVERED},
    "truncate": {RECOVERED},
    "malformed": {"MalformedResponseError"},
    "html": {RECOVERED},  # a 502 page from a proxy: retried
    "reset": {RECOVERED},
    "connect-timeout": {RECOVERED},
    "read-timeout": {RECOVERED},
    # an empty page linking to itself: detected, or (SignalWire, whose link differs from the
    # cursor in spelling) fetched again, which gives the real page
    "empty-loop": LOOP | {RECOVERED},
    # the previous answer again: detected, or (offset pages read concurrently) a copy that the
    # walk's de-duplication and loop guards absorb — verified identical
    "repeat": LOOP | {RECOVERED},
    "huge": {RECOVERED},
}
# PortSIP logs in again (once) when a token is refused: an injected 401 is recovered from.
EXPECTED_FOR = {("portsip", "auth"): {RECOVERED}}
# The last 30 days (~140 calls) in pages of 50: the 2nd request is mid-walk, the matrix is quick.
FAULT_FILTER = parse_query("since:-30d")
FAULT_PAGE = 50


def expected(provider: str, kind: str) -> set[str]:
    return EXPECTED_FOR.get((provider, kind), EXPECTED[kind])


async def _outcome(
    emu: Emulator, adapter: Adapter, provider: str, kind: str, baseline: list[str]
) -> str:
    try:
        emu.faults.once(provider, kind, after=1)
        got = [c.id for c in await walk(adapter, FAULT_FILTER, FAULT_PAGE)]
    except errors.ProviderError as exc:
        assert adapter.title in str(exc), f"{kind}: the error does not name the provider"
        assert "\n" not in str(exc) and exc.action is not errors.Action.NONE
        return type(exc).__name__
    finally:
        emu.faults.clear(provider)
    return RECOVERED if got == baseline else f"WRONG RESULT ({len(got)} of {len(baseline)})"


async def _matrix_row(emu: Emulator, provider: str) -> list[str]:
    """One client for every fault, as in a long session: no fault may poison it for later."""
    adapter = make_adapter(emu, provider, timeout=short_timeout())
    try:
        baseline = [c.id for c in await walk(adapter, FAULT_FILTER, FAULT_PAGE)]
        assert len(baseline) > 2 * FAULT_PAGE  # several pages
        wrong = []
        for kind in FAULT_KINDS:
            outcome = await _outcome(emu, adapter, provider, kind, baseline)
            FAULT_OUTCOMES[(provider, kind)] = outcome
            if outcome not in expected(provider, kind):
                wrong.append(f"{provider} {kind}: {outcome}, expected {expected(provider, kind)}")
        # after all that, the same client still walks the whole list
        assert [c.id for c in await walk(adapter, FAULT_FILTER, FAULT_PAGE)] == baseline
        return wrong
    finally:
        await adapter.aclose()


async def test_each_fault_gives_the_typed_error_or_an_identical_walk(emu: Emulator) -> None:
    """Providers run side by side (their faults are independent); kinds one after another."""
    rows = await asyncio.gather(*(_matrix_row(emu, p) for p in PROVIDERS))
    assert [w for row in rows for w in row] == []


@pytest.fixture
async def fresh(emu: Emulator) -> AsyncIterator[dict[str, Adapter]]:
    made: list[Adapter] = []

    class Fresh(dict[str, Adapter]):
        def __missing__(self, provider: str) -> Adapter:
            adapter = make_adapter(emu, provider, timeout=short_timeout())
            made.append(adapter)
            return adapter

    yield Fresh()
    for adapter in made:
        await adapter.aclose()


async def test_portsip_token_expiry_during_a_walk_is_invisible(
    emu: Emulator, fresh: dict[str, Adapter]
) -> None:
    """Tokens live 120 s on a shared fake clock. Refreshed before expiry when callscope sees the
    time pass; after a 401 when only the server does (a PBX with a faster clock)."""
    api = emu.api("portsip")
    assert isinstance(api, PortSipAPI)
    baseline = [c.id for c in await walk(fresh["portsip"], FAULT_FILTER, FAULT_PAGE)]
    server_now = [1_000_000.0]
    client_now = [1_000_000.0]
    api.clock, api.token_ttl = (lambda: server_now[0]), 120
    try:
        for client_sees_time in (True, False):
            adapter = make_adapter(emu, "portsip", clock=lambda: client_now[0])
            try:
                source, _ = adapter.source(FAULT_FILTER, now=NOW, page_size=FAULT_PAGE)
                got: list[str] = []
                cursor = source.first
                while cursor is not None:
                    page = await source.fetch(cursor)
                    got += [c.id for c in page.calls]
                    cursor = page.next
                    server_now[0] += 130  # every page takes "130 s": each token dies mid-walk
                    if client_sees_time:
                        client_now[0] = server_now[0]
                auth = adapter.http.auth
                assert got == baseline
                assert getattr(auth, "refreshes", 0) + getattr(auth, "logins", 0) >= 3
            finally:
                await adapter.aclose()
    finally:
        api.clock, api.token_ttl = time.time, 1800


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_500_on_a_page_mid_walk_is_retried_and_the_walk_completes(
    emu: Emulator, fresh: dict[str, Adapter], provider: str
) -> None:
    """Exotel (and the others) answering 500 twice in a row mid-walk: the same list as a clean
    walk, not a failed one."""
    adapter = fresh[provider]
    baseline = [c.id for c in await walk(adapter, FAULT_FILTER, FAULT_PAGE)]
    emu.faults.once(provider, "500", after=1)
    emu.faults.once(provider, "500", after=2)
    assert [c.id for c in await walk(adapter, FAULT_FILTER, FAULT_PAGE)] == baseline
    assert adapter.http.stats.retries >= 2


@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_provider_answering_500_for_good_gives_the_typed_server_error(
    emu: Emulator, fresh: dict[str, Adapter], provider: str
) -> None:
    adapter = fresh[provider]
    await walk(adapter, FAULT_FILTER, FAULT_PAGE)  # logged in (PortSIP), connections open
    emu.faults.set(provider, rates={"500": 1.0})
    before = emu.faults.requests(provider)
    with pytest.raises(errors.ServerError) as caught:
        await walk(adapter, FAULT_FILTER, FAULT_PAGE)
    assert caught.value.status == 500 and adapter.title in str(caught.value)
    attempts = FAST_RETRY.attempts
    # bounded: each page tried `attempts` times (offset walks read a few pages at once)
    assert attempts <= emu.faults.requests(provider) - before <= attempts * OFFSET_READ_AHEAD
