"""Following links (recordings, parent), copying, help and remapped keys, driven with Pilot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.ui.conftest import accounts_of, make_app, ready, wait_for
from tui.core.config import Config
from tui.emulator import Emulator
from tui.ui.screens.help import HelpScreen
from tui.ui.screens.link_result import LinkResultScreen
from tui.ui.widgets.account_view import AccountView
from tui.ui.widgets.query_bar import QueryBar


async def find_row(pilot: Any, view: AccountView, predicate: Any) -> int:
    index = 0
    while True:
        call = await view.pager.ensure(index)  # type: ignore[union-attr]
        assert call is not None, "no such call in the dataset"
        if predicate(call):
            view.table.move_to(index)
            await wait_for(pilot, lambda c=call: view.detail.call is c)
            return index
        index += 1


def with_recordings(emu: Emulator) -> set[str]:
    """The ids of the emulated Twilio calls that have a recording."""
    a = emu.account("twilio")
    return {
        emu.api("twilio").sids[a.account].call(r.index)  # type: ignore[attr-defined]
        for r in emu.dataset.calls(a.key)
        if emu.dataset.recording_count(a.key, r.index) > 0
    }


async def test_following_a_parent_link_shows_the_parent_call(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await find_row(pilot, view, lambda c: c.parent_id is not None and "parent" in c.links)
        child = view.table.current
        assert child is not None and child.parent_id
        view.follow(child, "parent")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkResultScreen))
        modal = app.screen
        assert isinstance(modal, LinkResultScreen)
        assert [c.id for c in modal.result.calls] == [child.parent_id]
        await pilot.press("enter")  # open the parent
        await wait_for(pilot, lambda: not isinstance(app.screen, LinkResultScreen))
        assert view.detail.call is not None and view.detail.call.id == child.parent_id


async def test_copy_writes_an_osc52_sequence_and_says_what_was_copied(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        written: list[str] = []
        driver = app._driver
        assert driver is not None
        original = driver.write
        driver.write = lambda data: (written.append(data), original(data))[1]  # type: ignore[method-assign]
        await pilot.press("c")
        call = view.table.current
        assert call is not None
        import base64

        expected = base64.b64encode(call.id.encode()).decode()
        assert any(f"\x1b]52;c;{expected}\a" in chunk for chunk in written)

        assert app.copy_notice == f"Copied 34 chars: {call.id}"


def test_osc52_is_wrapped_for_tmux_and_capped() -> None:
    from tui.ui.clipboard import osc52

    wrapped = osc52("hi", tmux=True)
    assert wrapped == "\x1bPtmux;\x1b\x1b]52;c;aGk=\a\x1b\\"
    assert osc52("x" * 1_000_000, tmux=False) is None


async def test_help_lists_the_focused_panes_bindings(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot, app)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        sections = dict(app.screen.sections)
        assert "Call table" in sections and "This tab" in sections and "Everywhere" in sections
        ids = {row[2] for rows in sections.values() for row in rows}
        assert {
            "table.down",
            "table.open",
            "tab.filter",
            "tab.retry",
            "browser.help",
            "app.quit",
        } <= ids
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_keys_can_be_remapped_from_the_config(emu: Emulator, tmp_path: Path) -> None:
    config = Config(path=tmp_path / "config.toml", keys={"tab.filter": "f2"})
    from tests.ui.conftest import fixed_clock
    from tui.ui.app import CallscopeApp

    app = CallscopeApp(config=config, accounts=accounts_of(emu, ("twilio",)), clock=fixed_clock)
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("f2")
        assert view.query_one(QueryBar).is_open


async def test_the_tables_moving_keys_follow_the_keymap_and_only_the_focus(
    emu: Emulator, tmp_path: Path
) -> None:
    # The moving keys are priority bindings of the table: they must still be remappable, and
    # must not act while another pane (the filter line) has the focus.
    config = Config(path=tmp_path / "config.toml", keys={"table.down": "ctrl+n"})
    from tests.ui.conftest import fixed_clock
    from tui.ui.app import CallscopeApp

    app = CallscopeApp(config=config, accounts=accounts_of(emu, ("twilio",)), clock=fixed_clock)
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        table = view.table
        await pilot.press("ctrl+n", "ctrl+n")
        assert table.cursor_row == 2
        await pilot.press("j")  # no longer down
        assert table.cursor_row == 2
        await pilot.press("G")
        last = table.cursor_row
        assert last > 2
        await pilot.press("k")
        assert table.cursor_row == last - 1
        await pilot.press("g", "slash", "j", "k", "G", "g")  # typed into the filter line
        bar = view.query_one(QueryBar)
        assert bar.is_open and bar.input.value.endswith("jkGg")
        assert table.cursor_row == 0


def assert_absolute_on_the_account(copied: str, path: str, base_url: str, secret: str) -> None:
    """``copied`` is ``path`` made absolute on the account's origin, without credentials."""
    import httpx

    assert path.startswith("/") and not path.startswith("//")
    url = httpx.URL(copied)
    base = httpx.URL(base_url)
    assert (url.scheme, url.host, url.port) == (base.scheme, base.host, base.port)
    assert url.raw_path.decode() == path
    assert not url.userinfo and secret not in copied


async def test_u_copies_a_links_absolute_url(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        call = await view.pager.ensure(0)  # type: ignore[union-attr]
        assert call is not None and view.detail.call is call
        relative = next(iter(call.links.values()))  # no link highlighted: the first one
        await pilot.press("u")
        a = emu.account("twilio")
        assert_absolute_on_the_account(app.clipboard, relative, a.base_url, a.password)


async def test_u_in_a_recordings_result_copies_the_media_url_without_credentials(
    emu: Emulator, tmp_path: Path
) -> None:
    import httpx

    # Credentials written into the base URL (https://user:secret@host/…) must not be copied.
    account = accounts_of(emu, ("twilio",))[0]
    a = emu.account("twilio")
    base = httpx.URL(a.base_url)
    with_userinfo = str(base.copy_with(username=a.username, password=a.password))
    app = make_app(tmp_path, [account.model_copy(update={"base_url": with_userinfo})])
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await find_row(pilot, view, lambda c: c.id in with_recordings(emu))
        view.follow(view.table.current, "recordings")
        await wait_for(pilot, lambda: isinstance(app.screen, LinkResultScreen))
        modal = app.screen
        assert isinstance(modal, LinkResultScreen)
        media = modal.result.recordings[0].media_url
        assert media is not None
        await pilot.press("u")
        path = httpx.URL(media).raw_path.decode()
        assert_absolute_on_the_account(app.clipboard, path, a.base_url, a.password)
