"""Keyboard only, in a small pane: panes reached with Tab, keys of one burst landing where meant,
pastes, the small-terminal layout, errors that stay visible, G walking to the end."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Button, Input, Tabs

from tests.ui.conftest import accounts_of, make_app, ready, wait_for
from tui.core.model import Direction, Status
from tui.emulator import Emulator
from tui.ui.app import CallscopeApp
from tui.ui.widgets.filter_sidebar import Toggles
from tui.ui.widgets.footer import KeysFooter
from tui.ui.widgets.query_bar import QueryBar


def burst(app: CallscopeApp, keys: str) -> None:
    """Queue ``keys`` at once, as one read from the terminal delivers them."""
    for character in keys:
        named = {"\r": "enter", "\t": "tab"}.get(character)
        key = named or _character_to_key(character)
        app.post_message(events.Key(key, None if named else character))


def screen_text(app: CallscopeApp) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


async def test_a_query_enter_and_jj_in_one_burst_filter_then_move_twice(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        burst(app, "/status:failed dir:in\rjj")
        await wait_for(pilot, lambda: view.table.cursor_row == 2)
        assert view.filter.statuses == frozenset({Status.FAILED})
        assert view.filter.directions == frozenset({Direction.INBOUND})
        assert view.query_one(QueryBar).input.value == "status:failed dir:in"
        assert view.table.has_focus
        call = view.table.current
        assert call is not None and call.status is Status.FAILED


async def test_a_multi_line_paste_into_the_filter_line_is_one_line_and_runs_no_key(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        bar = view.query_one(QueryBar)
        await pilot.press("slash")
        app.post_message(events.Paste("status:failed\ndir:in\r\n"))
        await wait_for(pilot, lambda: bar.input.value == "status:failed dir:in")
        assert bar.is_open and view.filter.is_empty  # the line breaks applied nothing
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.filter.statuses == frozenset({Status.FAILED}))


async def test_a_paste_into_a_sidebar_field_is_one_line(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        field = view.sidebar.query_one("#field-to", Input)
        app.screen.set_focus(field)
        app.post_message(events.Paste("+4420*\n+1415*"))
        await wait_for(pilot, lambda: field.value == "+4420* +1415*")


async def test_at_80x24_the_table_keeps_its_columns_rows_and_the_footer_help_and_quit(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        assert not view.sidebar.display or view.sidebar.region.width == 0
        assert view.detail.region.height == 0
        assert view.table.visible_rows >= 15
        header = screen_text(app).splitlines()[view.table.region.y]
        assert "Start" in header and "Status" in header and "From" in header
        footer = app.screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: bool(footer.keys))
        line = screen_text(app).splitlines()[-1]
        assert "? Help" in line and "q Quit" in line
        await pilot.press("s")  # the sidebar still shows on demand
        await wait_for(pilot, lambda: view.sidebar.region.width > 0)


async def test_tab_cycles_the_panes_in_screen_order_and_escape_leads_back(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        assert view.table.has_focus
        await pilot.press("tab")
        assert isinstance(app.focused, Tabs) and view.detail in app.focused.ancestors
        await pilot.press("right")  # Raw
        await wait_for(pilot, lambda: view.detail.active == "tab-raw")
        await pilot.press("tab")
        assert app.focused is not None and view.detail in app.focused.ancestors
        await pilot.press("tab")  # around to the filter line
        assert app.focused is view.query_one(QueryBar).input
        await pilot.press("tab")
        assert isinstance(app.focused, Toggles)  # the sidebar's first field
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is not None and view.detail in app.focused.ancestors
        await pilot.press("escape")
        assert view.table.has_focus


async def test_the_sidebar_is_worked_with_arrows_space_and_enter(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        bar = view.query_one(QueryBar)
        await pilot.press("shift+tab")  # from the table back to the sidebar
        statuses = view.sidebar.query_one("#field-status", Toggles)
        assert app.focused is statuses
        # down to "failed" (the 7th status) and toggle it: the filter line follows
        await pilot.press(*["down"] * 6, "space")
        await wait_for(pilot, lambda: bar.input.value == "status:failed")
        # past the last status into the directions, then into the From field
        await pilot.press(*["down"] * 3)
        assert app.focused is view.sidebar.query_one("#field-dir", Toggles)
        await pilot.press(*["down"] * 3)
        assert app.focused is view.sidebar.query_one("#field-from", Input)
        await pilot.press("down", "down", "down")  # to, since, then the first time preset
        assert isinstance(app.focused, Button) and app.focused.id == "preset-15m"
        await pilot.press("right", "enter")  # the 1h preset
        await wait_for(pilot, lambda: "since:-1h" in bar.input.value)


async def test_the_checkboxes_read_without_colour(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        view.apply_query("status:busy")
        await wait_for(pilot, lambda: "[✓] busy" in screen_text(app))
        assert "[ ] failed" in screen_text(app)


async def test_hiding_the_focused_pane_gives_the_focus_to_the_table(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("tab", "right")  # the detail pane's Raw tab
        await wait_for(pilot, lambda: view.detail.active == "tab-raw")
        await pilot.press("d")
        await wait_for(pilot, lambda: view.table.has_focus)
        await pilot.press("j", "j")
        assert view.table.cursor_row == 2
        footer = app.screen.query_one(KeysFooter)
        await wait_for(pilot, lambda: any(k.description == "Open" for k in footer.keys))


async def test_an_error_stays_first_on_the_status_line_at_80_columns(
    emu: Emulator, tmp_path: Path
) -> None:
    emu.faults.set("exotel", rates={"500": 1.0})
    app = make_app(tmp_path, accounts_of(emu, ("exotel",)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        assert view.pager is not None and view.pager.error is not None
        status = screen_text(app).splitlines()[-2]
        assert status.lstrip().startswith("✖ Exotel: server error (HTTP 500")
        assert "r retry" in status and "more available" not in status
        view.apply_query("status:busy")  # a later update keeps it while unresolved
        await wait_for(pilot, lambda: view.pager is not None and view.pager.error is not None)
        await pilot.pause()
        assert "HTTP 500" in screen_text(app).splitlines()[-2]


async def test_an_empty_result_says_no_calls_match_with_the_filter_and_plan(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        view.apply_query("to:+999999*")
        await wait_for(pilot, lambda: view.pager is not None and view.pager.exhausted)
        await pilot.pause()
        text = screen_text(app)
        assert "No calls match to:+999999*" in text
        assert view.plan is not None and view.plan.describe() in text


async def test_g_walks_a_cursor_paged_account_to_its_end_and_escape_stops_it(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",), page_size=20))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        pager = view.pager
        assert pager is not None and not pager.exhausted
        await pilot.press("G")
        await wait_for(pilot, lambda: pager.exhausted, timeout=30)
        await wait_for(pilot, lambda: view.table.cursor_row == pager.loaded - 1)
        assert pager.loaded == emu.dataset.count(emu.account("twilio").key)
        # A second walk, stopped: the cursor stays on the last row loaded.
        emu.faults.set("twilio", latency=200)  # ms: slow pages, the walk is still going
        view.apply_query("")
        await wait_for(pilot, lambda: view.pager is not None and view.pager is not pager)
        await pilot.press("G")
        await wait_for(pilot, lambda: view.table.walking and view.pager.loaded >= 60)
        await pilot.press("escape")
        assert not view.table.walking
        walked = view.pager
        assert walked is not None
        stopped_at = view.table.cursor_row  # the last row loaded when Esc came
        assert stopped_at > 0
        await wait_for(pilot, lambda: not walked.loading)
        assert view.table.cursor_row == stopped_at and not walked.exhausted


async def test_ctrl_r_in_the_sidebar_clears_the_filter_in_force(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        view.apply_query("status:busy")
        await wait_for(pilot, lambda: view.filter.statuses == frozenset({Status.BUSY}))
        await pilot.press("shift+tab")  # into the sidebar
        assert app.focused is not None and view.sidebar in app.focused.ancestors
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: view.filter.is_empty)
        assert view.query_one(QueryBar).input.value == ""


async def test_at_60x20_and_200x60_nothing_overlaps_and_every_column_is_reachable(
    emu: Emulator, tmp_path: Path
) -> None:
    for size in ((60, 20), (200, 60)):
        app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
        async with app.run_test(size=size) as pilot:
            view = await ready(pilot, app)
            await pilot.press("s", "d", "tab", "tab", "tab", "escape")
            await pilot.pause()
            regions = [
                w.region
                for w in (view.query_one(QueryBar), view.sidebar, view.table, view.detail)
                if w.region.area
            ]
            for i, a in enumerate(regions):  # the panes shown do not overlap
                for b in regions[i + 1 :]:
                    assert not a.overlaps(b), (size, a, b)
            assert view.table.region.right <= size[0]
            headers = ""
            for _ in range(40):  # l scrolls the columns: each comes into view in turn
                headers += screen_text(app).splitlines()[view.table.region.y] + "\n"
                await pilot.press("l")
            for title in ("Start", "Status", "From", "To", "Price", "Id"):
                assert re.search(rf"\b{title}\b", headers), (size, title)


async def test_a_load_that_hangs_is_said_first_on_the_status_line(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.ui.widgets import account_view

    monkeypatch.setattr(account_view, "STALLED_AFTER", 0.3)
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        emu.faults.set("twilio", latency=3000)  # ms: the next page takes 3 s
        view.apply_query("status:busy")
        await wait_for(pilot, lambda: "no answer from Twilio" in screen_text(app).splitlines()[-2])
        assert screen_text(app).splitlines()[-2].lstrip().startswith("⏳")
        emu.faults.set("twilio", latency=0)


async def test_enter_typed_ahead_after_jj_opens_the_row_the_cursor_reaches(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(80, 24)) as pilot:
        view = await ready(pilot, app)
        burst(app, "/status:failed,busy dir:in\rjj\r")  # typed slowly: Enter opens row 3
        await wait_for(pilot, lambda: view.table.cursor_row == 2)
        await wait_for(pilot, lambda: view.detail.call is not None and view.detail.region.height)
        assert view.detail.call is view.table.call_at(2)
