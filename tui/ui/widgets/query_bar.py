"""``QueryBar``: the one-line query input (``/``) with an inline error at the column and history.

It is always on screen, showing the filter in force; ``/`` focuses it to edit. Opening and
closing it therefore changes no layout (a layout pass over the whole screen cost more than
everything else a filter change does), and the filter is visible at all times.
"""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Static

from tui.core.errors import QueryError
from tui.core.filter import CallFilter
from tui.core.query import parse_query
from tui.ui.widgets.one_line import OneLineInput

HISTORY_LIMIT = 100


class QueryInput(OneLineInput):
    """The input line; up/down walk the history."""

    HELP_TITLE = "Filter line"  # the section of its keys in the help (?)

    BINDINGS: ClassVar[list[BindingType]] = [
        # Enter is a priority binding: applied as the key arrives, instead of after the key
        # event has bubbled through the line's six ancestors (Input's own Enter does the same).
        Binding("enter", "submit", "Apply", priority=True, id="query.apply"),
        Binding("up", "history(-1)", "Previous query", show=False, id="query.previous"),
        Binding("down", "history(1)", "Next query", show=False, id="query.next"),
        Binding("escape", "close", "Back", id="query.close"),
    ]

    def __init__(self, history: list[str], **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.history = history
        self._position: int | None = None

    def action_history(self, step: int) -> None:
        if not self.history:
            return
        position = len(self.history) if self._position is None else self._position
        position = max(0, min(len(self.history), position + step))
        self._position = position
        self.value = self.history[position] if position < len(self.history) else ""
        self.cursor_position = len(self.value)

    async def action_submit(self) -> None:
        # Parsed and left at once, as Enter arrives (Input posts Submitted, handled only after
        # the keys already queued behind Enter).
        parent = self.parent
        if isinstance(parent, QueryBar):
            parent.submit(self.value)
        else:  # pragma: no cover - the line is always in a bar
            await super().action_submit()

    def action_close(self) -> None:
        parent = self.parent
        if isinstance(parent, QueryBar):
            parent.close()


class QueryBar(Vertical):
    """The filter line. ``/`` edits it; Enter parses; an error shows under its column."""

    DEFAULT_CSS = """
    QueryBar { height: auto; }
    QueryBar > QueryInput {
        border: none; height: 1; padding: 0 1; background: $surface; color: $text-muted;
    }
    QueryBar > QueryInput:focus { border: none; background: $boost; color: $foreground; }
    QueryBar > #query-error { color: $error; height: auto; padding: 0 1; display: none; }
    QueryBar > #query-error.-shown { display: block; }
    """

    class Submitted(Message):
        def __init__(self, bar: QueryBar, flt: CallFilter, text: str) -> None:
            super().__init__()
            self.bar = bar
            self.filter = flt
            self.text = text

    class Left(Message):
        """The bar gave up focus (Enter or Esc): the tab puts it on the table."""

        def __init__(self, bar: QueryBar) -> None:
            super().__init__()
            self.bar = bar

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.history: list[str] = []
        self.applied = ""  # the query in force, shown while the bar is not being edited
        # Where the focus goes when the bar is left (Enter, Esc): moved at once, so that keys
        # typed right after Enter in one burst go there, not into the line (see ``_leave``).
        self.leave_to: Widget | None = None

    def compose(self) -> ComposeResult:
        yield QueryInput(
            self.history,
            placeholder='/ to filter: status:failed since:-2h "refund"  (Enter applies, Esc: back)',
            id="query-input",
        )
        yield Static("", id="query-error")

    @property
    def input(self) -> QueryInput:
        return self.query_one(QueryInput)

    def open(self, text: str) -> None:
        """Edit the query (focus the line)."""
        self.input.value = text
        self.input.cursor_position = len(text)
        # At once, not through ``focus()``, which waits behind the keys already queued: the
        # rest of "/status:failed" typed in one burst must land here, not on the table.
        self.screen.set_focus(self.input)

    def close(self) -> None:
        """Stop editing: the line shows the query in force again; focus goes to the table."""
        self._show_error(None)
        self.input.value = self.applied
        self._leave()

    def _leave(self) -> None:
        if self.screen.focused is self.input:
            if self.leave_to is not None:
                self.screen.set_focus(self.leave_to)
            self.post_message(self.Left(self))

    @property
    def is_open(self) -> bool:
        """True while the query is being edited."""
        return self.input.has_focus

    def show(self, text: str) -> None:
        """Mirror the filter in force (applied here or in the sidebar) without submitting."""
        self.applied = text
        self.input.value = text

    def _show_error(self, message: Text | None) -> None:
        error = self.query_one("#query-error", Static)
        if message is None:
            if error.has_class("-shown"):
                error.update("")
                error.remove_class("-shown")
            return
        error.update(message)
        error.add_class("-shown")

    def on_input_blurred(self, event: Input.Blurred) -> None:
        # Left without Enter (Tab, a click elsewhere): the line shows the filter in force again,
        # never a half-typed query that is not applied.
        event.stop()
        if self.input.value != self.applied:
            self._show_error(None)
            self.input.value = self.applied

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.submit(event.value)

    def submit(self, text: str) -> None:
        """Parse ``text``: an error shows under its column; a filter is announced and the bar
        left."""
        try:
            flt = parse_query(text)
        except QueryError as exc:
            caret = Text(" " * (exc.column + 1) + "^ ", style="bold")
            caret.append(exc.message + (f" (expected {exc.expected})" if exc.expected else ""))
            self._show_error(caret)
            self.input.cursor_position = exc.column
            return
        if text.strip() and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[:-HISTORY_LIMIT]
        self.input._position = None
        self._show_error(None)
        self.post_message(self.Submitted(self, flt, text))
        self._leave()
