"""Child process of ``first_paint.py``: run one app until its first frame (or first call rows).

``python bench/_paint_child.py callscope|bare headless|pty OUT.json``. Installs the frame hooks,
runs the app (callscope in demo mode, or a bare Textual app with one ``Static``), writes the
``time.monotonic()`` of the first frame and of the first frame with call rows to ``OUT.json``
and exits. The parent measures from before it spawned this process.
"""

from __future__ import annotations

import cProfile
import json
import os
import sys
import time
from typing import Any

from _hooks import Frame, Probe

BARE_TEXT = "bare-textual-app"


def main() -> int:
    kind, mode, out = sys.argv[1], sys.argv[2], sys.argv[3]
    probe = Probe(keep_frames=False)
    probe.install()
    app: Any
    if kind == "bare":
        from textual.app import App, ComposeResult
        from textual.widgets import Static

        class Bare(App[int]):
            def compose(self) -> ComposeResult:
                yield Static(BARE_TEXT)

        app = Bare()
    else:
        from tui.ui.app import CallscopeApp

        app = CallscopeApp()
        app.preset_accounts = []  # demo mode, as ``callscope --demo``
    done = False
    # CALLSCOPE_BENCH_PROFILE=PATH (first_paint.py --profile): cProfile from the first frame to
    # the first rows, written to PATH.
    profile_path = os.environ.get("CALLSCOPE_BENCH_PROFILE")
    profile = cProfile.Profile() if profile_path else None

    def on_frame(frame: Frame) -> None:
        nonlocal done
        if profile is not None and probe.first_frame is not None and not done:
            profile.enable()  # from the first frame on (enabling again is harmless)
        finished = probe.first_rows if kind == "callscope" else probe.first_frame
        if finished is not None and not done:
            done = True
            if profile is not None and profile_path:
                profile.disable()
                profile.dump_stats(profile_path)
            app.call_later(app.exit)

    probe.on_frame = on_frame
    if mode == "headless":
        app.run(headless=True, size=(160, 50))
    else:
        app.run()
    with open(out, "w") as fh:
        json.dump(
            {"first_frame": probe.first_frame, "first_rows": probe.first_rows,
             "exited": time.monotonic()}, fh)  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
