"""``AccountView``: one tab — the filter sidebar, the call table, the detail pane, a status line.

It owns the tab's state (filter, plan, pager) and its network work: the pager's fetch tasks
and Textual workers for links and downloads. A new filter cancels the old pager. Errors become
a specific message in the status line and a titled notification; loaded rows stay.

Where the panes go, showing and hiding them and Tab between them are in
:mod:`tui.ui.widgets.account_layout` (the base class).
"""

from __future__ import annotations

from datetime import UTC, datetime
from time import monotonic
from typing import TYPE_CHECKING, Any, ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, ProgressBar

from tui.core import errors
from tui.core.filter import CallFilter
from tui.core.pager import CallPager
from tui.core.query import format_query
from tui.core.sanitize import visible
from tui.ui.screens.link_result import LinkResultScreen
from tui.ui.status import Part, StatusLine, error_hint, error_parts
from tui.ui.widgets.account_layout import (
    DETAIL_MIN_HEIGHT,
    SIDEBAR_MIN_WIDTH,
    WIDE_LAYOUT,
    AccountLayout,
)
from tui.ui.widgets.call_table import CallTable
from tui.ui.widgets.detail_pane import DetailPane
from tui.ui.widgets.filter_sidebar import FilterSidebar
from tui.ui.widgets.focus_mark import FocusMark
from tui.ui.widgets.query_bar import QueryBar

if TYPE_CHECKING:
    from tui.core.account import Account
    from tui.core.plan import Plan
    from tui.providers.base import Adapter, LinkResult

# The layout's sizes live with the layout; still importable from here.
__all__ = [
    "DETAIL_DELAY",
    "DETAIL_MIN_HEIGHT",
    "PREFETCH_ROWS",
    "SIDEBAR_MIN_WIDTH",
    "STALLED_AFTER",
    "WIDE_LAYOUT",
    "AccountView",
]

DETAIL_DELAY = 0.08  # seconds the cursor rests before the detail pane redraws
STALLED_AFTER = 5.0  # seconds without an answer after which the status line says so
PREFETCH_ROWS = 50  # rows asked for before the table's height is known


class AccountView(AccountLayout):
    """Everything of one account's tab."""

    HELP_TITLE = "This tab"  # the section of its keys in the help (?)

    BINDINGS: ClassVar[list[BindingType]] = [
        # A priority binding: it moves the focus to the filter line as soon as "/" arrives, so
        # the rest of "/status:failed" typed in one burst lands there (a plain binding runs
        # only after "/" has bubbled up, when the next keys have gone to the table already).
        # Not while any text field has the focus: there "/" is a character (check_action).
        Binding("slash", "open_query", "Filter", priority=True, id="tab.filter"),
        Binding("r", "retry", "Retry", id="tab.retry"),
        Binding("s", "toggle_sidebar", "Sidebar", id="tab.sidebar"),
        Binding("d", "toggle_detail", "Detail", id="tab.detail"),
        Binding("t", "toggle_utc", "UTC/local", id="tab.utc"),
        Binding("o", "sort", "Sort", id="tab.sort"),
        Binding("escape", "back", "Back", show=False, id="tab.back"),
        Binding("e", "export", "Export", id="tab.export"),
        Binding("ctrl+s", "save_preset", "Save preset", show=False, id="tab.save_preset"),
        Binding("x", "cancel_export", "Cancel export", show=False, id="tab.cancel_export"),
        Binding("c", "copy('id')", "Copy id", show=False, id="tab.copy_id"),
        Binding("n", "copy('number')", "Copy number", show=False, id="tab.copy_number"),
        Binding("y", "copy('raw')", "Copy raw JSON", show=False, id="tab.copy_raw"),
        Binding("u", "copy('url')", "Copy link URL", show=False, id="tab.copy_url"),
    ]

    class Loaded(Message):
        """The pager changed (rows, error, end); for tests and the screen's status."""

        def __init__(self, view: AccountView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, account: Account, *, clock: Any = None, columns: list[str] | None = None,
                 utc: bool = False, **kw: Any) -> None:  # fmt: skip
        super().__init__(**kw)
        self.account = account
        self.clock = clock or (lambda: datetime.now(UTC))
        self.filter = CallFilter()
        self.plan: Plan | None = None
        self.pager: CallPager | None = None
        self._adapter: Adapter | None = None
        self._columns = columns
        self._utc = utc
        self._reported_error: errors.ProviderError | None = None
        self._sort_column: str | None = None
        self._pending_detail: Any = None
        self.started = False
        self.last_export: tuple[str, int] | None = None
        self._detail_timer: Timer | None = None
        self._prefetched: tuple[CallFilter, Plan, CallPager] | None = None
        self._progress_at: float | None = None  # when the load in flight last made progress
        self._progress_mark: tuple[int, int] = (0, 0)
        self._stall_timer: Timer | None = None
        self._standing_error: errors.CallscopeError | None = None  # a filter that failed

    # -- layout --------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # The first frame already has the layout of this terminal's size (the view is about
        # four lines shorter: the tabs, the footer, the demo banner); on_resize then keeps it.
        width, height = self.app.size
        if width:
            self._lay_out(width, height - 4, composed=False)
        table = CallTable(columns=self._columns, utc=self._utc)
        bar = QueryBar()
        bar.leave_to = table  # Enter and Esc in the filter line go straight to the table
        yield bar
        with Horizontal(classes="body"):
            yield FilterSidebar(self.account.provider, classes="sidebar")
            with Vertical(classes="main"):
                with Horizontal(classes="table-frame"):
                    yield FocusMark(id="table-mark")
                    yield table
                yield DetailPane(
                    secrets=self.account.secrets(),
                    resolve=lambda url: self.adapter.http.public_url(url),
                    classes="detail",
                )
        yield ProgressBar(id="export-progress", classes="export-progress")
        yield StatusLine(classes="status-line")

    @property
    def adapter(self) -> Adapter:
        if self._adapter is None:
            from tui.providers import adapter_for

            self._adapter = adapter_for(self.account)
        return self._adapter

    def on_mount(self) -> None:
        # After the first refresh every child is composed. Only the tab on screen starts
        # loading: hidden tabs start when first shown (start-up pays for one tab, not five).
        self.call_after_refresh(self._start_if_shown)

    def _start_if_shown(self) -> None:
        if self.region.area:
            self.start()

    def start(self) -> None:
        """Begin loading (once): the tab became visible."""
        if not self.started and self.query(QueryBar):  # composed (not closing)
            self.started = True
            self.apply_filter(self.filter)

    async def on_unmount(self) -> None:
        if self.pager is not None:
            self.pager.cancel()
        if self._prefetched is not None:
            self._prefetched[2].cancel()
        if self._adapter is not None:
            await self._adapter.aclose()

    # -- filtering -----------------------------------------------------------------------

    def prefetch(self) -> None:
        """Ask for the first page of the filter in force now, before this view is mounted, so
        that it travels while the view is composed, laid out and drawn (the first tab at
        start-up). :meth:`start` then shows that pager instead of planning again. A filter the
        adapter refuses is left to :meth:`start`, which reports it."""
        if self.started or self._prefetched is not None:
            return
        try:
            plan, pager = self._new_pager(self.filter, self.clock())
        except errors.CallscopeError:
            return
        pager.want(0, PREFETCH_ROWS)
        self._prefetched = (self.filter, plan, pager)

    def _new_pager(self, flt: CallFilter, now: datetime) -> tuple[Plan, CallPager]:
        source, plan = self.adapter.source(flt, now=now)
        predicate = None
        if not plan.local.is_empty:
            local = plan.local

            def predicate(call: Any, _local: CallFilter = local, _now: datetime = now) -> bool:
                return _local.matches(call, _now)

        pager = CallPager(
            source, predicate=predicate, provider=self.adapter.title, listener=self._pager_changed
        )
        return plan, pager

    def apply_filter(self, flt: CallFilter) -> None:
        """Show ``flt``'s calls: cancel the old walk, plan, start a new pager."""
        if self.pager is not None:
            self.pager.cancel()
        prefetched, self._prefetched = self._prefetched, None
        self.filter = flt
        self._reported_error = None
        self._standing_error = None
        self._sort_column = None
        self.query_one(QueryBar).show(format_query(flt))
        if prefetched is not None and prefetched[0] == flt:
            _, plan, pager = prefetched
        else:
            if prefetched is not None:
                prefetched[2].cancel()
            try:
                plan, pager = self._new_pager(flt, self.clock())
            except errors.CallscopeError as exc:
                self.plan = None
                self.pager = None
                self.table.set_pager(None)
                self.sidebar.show_filter(flt)
                self.sidebar.show_plan(None)
                self._standing_error = exc
                self._show_error(exc)
                return
        self.plan = plan
        self.pager = pager
        self.table.set_pager(self.pager)
        self.pager.want(0, max(PREFETCH_ROWS, self.table.size.height))
        self._progress_at = None
        self._watch_stall(self.pager)  # a first page that never comes is said too
        if prefetched is not None and pager is prefetched[2]:
            # What it brought before this view was mounted (rows, the end, an error) was not
            # shown or reported: do it now.
            self._pager_changed(pager)
        # The table shows the new filter in this frame; the sidebar (badges, notes) and the
        # status line follow in the next one, so the table's frame repaints the table alone.
        self.call_after_refresh(self._show_applied, self.pager)

    def _show_applied(self, pager: CallPager) -> None:
        if pager is not self.pager or not self.is_attached:
            return  # another filter came since
        self.sidebar.show_filter(self.filter)
        if self.plan is not None:
            self.sidebar.show_plan(self.plan, self.adapter.capabilities.limits)
        self._update_status()

    def _pager_changed(self, pager: CallPager) -> None:
        if pager is not self.pager or not self.is_attached:
            return
        self._watch_stall(pager)
        self.table.data_changed()
        self._update_status()
        if pager.error is not None and pager.error is not self._reported_error:
            self._reported_error = pager.error
            self._show_error(pager.error)
        self.post_message(self.Loaded(self))

    def _show_error(self, exc: errors.CallscopeError) -> None:
        message = visible(str(exc), limit=400)
        hint = error_hint(exc)
        title = f"{self.account.title}: {getattr(exc, 'kind', 'error')}"
        self.notify(f"{message}\n{hint}", title=title,
                    severity="error", timeout=8, markup=False)  # fmt: skip
        self._update_status(error=exc)

    def _update_status(self, error: errors.CallscopeError | None = None) -> None:
        """The status line: an error or a stalled load first (with what to press), then the
        walk's progress, the counts, the plan, the warnings; fitted to the width, warnings
        shortening first (see tui/ui/status.py)."""
        parts: list[Part] = []
        pager = self.pager
        error = error or (pager.error if pager is not None else None) or self._standing_error
        if error is not None:
            parts.extend(error_parts(error))
        if pager is not None:
            stalled = self._stalled_for()
            if stalled is not None:
                parts.append(
                    Part(
                        f"⏳ no answer from {self.adapter.title} for {stalled:.0f} s — r retry",
                        "bold",
                        rank=0,
                    )
                )
            if self.table.walking:
                parts.append(Part(f"→ end: {pager.loaded:,} loaded — Esc stops", "bold", rank=0))
            parts.append(Part(f"row {self.table.cursor_row + 1:,}", rank=3))
            parts.append(Part(pager.status_text(), rank=1, shortest=12))
            if pager.loading and stalled is None and error is None:
                parts.append(Part("loading…", "italic", rank=3))
        if self.table.marked:
            parts.append(Part(f"{len(self.table.marked)} marked", "bold", rank=4))
        if self.plan is not None:
            parts.append(Part(self.plan.describe(), "dim", rank=5))
            if self.plan.warnings:
                more = len(self.plan.warnings) - 1
                text = visible(self.plan.warnings[0], limit=160)
                if more:
                    text += f" (+{more} in the sidebar)"
                parts.append(Part("⚠ " + text, "bold", rank=6, shortest=16))
        self.query_one(StatusLine).show(parts)
        self._update_empty_note()

    def _update_empty_note(self) -> None:
        """An empty result says so in the table, with the filter and where it was applied."""
        pager = self.pager
        note: list[str] = []
        if pager is not None and pager.exhausted and pager.loaded == 0 and pager.error is None:
            query = visible(format_query(self.filter), limit=200)
            note.append(f"No calls match {query}" if query else "No calls in this account")
            if self.plan is not None:
                note.append(self.plan.describe())
            note.append("/ edits the filter · Ctrl+R in the sidebar clears it")
        self.table.set_empty_note(note)

    # -- a load that hangs -------------------------------------------------------------------

    def _watch_stall(self, pager: CallPager) -> None:
        """Remember when the load last made progress; look again once it may have stalled."""
        if not pager.loading:
            self._progress_at = None
            return
        progress = (pager.loaded, pager.scanned)
        if self._progress_at is None or progress != self._progress_mark:
            self._progress_at = monotonic()
            self._progress_mark = progress
            if self._stall_timer is not None:
                self._stall_timer.stop()
            self._stall_timer = self.set_timer(STALLED_AFTER, self._stall_tick)

    def _stall_tick(self) -> None:
        self._stall_timer = None
        if self._stalled_for() is not None:
            self._update_status()
            self._stall_timer = self.set_timer(1.0, self._stall_tick)

    def _stalled_for(self) -> float | None:
        """Seconds without an answer, once past STALLED_AFTER (None: not stalled)."""
        if self._progress_at is None or self.pager is None or not self.pager.loading:
            return None
        waited = monotonic() - self._progress_at
        return waited if waited >= STALLED_AFTER else None

    def on_filter_sidebar_changed(self, event: FilterSidebar.Changed) -> None:
        event.stop()
        if event.filter != self.filter:
            self.apply_filter(event.filter)

    def on_query_bar_submitted(self, event: QueryBar.Submitted) -> None:
        event.stop()
        # Straight to the table, and at once (see QueryBar.open): keys typed right after Enter
        # move the cursor instead of editing the filter line.
        self.screen.set_focus(self.table)
        self.apply_filter(event.filter)

    def on_query_bar_left(self, event: QueryBar.Left) -> None:
        event.stop()
        if self.query_one(QueryBar).is_open:
            self.screen.set_focus(self.table)

    # -- table and detail -----------------------------------------------------------------

    def on_call_table_highlighted(self, event: CallTable.Highlighted) -> None:
        # The detail pane (JSON highlighting, a table of fields) costs more than a cursor step:
        # draw it once the cursor rests, so holding a key stays smooth.
        event.stop()
        self._pending_detail = event.call
        if self._detail_timer is not None:
            self._detail_timer.stop()
        self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_pending_detail)

    def _show_pending_detail(self) -> None:
        self._detail_timer = None
        self.detail.show(self._pending_detail)
        self._update_status()

    def on_call_table_selected(self, event: CallTable.Selected) -> None:
        event.stop()
        if self._detail_timer is not None:
            self._detail_timer.stop()
            self._detail_timer = None
        self.show_detail(True)
        self.detail.show(event.call)
        self.detail.active = "tab-links" if event.call.links else "tab-normalized"
        self.detail.focus_body()

    def on_detail_pane_follow_link(self, event: DetailPane.FollowLink) -> None:
        event.stop()
        self.follow(event.call, event.link)

    def on_detail_pane_copy(self, event: DetailPane.Copy) -> None:
        event.stop()
        self.app.copy_to_clipboard(event.text)  # the app wraps OSC 52 (tmux, size cap, notice)

    @work(group="links", exclusive=True, exit_on_error=False, description="follow a link")
    async def follow(self, call: Any, link: str) -> None:
        self.notify(f"Fetching {link}…", timeout=2)
        try:
            result: LinkResult = await self.adapter.follow(call, link)
        except errors.CallscopeError as exc:
            self._show_error(exc)
            return
        http, account, show = self.adapter.http, self.account, self.detail.show
        screen = LinkResultScreen(call, link, result, http=http, account=account, show_call=show)
        await self.app.push_screen(screen)

    # -- actions -------------------------------------------------------------------------

    def action_copy(self, what: str) -> None:
        """Copy part of the highlighted call (id, a number, the raw JSON, a link URL)."""
        self.detail.action_copy(what)

    # -- export and presets ------------------------------------------------------------------

    def action_export(self) -> None:
        from tui.ui.screens.prompts import ExportScreen

        if self.pager is None:
            self.notify("Nothing to export yet", severity="warning")
            return
        stamp = self.clock().strftime("%Y%m%d-%H%M%S")
        default = f"callscope-{self.account.name}-{stamp}.csv"
        if self.pager.total is not None:
            matching = f"{self.pager.total:,}"
        else:
            matching = f"{self.pager.loaded:,}" + ("" if self.pager.exhausted else "+")
        screen = ExportScreen(default, len(self.table.marked), matching)
        self.app.push_screen(screen, self._export_chosen)

    def _export_chosen(self, request: Any) -> None:
        if request is not None:
            self.export(request.path, request.fmt, request.marked_only)

    def action_cancel_export(self) -> None:
        self.workers.cancel_group(self, "export")

    @work(group="export", exclusive=True, exit_on_error=False, description="export calls")
    async def export(self, path: str, fmt: str, marked_only: bool) -> None:
        """Write the filtered view (fetching what is not loaded yet) or the marked rows."""
        import asyncio
        from pathlib import Path

        from tui.core.export import Exporter

        pager = self.pager
        if pager is None:
            return
        target = Path(path).expanduser()
        marked = set(self.table.marked)
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=pager.total or (len(marked) if marked_only else None), progress=0)
        bar.add_class("-active")
        written = 0
        try:
            with target.open("w", encoding="utf-8", newline="") as handle:
                exporter = Exporter(handle, fmt, secrets=self.account.secrets())  # type: ignore[arg-type]
                index = 0
                while True:
                    call = await pager.ensure(index)
                    if call is None:
                        break
                    if not marked_only or call.id in marked:
                        exporter.write(call)
                        written += 1
                    index += 1
                    if index % 200 == 0:
                        bar.update(progress=index if not marked_only else written)
                        await asyncio.sleep(0)  # let the screen draw the progress
                    if marked_only and written == len(marked):
                        break
                exporter.close()
        except asyncio.CancelledError:
            target.unlink(missing_ok=True)
            self.notify("Export cancelled; the partial file was removed", title="Export", timeout=4)
            raise
        except errors.CallscopeError as exc:
            self._show_error(exc)
            self.notify(f"Export stopped after {written:,} rows: {target} is incomplete",
                        title="Export", severity="error", markup=False)  # fmt: skip
            return
        except OSError as exc:
            self.notify(f"Cannot write {target}: {exc.strerror or exc}", title="Export",
                        severity="error", markup=False)  # fmt: skip
            return
        finally:
            bar.remove_class("-active")
        self.last_export = (str(target), written)
        self.notify(f"Wrote {written:,} calls to {target}", title="Export", markup=False)

    def action_save_preset(self) -> None:
        from tui.ui.screens.prompts import PresetScreen

        self.app.push_screen(PresetScreen(format_query(self.filter)), self._save_preset)

    def _save_preset(self, name: str | None) -> None:
        if name is None:
            return
        save = getattr(self.app, "save_preset", None)
        if save is not None:
            save(name, format_query(self.filter))

    def apply_query(self, text: str) -> None:
        """Apply a query line (a preset from the palette or the sidebar)."""
        from tui.core.errors import QueryError
        from tui.core.query import parse_query

        try:
            flt = parse_query(text)
        except QueryError as exc:
            self.notify(f"Preset does not parse: {exc}", severity="error", markup=False)
            return
        self.apply_filter(flt)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "/" typed in a text field (the filter line, the sidebar's fields) is a character.
        return not (action == "open_query" and isinstance(self.screen.focused, Input))

    def action_open_query(self) -> None:
        self.query_one(QueryBar).open(format_query(self.filter))

    def action_retry(self) -> None:
        if self.pager is not None and self.pager.error is not None:
            self._reported_error = None
            self.pager.retry()
            self.table.data_changed()
            top = self.table.top
            self.pager.want(top, top + self.table.visible_rows)
            self._progress_at = None
            self._watch_stall(self.pager)
            self._update_status()
        else:
            self.apply_filter(self.filter)

    def action_toggle_utc(self) -> None:
        self.table.set_utc(not self.table.utc)
        self.notify("Times in UTC" if self.table.utc else "Times in local time", timeout=2)

    def action_sort(self) -> None:
        """Cycle the sort of the loaded rows (duration, price, status, …), then provider order."""
        from tui.ui.columns import sort_value

        order = [None, "dur", "price", "status", "from", "time"]
        position = order.index(self._sort_column) if self._sort_column in order else 0
        self._sort_column = order[(position + 1) % len(order)]
        if self._sort_column is None or self.pager is None:
            self.table.sorted_rows = None
            self.table.data_changed()
            self.notify("Provider order", timeout=2)
            return
        rows = [self.pager.row(i) for i in range(self.pager.loaded)]
        present = [r for r in rows if r is not None]
        column = self._sort_column
        self.table.sorted_rows = sorted(
            present, key=lambda c: sort_value(column, c), reverse=column in ("dur", "price")
        )
        self.table.data_changed()
        self.table.move_to(0)
        missing = len(rows) - len(present)
        note = f" ({missing} rows not in memory left out)" if missing else ""
        self.notify(f"Sorted {len(present):,} loaded rows by {column}{note}", timeout=3)

    def action_back(self) -> None:
        """Esc: stop a walk to the end, leave the filter line; the focus goes to the table."""
        if self.table.stop_walk():
            self.notify(f"Stopped at row {self.table.cursor_row + 1:,}", timeout=3)
        bar = self.query_one(QueryBar)
        if bar.is_open:
            bar.close()
        self.screen.set_focus(self.table)

    def clear_filter(self) -> None:
        """Show every call: the view owns the filter, so it clears it (the sidebar and the filter
        line follow, as after any filter)."""
        self.apply_filter(CallFilter())
