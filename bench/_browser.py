"""The browser under measurement: ``CallscopeApp`` on emulated accounts, headless, frame-hooked.

The emulator runs in its own process (``_common.emulator``) so that its work does not share
the app's GIL and its caches are not in the app's RSS; the app reads the config the emulator
wrote and runs headless at 160×50 in this process with :class:`_hooks.Probe`
installed. Keys are posted with ``App.simulate_key`` (the event a terminal key becomes) and never
with ``pilot.press()``, whose own waits would be timed too.
"""

from __future__ import annotations

import asyncio
import contextlib
import cProfile
import time
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from _common import EmulatorProcess, app_config
from _hooks import Frame, Probe

SIZE = (160, 50)


@dataclass
class Browser:
    app: Any
    probe: Probe
    profile: cProfile.Profile | None = None  # if set, profiles each key's window (--profile)

    @property
    def view(self) -> Any:
        return self.app.screen.current_view

    async def until(self, condition: Callable[[], bool], timeout: float = 60.0) -> None:
        """Await ``condition`` (checked every 5 ms of the app's loop), bounded by ``timeout``."""
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError("condition not met in time")
            await asyncio.sleep(0.005)

    async def settle(self, quiet: float = 0.03, timeout: float = 60.0) -> None:
        """Until the pager is idle and no frame was painted for ``quiet`` seconds."""
        pager = self.view.pager
        await self.until(lambda: pager is None or not pager.loading, timeout)
        while True:
            count = len(self.probe.frames)
            await asyncio.sleep(quiet)
            if len(self.probe.frames) == count and (pager is None or not pager.loading):
                return

    async def key(self, key: str, timeout: float = 10.0) -> tuple[float, float, Frame]:
        """Post ``key``; (wall s, cpu s) from its processing to the frame that repaints the table."""
        self.probe.last_key = None
        probe = self.probe

        def repaints_after_key(frame: Frame) -> bool:
            return probe.last_key is not None and frame.table_lines > 0

        waiter = asyncio.ensure_future(probe.next_frame(repaints_after_key, timeout))
        if self.profile is not None:
            self.profile.enable()
        self.app.simulate_key(key)
        try:
            frame = await waiter
        finally:
            if self.profile is not None:
                self.profile.disable()
        assert probe.last_key is not None
        _, wall, cpu = probe.last_key
        return frame.wall - wall, frame.cpu - cpu, frame


@contextlib.asynccontextmanager
async def browser(
    emu: EmulatorProcess,
    providers: Sequence[str],
    *,
    page_size: int | None = None,
    keep_frames: bool = True,
) -> AsyncIterator[Browser]:
    """The app on the emulator's config (``providers``' accounts), first tab showing its rows.

    The emulator is a separate process (``_common.emulator``): the app is pointed at it through
    the config the emulator wrote (``CallscopeApp(config=...)``), as ``callscope --config FILE``.
    """
    probe = Probe(keep_frames=keep_frames)
    probe.install()
    from tui.ui.app import CallscopeApp

    app = CallscopeApp(config=app_config(emu, providers, page_size))
    async with app.run_test(size=SIZE) as _pilot:
        b = Browser(app, probe)
        await b.until(lambda: getattr(app.screen, "current_view", None) is not None)
        await b.until(lambda: b.view.pager is not None and b.view.pager.loaded > 0)
        b.view.table.focus()
        await b.settle()
        yield b
