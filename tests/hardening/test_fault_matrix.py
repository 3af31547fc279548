"""Fault matrix, browser side: every provider × every emulator fault, injected mid-walk.

For each provider one app runs against a small emulator; a clean walk gives the baseline rows,
then each fault is injected once, mid-walk, and the browser is driven to the end of the list.
Whatever happens, the app must not crash, the rows loaded before the fault stay, a failure is
reported in the status line naming the provider, the fault and what to do, pressing ``r``
recovers rows identical to the baseline, and paging loops stop.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.hardening.conftest import COUNTS, PROVIDERS, record
from tests.ui.conftest import NOW, accounts_of, browser, make_app, ready
from tui.emulator import Emulator, EmulatorConfig
from tui.ui.widgets.account_view import AccountView

CALLS = 60
PAGE = 10


@dataclass(frozen=True)
class Expect:
    """What the status line must say if the fault surfaces (lower-cased; ``a|b``: either)."""

    words: tuple[str, ...]
    hint: str


EXPECT: dict[str, Expect] = {
    "connect-timeout": Expect(("network error", "timed out"), "check the connection"),
    "read-timeout": Expect(("network error", "timed out"), "check the connection"),
    "reset": Expect(("network error",), "check the connection"),
    "500": Expect(("server error", "http 500"), "retry"),
    "503": Expect(("server error", "http 503"), "retry"),
    "429": Expect(("rate limited", "http 429"), "wait"),
    "429-no-retry-after": Expect(("rate limited", "http 429"), "wait"),
    "malformed": Expect(("malformed response",), "retry"),
    "truncate": Expect(("network error",), "check the connection"),
    "html": Expect(("html",), "retry"),
    # offset providers have no next link to loop on: their form is an empty page mid-list
    "empty-loop": Expect(("paging loop|malformed response", "page"), "loaded so far|r retry"),
    "repeat": Expect(("paging loop",), "loaded so far"),
    "auth": Expect(("authentication failed", "http 401"), "credentials"),
    "token-expiry": Expect(("authentication failed",), "credentials"),
    "huge": Expect(("malformed response",), "retry"),
}
FAULTS = tuple(EXPECT)


@pytest.fixture(autouse=True)
def fast_http(monkeypatch: pytest.MonkeyPatch) -> None:
    # Short timeouts and a short retry budget (tui.providers.http_overrides) keep this fast.
    monkeypatch.setenv("CALLSCOPE_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("CALLSCOPE_RETRY_BUDGET", "2")


def status_of(view: AccountView) -> str:
    return str(view.query_one(".status-line").render())


async def until(condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Await ``condition`` on the app's loop. Cheaper than ``pilot.pause`` polling, which walks
    every widget of the five tabs each time (the pagers' listeners update the UI themselves)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def sweep(pilot: Pilot[None], view: AccountView) -> list[str | None]:
    """Drive the table to the end of the list (or the first error); the ids loaded, in order."""
    table = view.table
    index = 0
    for _ in range(200):
        pager = view.pager
        assert pager is not None
        if pager.error is not None:
            break
        table.move_to(index)
        await until(lambda p=pager: p.error is not None or not p.loading)
        if pager.error is not None:
            break
        if pager.exhausted and index >= pager.loaded - 1:
            break
        index = table.row_count - 1 if not pager.exhausted else min(index + PAGE, pager.loaded - 1)
    pager = view.pager
    assert pager is not None

    def settled() -> bool:
        return pager.error is not None or (
            not pager.loading and all(table.call_at(i) is not None for i in range(pager.loaded))
        )

    await until(settled)
    return [c.id if (c := table.call_at(i)) is not None else None for i in range(pager.loaded)]


async def restart(pilot: Pilot[None], view: AccountView) -> None:
    view.apply_filter(view.filter)
    await until(lambda: view.pager is not None and not view.pager.loading)


def inject(emu: Emulator, provider: str, fault: str) -> Callable[[], None] | None:
    """Arrange ``fault`` for the next walk's 3rd request; returns an undo, or None if n/a."""
    if fault != "token-expiry":
        emu.faults.once(provider, fault, after=2)
        return lambda: emu.faults.clear(provider)
    if provider != "portsip":
        return None
    api = emu.api("portsip")
    now = [api.clock()]  # type: ignore[attr-defined]
    api.clock = lambda: now[0]  # type: ignore[attr-defined]
    api.token_ttl = 3600  # type: ignore[attr-defined]
    original = api.list_calllogs  # type: ignore[attr-defined]
    calls = [0]

    def expire_mid_walk(req, m):  # type: ignore[no-untyped-def]
        calls[0] += 1
        if calls[0] == 2:
            now[0] += 7200  # every token issued so far is now expired
        return original(req, m)

    api.routes = [  # type: ignore[attr-defined]
        replace(r, handler=expire_mid_walk) if r.handler == original else r
        for r in api.routes  # type: ignore[attr-defined]
    ]
    return lambda: None


async def run_fault(
    pilot: Pilot[None], view: AccountView, emu: Emulator, fault: str, baseline: list[str | None]
) -> str:
    """Inject ``fault`` into this tab's provider, walk, check, recover; the matrix outcome."""
    provider = view.account.provider
    undo = inject(emu, provider, fault)
    if undo is None:
        return "n/a"
    COUNTS["faults tried (browser)"] += 1
    await restart(pilot, view)
    ids = await sweep(pilot, view)
    pager = view.pager
    assert pager is not None
    outcome = "recovered"
    if pager.error is not None:
        status = status_of(view).lower()
        expect = EXPECT[fault]
        assert pager.provider.lower() in status, status
        for word in (*expect.words, expect.hint):
            found = any(w in status for w in word.split("|"))
            assert found, f"{provider}/{fault}: {word!r} missing from {status!r}"
        assert "traceback" not in status
        kept = [i for i in ids if i is not None]
        assert kept == baseline[: len(kept)], f"{provider}/{fault}: rows before the fault changed"
        outcome = f"{pager.error.kind}, kept {len(kept)} → r ok"
        undo()
        view.action_retry()  # what "r" does in the tab (the key goes to the focused tab only)
        ids = await sweep(pilot, view)
        assert pager.error is None, f"{provider}/{fault}: r did not recover: {pager.error}"
    undo()
    assert ids == baseline, f"{provider}/{fault}: results differ from a clean walk"
    return outcome


async def test_every_fault_mid_walk_keeps_rows_names_the_fault_and_recovers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    failures: list[str] = []
    async with Emulator(EmulatorConfig(calls=CALLS, now=NOW)) as emu:
        app = make_app(tmp_path, accounts_of(emu, PROVIDERS, page_size=PAGE))
        async with app.run_test(size=(160, 40)) as pilot:
            await ready(pilot, app)
            views = await browser(app).all_views()  # hidden tabs are built when first shown
            assert [v.account.provider for v in views] == list(PROVIDERS)
            for view in views:  # hidden tabs start loading when first shown; start them all
                view.start()
            baselines = await asyncio.gather(*(sweep(pilot, v) for v in views))
            for view, baseline in zip(views, baselines, strict=True):
                assert view.pager is not None and view.pager.error is None
                assert len(baseline) >= 2 * PAGE and None not in baseline

            async def one(view: AccountView, baseline: list[str | None], fault: str) -> None:
                provider = view.account.provider
                try:
                    outcome = await run_fault(pilot, view, emu, fault, baseline)
                except AssertionError as exc:
                    outcome = "FAIL"
                    failures.append(f"{provider}/{fault}: {exc}")
                    emu.faults.clear(provider)
                record("browser", provider, fault, outcome)

            for fault in FAULTS:  # the five providers meet each fault at the same time
                await asyncio.gather(
                    *(one(v, b, fault) for v, b in zip(views, baselines, strict=True))
                )
                assert app.is_running, f"the app stopped after {fault}"
            await pilot.press("r")  # the real key on the focused tab still works
            assert app.is_running
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert not tracebacks, [r.getMessage() for r in tracebacks]
    assert not failures, "\n".join(failures)
