"""Deterministic screens of the demo: the README's screenshots and the snapshot tests' scenarios.

``python -m tui.ui.screenshots [DIR]`` writes one SVG per scenario (and a PNG beside it when
``rsvg-convert`` is installed) from the demo data with a fixed clock, in UTC.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual.pilot import Pilot

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
SIZE = (160, 45)
DEMO_CALLS = 150  # below one page: every tab loads whole, so the status line is stable

Scenario = Callable[[Pilot[Any]], Awaitable[None]]


async def until(pilot: Pilot[Any], condition: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the screen did not settle")
        await pilot.pause(0.02)


def _view(pilot: Pilot[Any]) -> Any:
    from tui.ui.screens.browser import BrowserScreen

    screen = pilot.app.screen
    return screen.current_view if isinstance(screen, BrowserScreen) else None


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the browser, the current tab's rows and an idle pager; drop toasts."""
    from tui.ui.screens.browser import BrowserScreen

    await until(
        pilot, lambda: isinstance(pilot.app.screen, BrowserScreen) and _view(pilot) is not None
    )
    await until(pilot, lambda: _view(pilot).pager is not None)
    await until(pilot, lambda: _view(pilot).pager.loaded > 0 and not _view(pilot).pager.loading)
    view = _view(pilot)
    await until(pilot, lambda: view.sidebar.ready and view.detail.ready)  # built after the rows
    await until(pilot, lambda: view.detail.call is view.table.current)
    await until(pilot, lambda: pilot.app.focused is view.table or not view.table.can_focus)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


async def main_screen(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    for _ in range(3):
        await pilot.press("down")
    await settle(pilot)


async def filter_in_use(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("slash")
    view = _view(pilot)
    view.query_one("#query-input").value = "status:failed,busy dir:in dur:<30"
    await pilot.press("enter")
    await settle(pilot)


async def raw_json(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    for _ in range(5):
        await pilot.press("down")
    _view(pilot).detail.active = "tab-raw"
    await settle(pilot)


async def recordings_link(pilot: Pilot[Any]) -> None:
    from tui.ui.screens.link_result import LinkResultScreen

    await settle(pilot)
    view = _view(pilot)
    index = 0
    while True:  # the first call with a recording
        call = await view.pager.ensure(index)
        if call is None:
            raise LookupError("no call with a recording in the demo data")
        if call.status.value == "completed" and call.extras.get("subresource_uris") and index > 2:
            view.table.move_to(index)
            break
        index += 1
    await settle(pilot)
    call = view.table.current
    await until(pilot, lambda: view.detail.call is call)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    await pilot.pause()
    view.follow(call, "recordings")
    await until(pilot, lambda: isinstance(pilot.app.screen, LinkResultScreen))
    await idle(pilot)
    pilot.app.clear_notifications()
    await pilot.pause()


async def idle(pilot: Pilot[Any]) -> None:
    """Wait until no tab is fetching (a modal on top does not stop prefetching below it)."""
    from tui.ui.widgets.account_view import AccountView

    def quiet() -> bool:
        for view in pilot.app.query(AccountView):
            if view.pager is not None and view.pager.loading:
                return False
        return True

    await until(pilot, quiet)
    await pilot.pause()


async def help_screen(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    await pilot.press("question_mark")
    await idle(pilot)


async def light_theme(pilot: Pilot[Any]) -> None:
    await settle(pilot)
    pilot.app.theme = "callscope-light"
    await pilot.press("down")
    await settle(pilot)


async def small_terminal(pilot: Pilot[Any]) -> None:
    """80×24 over SSH: a failed-calls filter typed in one go, the cursor two rows down."""
    await settle(pilot)
    await pilot.press("slash", *"status:failed,busy", "enter", "j", "j")
    await settle(pilot)


async def small_sidebar(pilot: Pilot[Any]) -> None:
    """80×24 with the sidebar shown (s) and the focus in it (Shift+Tab): its ▌ bar, [✓] boxes."""
    await settle(pilot)
    await pilot.press("s", "shift+tab", "down", "down", "down", "down", "space")
    view = _view(pilot)
    await until(pilot, lambda: view.filter.statuses and not view.pager.loading)
    await until(pilot, lambda: view.detail.call is view.table.current)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()
    pilot.app.clear_notifications()
    await pilot.pause()


SCENARIOS: dict[str, Scenario] = {
    "main": main_screen,
    "filter": filter_in_use,
    "detail-raw": raw_json,
    "recordings": recordings_link,
    "help": help_screen,
    "light-theme": light_theme,
    "small-80x24": small_terminal,
    "small-sidebar-80x24": small_sidebar,
}
SIZES: dict[str, tuple[int, int]] = {"small-80x24": (80, 24), "small-sidebar-80x24": (80, 24)}


def size_of(name: str) -> tuple[int, int]:
    return SIZES.get(name, SIZE)


def demo_app(config_dir: Path) -> Any:
    """The demo app as a first-time user sees it, with a fixed clock and data."""
    from tui.core.config import Config
    from tui.ui.app import CallscopeApp

    os.environ["TZ"] = "UTC"
    time.tzset()
    return CallscopeApp(
        config=Config(path=config_dir / "config.toml"),
        demo_calls=DEMO_CALLS,
        demo_now=NOW,
        clock=lambda: NOW,
    )


async def _shoot(name: str, scenario: Scenario, folder: Path, scratch: Path) -> Path:
    app = demo_app(scratch)
    async with app.run_test(size=size_of(name)) as pilot:
        await scenario(pilot)
        target = folder / f"{name}.svg"
        app.save_screenshot(filename=target.name, path=str(folder))
        return target


def main(argv: list[str] | None = None) -> int:
    import tempfile

    args = sys.argv[1:] if argv is None else argv
    folder = Path(args[0] if args else "screenshots").resolve()
    folder.mkdir(parents=True, exist_ok=True)
    converter = shutil.which("rsvg-convert")
    for name, scenario in SCENARIOS.items():
        with tempfile.TemporaryDirectory() as scratch:
            svg = asyncio.run(_shoot(name, scenario, folder, Path(scratch)))
        print(f"wrote {svg}")
        if converter:
            png = svg.with_suffix(".png")
            subprocess.run([converter, str(svg), "-o", str(png)], check=True)
            print(f"wrote {png}")
    if not converter:
        print("rsvg-convert not found (Debian: librsvg2-bin): SVG only", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
