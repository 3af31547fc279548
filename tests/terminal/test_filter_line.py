"""The filter line (``/``) driven from the keyboard: typed in one burst, key by key, pasted."""

from __future__ import annotations

from collections.abc import Callable

from tests.terminal.term import Terminal
from tests.terminal.views import (
    cursor_rows,
    edit_cursor_x,
    filter_line,
    open_filter_line,
    status_line,
    table,
    wait_ready,
)

QUERY = "status:failed dir:in"
# The filter line shows the query in force in its canonical form (tui.core.query.format_query),
# which spells the direction out.
IN_FORCE = "status:failed dir:in"


def the_query_is_in_force(t: Terminal) -> bool:
    """The filter line shows the query; every visible Status cell is failed, every Dir in."""
    assert filter_line(t) == IN_FORCE, f"filter line {filter_line(t)!r}"
    tab = table(t)
    assert tab.rows, "no rows in the table"
    assert set(tab.column("Dir")) == {"in"}, f"Dir column {tab.column('Dir')}"
    if "Status" in tab.columns:
        assert set(tab.column("Status")) == {"failed"}, f"Status column {tab.column('Status')}"
    else:
        assert t.screen.columns < 160, "no Status column at 160 columns"
    return True


def typed_so_far(t: Terminal, typed: str) -> bool:
    """``typed`` is in the filter line and the text cursor right after it (a trailing space
    counts)."""
    assert filter_line(t) == typed.strip(), f"filter line {filter_line(t)!r}"
    # the text starts after the focus mark (column 0) and the line's padding (column 1)
    assert edit_cursor_x(t) == 2 + len(typed), f"text cursor at column {edit_cursor_x(t)}"
    return True


def on_row(index: int) -> Callable[[Terminal], bool]:
    def cursor_on_row(t: Terminal) -> bool:
        assert cursor_rows(t) == [index], f"highlighted data rows {cursor_rows(t)}"
        return True

    cursor_on_row.__name__ = f"the cursor on data row {index}"
    return cursor_on_row


def in_force_and_on_the_third_row(t: Terminal) -> bool:
    return the_query_is_in_force(t) and on_row(2)(t)


def test_a_query_enter_and_jj_in_one_burst_filter_then_move_the_cursor(demo: Terminal) -> None:
    wait_ready(demo)
    demo.send("/" + QUERY + "\rjj")  # one write: a burst over SSH, or a fast typist
    demo.wait_for(in_force_and_on_the_third_row, what=f"{IN_FORCE!r}, the cursor on row 3")
    assert demo.quit() == 0


def test_a_query_enter_and_jj_key_by_key_filter_then_move_the_cursor(demo: Terminal) -> None:
    wait_ready(demo)
    open_filter_line(demo)
    typed = ""
    for char in QUERY:
        demo.key(char)
        typed += char
        demo.wait_for(lambda t, typed=typed: typed_so_far(t, typed), what=f"{typed!r} typed")
    demo.key("enter")
    demo.wait_for(the_query_is_in_force)
    demo.wait_for(on_row(0))
    demo.key("j")
    demo.wait_for(on_row(1))
    demo.key("j")
    demo.wait_for(in_force_and_on_the_third_row, what=f"{IN_FORCE!r}, the cursor on row 3")
    assert demo.quit() == 0


def test_a_multiline_paste_into_the_filter_line_is_one_query(demo: Terminal) -> None:
    wait_ready(demo)
    open_filter_line(demo)
    demo.paste("status:failed\ndir:in")
    # Nothing in the paste runs as a key: its line break neither applies the query nor ends it.
    demo.wait_for(lambda t: typed_so_far(t, QUERY), what=f"{QUERY!r} in the line being edited")
    assert "no filter" in status_line(demo)
    demo.key("enter")
    demo.wait_for(the_query_is_in_force)
    assert demo.quit() == 0
