"""A compositor that renders only the rows a partial update repaints.

Textual's compositor (8.2), asked to repaint a few lines, renders *every line* of every widget
that overlaps them, then keeps the lines it needs: a cursor step in the call table (two dirty
lines) had the screen and the table's seven ancestors each produce 45-50 lines, about 2 ms of a
key's frame. This subclass asks each widget for the rows of the update only, through the same
``render_lines(crop)`` call Textual makes for a widget that is partly scrolled out of view, so
the lines drawn are the same.

It overrides one private method (``_get_renders``). If a Textual release changes what that
method does, :func:`install` leaves the stock compositor in place (see ``_compatible``); the
test in ``tests/ui/test_compositor.py`` compares this compositor's updates with the stock one's.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from textual._compositor import Compositor
from textual.geometry import Region

if TYPE_CHECKING:
    from textual.screen import Screen
    from textual.strip import Strip


class RowCroppedCompositor(Compositor):
    """:class:`Compositor` whose partial updates render only the rows they repaint."""

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
    """The stock compositor still has the method and attribute the subclass builds on."""
    return callable(getattr(Compositor, "_get_renders", None)) and isinstance(
        getattr(Compositor, "visible_widgets", None), property
    )


def install(screen: Screen[Any]) -> None:
    """Give ``screen`` the row-cropping compositor (before it is first laid out)."""
    if _compatible() and type(screen._compositor) is Compositor:
        screen._compositor = RowCroppedCompositor()
