"""``TableLines``: what the call table shows, and how it draws its lines (the Line API).

The base of :class:`~tui.ui.widgets.call_table.CallTable`, which adds the keys, the cursor's
moves (type-ahead, the walk to the end) and the mouse. This part holds the rows shown (the
pager or a sorted snapshot), the scroll position and the cursor row, and draws them: each
visible line asks the pager for its call (or a placeholder), and lines are cached as
``Strip``s keyed on what changes their look; the cache is dropped when the data, the theme, the
width or the columns change. It draws its own one-column scrollbar.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING, NamedTuple

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.reactive import reactive
from textual.strip import Strip
from textual.widget import Widget

from tui.ui.columns import Column, columns_for

if TYPE_CHECKING:
    from tui.core.model import Call
    from tui.core.pager import CallPager

_STRIP_CACHE = 512


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


class TableLines(Widget):
    """The rows of one tab's call list and their lines (see the module docstring)."""

    # repaint=False: a cursor step dirties only the two lines that changed (watch_cursor_row),
    # not the whole table; Textual's compositor then redraws just those lines.
    cursor_row: reactive[int] = reactive(0, always_update=True, init=False, repaint=False)

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
        self.top = 0  # the row shown on the first line under the header
        self._geometry: _Geometry | None = None  # set while the compositor paints
        self._prerender_pending = False
        self.left = 0  # the first cell of the rows shown (horizontal scroll)
        self._empty_note: list[str] = []  # lines shown when there are no rows

    # -- rows ------------------------------------------------------------------------------

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
