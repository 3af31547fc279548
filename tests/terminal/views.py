"""Reading callscope's browser off a terminal screen: the filter line, the call table, the
status line, the cursor row. What a user sees, found by what it looks like, not by widget ids.

The browser, top to bottom: (a demo banner), the provider tabs over a ``━`` underline, the filter
line, then the sidebar beside the call table (its header row starts ``│Start`` or ``Start``), the
detail pane, the status line and the footer (the key bar, ending in ``^p palette``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tests.terminal.term import TIMEOUT, Style, Terminal

DATE = re.compile(r"\b20\d\d-\d\d-\d\d \d\d:\d\d:\d\d\b")  # a Start cell
HEADER = re.compile(r"(?:^|[│▌ ])(Start\s+Dir\s+)")
FOOTER_END = "q Quit"  # in the footer (never dropped), drawn once the start-up is done


def wait_ready(t: Terminal, timeout: float = TIMEOUT) -> None:
    """Wait until the browser is up: the footer is drawn (start-up done) and the first tab's
    table shows a row and "N loaded" in the status line."""
    __tracebackhide__ = True
    t.wait_for(
        lambda t: FOOTER_END in t.line(-1) and "loaded" in status_line(t) and table(t).rows,
        timeout,
        what="the browser with rows, 'loaded' and the footer",
    )


def status_line(t: Terminal) -> str:
    """The status line: the full-width row above the footer (rows, if it takes more than one
    row: those up to the panes' borders), stripped and joined with spaces."""
    rows: list[str] = []
    for y in range(-2, -5, -1):
        row = t.line(y)
        if "│" in row or not row.strip():
            break
        rows.insert(0, row.strip())
    return " ".join(rows)


def filter_line(t: Terminal) -> str:
    """The filter line (the row under the tabs' underline), stripped: the query in force, the
    text being edited, or the placeholder ('/ to filter: …') when there is neither."""
    return t.line(filter_y(t)).lstrip(" ▌").strip()  # less the focus mark


def filter_y(t: Terminal) -> int:
    """The row of the filter line."""
    for y, row in enumerate(t.display):
        if "━" in row:
            return y + 1
    raise AssertionError(f"no tab underline on screen:\n{t.dump()}")


def filter_style(t: Terminal) -> Style:
    """How the filter line is drawn: its background changes while it is being edited."""
    return t.row_style(filter_y(t), 1)


def open_filter_line(t: Terminal) -> None:
    """Press ``/`` and wait until the filter line is being edited (drawn differently)."""
    __tracebackhide__ = True
    idle = filter_style(t)
    t.key("/")
    t.wait_for(lambda t: filter_style(t).bg != idle.bg, what="the filter line in edit")


def edit_cursor_x(t: Terminal) -> int | None:
    """The column of the text cursor in the filter line (the one cell drawn unlike the rest of
    the line), or None when the line is not being edited."""
    y = filter_y(t)
    usual = t.row_style(y)
    # column 0 is the pane's focus mark (▌ while the line has the focus)
    odd = [x for x in range(1, t.screen.columns) if t.style(y, x).bg != usual.bg]
    return odd[0] if len(odd) == 1 else None


@dataclass(frozen=True)
class Row:
    y: int
    cells: dict[str, str]  # visible column title → cell text (stripped)


@dataclass(frozen=True)
class Table:
    """The call table as drawn: its header row, column spans and data rows."""

    header_y: int
    x0: int  # first column of the table (after the sidebar's border)
    x1: int  # one past its last column
    columns: dict[str, tuple[int, int]]  # title → [start, end) on screen
    rows: list[Row]

    def column(self, title: str) -> list[str]:
        return [r.cells[title] for r in self.rows]


def table(t: Terminal) -> Table:
    """Parse the call table on screen (no rows while none is drawn)."""
    lines = t.display
    found = next(((y, m) for y, row in enumerate(lines) if (m := HEADER.search(row))), None)
    if found is None:
        return Table(-1, 0, 0, {}, [])
    header_y, m = found
    header = lines[header_y]
    x0, x1 = m.start(1), len(header.rstrip())
    titles = [(w.start(), w.group()) for w in re.finditer(r"[A-Za-z]+", header[x0:x1])]
    columns: dict[str, tuple[int, int]] = {}
    for i, (start, title) in enumerate(titles):
        end = titles[i + 1][0] if i + 1 < len(titles) else x1 - x0
        columns[title] = (x0 + start, x0 + end)
    rows: list[Row] = []
    for y in range(header_y + 1, len(lines)):
        if not DATE.match(lines[y][x0:x1]):
            break
        rows.append(Row(y, {title: lines[y][a:b].strip() for title, (a, b) in columns.items()}))
    return Table(header_y, x0, x1, columns, rows)


def cursor_rows(t: Terminal) -> list[int]:
    """Indexes (0 = first data row) of the table rows drawn unlike the others: the cursor."""
    tab = table(t)
    if len(tab.rows) < 2:
        return []
    styles = [t.row_style(r.y, tab.x0, tab.x1) for r in tab.rows]
    usual = max(set(styles), key=styles.count)
    return [i for i, s in enumerate(styles) if (s.bg, s.reverse) != (usual.bg, usual.reverse)]
