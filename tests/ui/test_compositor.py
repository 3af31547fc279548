"""The row-cropping compositor draws exactly what Textual's own compositor draws."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual._compositor import Compositor
from textual.geometry import Region

from tests.ui.conftest import accounts_of, make_app, ready
from tui.emulator import Emulator
from tui.ui.compositor import RowCroppedCompositor


def _terminal_bytes(update: object) -> str:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, color_system="truecolor", width=200)
    console.print(update, end="")
    return out.getvalue()


async def test_partial_updates_match_the_stock_compositor(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        compositor = app.screen._compositor
        assert type(compositor) is RowCroppedCompositor
        table, sidebar = view.table.region, view.sidebar.region
        cases = [
            [
                Region(table.x, table.y + 2, table.width, 1),
                Region(table.x, table.y + 3, table.width, 1),
            ],
            [table],
            [Region(table.x, table.y + 1, table.width, 1), Region(0, 39, 160, 1)],  # table + footer
            [Region(sidebar.x + 2, sidebar.y + 3, 10, 4)],  # inside the sidebar, off its edges
            [Region(0, 0, 160, 2), Region(30, 20, 50, 3)],  # tabs, and across sidebar and table
        ]
        for regions in cases:
            drawn = {}
            for cls in (Compositor, RowCroppedCompositor):
                compositor.__class__ = cls
                compositor._dirty_regions.clear()
                compositor._dirty_regions.update(regions)
                update = compositor.render_update()
                assert update is not None
                drawn[cls] = _terminal_bytes(update)
            assert drawn[RowCroppedCompositor] == drawn[Compositor], regions
        compositor.__class__ = RowCroppedCompositor
