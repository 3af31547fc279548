"""Deferring work that the first frame with rows does not need."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.widget import Widget


def after_start(widget: Widget, callback: Callable[[], object]) -> None:
    """Run ``callback`` once the app's start-up is done (``CallscopeApp.after_start``: the first
    rows are on screen; after the next refresh from then on), or after the next refresh in any
    other app."""
    hook = getattr(widget.app, "after_start", None)
    if hook is not None:
        # Run in the widget's own message loop (compose and data binding rely on it).
        hook(lambda: widget.call_later(callback))
    else:
        widget.call_after_refresh(callback)


if TYPE_CHECKING:
    _Mixin = Widget
else:
    # Not a Widget at run time: Textual inherits DEFAULT_CSS along the first DOMNode base of
    # each class only, so a Widget mixin put first would hide the container's CSS.
    _Mixin = object


class BuiltAfterStart(_Mixin):
    """A pane built in two steps: its ``compose`` yields nothing while :attr:`building` is
    False; once the app's start-up is done (:func:`after_start`) it is recomposed, once, with
    its children, and :meth:`built` runs. The first frame with rows does not pay for them.

    A mixin, first among the bases (``class Pane(BuiltAfterStart, Vertical)``).
    """

    building = False  # compose() yields the children from now on

    def on_mount(self) -> None:
        after_start(self, self._build)

    async def _build(self) -> None:
        if self.building:
            return
        self.building = True
        await self.recompose()
        self.built()

    def built(self) -> None:
        """The children exist (or the app is closing: ``is_attached`` is False)."""
