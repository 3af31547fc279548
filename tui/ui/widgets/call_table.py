"""``CallTable``: a virtual table on the Line API that draws only the visible rows.

It never holds the rows: each visible line asks the tab's :class:`CallPager` for its call (or a
placeholder) and tells the pager which rows are on screen, so the pager fetches around them.
Lines are cached as ``Strip``s keyed on what changes their look; the cache is dropped when the
data, the theme, the width or the columns change.

It scrolls itself (``top`` row, ``left`` column) and draws its own one-column scrollbar, rather
than being a Textual ``ScrollView``: a scroll then repaints this widget's lines only, without
the screen-wide layout pass and the scrollbar widgets a Textual scroll costs on every step.
A cursor step repaints just the two lines that changed.

The rows shown and the drawing of their lines are in :mod:`tui.ui.widgets.table_lines` (the
base class); this module has the keys, the cursor and its moves (type-ahead: keys that come
before their rows; the walk to the end), scrolling and the mouse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message

from tui.ui.widgets.table_lines import TableLines, fit

if TYPE_CHECKING:
    from tui.core.model import Call
    from tui.core.pager import CallPager

__all__ = ["COLUMN_STEP", "WHEEL_ROWS", "CallTable", "fit"]

WHEEL_ROWS = 3  # rows per mouse-wheel step
COLUMN_STEP = 8  # cells per left/right step


class _RowMessage(Message):
    """A message about row ``index`` of ``table`` and its ``call``."""

    def __init__(self, table: CallTable, index: int, call: Call | None) -> None:
        super().__init__()
        self.table = table
        self.index = index
        self.call = call


class CallTable(TableLines, can_focus=True):
    """The lazily loaded call list of one tab."""

    HELP_TITLE = "Call table"  # the section of its keys in the help (?)

    # The moving keys are priority bindings: Textual runs them as soon as the key arrives,
    # while the table has the focus. A plain binding runs only after the key event has bubbled
    # through the table's seven ancestors and a second binding lookup (~1 ms of each key). The
    # table is the first in the focus chain either way, so the same binding wins.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, priority=True, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, priority=True, id="table.down"),
        Binding("pageup,b", "page(-1)", "Page up", show=False, priority=True, id="table.page_up"),
        Binding(
            "pagedown,f", "page(1)", "Page down", show=False, priority=True, id="table.page_down"
        ),
        Binding("home,g", "first", "First", show=False, priority=True, id="table.first"),
        Binding("end,G", "last", "Last", show=False, priority=True, id="table.last"),
        Binding("left,h", "columns(-1)", "Scroll left", show=False, priority=True, id="table.left"),
        Binding(
            "right,l", "columns(1)", "Scroll right", show=False, priority=True, id="table.right"
        ),
        Binding("enter", "open", "Open", id="table.open"),
        Binding("space", "mark", "Mark", id="table.mark"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "call-table--header",
        "call-table--cursor",
        "call-table--cursor-blurred",
        "call-table--marked",
        "call-table--placeholder",
        "call-table--error",
        "call-table--scrollbar",
        "call-table--scrollbar-thumb",
        *(f"call-table--status-{s}" for s in (
            "queued", "ringing", "in-progress", "completed", "busy", "no-answer", "failed",
            "canceled", "ivr", "unknown",
        )),
    }  # fmt: skip

    DEFAULT_CSS = """
    CallTable { height: 1fr; width: 1fr; }
    CallTable > .call-table--header { text-style: bold; background: $panel; color: $foreground; }
    CallTable > .call-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    CallTable > .call-table--cursor-blurred {
        background: $block-cursor-blurred-background; color: $block-cursor-foreground;
    }
    CallTable > .call-table--marked { background: $accent 30%; }
    CallTable > .call-table--placeholder { color: $foreground-muted; text-style: italic; }
    CallTable > .call-table--error { color: $error; }
    CallTable > .call-table--scrollbar { background: $scrollbar-background; }
    CallTable > .call-table--scrollbar-thumb { background: $scrollbar; }
    CallTable > .call-table--status-completed { color: $success; }
    CallTable > .call-table--status-failed { color: $error; }
    CallTable > .call-table--status-busy { color: $warning; }
    CallTable > .call-table--status-no-answer { color: $warning; }
    CallTable > .call-table--status-canceled { color: $foreground-muted; }
    CallTable > .call-table--status-ringing { color: $accent; }
    CallTable > .call-table--status-in-progress { color: $accent; text-style: bold; }
    CallTable > .call-table--status-queued { color: $secondary; }
    CallTable > .call-table--status-ivr { color: $secondary; }
    CallTable > .call-table--status-unknown { color: $foreground-muted; }
    """

    class Highlighted(_RowMessage):
        """The cursor moved to ``index`` (``call`` is None while that row loads)."""

    class Selected(_RowMessage):
        """Enter on a loaded row (``call`` is never None)."""

        call: Call

    def __init__(
        self, *, columns: list[str] | None = None, utc: bool = False, **kw: object
    ) -> None:
        super().__init__(columns=columns, utc=utc, **kw)
        self._last_highlight: tuple[int, str | None] | None = None
        self._wanted_row: int | None = None  # a row keys asked for before it arrived
        self._walk_pending = False  # G is walking to the end
        self._open_pending = False  # Enter came before the row it opens

    # -- data ------------------------------------------------------------------------------

    def set_pager(self, pager: CallPager | None) -> None:
        """Show ``pager``'s rows from the top (a new filter)."""
        self.pager = pager
        self.sorted_rows = None
        self.marked.clear()
        self.top = 0
        self._wanted_row = None
        self._walk_pending = False
        self._open_pending = False
        self.data_changed()
        self.cursor_row = 0

    def data_changed(self) -> None:
        """The pager has new rows or state: redraw what is visible."""
        self._version += 1
        self._cache.clear()
        self.top = self._clamp_top(self.top)
        self.refresh()
        if self._wanted_row is not None or self._walk_pending or self._open_pending:
            self._catch_up()
        self._announce()
        self._schedule_prerender()

    def set_utc(self, utc: bool) -> None:
        self.utc = utc
        self.data_changed()

    def on_resize(self) -> None:
        self._cache.clear()
        self.top = self._clamp_top(self.top)
        self.left = self._clamp_left(self.left)
        self._scroll_cursor_into_view()
        self._want_visible()

    # -- cursor and scrolling ---------------------------------------------------------------

    def _want_visible(self) -> None:
        if self.pager is None or self.sorted_rows is not None:
            return
        self.pager.want(self.top, self.top + self.visible_rows)

    def scroll_rows(self, top: int) -> None:
        """Show row ``top`` on the first line (clamped); the cursor stays where it is."""
        top = self._clamp_top(top)
        if top != self.top:
            self.top = top
            self.refresh()
            self._want_visible()

    def scroll_columns(self, left: int) -> None:
        left = self._clamp_left(left)
        if left != self.left:
            self.left = left
            self.refresh()

    def watch_has_focus(self, has_focus: bool) -> None:
        # Focus changes one thing here: the cursor row's colour (chosen as the line is drawn).
        # Textual's default restyles the table and its 18 component classes on every focus
        # change (~5 ms, the largest part of a filter apply, whose Enter moves the focus here);
        # the table repaints its cursor line instead. So no CSS rule may style CallTable:focus
        # or :blur (none does; the cursor's two colours are component classes).
        line = self.cursor_row - self.top + 1
        if 1 <= line <= self.visible_rows:
            self.refresh(Region(0, line, self.size.width, 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        # The line cache is keyed on "is the cursor row", so only the two changed lines redraw
        # (unless the cursor left the screen, and the table scrolls).
        if not self._scroll_cursor_into_view():
            width = self.size.width
            for row in {old, new}:
                line = row - self.top + 1
                if 1 <= line <= self.visible_rows:
                    self.refresh(Region(0, line, width, 1))
        self._want_visible()
        self._announce()
        self._schedule_prerender()

    def _scroll_cursor_into_view(self) -> bool:
        """Scroll so the cursor row is on screen; True if the table scrolled."""
        rows = self.visible_rows
        if self.cursor_row < self.top:
            top = self.cursor_row
        elif self.cursor_row >= self.top + rows:
            top = self.cursor_row - rows + 1
        else:
            return False
        before = self.top
        self.scroll_rows(top)
        return self.top != before

    def _announce(self) -> None:
        call = self.current
        marker = (self.cursor_row, call.id if call is not None else None)
        if marker != self._last_highlight:
            self._last_highlight = marker
            self.post_message(self.Highlighted(self, self.cursor_row, call))

    def _still_coming(self) -> bool:
        """True while rows beyond the loaded ones may still arrive."""
        pager = self.pager
        return (
            self.sorted_rows is None
            and pager is not None
            and not pager.exhausted
            and pager.error is None
        )

    def move_to(self, index: int) -> None:
        """Put the cursor on row ``index``. A row that has not arrived yet is remembered and
        reached when it does: keys typed ahead (``jj`` right after a new filter, in one burst)
        land as if typed once the rows were there."""
        last = max(0, self.row_count - 1)
        if index > last and self._still_coming():
            self._wanted_row = index
            if self.pager is not None:
                self.pager.want(index, index + 1)
        else:
            self._wanted_row = None
        self.cursor_row = max(0, min(index, last))

    def _base_row(self) -> int:
        return self._wanted_row if self._wanted_row is not None else self.cursor_row

    def _catch_up(self) -> None:
        """New rows came: go on to the row that keys asked for before it had arrived."""
        if self._walk_pending and self.pager is not None and not self.pager.walking:
            self._walk_pending = False
            self.cursor_row = max(0, self.row_count - 1)
        elif self._wanted_row is not None:
            self.move_to(self._wanted_row)
        if self._open_pending and not self._typed_ahead():
            self._open_pending = False
            self.action_open()

    def action_cursor(self, delta: int) -> None:
        self.move_to(self._base_row() + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self._base_row() + direction * max(1, self.visible_rows - 1))

    def action_first(self) -> None:
        self.stop_walk()
        self.move_to(0)

    def action_last(self) -> None:
        """The last row. On a provider that pages with a cursor (the total unknown), walk
        page after page to the end: the status line counts, Esc stops (:meth:`stop_walk`)."""
        pager = self.pager
        if self._still_coming() and pager is not None and not pager.random_access:
            self._wanted_row = None
            self._walk_pending = True
            pager.walk_to_end()
        self.move_to(self.row_count - 1)

    @property
    def walking(self) -> bool:
        return self._walk_pending

    def stop_walk(self) -> bool:
        """Stop a walk to the end; the cursor goes to the last row loaded. True if one was
        going on."""
        if not self._walk_pending:
            return False
        self._walk_pending = False
        if self.pager is not None:
            self.pager.stop_walk()
        self.move_to(max(0, (self.pager.loaded if self.pager else 1) - 1))
        return True

    def _typed_ahead(self) -> bool:
        """True while keys typed ahead wait for rows (a row asked for, or the cursor's row
        still loading): Enter then waits for them too."""
        return self._wanted_row is not None or (self.current is None and self._still_coming())

    def action_open(self) -> None:
        if self._typed_ahead():
            self._open_pending = True  # "jj" then Enter in one burst: open row 3 once it is in
            return
        call = self.current
        if call is not None:
            self.post_message(self.Selected(self, self.cursor_row, call))

    def action_mark(self) -> None:
        call = self.current
        if call is None:
            return
        if call.id in self.marked:
            self.marked.discard(call.id)
        else:
            self.marked.add(call.id)
        self.move_to(self.cursor_row + 1)  # redraws the marked line (it was the cursor's)

    def action_columns(self, direction: int) -> None:
        self.scroll_columns(self.left + direction * COLUMN_STEP)

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:
            return
        if self.has_scrollbar and event.x == self.size.width - 1:
            # the scrollbar: jump to that point of the list
            fraction = (event.y - 1) / max(1, self.visible_rows - 1)
            self.move_to(round(fraction * (self.row_count - 1)))
            return
        self.move_to(self.top + event.y - 1)

    def on_mouse_scroll_down(self, event: events.MouseScrollDown) -> None:
        event.stop()
        if event.shift:  # shift+wheel: the columns
            self.scroll_columns(self.left + COLUMN_STEP)
        else:
            self.scroll_rows(self.top + WHEEL_ROWS)

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        event.stop()
        if event.shift:
            self.scroll_columns(self.left - COLUMN_STEP)
        else:
            self.scroll_rows(self.top - WHEEL_ROWS)

    def on_mouse_scroll_right(self, event: events.MouseScrollRight) -> None:
        event.stop()
        self.scroll_columns(self.left + COLUMN_STEP)

    def on_mouse_scroll_left(self, event: events.MouseScrollLeft) -> None:
        event.stop()
        self.scroll_columns(self.left - COLUMN_STEP)
