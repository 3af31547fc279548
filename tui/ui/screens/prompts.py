"""Small modal prompts of the browser: export the view, name a preset, where to save a download."""

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


def cancel_binding(scope: str) -> Binding:
    """Esc cancels the prompt; the binding's id is ``<scope>.cancel`` (for ``[keys]``)."""
    return Binding("escape", "cancel", "Cancel", id=f"{scope}.cancel")


@dataclass(frozen=True)
class ExportRequest:
    path: str
    fmt: str
    marked_only: bool


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Ask where to export, in which format, and whether only the marked rows."""

    HELP_TITLE = "Export"

    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("export")]
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


class LinePrompt(ModalScreen[str | None]):
    """Ask for one line of text: Enter confirms it (unless :meth:`problem` objects), Esc cancels.
    A subclass names its heading and binds Esc to ``cancel`` with an id of its own."""

    HEADING = ""
    DEFAULT_CSS = _PROMPT_CSS.format(name="LinePrompt")

    def __init__(self, note: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.note = note
        self.value = value
        self.placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(self.HEADING, style="bold"))
            yield Label(Text(self.note, style="dim"))
            yield Input(self.value, placeholder=self.placeholder, id="prompt-line")
            yield Label("", classes="error", id="prompt-error")

    def on_mount(self) -> None:
        self.query_one("#prompt-line", Input).focus()

    def problem(self, text: str) -> str | None:
        """What is wrong with ``text`` (shown under the line), or None to accept it."""
        return None if text else "Type something, or Esc to cancel"

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value.strip()
        problem = self.problem(text)
        if problem is not None:
            self.query_one("#prompt-error", Label).update(problem)
            return
        self.dismiss(text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class PresetScreen(LinePrompt):
    """Ask for a preset name for the current filter."""

    HELP_TITLE = "Save preset"
    HEADING = "Save the filter as a preset"
    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("preset")]

    def __init__(self, query: str) -> None:
        super().__init__(query or "(no filter)", placeholder="preset name, e.g. failed-today")

    def problem(self, text: str) -> str | None:
        if not text or any(ch.isspace() for ch in text):
            return "A name without spaces, please"
        return None


class SaveAsScreen(LinePrompt):
    """Ask where to save a download, prefilled with a path in the downloads folder."""

    HELP_TITLE = "Save as"
    HEADING = "Save the recording as"
    BINDINGS: ClassVar[list[BindingType]] = [cancel_binding("save_as")]

    def __init__(self, default_path: str) -> None:
        super().__init__(
            "A missing folder is created; a relative path is under the working directory."
            " Enter saves, Esc cancels.",
            value=default_path,
        )
