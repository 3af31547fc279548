"""The command palette's actions and the help screen, driven with Pilot."""

from __future__ import annotations

import re
from pathlib import Path

from textual.command import CommandPalette
from textual.containers import VerticalScroll
from textual.geometry import Region
from textual.widgets import Input, OptionList, Static

from tests.ui.conftest import accounts_of, make_app, ready, wait_for
from tests.ui.test_links_and_actions import find_row, with_recordings
from tui.core.model import Status
from tui.emulator import Emulator
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.link_result import LinkResultScreen
from tui.ui.screens.prompts import ExportScreen, PresetScreen
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


def help_text(screen: HelpScreen) -> str:
    """Every line the help screen draws (scrolled into view or not), as plain text, the table
    rules and the line breaks of wrapped cells folded into single spaces."""
    lines: list[str] = []
    for static in screen.query(Static):
        width, height = static.size
        lines.extend(strip.text for strip in static.render_lines(Region(0, 0, width, height)))
    return " ".join(re.sub("[│┃━╇]", " ", "\n".join(lines)).split())


async def test_help_speaks_the_users_words_and_fits_a_small_terminal(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio", "signalwire")))
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        await pilot.pause()
        text = help_text(help_screen)
        for title in ("Call table", "This tab", "Everywhere"):
            assert title in text
        for internal in ("CallTable", "AccountView", "BrowserScreen", "CallscopeApp"):
            assert internal not in text
        assert "1…2" in text and "Jump to tab" in text  # two accounts: tabs 1 and 2
        assert "Tab 3" not in text and "Tab 9" not in text and "browser.tab9" not in text
        assert "Tab / Shift+Tab" in text and "Esc" in text and "back to the table" in text
        assert "G Last row; cursor-paged providers" in text and "Esc cancels the walk" in text

        box = help_screen.query_one(VerticalScroll)
        assert box.region.x >= 0 and box.region.right <= 80 and box.region.bottom <= 24
        assert box.max_scroll_y > 0  # more than a screenful: the keys scroll it
        await pilot.press("pagedown")
        after_page = box.scroll_y
        assert after_page > 0
        await pilot.press("down")
        assert box.scroll_y > after_page
        await pilot.press("up", "pageup")
        assert box.scroll_y == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_closing_a_modal_gives_the_focus_back_where_it_was(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        screen = app.screen

        async def round_trip(keys: tuple[str, ...], modal: type, close: str = "escape") -> None:
            before = screen.focused
            assert before is not None
            await pilot.press(*keys)
            await wait_for(pilot, lambda: isinstance(app.screen, modal))
            await pilot.press(close)
            await wait_for(pilot, lambda: app.screen is screen)
            await pilot.pause()
            assert screen.focused is before, f"{modal.__name__}: focus went to {screen.focused}"

        assert screen.focused is view.table
        await round_trip(("question_mark",), HelpScreen)
        await round_trip(("e",), ExportScreen)
        await round_trip(("ctrl+s",), PresetScreen)

        field = view.sidebar.query_one("#field-dur", Input)
        field.focus()
        await wait_for(pilot, lambda: screen.focused is field)
        await round_trip(("f1",), HelpScreen)

        # The links of a call, then the recordings link's result, closed with Esc.
        await find_row(pilot, view, lambda c: c.id in with_recordings(emu))
        view.table.focus()
        await pilot.press("enter")  # the detail pane shows its Links tab
        links = view.detail.query_one("#links", OptionList)
        links.focus()
        await wait_for(pilot, lambda: screen.focused is links)
        while links.highlighted_option is None or links.highlighted_option.id != "recordings":
            await pilot.press("down")
        await round_trip(("enter",), LinkResultScreen)
