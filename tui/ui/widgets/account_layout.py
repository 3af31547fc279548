"""``AccountLayout``: where a tab's panes go, and moving the focus between them.

The base of :class:`~tui.ui.widgets.account_view.AccountView`, which composes the panes and
owns the tab's filter, loading and actions. This part places them for the terminal's size (the
detail pane beside the table when there is room, below it otherwise; the sidebar and the detail
pane hidden in a small terminal unless the user shows them), shows and hides them (s, d), and
moves the focus between them (Tab, Shift+Tab), keeping it off a pane that hides.
"""

from __future__ import annotations

from textual import events
from textual.containers import Vertical
from textual.widget import Widget

from tui.ui.widgets.call_table import CallTable
from tui.ui.widgets.detail_pane import DetailPane
from tui.ui.widgets.filter_sidebar import FilterSidebar
from tui.ui.widgets.focus_mark import FocusMark
from tui.ui.widgets.query_bar import QueryBar

WIDE_LAYOUT = 170  # columns from which the detail pane goes beside the table
SIDEBAR_MIN_WIDTH = 120  # narrower: the sidebar starts hidden (s shows it)
DETAIL_MIN_HEIGHT = 36  # lower, and not wide: the detail pane starts hidden (d, Enter show it)


class AccountLayout(Vertical):
    """The panes of one tab: their places, their showing and hiding, Tab between them."""

    def __init__(self, **kw: object) -> None:
        super().__init__(**kw)  # type: ignore[arg-type]
        self._sidebar_chosen: bool | None = None  # shown / hidden by the user (s)
        self._detail_chosen: bool | None = None  # shown / hidden by the user (d, Enter)

    @property
    def table(self) -> CallTable:
        return self.query_one(CallTable)

    @property
    def detail(self) -> DetailPane:
        return self.query_one(DetailPane)

    @property
    def sidebar(self) -> FilterSidebar:
        return self.query_one(FilterSidebar)

    def on_resize(self) -> None:
        # The detail pane sits beside the table when there is room, below it otherwise. In a
        # small terminal the sidebar and the detail pane start hidden, so that the table keeps
        # its columns and rows (s, d and Enter show them); once the user has shown or hidden
        # one, that choice stays.
        self._lay_out(*self.size)

    def _lay_out(self, width: int, height: int, *, composed: bool = True) -> None:
        wide = width >= WIDE_LAYOUT
        self.set_class(wide, "-wide")
        if self._sidebar_chosen is None:
            if width < SIDEBAR_MIN_WIDTH and composed:
                self._focus_table_if_within(self.sidebar)
            self.set_class(width < SIDEBAR_MIN_WIDTH, "-no-sidebar")
        if self._detail_chosen is None:
            hidden = not wide and height < DETAIL_MIN_HEIGHT
            if hidden and composed:
                self._focus_table_if_within(self.detail)
            self.set_class(hidden, "-no-detail")

    # -- showing and hiding panes ------------------------------------------------------------

    def action_toggle_sidebar(self) -> None:
        self.show_sidebar(self.has_class("-no-sidebar"))

    def action_toggle_detail(self) -> None:
        self.show_detail(self.has_class("-no-detail"))

    def show_sidebar(self, shown: bool) -> None:
        self._sidebar_chosen = shown
        if not shown:
            self._focus_table_if_within(self.sidebar)
        self.set_class(not shown, "-no-sidebar")

    def show_detail(self, shown: bool) -> None:
        self._detail_chosen = shown
        if not shown:
            self._focus_table_if_within(self.detail)
        self.set_class(not shown, "-no-detail")

    def _focus_table_if_within(self, pane: Widget) -> None:
        """Before ``pane`` hides: the focus, if it is there, goes to the table (a hidden
        widget with the focus leaves the keys nowhere)."""
        focused = self.screen.focused
        if focused is not None and (focused is pane or pane in focused.ancestors):
            self.screen.set_focus(self.table)

    # -- moving between panes ----------------------------------------------------------------

    def panes(self) -> list[tuple[Widget, Widget]]:
        """The panes Tab cycles through, in screen order: (the pane, where its focus goes)."""
        bar = self.query_one(QueryBar)
        found: list[tuple[Widget, Widget]] = [(bar, bar.input)]
        sidebar = self.sidebar
        if not self.has_class("-no-sidebar") and (entry := sidebar.entry()) is not None:
            found.append((sidebar, entry))
        found.append((self.table, self.table))
        if not self.has_class("-no-detail"):
            found.extend(self.detail.panes())
        return found

    def cycle_pane(self, step: int) -> None:
        """Tab (``step`` 1) / Shift+Tab (-1): the focus to the next / previous pane."""
        panes = self.panes()
        focused = self.screen.focused
        current = next(
            (
                i
                for i, (pane, _) in enumerate(panes)
                if focused is not None and (focused is pane or pane in focused.ancestors)
            ),
            None,
        )
        if current is None:
            index = 0 if step > 0 else len(panes) - 1
        else:
            index = (current + step) % len(panes)
        target = panes[index][1]
        self.screen.set_focus(target)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        self.query_one("#table-mark", FocusMark).on = event.widget is self.table

    def on_descendant_blur(self, event: events.DescendantBlur) -> None:
        if self.screen.focused is not self.table:
            self.query_one("#table-mark", FocusMark).on = False
