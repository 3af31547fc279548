"""Small modal prompts of the browser: export the view to a file, save the filter as a preset."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, RadioButton, RadioSet

FORMAT_BY_SUFFIX = {".csv": "csv", ".json": "json", ".ndjson": "ndjson", ".jsonl": "ndjson"}

_PROMPT_CSS = """
{name} {{ align: center middle; }}
{name} > Vertical {{
    width: 80; height: auto; border: thick $primary; background: $surface; padding: 1 2;
}}
{name} Input {{ margin: 1 0; }}
{name} .buttons {{ height: auto; align-horizontal: right; }}
{name} .buttons Button {{ margin-left: 1; }}
{name} .error {{ color: $error; }}
"""


@dataclass(frozen=True)
class ExportRequest:
    path: str
    fmt: str
    marked_only: bool


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Ask where to export, in which format, and whether only the marked rows."""

    HELP_TITLE = "Export"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="export.cancel")
    ]
    DEFAULT_CSS = _PROMPT_CSS.format(name="ExportScreen")

    def __init__(self, default_path: str, marked: int, matching: str) -> None:
        super().__init__()
        self.default_path = default_path
        self.marked = marked
        self.matching = matching

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Export calls", style="bold"))
            yield Label(Text("File (the suffix picks the format: .csv, .json, .ndjson)"))
            yield Input(self.default_path, id="export-path")
            with RadioSet(id="export-scope"):
                yield RadioButton(
                    f"All matching rows ({self.matching})", value=not self.marked, id="scope-all"
                )
                only = f"Only the marked rows ({self.marked})"
                has_marks = bool(self.marked)
                yield RadioButton(only, value=has_marks, disabled=not has_marks, id="scope-marked")
            yield Label("", classes="error", id="export-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Export", variant="primary", id="ok")

    def on_mount(self) -> None:
        self.query_one("#export-path", Input).focus()

    def _submit(self) -> None:
        path = self.query_one("#export-path", Input).value.strip()
        suffix = "." + path.rsplit(".", 1)[-1].lower() if "." in path else ""
        fmt = FORMAT_BY_SUFFIX.get(suffix)
        if not path or fmt is None:
            self.query_one("#export-error", Label).update(
                "Name a file ending in .csv, .json or .ndjson"
            )
            return
        marked_only = self.query_one("#scope-marked", RadioButton).value
        self.dismiss(ExportRequest(path, fmt, marked_only))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PresetScreen(ModalScreen[str | None]):
    """Ask for a preset name for the current filter."""

    HELP_TITLE = "Save preset"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="preset.cancel")
    ]
    DEFAULT_CSS = _PROMPT_CSS.format(name="PresetScreen")

    def __init__(self, query: str) -> None:
        super().__init__()
        self.query_text = query

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text("Save the filter as a preset", style="bold"))
            yield Label(Text(self.query_text or "(no filter)", style="dim"))
            yield Input(placeholder="preset name, e.g. failed-today", id="preset-name")
            yield Label("", classes="error", id="preset-error")

    def on_mount(self) -> None:
        self.query_one("#preset-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        name = event.value.strip()
        if not name or any(ch.isspace() for ch in name):
            self.query_one("#preset-error", Label).update("A name without spaces, please")
            return
        self.dismiss(name)

    def action_cancel(self) -> None:
        self.dismiss(None)
