"""``QueryBar``: the one-line query input (``/``) with an inline error at the column and history."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, Static

from tui.core.errors import QueryError
from tui.core.filter import CallFilter
from tui.core.query import parse_query

HISTORY_LIMIT = 100


class QueryInput(Input):
    """The input line; up/down walk the history."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "history(-1)", "Previous query", show=False, id="query.previous"),
        Binding("down", "history(1)", "Next query", show=False, id="query.next"),
        Binding("escape", "close", "Close", show=False, id="query.close"),
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

    def action_close(self) -> None:
        parent = self.parent
        if isinstance(parent, QueryBar):
            parent.close()


class QueryBar(Vertical):
    """Hidden until ``/``. Enter parses; an error shows under the column it points at."""

    DEFAULT_CSS = """
    QueryBar { height: auto; display: none; }
    QueryBar.-open { display: block; }
    QueryBar > #query-error { color: $error; height: auto; padding: 0 1; }
    """

    class Submitted(Message):
        def __init__(self, bar: QueryBar, flt: CallFilter, text: str) -> None:
            super().__init__()
            self.bar = bar
            self.filter = flt
            self.text = text

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.history: list[str] = []

    def compose(self) -> ComposeResult:
        yield QueryInput(
            self.history,
            placeholder='status:failed since:-2h "refund"   (Enter applies, Esc closes)',
            id="query-input",
        )
        yield Static("", id="query-error")

    @property
    def input(self) -> QueryInput:
        return self.query_one(QueryInput)

    def open(self, text: str) -> None:
        self.add_class("-open")
        self.input.value = text
        self.input.cursor_position = len(text)
        self.query_one("#query-error", Static).update("")
        self.input.focus()

    def close(self) -> None:
        self.remove_class("-open")
        self.query_one("#query-error", Static).update("")
        if self.screen.focused is self.input:
            self.screen.focus_next()

    @property
    def is_open(self) -> bool:
        return self.has_class("-open")

    def show(self, text: str) -> None:
        """Mirror the filter applied elsewhere (the sidebar) without submitting."""
        self.input.value = text

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        text = event.value
        try:
            flt = parse_query(text)
        except QueryError as exc:
            caret = Text(" " * (exc.column + 1) + "^ ", style="bold")
            caret.append(exc.message + (f" (expected {exc.expected})" if exc.expected else ""))
            self.query_one("#query-error", Static).update(caret)
            self.input.cursor_position = exc.column
            return
        if text.strip() and (not self.history or self.history[-1] != text):
            self.history.append(text)
            del self.history[:-HISTORY_LIMIT]
        self.input._position = None
        self.post_message(self.Submitted(self, flt, text))
        self.close()
