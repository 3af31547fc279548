"""Exporting from the browser (the filtered view, or marked rows) and saving presets."""

from __future__ import annotations

import csv
import json
import tomllib
from pathlib import Path

from tests.ui.conftest import accounts_of, make_app, ready, wait_for
from tui.core.query import format_query
from tui.emulator import Emulator
from tui.ui.screens.prompts import ExportScreen, PresetScreen
from tui.ui.widgets.query_bar import QueryBar


def truth(emu: Emulator, status: str) -> list[str]:
    a = emu.account("twilio")
    sids = emu.api("twilio").sids[a.account]  # type: ignore[attr-defined]
    return [sids.call(r.index) for r in emu.dataset.calls(a.key) if r.status == status]


async def test_export_writes_every_row_of_the_filtered_view(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",), page_size=20))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("slash")
        view.query_one(QueryBar).input.value = "status:completed"
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.pager is not None and view.pager.loaded > 0)
        assert (
            view.pager is not None and not view.pager.exhausted
        )  # the rest is fetched by the export
        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        target = tmp_path / "completed.csv"
        app.screen.query_one("#export-path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.last_export is not None, timeout=60)
        with target.open(newline="") as handle:
            rows = list(csv.DictReader(handle))
        assert [row["id"] for row in rows] == truth(emu, "completed")
        assert all(row["status"] == "completed" for row in rows)
        assert emu.account("twilio").password not in target.read_text()


async def test_export_of_marked_rows_writes_only_those(emu: Emulator, tmp_path: Path) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        await pilot.press("space", "down", "space")  # marks rows 0 and 2
        marked = {view.table.call_at(0).id, view.table.call_at(2).id}  # type: ignore[union-attr]
        assert view.table.marked == marked
        await pilot.press("e")
        assert isinstance(app.screen, ExportScreen)
        target = tmp_path / "marked.ndjson"
        app.screen.query_one("#export-path").value = str(target)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: view.last_export is not None)
        lines = [json.loads(line) for line in target.read_text().splitlines()]
        assert {line["id"] for line in lines} == marked


async def test_ctrl_s_saves_the_filter_as_a_preset_and_the_palette_applies_it(
    emu: Emulator, tmp_path: Path
) -> None:
    app = make_app(tmp_path, accounts_of(emu, ("twilio",)))
    async with app.run_test(size=(160, 40)) as pilot:
        view = await ready(pilot, app)
        view.apply_query("status:busy dur:<10")
        await pilot.press("ctrl+s")
        assert isinstance(app.screen, PresetScreen)
        await pilot.press(*"busy-short", "enter")
        saved = tomllib.loads((tmp_path / "config.toml").read_text())
        assert saved["presets"] == {"busy-short": "status:busy dur:<10"}
        view.apply_query("")
        assert view.filter.is_empty
        commands = {c.title: c for c in app.get_system_commands(app.screen)}
        commands["Preset: busy-short"].callback()
        assert format_query(view.filter) == "status:busy dur:<10"
