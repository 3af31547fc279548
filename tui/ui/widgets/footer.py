"""``KeysFooter``: Textual's ``Footer`` that rebuilds its keys only when they change.

Textual's ``Footer`` recomposes (removes and re-mounts every key, and restyles each one twice)
on every "bindings updated" signal: each focus change, each mount. At start-up that is several
rebuilds of the same keys in a row, a large part of the time before the first rows show. This
footer coalesces the signals into one check after the next refresh and rebuilds only when the
keys it would show differ from those it shows; at start-up, its keys are drawn once the first
rows are (``after_start``). What it draws is Textual's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.widgets import Footer

from tui.ui.startup import after_start

if TYPE_CHECKING:
    from textual.screen import Screen


class KeysFooter(Footer):
    """A ``Footer`` without redundant recomposes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown: tuple[object, ...] | None = None
        self._check_pending = False

    def bindings_changed(self, screen: Screen[Any]) -> None:
        self._bindings_ready = True
        if not screen.app.app_focus:
            return
        if self.is_attached and screen is self.screen and not self._check_pending:
            self._check_pending = True
            # After start-up (at once if it is done): the first rows are drawn before the keys.
            after_start(self, self._recompose_if_changed)

    def _keys(self) -> tuple[object, ...]:
        """Everything of the active bindings that ``Footer.compose`` draws."""
        app = self.app
        palette = app.COMMAND_PALETTE_BINDING
        return (
            self.show_command_palette,
            app.ENABLE_COMMAND_PALETTE,
            tuple(
                (key, b, app.get_key_display(b), enabled, tooltip)
                for key, (_, b, enabled, tooltip) in self.screen.active_bindings.items()
                if b.show or key == palette
            ),
        )

    async def _recompose_if_changed(self) -> None:
        self._check_pending = False
        if not self.is_attached:
            return
        keys = self._keys()
        if keys == self._shown:
            return
        self._shown = keys
        await self.recompose()
