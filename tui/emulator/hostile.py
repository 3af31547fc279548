"""Untrusted strings planted into string fields when the dataset runs with ``hostile=True``.

Each one attacks a different layer of a terminal UI: Rich/Textual markup, ANSI CSI and OSC
escape sequences (clipboard write, hyperlinks), C0/C1 controls, invisible and bidi characters,
and sheer size. A UI that shows them must show them as inert text.
"""

from __future__ import annotations

HOSTILE_STRINGS: tuple[str, ...] = (
    "[bold red]Refund due[/bold red]",
    "Unclosed [/] markup [link=https://evil.example]",
    "[@click=app.quit]Click me[/]",
    "\x1b[31mred\x1b[0m \x1b[2J\x1b[H cleared",
    "clip\x1b]52;c;aGk=\x07board",
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",
    "bell\x07 back\x08space nul\x00 del\x7f c1\x9b31m",
    "zero\u200bwidth\u200d\ufeffjoin",
    "rtl \u202eevil.exe\u202c txt",
    "line\nbreak\rcarriage\ttab",
    "A" * 10_240,
    "emoji 📞👩‍💻 and combining e\u0301\u0301\u0301",
)
