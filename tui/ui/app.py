"""``CallscopeApp``: start-up (config or demo), themes, key overrides, clipboard, palette.

The first frame paints before anything slow happens: config, pydantic, httpx and the adapters
load after it (``call_after_refresh``) and the browser screen is pushed when ready. In demo mode
the emulator is a child process (:mod:`tui.ui.demo`), started first so it is ready by then.
"""

from __future__ import annotations

import argparse
import gc
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, work
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Static

from tui.ui.gc_policy import CHECK_EVERY, IdleCollector
from tui.ui.keys import KeySequencer, KeysFence

if TYPE_CHECKING:
    from tui.core.account import Account
    from tui.core.config import Config
    from tui.ui.demo import DemoEmulator

DEMO_CALLS = 100_000
STARTUP_LIMIT = 2.0  # seconds after mount by which start-up counts as done, rows or not


class CallscopeApp(App[int]):
    TITLE = "callscope"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("f1", "help", "Help", id="app.help"),
    ]

    def __init__(
        self,
        *,
        config_path: str | None = None,
        config: Config | None = None,
        accounts: list[Account] | None = None,
        demo_calls: int = DEMO_CALLS,
        demo_now: Any = None,
        clock: Any = None,
        utc: bool | None = None,
    ) -> None:
        super().__init__()
        self.config_path = config_path
        self.config: Config | None = config
        self.preset_accounts = accounts
        self.demo_calls = demo_calls
        self.demo_now = demo_now
        self.clock = clock
        self.utc = utc
        self.emulator: DemoEmulator | None = None
        self.accounts: list[Account] = []
        self.demo = False
        self._persist_theme = False
        self.copy_notice = ""  # what the last copy did, as told to the user
        self._gc_paused = False
        self._collector = IdleCollector()
        self._started = False
        self._after_start: list[Callable[[], object]] = []
        # Keys of one burst are routed one after another (see tui/ui/keys.py).
        self._key_sequencer = KeySequencer(self, super().on_event)

    def compose(self) -> ComposeResult:
        yield Static("callscope — starting…", id="splash")

    def on_mount(self) -> None:
        # Start-up creates ~150k objects that live as long as the app (modules, widgets, styles),
        # and the cyclic GC kept rescanning them: three full collections, ~0.3 s before the first
        # rows. It is paused until start-up is done (see after_start), then runs as usual.
        if gc.isenabled():
            gc.disable()
            self._gc_paused = True
        self.set_timer(STARTUP_LIMIT, self._start_done)
        # In demo mode the emulator starts first, in a child process: it imports and builds its
        # dataset on the other core while this one draws the first frame and imports the rest
        # of the app (starting it costs this process ~1 ms).
        demo = self.preset_accounts == [] or (
            self.preset_accounts is None and self.config is not None and not self.config.accounts
        )
        if demo:
            self._spawn_emulator()
        self.call_after_refresh(self._start)

    def after_start(self, callback: Callable[[], object]) -> None:
        """Run ``callback`` once start-up is done: the first rows (or an error) are on screen,
        or STARTUP_LIMIT has passed. Panes that the first rows do not need build themselves
        then, so that they do not delay them."""
        if self._started:
            self.call_after_refresh(callback)
        else:
            self._after_start.append(callback)

    def _start_done(self) -> None:
        if self._started:
            return
        self._started = True
        self._resume_gc()
        callbacks, self._after_start = self._after_start, []
        for callback in callbacks:
            self.call_later(callback)

    def _resume_gc(self, *, idle_policy: bool = True) -> None:
        if self._gc_paused:
            self._gc_paused = False
            if idle_policy:
                # Full collections wait for a moment without input (see tui/ui/gc_policy.py).
                self._collector.start()
                self.set_interval(CHECK_EVERY, self._collector.check)
            else:
                gc.enable()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self._collector.touched()
        if KeySequencer.applies_to(event):
            await self._key_sequencer.arrive(event)
            return
        await super().on_event(event)

    async def on_keys_fence(self, fence: KeysFence) -> None:
        await self._key_sequencer.fence_arrived(fence)

    def on_account_view_loaded(self) -> None:
        # A tab's pager changed: its first rows (or its error) are drawn by the next refresh.
        if not self._started:
            self.call_after_refresh(self._start_done)

    def _spawn_emulator(self) -> DemoEmulator:
        if self.emulator is None:
            from datetime import UTC, datetime

            from tui.ui.demo import DemoEmulator

            now = self.demo_now or datetime.now(UTC).replace(microsecond=0)
            self.emulator = DemoEmulator(self.demo_calls, now)
        return self.emulator

    def _start(self) -> None:
        from tui.core import config as config_module
        from tui.core.errors import ConfigError
        from tui.ui.themes import DEFAULT_THEME, load_themes, shipped_themes_dir

        if self.config is None:
            try:
                self.config = config_module.load(self.config_path)
            except ConfigError as exc:
                # A screen that stays, naming each key, instead of a toast before the demo.
                from tui.ui.screens.config_error import ConfigErrorScreen

                self.config = config_module.Config(path=config_module.config_path(self.config_path))
                if self.emulator is not None:  # not needed unless the user asks for the demo
                    self.emulator.stop()
                    self.emulator = None
                self.push_screen(ConfigErrorScreen(exc, str(self.config.path)))
                self._start_done()
                return
        for warning in self.config.warnings:
            self.notify(warning, title="Config", severity="warning", timeout=10, markup=False)
        if self.config.keys:
            self.after_start(self._check_keys)
        themes, problems = load_themes(shipped_themes_dir(), config_module.config_dir() / "themes")
        for theme in themes:
            self.register_theme(theme)
        for problem in problems:
            self.notify(problem, severity="warning", markup=False)
        wanted = self.config.theme or DEFAULT_THEME
        if wanted in self.available_themes:
            self.theme = wanted
        if self.config.keys:
            self.set_keymap(self.config.keys)
        self._persist_theme = True
        accounts = (
            self.preset_accounts if self.preset_accounts is not None else self.config.accounts
        )
        if accounts:
            self._open(list(accounts), demo=False)
        else:
            from tui.ui.demo import DEMO_FIRST_PROVIDER

            self._start_demo()
            # While the emulator gets ready (a worker thread waits for it), this thread imports
            # what the first tab needs instead of waiting idle: ~100 ms off the first rows.
            warm_up(DEMO_FIRST_PROVIDER)

    def open_demo(self) -> None:
        """The demo instead of the configured accounts (from the config error screen)."""
        self.preset_accounts = []
        self._spawn_emulator()
        self._start_demo()

    def _check_keys(self) -> None:
        """``[keys]`` entries naming no binding: said once start-up is done (finding every
        binding id imports every screen, which the first rows do not need)."""
        from tui.core.config_schema import check_bindings
        from tui.ui.binding_ids import binding_ids

        if self.config is not None:
            for warning in check_bindings(self.config.keys, binding_ids()):
                self.notify(warning, title="Config", severity="warning", timeout=10, markup=False)

    @work(
        thread=True,
        exclusive=True,
        group="demo",
        exit_on_error=False,
        description="start the demo emulator",
    )
    def _start_demo(self) -> None:
        from pydantic import SecretStr

        from tui.core.account import Account

        emulator = self._spawn_emulator()
        try:
            emulated = emulator.accounts()
        except RuntimeError as exc:
            self.call_from_thread(
                self.notify, str(exc), title="Demo", severity="error", timeout=30, markup=False
            )
            return
        # The emulator's own accounts, all strings: built without validation, which would build
        # the model's validator (and load pydantic's plugins) before the first rows.
        accounts = [
            Account.model_construct(
                name=f"demo-{a['provider']}",
                provider=a["provider"],
                label=a["label"],
                base_url=a["base_url"],
                account=a["account"],
                username=a["username"],
                password=SecretStr(a["password"]),
                zone=a["zone"],
                demo=True,
            )
            for a in emulated
        ]
        self.call_from_thread(self._open, accounts, True)

    def _open(self, accounts: list[Account], demo: bool) -> None:
        from tui.ui.screens.browser import BrowserScreen

        self.accounts = accounts
        self.demo = demo
        self.sub_title = "DEMO" if demo else f"{len(accounts)} account(s)"
        utc = self.utc if self.utc is not None else bool(self.config and self.config.utc)
        columns = self.config.columns if self.config else None
        self.push_screen(
            BrowserScreen(accounts, demo=demo, clock=self.clock, columns=columns, utc=utc)
        )

    def watch_theme(self, theme: str) -> None:
        if not self._persist_theme or self.config is None or self.config.theme == theme:
            return
        from tui.core import config as config_module

        self.config.theme = theme
        try:
            config_module.save(self.config, {"theme": theme})
        except OSError as exc:
            self.notify(f"Could not save the theme: {exc}", severity="warning", markup=False)

    # -- clipboard --------------------------------------------------------------------------

    def copy_to_clipboard(self, text: str) -> None:
        """OSC 52 (wrapped for tmux), size-capped, with a notice saying what happened."""
        from tui.ui.clipboard import MAX_BYTES, osc52

        sequence = osc52(text)
        if sequence is None:
            limit = MAX_BYTES * 3 // 4
            self.copy_notice = f"Too large to copy ({len(text):,} chars; limit ~{limit:,} bytes)"
            self.notify(self.copy_notice, title="Copy", severity="warning", markup=False)
            return
        from tui.ui.textual_internals import copy_to_clipboard

        # Not Textual's own copy_to_clipboard: it cannot wrap the sequence for tmux (see there).
        copy_to_clipboard(self, text, sequence)
        preview = text if len(text) <= 40 else text[:39] + "…"
        from tui.core.sanitize import visible

        self.copy_notice = f"Copied {len(text):,} chars: {visible(preview)}"
        self.notify(self.copy_notice, title="Copy", timeout=3, markup=False)

    # -- help and palette ------------------------------------------------------------------

    def help_sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        """Bindings grouped by pane: the focused chain first, then the app's (everywhere)."""
        from tui.ui.screens.help import EVERYWHERE, binding_sections, help_title

        owners: list[tuple[str, Any]] = []
        node: Any = self.screen.focused or self.screen
        while node is not None and node is not self:
            owners.append((help_title(node), getattr(node, "BINDINGS", [])))
            node = node.parent
        owners.append((EVERYWHERE, self.BINDINGS))  # the app's own keys
        return binding_sections(owners, self.get_key_display, tabs=len(self.accounts))

    def save_preset(self, name: str, query: str) -> None:
        """Store ``query`` under ``[presets]`` in the config (tomli-w; comments are not kept)."""
        from tui.core import config as config_module

        if self.config is None:
            return
        presets = dict(self.config.presets)
        presets[name] = query
        try:
            config_module.save(self.config, {"presets": presets})
        except OSError as exc:
            self.notify(f"Could not save the preset: {exc}", severity="error", markup=False)
            return
        self.config.presets = presets
        self.notify(
            f"Saved preset {name!r}: {query or '(no filter)'}", title="Preset", markup=False
        )

    def action_help(self) -> None:
        from tui.ui.screens.help import HelpScreen

        self.push_screen(HelpScreen(self.help_sections()))

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        from tui.ui.widgets.account_view import AccountView

        views = list(screen.query(AccountView)) if screen.is_mounted else []
        view = next((v for v in views if v.display and v.is_on_screen), views[0] if views else None)
        if view is None:
            return
        actions = [
            ("Filter: open the query bar", "Type a query (/)", view.action_open_query),
            ("Filter: clear", "Show every call", view.clear_filter),
            ("Retry", "Retry the last failed request (r)", view.action_retry),
            ("Toggle sidebar", "Hide or show the filter sidebar (s)", view.action_toggle_sidebar),
            ("Toggle detail pane", "Hide or show the detail pane (d)", view.action_toggle_detail),
            ("Toggle UTC / local time", "Times in the table (t)", view.action_toggle_utc),
            ("Sort loaded rows", "Cycle the sort column (o)", view.action_sort),
            ("Copy call id", "To the clipboard (c)", lambda: view.detail.action_copy("id")),
            ("Copy raw JSON", "To the clipboard (y)", lambda: view.detail.action_copy("raw")),
            ("Help", "Every key binding (?)", self.action_help),
        ]
        for title, help_text, callback in actions:
            yield SystemCommand(title, help_text, callback)
        yield SystemCommand("Export", "Export the view or the marked rows (e)", view.action_export)
        yield SystemCommand(
            "Save filter as preset", "Name the current filter (ctrl+s)", view.action_save_preset
        )
        for name, query in sorted((self.config.presets if self.config else {}).items()):
            yield SystemCommand(
                f"Preset: {name}", query or "(no filter)", lambda q=query: view.apply_query(q)
            )

    async def on_unmount(self) -> None:
        self._resume_gc(idle_policy=False)
        self._collector.stop()  # a process may run more than one app (tests)
        if self.emulator is not None:
            self.emulator.stop()


def warm_up(provider: str) -> None:
    """Import what a first tab of ``provider`` needs: the browser screen, its widgets, the
    pager and the provider's adapter (with httpx). Only import time is spent here."""
    from tui.providers import adapter_class
    from tui.ui.screens import browser  # noqa: F401

    adapter_class(provider)


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="callscope", description="Browse call records in the terminal."
    )
    parser.add_argument(
        "--config", help="config file (default: the platform config dir; env CALLSCOPE_CONFIG)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="open the demo even when accounts are configured"
    )
    parser.add_argument("--utc", action="store_true", help="show times in UTC")
    args = parser.parse_args(argv)
    app = CallscopeApp(
        config_path=args.config or os.environ.get("CALLSCOPE_CONFIG"), utc=args.utc or None
    )
    if args.demo:
        app.preset_accounts = []
    app.run()
    return app.return_code or 0


if __name__ == "__main__":
    raise SystemExit(run([]))
