"""The screen shown instead of the browser when the config cannot be used: every problem with its
key path, the file, and what to do (no toast that fades before the demo opens)."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from tui.core.errors import ConfigError
from tui.core.sanitize import visible
from tui.ui.widgets.footer import KeysFooter


def describe(exc: ConfigError, path: str) -> Text:
    text = Text()
    text.append("The config cannot be used\n\n", style="bold red")
    text.append("File: ", style="bold")
    text.append(visible(path, limit=300) + "\n\n")
    problems = getattr(exc, "problems", ()) or ()
    if problems:
        for problem in problems:
            text.append("  ✖ ", style="bold red")
            text.append(visible(problem.path, limit=120), style="bold")
            text.append(": " + visible(problem.message, limit=400) + "\n")
    else:
        text.append("  ✖ " + visible(str(exc), limit=600) + "\n", style="bold")
    for warning in getattr(exc, "warnings", ()) or ():
        text.append("  ⚠ " + visible(warning, limit=400) + "\n")
    text.append("\nFix the file, then start callscope again ")
    text.append("(callscope config check says what is wrong, line by line).\n")
    text.append("d", style="bold")
    text.append(" opens the demo instead · ")
    text.append("q", style="bold")
    text.append(" quits")
    return text


class ConfigErrorScreen(Screen[None]):
    HELP_TITLE = "Config error"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "demo", "Open the demo", id="config_error.demo"),
    ]
    DEFAULT_CSS = """
    ConfigErrorScreen > VerticalScroll { padding: 1 2; }
    """

    def __init__(self, exc: ConfigError, path: str) -> None:
        super().__init__()
        self.exc = exc
        self.path = path

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(describe(self.exc, self.path), id="config-problems")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.query_one(VerticalScroll).focus()

    def action_demo(self) -> None:
        open_demo = getattr(self.app, "open_demo", None)
        if open_demo is not None:
            open_demo()
