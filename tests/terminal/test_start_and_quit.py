"""Starting the demo and quitting it: calls on screen, exit status 0, no process left behind."""

from __future__ import annotations

from collections.abc import Callable

from tests.terminal.term import Terminal, wait_gone
from tests.terminal.views import DATE, status_line, table, wait_ready


def test_the_demo_shows_calls_then_q_exits_0_and_leaves_no_process(demo: Terminal) -> None:
    wait_ready(demo)
    assert "loaded" in status_line(demo)
    rows = table(demo).rows
    assert rows and DATE.fullmatch(rows[0].cells["Start"]), demo.dump()
    # The demo's emulator is a child process (in a session of its own, so not in the app's
    # process group): it must end with the app.
    children = demo.descendants()
    assert children, "the demo runs its emulator in a child process; none found"

    assert demo.quit() == 0

    left = wait_gone(children)
    assert not left, f"still running after callscope exited: {sorted(left)}"


def test_the_demo_redraws_its_table_when_the_terminal_shrinks(
    start: Callable[..., Terminal],
) -> None:
    t = start(rows=50, cols=160)
    wait_ready(t)
    assert "Status" in table(t).columns

    t.resize(24, 80)

    def redrawn_at_80_columns(t: Terminal) -> bool:
        tab = table(t)
        assert tab.rows and tab.x1 <= 80, f"table {tab.x0}..{tab.x1}, {len(tab.rows)} rows"
        assert "Status" not in tab.columns, f"columns {list(tab.columns)}"  # scrolled off
        assert len(tab.rows) < 24 and "loaded" in status_line(t), status_line(t)
        return True

    t.wait_for(redrawn_at_80_columns)
    assert t.quit() == 0
