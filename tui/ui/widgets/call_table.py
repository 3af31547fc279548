"""``CallTable``: a virtual table on the Line API that draws only the visible rows.

It never holds the rows: each visible line asks the tab's :class:`CallPager` for its call (or a
placeholder) and tells the pager which rows are on screen, so the pager fetches around them.
Lines are cached as ``Strip``s keyed on what changes their look; the cache is dropped when the
data, the theme, the width or the columns change.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.ui.columns import Column, columns_for

if TYPE_CHECKING:
    from tui.core.model import Call
    from tui.core.pager import CallPager

_STRIP_CACHE = 512


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, with an ellipsis when cut."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"[:width]
    return set_cell_size(text, width) if not right else " " * (width - cell_len(text)) + text


class CallTable(ScrollView, can_focus=True):
    """The lazily loaded call list of one tab."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup,b", "page(-1)", "Page up", show=False, id="table.page_up"),
        Binding("pagedown,f", "page(1)", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("enter", "open", "Open", id="table.open"),
        Binding("space", "mark", "Mark", id="table.mark"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "call-table--header",
        "call-table--cursor",
        "call-table--marked",
        "call-table--placeholder",
        "call-table--error",
        *(f"call-table--status-{s}" for s in (
            "queued", "ringing", "in-progress", "completed", "busy", "no-answer", "failed",
            "canceled", "ivr", "unknown",
        )),
    }  # fmt: skip

    DEFAULT_CSS = """
    CallTable { height: 1fr; }
    CallTable > .call-table--header { text-style: bold; background: $panel; color: $foreground; }
    CallTable > .call-table--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground;
    }
    CallTable:blur > .call-table--cursor { background: $block-cursor-blurred-background; }
    CallTable > .call-table--marked { background: $accent 30%; }
    CallTable > .call-table--placeholder { color: $foreground-muted; text-style: italic; }
    CallTable > .call-table--error { color: $error; }
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

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class Highlighted(Message):
        """The cursor moved to ``index`` (``call`` is None while that row loads)."""

        def __init__(self, table: CallTable, index: int, call: Call | None) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.call = call

    class Selected(Message):
        """Enter on a loaded row."""

        def __init__(self, table: CallTable, index: int, call: Call) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.call = call

    def __init__(
        self, *, columns: list[str] | None = None, utc: bool = False, **kw: object
    ) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self.pager: CallPager | None = None
        self.columns: list[Column] = columns_for(columns)
        self.utc = utc
        self.marked: set[str] = set()
        self.sorted_rows: list[Call] | None = None  # a sorted snapshot of the loaded rows
        self._version = 0
        self._cache: OrderedDict[tuple[object, ...], Strip] = OrderedDict()
        self._styles: dict[str, Style] = {}
        self._last_highlight: tuple[int, str | None] | None = None

    # -- data ------------------------------------------------------------------------------

    def set_pager(self, pager: CallPager | None) -> None:
        """Show ``pager``'s rows from the top (a new filter)."""
        self.pager = pager
        self.sorted_rows = None
        self.marked.clear()
        self.data_changed()
        self.cursor_row = 0
        self.scroll_to(0, 0, animate=False)

    def data_changed(self) -> None:
        """The pager has new rows or state: redraw what is visible."""
        self._version += 1
        self._cache.clear()
        self._update_virtual_size()
        self.refresh()
        self._announce()

    @property
    def row_count(self) -> int:
        if self.sorted_rows is not None:
            return len(self.sorted_rows)
        if self.pager is None:
            return 0
        more = 0 if self.pager.exhausted or self.pager.error is not None else 1
        return self.pager.row_count + more

    def call_at(self, index: int) -> Call | None:
        if self.sorted_rows is not None:
            return self.sorted_rows[index] if 0 <= index < len(self.sorted_rows) else None
        return self.pager.row(index) if self.pager is not None else None

    @property
    def current(self) -> Call | None:
        return self.call_at(self.cursor_row)

    def set_columns(self, keys: list[str]) -> None:
        self.columns = columns_for(keys)
        self.data_changed()

    def set_utc(self, utc: bool) -> None:
        self.utc = utc
        self.data_changed()

    @property
    def total_width(self) -> int:
        return sum(c.width + 1 for c in self.columns)

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.total_width, self.row_count + 1)

    # -- rendering ------------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._cache.clear()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        """A component's rich style, computed once per style update (hot path: every line)."""
        found = self._styles.get(name)
        if found is None:
            found = self.rich_style if name == "base" else self.get_component_rich_style(name)
            self._styles[name] = found
        return found

    def on_resize(self) -> None:
        self._cache.clear()
        self._want_visible()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        width = self.size.width
        strip = self._header() if y == 0 else self._row(scroll_y + y - 1)
        return strip.crop_extend(scroll_x, scroll_x + width, None)

    def _header(self) -> Strip:
        key = ("header", self.total_width, tuple(c.key for c in self.columns))
        cached = self._cache.get(key)
        if cached is None:
            style = self._style("call-table--header")
            text = " ".join(fit(c.title, c.width, c.right) for c in self.columns) + " "
            cached = Strip([Segment(text, style)], cell_len(text))
            self._remember(key, cached)
        return cached

    def _row(self, index: int) -> Strip:
        if index >= self.row_count:
            return Strip.blank(self.total_width, self._style("base"))
        call = self.call_at(index)
        is_cursor = index == self.cursor_row
        is_marked = call is not None and call.id in self.marked
        key = (index, self._version, is_cursor, is_marked, call is None)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        base = self._style("base")
        if call is None:
            placeholder = self._style("call-table--placeholder")
            text = fit("  … loading", self.total_width)
            segments = [Segment(text, base + placeholder)]
        else:
            segments = []
            for column in self.columns:
                style = base
                if column.key == "status":
                    style = base + self._style(f"call-table--status-{call.status.value}")
                segments.append(
                    Segment(fit(column.text(call, self.utc), column.width, column.right), style)
                )
                segments.append(Segment(" ", base))
        overlay: Style | None = None
        if is_marked:
            overlay = self._style("call-table--marked")
        if is_cursor:
            overlay = self._style("call-table--cursor")
        if overlay is not None:
            segments = [Segment(s.text, (s.style or Style()) + overlay) for s in segments]
        strip = Strip(segments, self.total_width)
        self._remember(key, strip)
        return strip

    def _remember(self, key: tuple[object, ...], strip: Strip) -> None:
        self._cache[key] = strip
        if len(self._cache) > _STRIP_CACHE:
            self._cache.popitem(last=False)

    # -- cursor and scrolling ---------------------------------------------------------------

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._want_visible()

    def _want_visible(self) -> None:
        if self.pager is None or self.sorted_rows is not None:
            return
        top = int(self.scroll_y)
        self.pager.want(top, top + max(1, self.size.height))

    def watch_cursor_row(self, old: int, new: int) -> None:
        # The line cache is keyed on "is the cursor row", so only the two changed lines redraw.
        self._scroll_cursor_into_view()
        for row in {old, new}:
            self.refresh_line(row + 1)  # virtual line: the header is line 0
        self._want_visible()
        self._announce()

    def _scroll_cursor_into_view(self) -> None:
        visible_rows = max(1, self.size.height - 1)
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible_rows:
            self.scroll_to(y=self.cursor_row - visible_rows + 1, animate=False, immediate=True)

    def _announce(self) -> None:
        call = self.current
        marker = (self.cursor_row, call.id if call is not None else None)
        if marker != self._last_highlight:
            self._last_highlight = marker
            self.post_message(self.Highlighted(self, self.cursor_row, call))

    def move_to(self, index: int) -> None:
        self.cursor_row = max(0, min(index, max(0, self.row_count - 1)))

    def action_cursor(self, delta: int) -> None:
        self.move_to(self.cursor_row + delta)

    def action_page(self, direction: int) -> None:
        self.move_to(self.cursor_row + direction * max(1, self.size.height - 2))

    def action_first(self) -> None:
        self.move_to(0)

    def action_last(self) -> None:
        self.move_to(self.row_count - 1)

    def action_open(self) -> None:
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

    def on_click(self, event: object) -> None:
        offset = getattr(event, "y", None)
        if isinstance(offset, int) and offset >= 1:
            self.move_to(int(self.scroll_y) + offset - 1)
