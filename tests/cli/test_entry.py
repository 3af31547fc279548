"""The entry point routes: no command → the browser, ``emulator`` → the emulator, else headless."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from tests.cli.conftest import Result
from tui import cli


def test_without_a_command_the_browser_starts_with_its_options(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("tui.ui.app.run", lambda args: seen.append(args) or 0)
    assert cli.main([]) == 0
    assert cli.main(["--config", "list", "--demo"]) == 0  # "list" is the config's value here
    assert seen == [[], ["--config", "list", "--demo"]]


def test_the_emulator_command_is_delegated(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[list[str]] = []
    monkeypatch.setattr("tui.emulator.cli.main", lambda args: seen.append(args) or 0)
    assert cli.main(["emulator", "--calls", "5"]) == 0
    assert cli.main(["--debug", "emulator", "--help"]) == 0  # after a global option too
    assert seen == [["--calls", "5"], ["--help"]]


def test_help_lists_the_commands_and_the_exit_codes(run_cli: Callable[..., Result]) -> None:
    r = run_cli("--help")
    assert r.code == 0
    for command in ("list", "show", "recordings", "preset", "config", "emulator"):
        assert f"    {command}" in r.out
    assert "4 not found" in r.out and "7 malformed response" in r.out


def test_an_unknown_option_is_a_usage_error(run_cli: Callable[..., Result]) -> None:
    r = run_cli("list", "--frobnicate")
    assert r.code == 2
    assert "unrecognized arguments: --frobnicate" in r.err
