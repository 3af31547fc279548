"""``OneLineInput``: an ``Input`` whose pastes become one line of text.

A query pasted from a runbook often spans lines; Textual's ``Input`` keeps only the first. Here
the lines are joined with spaces, and nothing in a paste is ever run as a key (a bracketed paste
arrives as one event).
"""

from __future__ import annotations

from textual import events
from textual.widgets import Input


def one_line(text: str) -> str:
    """``text`` with its line breaks (and the blanks around them) turned into single spaces."""
    if "\n" not in text and "\r" not in text:
        return text
    return " ".join(part.strip() for part in text.splitlines() if part.strip())


class OneLineInput(Input):
    def on_paste(self, event: events.Paste) -> None:
        event.prevent_default()  # instead of Input's own paste, which keeps the first line only
        event.stop()
        text = one_line(event.text)
        if not text:
            return
        selection = self.selection
        if selection.is_empty:
            self.insert_text_at_cursor(text)
        else:
            self.replace(text, *selection)
