"""Downloading a recording from a link result: where to save it, progress, cancel, all by keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Label, OptionList

from tests.ui.conftest import accounts_of, make_app, ready, wait_for
from tests.ui.test_links_and_actions import find_row
from tui.emulator import Emulator
from tui.ui.app import CallscopeApp
from tui.ui.screens.link_result import LinkResultScreen
from tui.ui.screens.prompts import SaveAsScreen


def recorded(emu: Emulator, count: int) -> set[str]:
    """The ids of the emulated Twilio calls with ``count`` recordings."""
    a = emu.account("twilio")
    sids = emu.api("twilio").sids[a.account]  # type: ignore[attr-defined]
    return {
        sids.call(r.index)
        for r in emu.dataset.calls(a.key)
        if emu.dataset.recording_count(a.key, r.index) == count
    }


async def open_recordings(
    pilot: Any, app: CallscopeApp, emu: Emulator, count: int = 1
) -> LinkResultScreen:
    """Follow the recordings link of a call with ``count`` recordings: the list has the focus."""
    view = await ready(pilot, app)
    ids = recorded(emu, count)
    await find_row(pilot, view, lambda c: c.id in ids)
    view.follow(view.table.current, "recordings")
    await wait_for(pilot, lambda: isinstance(app.screen, LinkResultScreen))
    modal = app.screen
    assert isinstance(modal, LinkResultScreen) and len(modal.result.recordings) == count
    await wait_for(pilot, lambda: isinstance(modal.focused, OptionList))
    return modal


async def save_prompt(pilot: Any, app: CallscopeApp, key: str) -> SaveAsScreen:
    """Press ``key`` in a link result: the prompt asking where to save comes up, ready to type."""
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, SaveAsScreen))
    prompt = app.screen
    assert isinstance(prompt, SaveAsScreen)
    await wait_for(pilot, lambda: isinstance(prompt.focused, Input))
    return prompt


def status_of(modal: LinkResultScreen) -> str:
    return str(modal.query_one("#download-status", Label).render())


@pytest.fixture
def downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "Downloads"
    folder.mkdir()
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(folder))
    monkeypatch.chdir(tmp_path)
    return folder


async def test_enter_on_a_recording_asks_where_creates_the_folder_and_says_the_absolute_path(
    emu: Emulator, tmp_path: Path, downloads: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        modal = await open_recordings(pilot, app, emu, count=2)
        items = modal.query_one("#items", OptionList)
        await pilot.press("down")
        assert items.highlighted == 1
        second = modal.result.recordings[1]
        field = (await save_prompt(pilot, app, "enter")).query_one(Input)
        assert field.value == str(downloads / f"{second.id}.wav")  # the downloads folder
        field.value = "new/folder/call.wav"  # relative to the working directory; not there yet
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is modal)
        await wait_for(pilot, lambda: modal.focused is items)  # back on the list

        target = (tmp_path / "new/folder/call.wav").resolve()
        await wait_for(pilot, lambda: status_of(modal).startswith("Saved"))
        size = target.stat().st_size
        assert size > 44 and target.read_bytes()[:4] == b"RIFF"
        assert status_of(modal) == f"Saved {size:,} bytes to {target}"
        assert any(str(target) in n.message for n in app._notifications)
        assert not modal.query_one("#download").has_class("-active")


async def test_esc_in_the_save_prompt_downloads_nothing(
    emu: Emulator, tmp_path: Path, downloads: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        modal = await open_recordings(pilot, app, emu)
        await save_prompt(pilot, app, "w")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is modal)
        await wait_for(pilot, lambda: modal.focused is modal.query_one("#items", OptionList))
        await pilot.pause()
        assert not modal.query_one("#download").has_class("-active")
        assert list(downloads.iterdir()) == [] and not list(tmp_path.glob("*.wav"))


async def test_x_cancels_a_download_and_removes_the_partial_file(
    emu: Emulator, tmp_path: Path, downloads: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        modal = await open_recordings(pilot, app, emu)
        target = downloads / f"{modal.result.recordings[0].id}.wav"
        part = downloads / f"{target.name}.part"  # where it goes until it is whole
        emu.faults.set("twilio", rates={"slow": 1.0})  # the media trickles in over a second
        try:
            await save_prompt(pilot, app, "w")
            await pilot.press("enter")
            await wait_for(pilot, lambda: part.exists() and part.stat().st_size > 0)
            assert modal.query_one("#download").has_class("-active")
            await pilot.press("x")
            await wait_for(pilot, lambda: "cancelled" in status_of(modal))
        finally:
            emu.faults.clear()
        assert not part.exists() and not target.exists()
        assert "partial file was removed" in status_of(modal)
        assert any("partial file was removed" in n.message for n in app._notifications)
        assert not modal.query_one("#download").has_class("-active")


def test_the_offered_folder_is_downloads_if_it_exists_else_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.ui.screens.link_result import downloads_dir

    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "missing"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.chdir(tmp_path)
    assert downloads_dir() == tmp_path
    (tmp_path / "home" / "Downloads").mkdir(parents=True)
    assert downloads_dir() == tmp_path / "home" / "Downloads"
    (tmp_path / "missing").mkdir()
    assert downloads_dir() == tmp_path / "missing"
