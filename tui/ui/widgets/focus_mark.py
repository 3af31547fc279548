"""``FocusMark``: the one-column bar at a pane's left edge that says "the keys go here".

A glyph (``▌``), not a colour alone, so it shows in every theme and with ``NO_COLOR``. The other
panes draw the same bar with a CSS ``:focus-within`` border; the call table gets this widget
instead, because a ``:focus-within`` rule restyles the whole pane on every focus change, and
restyling the table (and its many component classes) is the largest cost of applying a filter.
Switching this mark repaints one column.
"""

from __future__ import annotations

from typing import ClassVar

from rich.segment import Segment
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

GLYPH = "▌"


class FocusMark(Widget):
    DEFAULT_CSS = """
    FocusMark { width: 1; height: 1fr; }
    FocusMark > .focus-mark--on { color: $accent; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"focus-mark--on"}

    on: reactive[bool] = reactive(False)

    def render_line(self, y: int) -> Strip:
        if self.on:
            return Strip([Segment(GLYPH, self.get_component_rich_style("focus-mark--on"))], 1)
        return Strip([Segment(" ", self.rich_style)], 1)
