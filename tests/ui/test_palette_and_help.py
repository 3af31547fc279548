"""The command palette's actions and the help screen, driven with Pilot."""

from __future__ import annotations

from pathlib import Path

from textual.command import CommandPalette

from tests.ui.conftest import accounts_of, make_app, ready, wait_for
from tui.core.model import Status
from tui.emulator import Emulator
from tui.ui.widgets.query_bar import QueryBar


async def test_the_palettes_filter_clear_shows_every_call_again(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        view.apply_query("status:busy")
        await wait_for(pilot, lambda: view.pager is not None and view.pager.exhausted)
        busy_only = view.pager.loaded  # type: ignore[union-attr]
        bar = view.query_one(QueryBar)
        assert bar.input.value == "status:busy"

        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"Filter: clear")
        palette = app.screen
        await wait_for(
            pilot,
            lambda: any(
                "Filter: clear" in str(o.prompt)
                for o in palette.query_one("CommandList").options  # type: ignore[attr-defined]
            ),
        )
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, CommandPalette))

        await wait_for(pilot, lambda: view.pager is not None and view.pager.loaded > busy_only)
        statuses = {
            c.status for i in range(view.pager.loaded) if (c := view.table.call_at(i)) is not None
        }
        assert statuses - {Status.BUSY}, "the table still shows only busy calls"
        assert view.filter.is_empty
        assert bar.input.value == ""
        await wait_for(pilot, lambda: view.sidebar.query_text() == "")  # the form follows
