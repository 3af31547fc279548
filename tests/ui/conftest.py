"""UI test helpers: an emulator on loopback, an app wired to its accounts, waiting on conditions."""

from __future__ import annotations

import os
import re
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_textual_snapshot
from pydantic import SecretStr
from textual.pilot import Pilot

from tui.core.account import Account
from tui.core.config import Config
from tui.emulator import Emulator, EmulatorConfig
from tui.ui.app import CallscopeApp
from tui.ui.screens.browser import BrowserScreen
from tui.ui.widgets.account_view import AccountView

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)

os.environ["TZ"] = "UTC"  # "local time" renders identically everywhere
time.tzset()


def fixed_clock() -> datetime:
    return NOW


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(EmulatorConfig(calls=400, now=NOW)) as e:
        yield e


def accounts_of(
    emu: Emulator,
    providers: tuple[str, ...] = ("twilio", "signalwire"),
    page_size: int | None = None,
) -> list[Account]:
    out = []
    for provider in providers:
        a = emu.account(provider)
        out.append(
            Account(
                name=f"test-{provider}",
                provider=provider,
                label=a.label,
                base_url=a.base_url,
                account=a.account,
                username=a.username,
                password=SecretStr(a.password),
                page_size=page_size,
                colour="red" if provider == "twilio" else None,
            )
        )
    return out


def make_app(tmp_path: Path, accounts: list[Account] | None = None, **kw: Any) -> CallscopeApp:
    config = Config(path=tmp_path / "config.toml")
    return CallscopeApp(config=config, accounts=accounts, clock=fixed_clock, demo_now=NOW, **kw)


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Await ``condition`` (polling the app's loop), failing after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await pilot.pause(0.02)


def browser(app: CallscopeApp) -> BrowserScreen:
    screen = app.screen
    assert isinstance(screen, BrowserScreen)
    return screen


def current_view(app: CallscopeApp) -> AccountView:
    view = browser(app).current_view
    assert view is not None
    return view


async def ready(pilot: Pilot[Any], app: CallscopeApp) -> AccountView:
    """Wait for the browser, the current tab's first rows and its sidebar and detail pane (they
    are built once the first rows are on screen)."""
    await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen))
    await wait_for(pilot, lambda: browser(app).current_view is not None)
    await wait_for(pilot, lambda: current_view(app).pager is not None)
    view = current_view(app)
    await wait_for(
        pilot,
        lambda: (
            view.pager is not None
            and (view.pager.loaded > 0 or view.pager.exhausted or view.pager.error is not None)
        ),
    )
    await wait_for(pilot, lambda: view.sidebar.ready and view.detail.ready)
    await pilot.pause()
    return view


def visible_ids(view: AccountView) -> list[str | None]:
    table = view.table
    top = table.top
    rows = max(1, table.size.height - 1)
    return [
        c.id if (c := table.call_at(i)) is not None else None
        for i in range(top, min(top + rows, table.row_count))
    ]


def _normalize_svg(svg: str) -> str:
    # Rich names an export "terminal-<hash of the segments>", and the hash covers style meta that
    # differs between runs without changing a pixel; compare what is drawn, not that hash.
    return re.sub(r"\bterminal-\d+", "terminal", svg)


pytest_textual_snapshot.normalize_svg = _normalize_svg
