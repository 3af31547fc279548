"""Copy to the system clipboard over the terminal (OSC 52), through tmux when inside it."""

from __future__ import annotations

import base64
import os

MAX_BYTES = 100_000  # many terminals drop larger OSC 52 payloads silently


def osc52(text: str, *, tmux: bool | None = None) -> str | None:
    """The escape sequence that sets the clipboard to ``text``, or ``None`` if too big."""
    payload = base64.b64encode(text.encode("utf-8", "replace")).decode("ascii")
    if len(payload) > MAX_BYTES:
        return None
    sequence = f"\x1b]52;c;{payload}\a"
    inside_tmux = bool(os.environ.get("TMUX")) if tmux is None else tmux
    if inside_tmux:
        # tmux passthrough: wrap in DCS and double every ESC of the inner sequence.
        sequence = "\x1bPtmux;" + sequence.replace("\x1b", "\x1b\x1b") + "\x1b\\"
    return sequence
