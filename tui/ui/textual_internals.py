"""Every place where callscope reaches past Textual's public API, in one module.

Each hook below says why no public API serves. ``tests/ui/test_textual_internals.py`` checks
each one against the Textual installed (byte for byte or by its behaviour), and checks that no
other module of ``tui/`` imports ``textual._*`` or touches a private attribute of a Textual
object. The Textual pin in ``pyproject.toml`` is the range those tests passed on
(:data:`TESTED_TEXTUAL`); outside it, the hook that can step aside (the compositor) does.

What is here:

* :class:`RowCroppedCompositor` and :func:`install_compositor`: a screen compositor whose
  partial updates render only the rows they repaint (overrides ``Compositor._get_renders``,
  replaces ``Screen._compositor``).
* :func:`copy_to_clipboard`: the app's clipboard and a raw write to the terminal (``App._driver``,
  ``App._clipboard``), for an OSC 52 sequence wrapped for tmux.
* :func:`focus_without_repaint`: a ``Screen.focused`` reactive that does not repaint the
  screen (relies on ``Screen``'s watcher of ``focused`` being found by name).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from textual._compositor import Compositor
from textual.geometry import Region
from textual.reactive import Reactive

if TYPE_CHECKING:
    from textual.app import App
    from textual.screen import Screen
    from textual.strip import Strip
    from textual.widget import Widget

# The Textual minor version the hooks were tested on: pyproject.toml pins ``textual`` to
# ``>=8.2,<8.3`` to match (a test checks that the two agree).
TESTED_TEXTUAL = (8, 2)


@cache
def textual_version() -> tuple[int, ...]:
    """The installed Textual's version, as numbers (``(8, 2, 8)``).

    Read from its ``.dist-info`` folder beside the package: ``importlib.metadata`` costs ~40 ms
    of start-up (it is imported for this alone); it is the fallback for other installs.
    """
    import textual

    site = os.path.dirname(os.path.dirname(textual.__file__))
    text = None
    try:
        for name in os.listdir(site):
            if name.startswith("textual-") and name.endswith(".dist-info"):
                text = name.removeprefix("textual-").removesuffix(".dist-info")
                break
    except OSError:
        pass
    if text is None:
        from importlib.metadata import version

        text = version("textual")
    numbers = []
    for part in text.split("."):
        if not part.isdigit():
            break
        numbers.append(int(part))
    return tuple(numbers)


def tested_textual() -> bool:
    """The installed Textual is of the minor version the hooks were tested on."""
    return textual_version()[:2] == TESTED_TEXTUAL


# -- the row-cropping compositor ------------------------------------------------------------


class RowCroppedCompositor(Compositor):
    """:class:`Compositor` whose partial updates render only the rows they repaint.

    Textual's compositor (8.2), asked to repaint a few lines, renders *every line* of every
    widget that overlaps them, then keeps the lines it needs: a cursor step in the call table
    (two dirty lines) had the screen and the table's seven ancestors each produce 45-50 lines,
    about 2 ms of a key's frame. This subclass asks each widget for the rows of the update only,
    through the same ``render_lines(crop)`` call Textual makes for a widget that is partly
    scrolled out of view, so the lines drawn are the same.

    Why private: Textual has no public way to give a screen another compositor, nor to change
    how an update is rendered; the compositor lives in ``textual._compositor`` and the method
    overridden, ``_get_renders``, is private. :func:`install_compositor` leaves the stock one in
    place on an untested Textual or if the method or attribute it builds on has gone
    (:func:`_compatible`); the test compares this compositor's updates with the stock one's,
    byte for byte.
    """

    def _get_renders(
        self, crop: Region | None = None
    ) -> Iterable[tuple[Region, Region, list[Strip]]]:
        if crop is None:
            yield from super()._get_renders(crop)
            return
        crop_top, crop_bottom = crop.y, crop.bottom
        overlaps = crop.overlaps
        for widget, (region, clip) in self.visible_widgets.items():
            if not overlaps(clip):
                continue
            x0 = max(region.x, clip.x)
            x1 = min(region.right, clip.right)
            y0 = max(region.y, clip.y, crop_top)
            y1 = min(region.bottom, clip.bottom, crop_bottom)
            if x1 <= x0 or y1 <= y0:
                continue
            # The part of the widget inside its clip and the update's rows, in its own
            # coordinates: what Textual asks of a widget partly scrolled out of view.
            visible = Region(x0, y0, x1 - x0, y1 - y0)
            yield region, visible, widget.render_lines(visible.translate(-region.offset))


def _compatible() -> bool:
    """Textual is the tested minor version, and the stock compositor still has the method and
    attribute the subclass builds on."""
    return (
        tested_textual()
        and callable(getattr(Compositor, "_get_renders", None))
        and isinstance(getattr(Compositor, "visible_widgets", None), property)
    )


def install_compositor(screen: Screen[Any]) -> None:
    """Give ``screen`` the row-cropping compositor (before it is first laid out)."""
    if _compatible() and type(getattr(screen, "_compositor", None)) is Compositor:
        screen._compositor = RowCroppedCompositor()


# -- the clipboard ------------------------------------------------------------------------------


def copy_to_clipboard(app: App[Any], text: str, sequence: str) -> None:
    """Set ``app``'s clipboard to ``text`` and write ``sequence`` (OSC 52 that sets the
    terminal's clipboard, see :func:`tui.ui.clipboard.osc52`) to the terminal.

    Why private: Textual's public ``App.copy_to_clipboard`` writes a bare OSC 52 of ``text``
    only: inside tmux that does not reach the outer terminal (tmux drops it unless its
    ``set-clipboard`` is on), where ``osc52`` wraps it for tmux's passthrough; and it has no
    size cap and raises on text that is not valid UTF-8 (a lone surrogate from JSON). Textual
    has no public way to write to the terminal, nor a setter for ``App.clipboard`` (what a paste
    into an ``Input`` uses), so this does what Textual's own method does, with our sequence: the
    test checks that the public method still sets ``App.clipboard`` and writes its sequence
    through the driver's ``write``, as this does.
    """
    app._clipboard = text
    driver = app._driver
    if driver is not None:
        driver.write(sequence)


# -- focus without a repaint ------------------------------------------------------------------


def focus_without_repaint() -> Reactive[Widget | None]:
    """A ``focused`` reactive for a :class:`Screen` subclass that does not repaint the screen.

    Textual's ``Screen.focused`` reactive repaints the whole screen whenever focus moves. The
    widgets that gain and lose focus repaint (and restyle) themselves, so with this reactive a
    focus change repaints just them: Enter in the query bar (focus to the table) no longer
    redraws every widget on screen.

    Why not public: Textual offers no option for it; redefining the reactive (with Textual's
    own settings but ``repaint=False``) keeps the screen's private watcher ``_watch_focused``
    (found by name, it refreshes the bindings and so the footer). The test checks that
    ``Screen.focused`` still has these settings, that the stock one repaints the screen and
    this one does not, and that the bindings still follow the focus.
    """
    return Reactive(None, repaint=False)
