"""The browser with a config it cannot use: a screen that names each problem by its key."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from tests.ui.conftest import NOW, fixed_clock, ready, wait_for
from tui.ui.app import CallscopeApp
from tui.ui.screens.browser import BrowserScreen
from tui.ui.screens.config_error import ConfigErrorScreen


def app_with(tmp_path: Path, toml: str) -> CallscopeApp:
    path = tmp_path / "config.toml"
    path.write_text(toml, encoding="utf-8")
    return CallscopeApp(config_path=str(path), clock=fixed_clock, demo_now=NOW, demo_calls=300)


async def problems_shown(app: CallscopeApp, pilot) -> str:  # type: ignore[no-untyped-def]
    await wait_for(pilot, lambda: isinstance(app.screen, ConfigErrorScreen))
    return str(app.screen.query_one("#config-problems", Static).render())


async def test_an_account_without_its_id_names_the_missing_key(tmp_path: Path) -> None:
    app = app_with(
        tmp_path,
        '[[accounts]]\nname = "work"\nprovider = "twilio"\nusername = "SKabc"\npassword = "x"\n',
    )
    async with app.run_test(size=(100, 30)) as pilot:
        text = await problems_shown(app, pilot)
        assert "accounts.work.account" in text
        assert "unexpected" not in text and "malformed" not in text


async def test_values_of_the_wrong_type_are_each_named_with_the_expected_type(
    tmp_path: Path,
) -> None:
    app = app_with(tmp_path, 'utc = "yes"\ncolumns = 5\n[keys]\n"table.down" = 5\n')
    async with app.run_test(size=(100, 30)) as pilot:
        text = await problems_shown(app, pilot)
        for key in ("utc", "columns", 'keys."table.down"'):
            assert key in text
        assert "true or false" in text


async def test_a_toml_file_that_does_not_parse_is_a_screen_and_d_opens_the_demo(
    tmp_path: Path,
) -> None:
    app = app_with(tmp_path, "theme = \n[[accounts]\n")
    async with app.run_test(size=(100, 30)) as pilot:
        text = await problems_shown(app, pilot)
        assert "config.toml" in text and "line" in text
        await pilot.pause(0.5)
        assert isinstance(app.screen, ConfigErrorScreen)  # it stays: no demo behind a toast
        await pilot.press("d")
        await wait_for(pilot, lambda: isinstance(app.screen, BrowserScreen), timeout=30)
        assert app.demo
        await ready(pilot, app)


async def test_a_key_override_naming_no_binding_is_warned_about(tmp_path: Path) -> None:
    app = app_with(tmp_path, '[keys]\n"table.dwn" = "x"\n')
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(
            pilot,
            lambda: any("table.dwn" in str(n.message) for n in app._notifications),
            timeout=30,
        )
