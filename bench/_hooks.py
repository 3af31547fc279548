"""Frame hooks: when Textual delivers a frame, and what the call table drew in it.

Textual has no public "frame delivered" signal, so the benchmarks wrap two methods at class
level, in the benchmark process only: ``App._display`` (called once per frame with the
compositor's update, headless or not) and ``CallTable.render_line`` (called for each table line
the compositor repaints). Keys are timed from ``App.on_event`` receiving the ``Key`` event,
which is where a key from the terminal driver starts being processed.

The table hook is installed lazily (the first frame after ``tui.ui.widgets.call_table`` is
imported), so that measuring start-up does not import the table early.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Frame:
    wall: float  # time.perf_counter()
    cpu: float  # time.process_time()
    table_lines: int  # CallTable lines repainted for this frame
    row_lines: int  # of which showed a loaded call
    placeholder_rows: tuple[int, ...]  # row indices drawn as a placeholder in this frame


@dataclass
class Probe:
    """Collects frames and key arrivals; benchmarks await its events."""

    frames: list[Frame] = field(default_factory=list)
    keep_frames: bool = True
    first_frame: float | None = None  # time.monotonic() (comparable across processes)
    first_rows: float | None = None
    on_frame: Callable[[Frame], None] | None = None
    last_key: tuple[str, float, float] | None = None  # (key, perf_counter, process_time)
    keys_seen: int = 0
    _table_lines: int = 0
    _row_lines: int = 0
    _placeholders: list[int] = field(default_factory=list)
    _table_patched: bool = False
    _waiters: list[tuple[Callable[[Frame], bool], asyncio.Future[Frame]]] = field(
        default_factory=list
    )

    # -- installation ---------------------------------------------------------------------------

    def install(self) -> None:
        """Make this the probe the hooks report to (the hooks are installed once per process)."""
        global _ACTIVE
        _ACTIVE = self
        _install_hooks()

    def _patch_table(self) -> None:
        global _TABLE_PATCHED
        module = sys.modules.get("tui.ui.widgets.call_table")
        if module is None or self._table_patched:
            return
        self._table_patched = True
        if _TABLE_PATCHED:
            return
        _TABLE_PATCHED = True
        table_cls = module.CallTable
        original = table_cls.render_line

        def render_line(table: Any, y: int) -> Any:
            strip = original(table, y)
            probe = _ACTIVE
            if y >= 1 and probe is not None:
                probe._table_lines += 1
                index = int(getattr(table, "top", None) if hasattr(table, "top") else table.scroll_y) + y - 1
                if index < table.row_count:
                    if table.call_at(index) is None:
                        probe._placeholders.append(index)
                    else:
                        probe._row_lines += 1
            return strip

        table_cls.render_line = render_line

    # -- per frame ---------------------------------------------------------------------------

    def _frame_delivered(self) -> None:
        frame = Frame(
            time.perf_counter(),
            time.process_time(),
            self._table_lines,
            self._row_lines,
            tuple(self._placeholders),
        )
        self._table_lines = 0
        self._row_lines = 0
        self._placeholders.clear()
        now = time.monotonic()
        if self.first_frame is None:
            self.first_frame = now
        if self.first_rows is None and frame.row_lines:
            self.first_rows = now
        if not self._table_patched:
            self._patch_table()
        if self.keep_frames:
            self.frames.append(frame)
        if self.on_frame is not None:
            self.on_frame(frame)
        if self._waiters:
            still = []
            for condition, future in self._waiters:
                if future.done():
                    continue
                if condition(frame):
                    future.set_result(frame)
                else:
                    still.append((condition, future))
            self._waiters = still

    async def next_frame(
        self, condition: Callable[[Frame], bool] = lambda f: True, timeout: float = 10.0
    ) -> Frame:
        """The next frame for which ``condition`` holds (TimeoutError after ``timeout``)."""
        future: asyncio.Future[Frame] = asyncio.get_running_loop().create_future()
        self._waiters.append((condition, future))
        return await asyncio.wait_for(future, timeout)


_ACTIVE: Probe | None = None
_INSTALLED = False
_TABLE_PATCHED = False


def _install_hooks() -> None:
    global _INSTALLED
    if _INSTALLED:
        return
    _INSTALLED = True
    from textual import events
    from textual.app import App

    original_display = App._display
    original_on_event = App.on_event

    def _display(app: App[Any], screen: Any, renderable: Any) -> None:
        original_display(app, screen, renderable)
        if renderable is not None and _ACTIVE is not None:
            _ACTIVE._frame_delivered()

    async def on_event(app: App[Any], event: Any) -> None:
        if isinstance(event, events.Key) and not event.is_forwarded and _ACTIVE is not None:
            _ACTIVE.last_key = (event.key, time.perf_counter(), time.process_time())
            _ACTIVE.keys_seen += 1
        await original_on_event(app, event)

    App._display = _display  # type: ignore[method-assign]
    App.on_event = on_event  # type: ignore[method-assign]
