"""The browser driven with Pilot against the emulator over loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input, TabbedContent

from tests.ui.conftest import (
    accounts_of,
    browser,
    current_view,
    make_app,
    ready,
    visible_ids,
    wait_for,
)
from tui.core.model import Status
from tui.core.query import format_query
from tui.emulator import Emulator
from tui.ui.screens.browser import BrowserScreen
from tui.ui.widgets.account_view import AccountView
from tui.ui.widgets.call_table import CallTable
from tui.ui.widgets.query_bar import QueryBar


def twilio_truth(emu: Emulator, predicate=lambda record: True) -> list[str]:  # type: ignore[no-untyped-def]
    a = emu.account("twilio")
    sids = emu.api("twilio").sids[a.account]  # type: ignore[attr-defined]
    return [sids.call(r.index) for r in emu.dataset.calls(a.key) if predicate(r)]


async def test_scrolling_across_page_boundaries_shows_every_row_once_in_order(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",), page_size=20))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        seen: dict[int, str] = {}
        for _ in range(12):  # ~25 rows a screen: past 10 pages of 20
            await wait_for(pilot, lambda: None not in visible_ids(view))
            top = view.table.top
            for offset, call_id in enumerate(visible_ids(view)):
                assert call_id is not None
                assert seen.setdefault(top + offset, call_id) == call_id
            await pilot.press("pagedown")
        ids = [seen[i] for i in range(len(seen))]
        assert len(ids) > 6 * 20
        assert ids == twilio_truth(emu)[: len(ids)]
        assert len(set(ids)) == len(ids)


async def test_switching_tabs_keeps_each_tabs_place(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio", "signalwire")))
    async with app.run_test(size=(160, 40)) as pilot:
        first = await ready(pilot, app)
        for _ in range(7):
            await pilot.press("down")
        first_call = first.table.current
        await pilot.press("2")
        second = await ready(pilot, app)
        assert second is not first and second.account.provider == "signalwire"
        await pilot.press("down")
        await pilot.press("1")
        await wait_for(pilot, lambda: current_view(app) is first)
        assert first.table.cursor_row == 7 and first.table.current == first_call
        assert browser(app).query_one(TabbedContent).active == "tab-1"


async def test_filter_through_the_query_bar_shows_only_matching_rows(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("slash")
        bar = view.query_one(QueryBar)
        assert bar.is_open
        bar.input.value = "status:failed"
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.pager is not None and view.pager.exhausted)
        rows = [view.table.call_at(i) for i in range(view.pager.loaded)]  # type: ignore[union-attr]
        assert rows and all(r is not None and r.status is Status.FAILED for r in rows)
        assert [r.id for r in rows if r] == twilio_truth(emu, lambda r: r.status == "failed")
        # the sidebar shows the same filter
        assert "failed" in view.sidebar.query_one("#field-status").selected  # type: ignore[attr-defined]


async def test_a_bad_query_shows_an_inline_error_at_the_column(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("slash")
        bar = view.query_one(QueryBar)
        bar.input.value = "status:failed colour:red"
        await pilot.press("enter")
        error = str(bar.query_one("#query-error").render())
        assert "^" in error and "unknown field 'colour'" in error
        assert error.index("^") == 15  # under the 'c' of colour (one space of padding)
        assert view.filter.is_empty  # nothing applied


async def test_filter_through_the_sidebar(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        field = view.sidebar.query_one("#field-dur", Input)
        field.focus()
        field.value = ">=60"
        await pilot.press("enter")
        await wait_for(
            pilot,
            lambda: view.pager is not None and view.pager.exhausted and not view.pager.loading,
        )
        rows = [view.table.call_at(i) for i in range(view.pager.loaded)]  # type: ignore[union-attr]
        assert rows and all(r is not None and (r.duration or 0) >= 60 for r in rows)
        assert format_query(view.filter) == "dur:>=60"
        assert view.query_one(QueryBar).input.value == "dur:>=60"


async def test_query_history_walks_with_up_and_down(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        bar = view.query_one(QueryBar)
        for query in ("status:busy", "status:failed"):
            await pilot.press("slash")
            bar.input.value = query
            await pilot.press("enter")
        await pilot.press("slash")
        await pilot.press("up")
        assert bar.input.value == "status:failed"
        await pilot.press("up")
        assert bar.input.value == "status:busy"


async def test_injected_503_shows_a_specific_error_and_keeps_rows(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",), page_size=20))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        pager = view.pager
        assert pager is not None
        await wait_for(pilot, lambda: not pager.loading)
        loaded = pager.loaded
        emu.faults.set("twilio", rates={"503": 1.0})
        view.table.action_last()
        await wait_for(pilot, lambda: pager.error is not None, timeout=60)
        assert pager.loaded >= loaded
        assert view.table.call_at(0) is not None
        status = str(view.query_one(".status-line").render())
        assert "server error" in status and "HTTP 503" in status
        emu.faults.set("twilio", rates={})
        await pilot.press("r")
        await wait_for(pilot, lambda: pager.error is None and pager.loaded > loaded)


async def test_theme_switch_is_persisted_to_the_config(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        assert app.theme == "callscope-dark"
        app.theme = "callscope-light"
        await pilot.pause()
    text = (tmp_path / "config.toml").read_text()
    assert 'theme = "callscope-light"' in text
    assert (tmp_path / "config.toml").stat().st_mode & 0o777 == 0o600


async def test_enter_opens_the_details_and_links(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("enter")
        assert view.detail.call is not None and view.detail.call.id == view.table.current.id  # type: ignore[union-attr]
        await pilot.pause()
        screen_text = app.export_screenshot()
        assert "Normalized" in screen_text and "Links" in screen_text
        assert view.detail.active == "tab-links"  # Enter on a call with links goes to them


async def test_demo_starts_with_a_demo_marker(tmp_path: Path) -> None:
    app = make_app(tmp_path, None, demo_calls=200)
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        banner = str(browser(app).query_one("#demo-banner").render())
        assert "DEMO" in banner and "callscope config init" in banner
        assert view.account.demo
        assert len(browser(app).accounts) == 5
        assert (
            isinstance(view.table, CallTable) and view.pager is not None and view.pager.loaded > 0
        )


async def test_the_table_scrolls_by_wheel_keys_and_scrollbar_without_losing_rows(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",), page_size=50))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        table = view.table
        await wait_for(pilot, lambda: None not in visible_ids(view))
        first_screen = visible_ids(view)
        # the wheel scrolls the rows, not the cursor
        for _ in range(2):
            table.post_message(events.MouseScrollDown(table, 5, 5, 0, 1, 0, False, False, False))
        await wait_for(pilot, lambda: table.top == 6)
        assert table.top == 6 and table.cursor_row == 0
        await wait_for(pilot, lambda: None not in visible_ids(view))
        assert visible_ids(view)[: len(first_screen) - 6] == first_screen[6:]
        # a key brings the cursor back on screen, and a step redraws only where it is
        await pilot.press("down")
        assert table.cursor_row == 1 and table.top == 1
        # columns wider than the view: ◀ / ▶ in the header say where the hidden ones are
        header = table.render_line(0).text
        assert table.total_width > table.content_width
        assert header.rstrip().endswith("▶") and "◀" not in header
        table.post_message(events.MouseScrollDown(table, 5, 5, 0, 1, 0, True, False, False))
        await wait_for(pilot, lambda: table.left > 0)  # shift+wheel: the columns
        await pilot.press("left")
        assert table.left == 0
        unscrolled = table.render_line(1).text
        await pilot.press("right")
        assert table.left > 0 and table.render_line(0).text.startswith("◀")
        assert table.render_line(1).text.startswith(unscrolled[table.left : table.left + 10])
        await pilot.press("end")  # the last loaded row, the list scrolled to show it
        await wait_for(pilot, lambda: not (view.pager and view.pager.loading))
        assert table.top <= table.cursor_row < table.top + table.visible_rows
        # clicking the scrollbar's middle jumps to the middle of the list
        await pilot.click(CallTable, offset=(table.size.width - 1, 1 + table.visible_rows // 2))
        middle = table.row_count // 2
        assert abs(table.cursor_row - middle) <= table.row_count // table.visible_rows + 1
        assert table.top <= table.cursor_row < table.top + table.visible_rows


async def test_the_first_tab_shows_the_page_it_asked_for_before_it_was_mounted(
    emu: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first tab's view asks for its first page while the screen is still being built; once
    # mounted it shows that very pager (no second walk of the same filter).
    prefetched: list[object] = []
    original = AccountView.prefetch

    def prefetch(self: AccountView) -> None:
        original(self)
        assert not self.is_mounted and self._prefetched is not None
        prefetched.append(self._prefetched[2])

    monkeypatch.setattr(AccountView, "prefetch", prefetch)
    app = make_app(tmp_path, accounts_of(emu, ("twilio", "signalwire")))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        assert len(prefetched) == 1 and view.pager is prefetched[0]
        assert view.pager.loaded > 0 and visible_ids(view)[0] == twilio_truth(emu)[0]
        await pilot.press("2")  # a tab first shown later loads as before
        second = await ready(pilot, app)
        assert second.pager is not None and second.pager.loaded > 0
        assert len(prefetched) == 1


async def test_the_cursor_row_dims_when_the_table_loses_focus(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        table = view.table
        line = table.cursor_row - table.top + 1

        def background(y: int) -> object:
            first = next(iter(table.render_line(y)))
            return first.style.bgcolor if first.style is not None else None

        def cursor_background() -> object:
            return background(line)

        focused = cursor_background()
        await pilot.press("slash")  # to the filter line
        await wait_for(pilot, lambda: not table.has_focus)
        blurred = cursor_background()
        assert blurred != focused
        assert background(line + 1) not in (focused, blurred)
        await pilot.press("escape")  # back to the table
        await wait_for(pilot, lambda: table.has_focus)
        assert cursor_background() == focused


async def test_a_first_page_that_failed_before_the_tab_was_mounted_is_reported(
    emu: Emulator, tmp_path: Path
) -> None:
    # The first tab asks for its page while the screen is built: a 401 that comes back before
    # the tab is on screen must still be told, as a notification and on the status line.
    from pydantic import SecretStr

    account = accounts_of(emu, ("twilio",))[0]
    account = account.model_copy(update={"password": SecretStr("not-the-token")})
    app = make_app(tmp_path, [account])
    async with app.run_test(size=(160, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen))
        await wait_for(pilot, lambda: browser(app).current_view is not None)
        view = current_view(app)
        await wait_for(pilot, lambda: view.pager is not None and view.pager.error is not None)
        await wait_for(pilot, lambda: any(n.severity == "error" for n in app._notifications))
        await pilot.pause()
        status = str(view.query_one(".status-line").render())
        assert "✖" in status and "not-the-token" not in status
        await wait_for(pilot, lambda: view.sidebar.ready and view.detail.ready)


async def test_start_up_objects_are_frozen_while_the_app_runs_and_released_after(
    emu: Emulator, tmp_path: Path
) -> None:
    import gc

    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot, app)
        await wait_for(pilot, lambda: gc.isenabled() and gc.get_freeze_count() > 0)
    assert gc.isenabled() and gc.get_freeze_count() == 0


async def test_a_wide_terminal_shows_the_detail_pane_beside_the_table(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(200, 45)) as pilot:
        view = await ready(pilot, app)
        assert view.has_class("-wide")
        table, detail = view.table.region, view.detail.region
        assert detail.width > 40 and detail.height > 20
        assert table.right <= detail.x and detail.right <= 200  # beside it, on screen
        assert table.width > 80  # the table keeps most of the width
        await pilot.resize_terminal(160, 45)
        await wait_for(pilot, lambda: not view.has_class("-wide"))
        await pilot.pause()
        table, detail = view.table.region, view.detail.region
        assert detail.y >= table.bottom and detail.right == table.right  # below it


async def test_keys_typed_in_one_burst_around_the_filter_line_go_where_the_user_meant(
    emu: Emulator, tmp_path: Path
) -> None:
    # A fast typist (or tmux send-keys) sends "/status:busy", Enter and "jj" before the app has
    # handled the first key: the query goes into the filter line, the "jj" to the table.
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        bar = view.query_one(QueryBar)

        def burst(keys: str) -> None:  # queued at once, as a terminal read delivers them
            for character in keys:
                key = "enter" if character == "\r" else _character_to_key(character)
                app.post_message(events.Key(key, None if key == "enter" else character))

        burst("/status:busy")
        await wait_for(pilot, lambda: bar.input.value == "status:busy")
        assert view.table.cursor_row == 0 and view.sidebar.display  # "s" was not a key
        burst("\rjj")  # the "jj" come before the busy calls do: they move once the rows are in
        await wait_for(pilot, lambda: view.filter.statuses == frozenset({Status.BUSY}))
        await wait_for(pilot, lambda: view.table.has_focus)
        assert bar.input.value == "status:busy"  # not "status:busyjj"
        await wait_for(pilot, lambda: view.table.cursor_row == 2)
        burst("jj")
        await wait_for(pilot, lambda: view.table.cursor_row == 4)


async def test_a_slash_typed_in_a_text_field_is_a_character(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        bar = view.query_one(QueryBar)
        await pilot.press("slash", "a", "slash", "b")  # in the filter line
        assert bar.is_open and bar.input.value.endswith("a/b")
        await pilot.press("escape")
        field = view.sidebar.query(Input).first()
        field.focus()
        await wait_for(pilot, lambda: field.has_focus)
        await pilot.press("slash")  # in a sidebar field
        assert field.value.endswith("/") and not bar.is_open
