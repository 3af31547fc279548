"""``CallTable``: a virtual table on the Line API that draws only the visible rows.

It never holds the rows: each visible line asks the tab's :class:`CallPager` for its call (or a
placeholder) and tells the pager which rows are on screen, so the pager fetches around them.
Lines are cached as ``Strip``s keyed on what changes their look; the cache is dropped when the
data, the theme, the width or the columns change.

It scrolls itself (``top`` row, ``left`` column) and draws its own one-column scrollbar, rather
than being a Textual ``ScrollView``: a scroll then repaints this widget's lines only, without
the screen-wide layout pass and the scrollbar widgets a Textual scroll costs on every step.
A cursor step repaints just the two lines that changed.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, ClassVar, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tui.ui.columns import Column, columns_for

if TYPE_CHECKING:
    from tui.core.model import Call
    from tui.core.pager import CallPager

_STRIP_CACHE = 512
WHEEL_ROWS = 3  # rows per mouse-wheel step
COLUMN_STEP = 8  # cells per left/right step


class _Geometry(NamedTuple):
    """What a paint needs of the table's size, measured once per paint."""

    width: int
    rows: int  # lines for rows (under the header)
    total: int  # rows in the list
    thumb_start: int  # the scrollbar thumb's first line (under the header)
    thumb: int  # its length in lines; 0: no scrollbar


def fit(text: str, width: int, right: bool = False) -> str:
    """Pad or cut ``text`` to exactly ``width`` cells, with an ellipsis when cut."""
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…" if width > 1 else "…"[:width]
    return set_cell_size(text, width) if not right else " " * (width - cell_len(text)) + text


def _cells(text: str, start: int, end: int) -> str:
    """Cells ``start`` to ``end`` of ``text`` (a wide character cut in two becomes spaces)."""
    if text.isascii():
        return text[start:end]
    segment = Segment(text)
    _, rest = segment.split_cells(start) if start else (segment, segment)
    kept, _ = rest.split_cells(end - start)
    return kept.text


class CallTable(Widget, can_focus=True):
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

    # repaint=False: a cursor step dirties only the two lines that changed (watch_cursor_row),
    # not the whole table; Textual's compositor then redraws just those lines.
    cursor_row: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

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
        self.top = 0  # the row shown on the first line under the header
        self._geometry: _Geometry | None = None  # set while the compositor paints
        self._prerender_pending = False
        self.left = 0  # the first cell of the rows shown (horizontal scroll)
        self._wanted_row: int | None = None  # a row keys asked for before it arrived
        self._walk_pending = False  # G is walking to the end
        self._open_pending = False  # Enter came before the row it opens
        self._empty_note: list[str] = []  # lines shown when there are no rows

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

    def _peek(self, index: int) -> Call | None:
        """Like :meth:`call_at`, without asking the pager to fetch anything."""
        if self.sorted_rows is not None or self.pager is None:
            return self.call_at(index)
        return self.pager.peek(index)

    @property
    def current(self) -> Call | None:
        return self.call_at(self.cursor_row)

    def set_empty_note(self, lines: list[str]) -> None:
        """What the table says when it has no rows (no calls match: the filter, the plan)."""
        if lines != self._empty_note:
            self._empty_note = lines
            if self.row_count == 0:
                self.refresh()

    def set_utc(self, utc: bool) -> None:
        self.utc = utc
        self.data_changed()

    @property
    def total_width(self) -> int:
        return sum(c.width + 1 for c in self.columns)

    @property
    def visible_rows(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.size.height - 1)

    @property
    def has_scrollbar(self) -> bool:
        return self.row_count > self.visible_rows

    @property
    def content_width(self) -> int:
        """Cells for the columns: the width less the scrollbar's column."""
        return max(1, self.size.width - (1 if self.has_scrollbar else 0))

    def _clamp_top(self, top: int) -> int:
        return max(0, min(top, self.row_count - self.visible_rows))

    def _clamp_left(self, left: int) -> int:
        return max(0, min(left, self.total_width - self.content_width))

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
        self.top = self._clamp_top(self.top)
        self.left = self._clamp_left(self.left)
        self._scroll_cursor_into_view()
        self._want_visible()

    def render_lines(self, crop: Region) -> list[Strip]:
        # One look at the geometry per paint, not one per line: ``Widget.size`` asks the
        # screen's compositor each time, which would cost more than drawing the line.
        self._geometry = self._measure()
        try:
            if not self._plain_box():
                return super().render_lines(crop)
            # No border, padding, tint or opacity (the table's own CSS): every line is already
            # full width with its background, so Textual's generic styles pass (a second line
            # cache, padding, tint, opacity) is skipped; the app's line filters (NO_COLOR,
            # ANSI colour mapping) still apply.
            _, background = self.background_colors
            filters = self.get_line_filters()
            lines = []
            for y in crop.line_range:
                strip = self.render_line(y)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                lines.append(strip)
            x1, x2 = crop.column_span
            if (x1, x2) != (0, self._geometry.width):
                lines = [strip.crop(x1, x2) for strip in lines]
            return lines
        finally:
            self._geometry = None

    def _plain_box(self) -> bool:
        styles = self.styles
        return (
            not styles.gutter
            and not styles.tint.a
            and styles.opacity == 1.0
            and styles.text_opacity == 1.0
            and not (styles.has_rule("hatch") and styles.hatch != "none")
        )

    def _measure(self, top: int | None = None) -> _Geometry:
        width, height = self.size
        rows = max(1, height - 1)
        total = self.row_count
        if total <= rows:
            return _Geometry(width, rows, total, 0, 0)
        thumb = max(1, round(rows * rows / total))
        span = total - rows
        top = self.top if top is None else top
        start = round((rows - thumb) * top / span) if span > 0 else 0
        return _Geometry(width, rows, total, start, thumb)

    def render_line(self, y: int) -> Strip:
        return self._line(y, self.top, self.cursor_row, self._geometry or self._measure())

    def _line(self, y: int, top: int, cursor: int, geometry: _Geometry) -> Strip:
        """Line ``y`` with row ``top`` under the header and the cursor on row ``cursor``."""
        bar = self._bar_cell(y, geometry)
        left = self.left
        width = geometry.width - (1 if bar is not None else 0)
        if y == 0:
            return self._finish(self._header(), left, width, bar)
        index = top + y - 1
        if index >= geometry.total:
            if geometry.total == 0 and index < len(self._empty_note):
                style = self._style("base") + self._style("call-table--placeholder")
                text = fit("  " + self._empty_note[index], geometry.width)
                return Strip([Segment(text, style)], geometry.width)
            return Strip.blank(geometry.width, self._style("base"))
        call = self.call_at(index)
        # The cursor row's colour depends on the focus: 0 not the cursor, 1 focused, 2 blurred.
        cursor_state = (1 if self.has_focus else 2) if index == cursor else 0
        is_marked = call is not None and call.id in self.marked
        key = (index, self._version, cursor_state, is_marked, call is None, left, width, bar)
        line = self._cache.get(key)
        if line is None:
            line = self._row(call, cursor_state, is_marked, left, width, bar)
            self._remember(key, line)
        return line

    def _schedule_prerender(self) -> None:
        if not self._prerender_pending:
            self._prerender_pending = True
            self.call_after_refresh(self._prerender)

    def _prerender(self) -> None:
        """Draw, while the user reads, the lines the next cursor key would show.

        After the frame is on screen: the screens one step and one page up and down (with
        their cursor line and scrollbar cells), with the app's line filters applied, so that
        the key's own frame only looks them up. Rows still loading are left to their turn.
        """
        self._prerender_pending = False
        if not self.is_attached or self.size.height < 2 or self.sorted_rows is not None:
            return
        rows = self.visible_rows
        _, background = self.background_colors
        filters = self.get_line_filters()
        for step in (max(1, rows - 1), 1, -max(1, rows - 1), -1):
            cursor = max(0, min(self.cursor_row + step, self.row_count - 1))
            top = self.top
            if cursor < top:
                top = cursor
            elif cursor >= top + rows:
                top = cursor - rows + 1
            top = self._clamp_top(top)
            geometry = self._measure(top)
            for y in range(1, rows + 1):
                if self._peek(top + y - 1) is None:
                    continue
                strip = self._line(y, top, cursor, geometry)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)

    @staticmethod
    def _finish(body: Strip, left: int, width: int, bar: Style | None) -> Strip:
        """``body`` (the header) cut to the visible columns, with its scrollbar cell."""
        cropped = body.crop_extend(left, left + width, None)
        if bar is None:
            return cropped
        return Strip([*cropped, Segment(" ", bar)], width + 1)

    def _bar_cell(self, y: int, geometry: _Geometry) -> Style | None:
        """The scrollbar cell of line ``y`` (None: no scrollbar)."""
        if not geometry.thumb:
            return None
        if y == 0:
            return self._style("call-table--header")
        inside = geometry.thumb_start <= y - 1 < geometry.thumb_start + geometry.thumb
        return self._style("call-table--scrollbar-thumb" if inside else "call-table--scrollbar")

    def _header(self) -> Strip:
        """The column titles, with ◀ / ▶ where columns are scrolled out of view."""
        hidden_left = self.left > 0
        hidden_right = self.left + self.content_width < self.total_width
        key = ("header", self.total_width, tuple(c.key for c in self.columns), self.left,
               self.content_width)  # fmt: skip
        cached = self._cache.get(key)
        if cached is None:
            style = self._style("call-table--header")
            text = " ".join(fit(c.title, c.width, c.right) for c in self.columns) + " "
            chars = list(text)
            if hidden_left:
                chars[self.left] = "◀"
            if hidden_right:
                chars[min(len(chars), self.left + self.content_width) - 1] = "▶"
            text = "".join(chars)
            cached = Strip([Segment(text, style)], cell_len(text))
            self._remember(key, cached)
        return cached

    def _row(
        self, call: Call | None, cursor_state: int, is_marked: bool, left: int, width: int,
        bar: Style | None,
    ) -> Strip:  # fmt: skip
        """A row's line: cells ``left`` to ``left + width``, then the scrollbar cell.
        ``cursor_state``: 0 not the cursor row, 1 the cursor of the focused table, 2 blurred.

        Built in one pass from the cells (``fit`` makes each exactly its column's width), with
        one segment per cell, its separating space included: an SVG export keeps every cell
        at its own position.
        """
        base = self._style("base")
        overlay: Style | None = None
        if is_marked:
            overlay = self._style("call-table--marked")
        if cursor_state:
            overlay = self._style(
                "call-table--cursor" if cursor_state == 1 else "call-table--cursor-blurred"
            )
        row_style = base + overlay if overlay is not None else base
        segments: list[Segment] = []
        if call is None:
            style = base + self._style("call-table--placeholder")
            text = fit("  … loading", self.total_width)
            cells = [(text, style + overlay if overlay is not None else style)]
        else:
            cells = []
            for column in self.columns:
                text = fit(column.text(call, self.utc), column.width, column.right) + " "
                if column.key == "status":
                    style = base + self._style(f"call-table--status-{call.status.value}")
                    cells.append((text, style + overlay if overlay is not None else style))
                else:
                    cells.append((text, row_style))
        right = left + width
        position = 0
        for text, style in cells:
            end = position + len(text) if text.isascii() else position + cell_len(text)
            if end > left and position < right:
                if position < left or end > right:  # the view cuts this cell
                    text = _cells(text, max(0, left - position), min(end, right) - position)
                segments.append(Segment(text, style))
            position = end
            if position >= right:
                break
        if position < right:
            segments.append(Segment(" " * (right - max(position, left)), row_style))
        if bar is not None:
            segments.append(Segment(" ", bar))
        return Strip(segments, width + (1 if bar is not None else 0))

    def _remember(self, key: tuple[object, ...], strip: Strip) -> None:
        self._cache[key] = strip
        if len(self._cache) > _STRIP_CACHE:
            self._cache.popitem(last=False)

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
