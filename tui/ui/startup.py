"""Deferring work that the first frame with rows does not need."""

from __future__ import annotations

from collections.abc import Callable

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
