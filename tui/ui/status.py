"""The status line of a tab: what matters most first, fitted to the width without cutting a word
of it.

A line is a list of :class:`Part` s, each with a rank (0 matters most) and the shortest form it
may be cut to. When the line is too wide, the least important parts shorten first, down to
their shortest form, and are then left out; so a warning shortens before an error does, and an
error and the key that resolves it stay on screen at 80 columns.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.widget import Widget

SEPARATOR = " · "
UNFITTED = 10_000  # the width of a line not laid out yet


@dataclass(frozen=True)
class Part:
    text: str
    style: str = ""
    rank: int = 5  # 0 matters most: shortened and dropped last
    shortest: int = 0  # cells it may be cut to (with "…"); 0: it may be left out whole
    joined: bool = False  # follows the part before it with a space, not a separator


def _width(parts: list[Part]) -> int:
    total = 0
    for index, part in enumerate(parts):
        if index:
            total += 1 if part.joined else len(SEPARATOR)
        total += cell_len(part.text)
    return total


def _cut(text: str, cells: int) -> str:
    if cell_len(text) <= cells:
        return text
    return set_cell_size(text, max(0, cells - 1)) + "…" if cells > 0 else ""


def fit(parts: list[Part], width: int) -> Text:
    """The parts as one line of at most ``width`` cells (the important ones whole)."""
    shown = [p for p in parts if p.text]
    while (excess := _width(shown) - width) > 0:
        # The least important part that can still give cells: shorten it, or leave it out.
        # Rank 0 is never left out; when only such parts remain, the line's end is cut.
        can_give = [
            i
            for i, p in enumerate(shown)
            if p.rank > 0 or (p.shortest and cell_len(p.text) > p.shortest)
        ]
        if not can_give:
            break
        index = max(can_give, key=lambda i: (shown[i].rank, i))
        part = shown[index]
        length = cell_len(part.text)
        if part.shortest and length > part.shortest:
            shown[index] = replace(part, text=_cut(part.text, max(part.shortest, length - excess)))
        else:
            del shown[index]
    line = Text(no_wrap=True, overflow="ellipsis")
    for index, part in enumerate(shown):
        if index:
            line.append(" " if part.joined else SEPARATOR, style="dim")
        line.append(part.text, style=part.style)
    line.truncate(width, overflow="ellipsis")
    return line


# What to press, worded by the browser for each kind of failure (the core's errors say what went
# wrong; the keys to press are this front end's).
RETRY = "r retry"


def error_hint(exc: BaseException) -> str:
    """What to do about ``exc``, in the browser's words (keys to press)."""
    from tui.core.errors import Action

    action = getattr(exc, "action", Action.RETRY)
    words = {
        Action.CREDENTIALS: "check the credentials: callscope config check",
        Action.PERMISSION: "check the credentials: callscope config check",
        Action.FILTER: "/ change the filter",
        Action.NARROW: "/ change the filter",
        Action.CONFIG: "fix the config: callscope config check",
        Action.ID: "check the id and the account",
        Action.COMPLETE: "the rows loaded so far are complete",
        Action.WAIT: "wait, then " + RETRY,
        Action.CONNECTION: "check the connection, then " + RETRY,
    }
    return words.get(action, RETRY)


def error_parts(exc: BaseException) -> list[Part]:
    """An error as status-line parts: what failed (kept whole), what to press (kept whole),
    then the provider's own words (shortened first)."""
    from tui.core import errors
    from tui.core.sanitize import visible

    if isinstance(exc, errors.ProviderError):
        head = exc.headline()
        detail = visible(exc.message, limit=300)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            detail += f" (retry after {retry_after:g} s)"
    else:
        head, detail = visible(str(exc), limit=300), ""
    head = "✖ " + visible(head, limit=120)
    return [
        Part(head, "bold red", rank=0, shortest=min(len(head), 40)),
        Part("— " + error_hint(exc), "bold", rank=0, joined=True),
        Part(detail, "red", rank=2, shortest=12),
    ]


class StatusLine(Widget):
    """One line of parts, fitted to its width when drawn (so a resize refits it)."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    def __init__(self, *, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self.parts: list[Part] = []

    def show(self, parts: list[Part]) -> None:
        if parts != self.parts:
            self.parts = parts
            self.refresh()

    def render(self) -> Text:
        # Not laid out yet (a hidden tab): the whole line, fitted once it is drawn.
        return fit(self.parts, self.content_region.width or UNFITTED)

    @property
    def text(self) -> str:
        """The line as drawn now (tests, scripts)."""
        return self.render().plain
