"""``KeysFooter``: one line of the focused pane's keys that always fits.

At 80 columns not every key fits; Textual's ``Footer`` cuts the line at the edge, which hid
``? Help`` and ``q Quit``. This footer drops whole keys instead, the least needed first (by
binding id, :data:`RANK`), so that Help and Quit always show and no word is cut. It is one
widget drawing one line (Textual's footer is a widget per key), rebuilt only when the keys it
would show change; it follows the screen's public ``bindings_updated_signal``. A click on a key
presses it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, NamedTuple

from rich.cells import cell_len
from rich.text import Text
from textual import events
from textual.widget import Widget

from tui.ui.startup import after_start

if TYPE_CHECKING:
    from textual.screen import Screen

# How much each key is needed on the footer: 0 always shown, higher dropped first.
RANK: dict[str, int] = {
    "app.quit": 0,
    "browser.help": 0,
    "app.help": 0,
    "help.close": 0,
    "link.close": 0,
    "tab.filter": 1,
    "table.open": 1,
    "browser.next_pane": 1,
    "query.apply": 1,
    "query.close": 1,
    "link.download": 1,
    "tab.retry": 2,
    "tab.sidebar": 2,
    "tab.detail": 2,
    "link.copy_url": 2,
    "table.mark": 3,
    "tab.export": 3,
    "tab.sort": 4,
    "tab.utc": 4,
}
DEFAULT_RANK = 3
PALETTE_RANK = 4
GAP = 2  # cells between two keys


class _Key(NamedTuple):
    key: str  # the key as the terminal user types it (``?``, ``⏎``, ``^p``)
    description: str
    rank: int
    press: str  # the key name to simulate on a click


class KeysFooter(Widget):
    DEFAULT_CSS = """
    KeysFooter {
        dock: bottom; height: 1; background: $footer-background; color: $footer-foreground;
    }
    KeysFooter > .keys-footer--key { color: $footer-key-foreground; text-style: bold; }
    KeysFooter > .keys-footer--description { color: $footer-description-foreground; }
    """
    COMPONENT_CLASSES: ClassVar[set[str]] = {"keys-footer--key", "keys-footer--description"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.keys: tuple[_Key, ...] = ()
        self._spans: list[tuple[int, int, str]] = []  # (first cell, end, key to press)
        self._check_pending = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # After start-up (at once if it is done): the first rows are drawn before the keys.
        after_start(self, self._rebuild)

    def _bindings_changed(self, screen: Screen[Any]) -> None:
        if not self._check_pending and self.is_attached and screen is self.screen:
            self._check_pending = True
            after_start(self, self._rebuild)

    def _active_keys(self) -> tuple[_Key, ...]:
        app = self.app
        found: list[_Key] = []
        seen: set[str] = set()
        palette = app.COMMAND_PALETTE_BINDING
        for key, active in self.screen.active_bindings.items():
            binding = active.binding
            if not binding.show or not active.enabled or key == palette:
                continue
            shown = app.get_key_display(binding)
            action = binding.action.rpartition(".")[2]  # ? and F1 both help: shown once
            if shown in seen or action in seen:
                continue
            seen.update((shown, action))
            rank = RANK.get(binding.id or "", DEFAULT_RANK)
            found.append(_Key(shown, binding.description or binding.action, rank, key))
        if app.ENABLE_COMMAND_PALETTE:
            found.append(_Key("^p", "palette", PALETTE_RANK, palette))
        return tuple(found)

    def _rebuild(self) -> None:
        self._check_pending = False
        if not self.is_attached:
            return
        keys = self._active_keys()
        if keys != self.keys:
            self.keys = keys
            self.refresh()

    def fitted(self, width: int) -> list[_Key]:
        """The keys that fit in ``width`` cells: the least needed left out first, whole."""
        kept = list(self.keys)

        def cells(keys: list[_Key]) -> int:
            return sum(cell_len(k.key) + 1 + cell_len(k.description) + GAP for k in keys) + 1

        while kept and cells(kept) > width:
            worst = max(range(len(kept)), key=lambda i: (kept[i].rank, i))
            if kept[worst].rank == 0 and all(k.rank == 0 for k in kept):
                break
            del kept[worst]
        return kept

    def render(self) -> Text:
        key_style = self.get_component_rich_style("keys-footer--key")
        text_style = self.get_component_rich_style("keys-footer--description")
        line = Text(" ", no_wrap=True, overflow="crop")
        self._spans = []
        for item in self.fitted(self.size.width):
            start = line.cell_len
            line.append(item.key, key_style)
            line.append(" " + item.description, text_style)
            self._spans.append((start, line.cell_len, item.press))
            line.append(" " * GAP)
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, press in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(press)
                return
