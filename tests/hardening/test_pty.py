"""The real ``callscope`` in a pseudo-terminal against the hostile emulator: no planted escape
sequence, C1 control or bidi override reaches the terminal.

Textual draws with CSI sequences of its own, so the scan looks for what the emulator planted:
the OSC 52 clipboard payload, the OSC 8 link to evil.example, U+202E, and C1 controls (as
characters of the decoded output, not as UTF-8 continuation bytes).
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from tests.hardening.conftest import COUNTS
from tests.ui.conftest import NOW
from tui.emulator import EmulatorConfig, EmulatorThread
from tui.emulator.cli import write_config
from tui.emulator.hostile import HOSTILE_STRINGS

KEYS = [b"j", b"j", b"\r", b"2", b"j", b"3", b"4", b"5", b"G", b"?", b"\x1b", b"1"]
PLANTED = (b"]52;c;aGk=", b"8;;https://evil.example", "\u202e".encode())


def read_for(fd: int, seconds: float, out: bytearray) -> None:
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        ready, _, _ = select.select([fd], [], [], min(left, 0.1))
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                return
            if not chunk:
                return
            out.extend(chunk)


def test_the_real_app_in_a_pty_writes_no_planted_escape(tmp_path: Path) -> None:
    thread = EmulatorThread(EmulatorConfig(calls=130, now=NOW, hostile=True))
    emu = thread.start()
    try:
        config = tmp_path / "config.toml"
        write_config(config, emu.accounts)
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 45, 150, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor",
               "CALLSCOPE_CONFIG_DIR": str(tmp_path), "TEXTUAL_ANIMATIONS": "none"}  # fmt: skip
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "--config", str(config)],
            stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True,
            start_new_session=True,
        )  # fmt: skip
        os.close(slave)
        out = bytearray()
        try:
            read_for(master, 3.0, out)
            for key in KEYS:
                os.write(master, key)
                read_for(master, 0.3, out)
            os.write(master, b"\x1b")  # close whatever is open, then quit
            read_for(master, 0.5, out)
            os.write(master, b"q")
            deadline = time.monotonic() + 30
            while proc.poll() is None and time.monotonic() < deadline:
                read_for(master, 0.2, out)  # keep draining, or the app blocks on a full pty
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            os.close(master)
    finally:
        thread.stop()
    COUNTS["bytes scanned from the pty"] += len(out)
    COUNTS["hostile strings tried (pty, emulator hostile mode)"] += len(HOSTILE_STRINGS)
    text = out.decode("utf-8", errors="replace")
    assert "Traceback" not in text
    assert len(out) > 10_000, "the app drew next to nothing"
    found = [p for p in PLANTED if p in out]
    found += [f"U+{ord(c):04X}" for c in ("\x9b", "\x9d") if c in text]
    assert not found, found
    drawn = re.sub(r"\x1b\[[0-9;?<>=$]*[a-zA-Z~]", "", text)  # Textual's own CSI
    assert "loaded" in drawn  # the tabs loaded their (hostile) calls
    assert proc.returncode == 0
