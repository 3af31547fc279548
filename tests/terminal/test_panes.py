"""Moving between the panes with the keyboard only: the sidebar, the detail pane, a link result
and a recording's download; hiding the focused pane and typing on."""

from __future__ import annotations

import re
from pathlib import Path

from tests.terminal.term import Terminal
from tests.terminal.test_filter_line import on_row
from tests.terminal.views import filter_line, wait_ready


def small(t: Terminal) -> bool:
    return t.screen.columns < 120


def test_tab_to_the_sidebar_and_toggle_a_status(demo: Terminal) -> None:
    wait_ready(demo)
    if small(demo):
        demo.key("s")  # hidden at 80 columns; s shows it
        demo.wait_for("Status", what="the sidebar")
    demo.wait_for(re.compile(r"\[ \] failed"), what="the sidebar's status boxes")
    demo.key("shift+tab")  # table → sidebar (its first field: the statuses)
    demo.key("down", 6)  # queued … failed
    demo.key("space")
    demo.wait_for(lambda t: filter_line(t) == "status:failed", what="the filter line")
    demo.wait_for("[✓] failed")
    assert demo.quit() == 0


def test_tab_to_the_detail_pane_and_show_the_raw_json(demo: Terminal) -> None:
    wait_ready(demo)
    if small(demo):
        demo.key("d")  # hidden at 80×24; d shows it
        demo.wait_for("Normalized", what="the detail pane")
    demo.wait_for("Normalized")
    demo.key("tab")  # table → the detail pane's tabs
    demo.key("right")  # Raw
    demo.wait_for('"account_sid": "AC', what="the raw JSON")
    assert demo.quit() == 0


def test_hide_the_focused_pane_and_keep_typing(demo: Terminal) -> None:
    wait_ready(demo)
    if small(demo):
        demo.key("d")
        demo.wait_for("Normalized", what="the detail pane")
    demo.wait_for("Normalized")
    demo.key("tab")  # focus in the detail pane
    demo.key("right")
    demo.wait_for('"account_sid": "AC', what="the raw JSON")
    demo.send("djj")  # hide it, then move the cursor: one burst
    demo.wait_for(lambda t: "Normalized" not in t.text(), what="the detail pane hidden")
    demo.wait_for(on_row(2))
    assert demo.quit() == 0


def test_open_a_calls_recordings_and_download_one(start, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = start(rows=24, cols=80)
    wait_ready(t)
    t.send("/status:completed\r")
    t.wait_for(lambda t: filter_line(t) == "status:completed")
    # 40% of the demo's completed calls have recordings: find one, keyboard only.
    for _ in range(20):
        t.key("enter")  # open the call: the detail pane on its links, Recordings first
        t.wait_for("Recordings", what="the call's links")
        t.key("enter")  # follow Recordings
        found = t.wait_for(re.compile(r"recordings of \S+ — (\d+) item"), what="the result")
        if found and found.group(1) != "0":
            break
        t.key("escape")  # close the result; the focus is back on the links
        t.wait_for(lambda t: "item(s)" not in t.text(), what="the result closed")
        t.key("escape")  # back to the table
        t.wait_for(lambda t: "⏎ Open" in t.line(-1), what="the table's keys")
        t.key("j")
    else:
        raise AssertionError("no recording in the first 20 completed calls")
    t.key("enter")  # the first recording: where to save it?
    t.wait_for(re.compile(r"RE[0-9a-f]+\.(wav|mp3)"), what="the save prompt with a file name")
    t.key("enter")  # the default place (the working directory: no Downloads folder here)
    saved = t.wait_for(re.compile(r"Saved ([\d,]+) bytes to /"), what="the download saved")
    size = int(saved.group(1).replace(",", ""))
    files = [p for p in tmp_path.glob("RE*") if p.suffix in (".wav", ".mp3")]
    assert len(files) == 1, files  # in the working directory, no partial file left
    assert files[0].stat().st_size == size > 0
    t.key("escape")  # close the result (q there closes it too), then q quits
    t.wait_for(lambda t: "item(s)" not in t.text(), what="the result closed")
    assert t.quit() == 0


def test_the_focused_pane_is_marked_without_colour(start) -> None:  # type: ignore[no-untyped-def]
    t: Terminal = start(rows=24, cols=80, env={"NO_COLOR": "1"})
    wait_ready(t)

    def marked(y: int) -> bool:
        return t.display[y].startswith("▌")

    header = next(y for y, row in enumerate(t.display) if "Start" in row and "Dir" in row)
    t.wait_for(lambda t: marked(header + 1), what="the table marked (it has the focus)")
    t.key("tab")  # to the filter line
    t.wait_for(
        lambda t: marked(header - 1) and not marked(header + 1), what="the filter line marked"
    )
    t.key("escape")  # back to the table
    t.wait_for(lambda t: marked(header + 1) and not marked(header - 1), what="the table marked")
    assert t.quit() == 0
