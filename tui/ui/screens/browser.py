"""``BrowserScreen``: one tab per account, the DEMO marker, tab switching keys, help."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.reactive import Reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from tui.core.sanitize import visible
from tui.ui.textual_internals import focus_without_repaint, install_compositor
from tui.ui.widgets.account_view import AccountView
from tui.ui.widgets.footer import KeysFooter

if TYPE_CHECKING:
    from tui.core.account import Account

DEMO_HINT = (
    "DEMO — emulated providers, not real data · add an account: callscope config init"
    " (or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN …)"
)


def short(text: str, width: int) -> str:
    text = visible(text)
    return text if len(text) <= width else text[: width - 1] + "…"


class BrowserScreen(Screen[None]):
    CSS_PATH = "browser.tcss"
    HELP_TITLE = "Everywhere"  # the section of its keys in the help (?)
    # The table has the focus from the start: one set of footer keys, not the tabs' first.
    AUTO_FOCUS = "CallTable"

    # Textual's Screen repaints the whole screen whenever focus moves (its ``focused``
    # reactive repaints by default). The widgets that gain and lose focus repaint themselves
    # (and restyle), so a focus change here repaints just them: Enter in the query bar
    # (focus to the table) no longer redraws every widget on screen.
    focused: Reactive[Widget | None] = focus_without_repaint()

    BINDINGS: ClassVar[list[BindingType]] = [
        *(
            Binding(str(n), f"tab({n})", f"Tab {n}", show=False, id=f"browser.tab{n}")
            for n in range(1, 10)
        ),
        Binding("question_mark", "help", "Help", id="browser.help"),
        Binding("tab", "pane(1)", "Next pane", id="browser.next_pane"),
        Binding("shift+tab", "pane(-1)", "Previous pane", show=False, id="browser.previous_pane"),
    ]

    def __init__(self, accounts: list[Account], *, demo: bool = False, clock: Any = None,
                 columns: list[str] | None = None, utc: bool = False) -> None:  # fmt: skip
        super().__init__()
        install_compositor(self)  # partial updates render only the rows they repaint
        self.accounts = accounts
        self.demo = demo
        self.clock = clock
        self.columns = columns
        self.utc = utc

    def compose(self) -> ComposeResult:
        if self.demo:
            yield Static(Text(DEMO_HINT), id="demo-banner")
        with TabbedContent(id="tabs"):
            for number, account in enumerate(self.accounts, 1):
                title = Content(f"{number} {short(account.title, 28)}")
                if account.colour:
                    title = title.stylize(f"bold {account.colour}")
                with TabPane(title, id=f"tab-{number}"):
                    # Only the first tab's view is built now: a hidden tab's widgets (and their
                    # styles and layout) cost start-up time, so each is built when first shown.
                    if number == 1:
                        view = self._new_view(account)
                        view.prefetch()  # its first page travels while the screen is built
                        yield view
        yield KeysFooter()

    def _new_view(self, account: Account) -> AccountView:
        view = AccountView(account, clock=self.clock, columns=self.columns, utc=self.utc)
        if account.colour:
            view.styles.border_top = ("thick", account.colour)
        return view

    async def _ensure_view(self, number: int) -> None:
        """Build tab ``number``'s view if it has none yet (its first showing)."""
        pane = self.query_one("#tabs", TabbedContent).get_pane(f"tab-{number}")
        if not pane.query(AccountView):
            await pane.mount(self._new_view(self.accounts[number - 1]))

    async def all_views(self) -> list[AccountView]:
        """Every tab's view, building those of tabs never shown (tests, scripts)."""
        for number in range(1, len(self.accounts) + 1):
            await self._ensure_view(number)
        return self.views

    def on_mount(self) -> None:
        # The first tab (the only view built yet) asks for its first page now, so that the page
        # is on its way while the screen is laid out and drawn.
        for view in self.query(AccountView):
            view.start()
        self.call_after_refresh(self._focus_table)

    def _focus_table(self) -> None:
        view = self.current_view
        if view is not None and view.is_mounted:
            view.start()
            view.table.focus()

    @property
    def views(self) -> list[AccountView]:
        """The views built so far (a tab's view is built when the tab is first shown)."""
        return list(self.query(AccountView))

    @property
    def current_view(self) -> AccountView | None:
        found_tabs = self.query_children("#tabs")  # none while the screen is being composed
        if not found_tabs:
            return None
        pane = found_tabs.first(TabbedContent).active_pane
        if pane is None:
            return None
        found = list(pane.query(AccountView))
        return found[0] if found else None

    def action_tab(self, number: int) -> None:
        if 1 <= number <= len(self.accounts):
            self.query_one(TabbedContent).active = f"tab-{number}"
            self.call_after_refresh(self._focus_table)

    async def on_tabbed_content_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        if event.tabbed_content.id == "tabs":
            pane_id = event.pane.id or ""
            if pane_id.startswith("tab-"):
                await self._ensure_view(int(pane_id.removeprefix("tab-")))
            self.call_after_refresh(self._focus_table)

    def action_pane(self, step: int) -> None:
        """Tab / Shift+Tab: the next / previous pane of the tab on screen (filter line,
        sidebar, table, the detail pane's tabs and content)."""
        view = self.current_view
        if view is not None:
            view.cycle_pane(step)

    def action_help(self) -> None:
        from tui.ui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.app.help_sections()))  # type: ignore[attr-defined]
