"""A provider's failure, injected in the emulator, as the user sees it."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from tests.terminal.term import Terminal
from tests.terminal.views import status_line, wait_ready

SERVER_ERROR = re.compile(r"HTTP 500|server error", re.IGNORECASE)
# Retries of a 500 wait 0.5 + 1 + 2 s by default; the budget scales them down (the same
# retries, sooner). See tui.providers.http_overrides.
FAST_RETRIES = {"CALLSCOPE_RETRY_BUDGET": "0.3"}


def test_an_exotel_500_is_told_on_the_status_line_at_80_columns(
    start: Callable[..., Terminal], emulator: Callable[..., Path]
) -> None:
    config = emulator(faults="exotel:500=1")  # every Exotel request answers 500
    t = start("--config", str(config), rows=24, cols=80, env=FAST_RETRIES)
    wait_ready(t)  # the first tab (Twilio) is fine
    t.key("3")

    def the_error_is_told(t: Terminal) -> bool:
        line = status_line(t)
        assert SERVER_ERROR.search(line), f"no server error on the status line: {line!r}"
        assert "more available" not in t.text(), "'more available' on screen after a 500"
        return True

    t.wait_for(the_error_is_told, what="the Exotel 500 on the status line")
    assert t.quit() == 0
