"""A terminal for tests: the installed ``callscope`` in a pseudo-terminal, its output drawn by pyte.

:class:`Terminal` writes keys as a terminal sends them and reads what the program draws into a
``pyte.Screen``; tests wait for what a user would see (:meth:`Terminal.wait_for`) and never sleep.
A failed wait raises ``AssertionError`` with the screen, so a red test shows what was on it.

Two things a real terminal does are done here too, so that the screen is read between frames:
the reply to Textual's query for synchronized output (``CSI ? 2026 $ p``, answered "supported",
as kitty, WezTerm, foot, iTerm2 and Windows Terminal answer), after which every frame comes
between ``CSI ? 2026 h`` and ``CSI ? 2026 l`` and a condition is only checked on a whole frame.
Linux only (``/proc`` for the process tree).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pexpect
import pyte

TIMEOUT = 30.0  # generous: CI runs this on two shared cores; a passing wait takes 1–3 s

# Keys as an xterm-compatible terminal (TERM=xterm-256color, normal cursor mode) sends them.
KEYS: dict[str, str] = {
    "enter": "\r",
    "tab": "\t",
    "shift+tab": "\x1b[Z",
    "escape": "\x1b",
    "space": " ",
    "backspace": "\x7f",
    "up": "\x1b[A",
    "down": "\x1b[B",
    "right": "\x1b[C",
    "left": "\x1b[D",
    "home": "\x1b[H",
    "end": "\x1b[F",
    "insert": "\x1b[2~",
    "delete": "\x1b[3~",
    "pageup": "\x1b[5~",
    "pagedown": "\x1b[6~",
    "f1": "\x1bOP",
    "f2": "\x1bOQ",
    "f3": "\x1bOR",
    "f4": "\x1bOS",
    **{f"ctrl+{c}": chr(ord(c) - ord("a") + 1) for c in "abcdefghijklmnopqrstuvwxyz"},
}

SYNC_QUERY = b"\x1b[?2026$p"
SYNC_REPLY = b"\x1b[?2026;2$y"  # DECRPM: mode 2026 is known and currently reset
SYNC_BEGIN = b"\x1b[?2026h"
SYNC_END = b"\x1b[?2026l"
BRACKETED_PASTE = 2004


@dataclass(frozen=True, slots=True)
class Style:
    """How a cell is drawn: pyte's colours (a name such as ``"default"`` or ``"rrggbb"``)."""

    fg: str
    bg: str
    bold: bool = False
    italics: bool = False
    underscore: bool = False
    reverse: bool = False


Condition = str | re.Pattern[str] | Callable[["Terminal"], Any]


class Terminal:
    """A program running in a pseudo-terminal of ``rows`` × ``cols``, read through pyte.

    Every method that waits keeps reading the pty (the program blocks on a full one) and feeding
    pyte until its condition holds or its deadline passes.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        rows: int = 24,
        cols: int = 80,
        env: Mapping[str, str] | None = None,
        cwd: str | os.PathLike[str] | None = None,
        sync: bool = True,
    ) -> None:
        self.argv = list(argv)
        self.screen = pyte.Screen(cols, rows)
        self._stream = pyte.ByteStream(self.screen)
        self._sync = sync  # answer the synchronized-output query (see the module docstring)
        self._in_frame = False
        self._tail = b""  # the end of the last chunk: a sequence may be split between reads
        self.eof = False
        self.received = 0  # bytes read from the program, for a failure message
        self.frames_synced = False  # the program was told frames can be synchronized
        self.child = pexpect.spawn(
            self.argv[0],
            self.argv[1:],
            dimensions=(rows, cols),
            env=dict(env) if env is not None else None,
            cwd=str(cwd) if cwd is not None else None,
            echo=False,
            use_poll=True,
        )

    # -- input ---------------------------------------------------------------------------

    @property
    def pid(self) -> int:
        return int(self.child.pid)

    def send(self, data: str | bytes) -> None:
        """Write ``data`` to the program in one ``write``, as a burst arrives over SSH."""
        raw = data.encode() if isinstance(data, str) else data
        written = os.write(self.child.child_fd, raw)
        assert written == len(raw), f"short write to the pty: {written} of {len(raw)} bytes"

    def key(self, name: str, times: int = 1) -> None:
        """Send the named key (``"down"``, ``"shift+tab"``, ``"ctrl+p"`` or one character),
        ``times`` times, each in its own write.

        Textual tells a lone ESC from the start of a sequence by a short timeout: ``escape``
        followed by another key in the same burst reads as Alt+key or as a sequence. So
        :meth:`key` writes each key on its own; after ``escape``, wait for what it does on screen
        before sending the next key.
        """
        data = KEYS.get(name, name if len(name) == 1 else None)
        if data is None:
            raise ValueError(f"unknown key {name!r} (known: {', '.join(KEYS)})")
        for _ in range(times):
            self.send(data)

    def keys(self, *names: str) -> None:
        """Send several named keys, each in its own write (no wait in between)."""
        for name in names:
            self.key(name)

    def paste(self, text: str) -> None:
        """Paste ``text`` as a terminal does in bracketed-paste mode: one write between
        ``ESC [ 200 ~`` and ``ESC [ 201 ~`` (a terminal sends newlines as CR)."""
        self.wait_for(
            lambda t: t.bracketed_paste,
            what="the program to turn bracketed paste on (CSI ? 2004 h)",
        )
        body = text.replace("\r\n", "\r").replace("\n", "\r")
        self.send("\x1b[200~" + body + "\x1b[201~")

    def resize(self, rows: int, cols: int) -> None:
        """Change the terminal's size: the program gets SIGWINCH and redraws."""
        self.pump()
        self.screen.resize(rows, cols)
        self.child.setwinsize(rows, cols)

    # -- output --------------------------------------------------------------------------

    @property
    def display(self) -> list[str]:
        """The screen, one string per row (each ``cols`` characters)."""
        return list(self.screen.display)

    def text(self) -> str:
        """The screen as one string, rows joined with newlines."""
        return "\n".join(self.display)

    def line(self, y: int) -> str:
        """Row ``y`` (negative counts from the bottom), trailing spaces removed."""
        return self.display[y].rstrip()

    def find(self, needle: str) -> tuple[int, int] | None:
        """(row, column) of the first occurrence of ``needle`` on screen, or None."""
        for y, row in enumerate(self.display):
            x = row.find(needle)
            if x >= 0:
                return y, x
        return None

    def style(self, y: int, x: int) -> Style:
        """The style of the cell at row ``y``, column ``x``."""
        c = self.screen.buffer[y % self.screen.lines][x]
        return Style(c.fg, c.bg, c.bold, c.italics, c.underscore, c.reverse)

    def row_style(self, y: int, x0: int = 0, x1: int | None = None) -> Style:
        """The most common style among the cells of row ``y`` from column ``x0`` to ``x1``
        (exclusive): a highlighted row is one whose ``bg`` (or ``reverse``) differs from its
        neighbours'."""
        x1 = self.screen.columns if x1 is None else x1
        counts = Counter(self.style(y, x) for x in range(x0, x1))
        return counts.most_common(1)[0][0]

    @property
    def bracketed_paste(self) -> bool:
        """True once the program has turned bracketed paste on."""
        return (BRACKETED_PASTE << 5) in self.screen.mode  # pyte shifts private modes by 5

    def dump(self) -> str:
        """The screen framed with row numbers, for a failure message."""
        cols = self.screen.columns
        lines = [f"    ┌{'─' * cols}┐"]
        lines += [f"{y:3d} │{row}│" for y, row in enumerate(self.display)]
        lines.append(f"    └{'─' * cols}┘")
        state = "exited" if self.eof else "running"
        lines.append(f"    {self.screen.lines}×{cols}, {self.received:,} bytes read, {state}")
        return "\n".join(lines)

    # -- reading -------------------------------------------------------------------------

    def _read(self, timeout: float) -> bool:
        """Read one chunk (waiting up to ``timeout`` s) into the screen; False if none came."""
        if self.eof:
            return False
        try:
            chunk = self.child.read_nonblocking(65536, timeout=timeout)
        except pexpect.TIMEOUT:
            return False
        except pexpect.EOF:
            self.eof = True
            return False
        self.received += len(chunk)
        self._stream.feed(chunk)
        window = self._tail + chunk
        if self._sync:  # answer each query that ends in this chunk (the tail was seen before)
            at = window.find(SYNC_QUERY, max(0, len(self._tail) - len(SYNC_QUERY) + 1))
            while at >= 0:
                self.send(SYNC_REPLY)
                self.frames_synced = True
                at = window.find(SYNC_QUERY, at + 1)
        begin, end = window.rfind(SYNC_BEGIN), window.rfind(SYNC_END)
        if begin >= 0 or end >= 0:
            self._in_frame = begin > end
        self._tail = window[-16:]
        return True

    def pump(self, limit: float = 1.0) -> None:
        """Read what the program has written so far, without waiting for more (for at most
        ``limit`` seconds, so that a program that never stops drawing still meets deadlines)."""
        stop = time.monotonic() + limit
        while self._read(0) and time.monotonic() < stop:
            pass

    def wait_for(self, condition: Condition, timeout: float = TIMEOUT, what: str = "") -> Any:
        """Read until ``condition`` holds on a whole frame; return its value.

        ``condition`` is a substring of the screen, a compiled regex searched in :meth:`text`
        (the match is returned), or a callable given this terminal, true when satisfied; an
        ``AssertionError`` raised by the callable counts as "not yet", and the last one is
        quoted if the wait fails. Past ``timeout`` seconds (or if the program exits first)
        raise ``AssertionError`` with the screen.
        """
        __tracebackhide__ = True  # pytest shows the test's line, not this loop
        check = _as_check(condition)
        deadline = time.monotonic() + timeout
        last = ""  # why the condition failed last (an assert inside it)
        while True:
            self.pump()
            if not self._in_frame:
                try:
                    value = check(self)
                except AssertionError as exc:
                    value, last = None, str(exc) or repr(exc)
                if value:
                    return value
            left = deadline - time.monotonic()
            if left <= 0 or self.eof:
                reason = "the program exited" if self.eof else f"{timeout:g} s passed"
                detail = f"\nlast check: {last}" if last else ""
                raise AssertionError(
                    f"waited for {what or _describe(condition)}; {reason}.{detail}\n"
                    f"Screen:\n{self.dump()}"
                )
            self._read(min(left, 0.5))

    def wait_stable(self, quiet: float = 0.3, timeout: float = TIMEOUT) -> None:
        """Read until the program has drawn nothing for ``quiet`` seconds.

        For looking at a settled screen (a dump, a negative check after a positive wait); never
        a substitute for :meth:`wait_for` on what should appear.
        """
        __tracebackhide__ = True  # pytest shows the test's line, not this loop
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self._read(quiet) and not self._in_frame:
                return
        raise AssertionError(f"the screen kept changing for {timeout:g} s:\n{self.dump()}")

    # -- the process ---------------------------------------------------------------------

    def descendants(self) -> set[tuple[int, int]]:
        """The program's descendant processes now, as (pid, start time) pairs (``/proc``)."""
        return descendants(self.pid)

    def wait_exit(self, timeout: float = TIMEOUT) -> int:
        """Drain the pty until the program exits; its exit status (-N if killed by signal N)."""
        __tracebackhide__ = True  # pytest shows the test's line, not this loop
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._read(0.2)
            if self.eof or not self.child.isalive():
                break
        else:
            raise AssertionError(f"the program did not exit in {timeout:g} s:\n{self.dump()}")
        while self.child.isalive():  # the pty may close a moment before the process ends
            if time.monotonic() > deadline:
                raise AssertionError(f"the program closed its terminal, not exited:\n{self.dump()}")
            if not self._read(0.05) and self.eof:
                time.sleep(0.02)  # polling waitpid with a deadline: no fd to wait on
        if self.child.signalstatus is not None:
            return -int(self.child.signalstatus)
        return int(self.child.exitstatus)

    def quit(self, timeout: float = TIMEOUT) -> int:
        """Press ``q`` and wait for the program to exit; its exit status."""
        self.key("q")
        return self.wait_exit(timeout)

    def close(self) -> None:
        """End the program if it still runs (SIGTERM, then SIGKILL), close the pty, and kill
        any descendant it left behind (a test that quit checks that there is none)."""
        left = self.descendants() if self.child.isalive() else set()
        if self.child.isalive():
            self.child.kill(signal.SIGTERM)
            deadline = time.monotonic() + 5
            while self.child.isalive() and time.monotonic() < deadline:
                if not self._read(0.1) and self.eof:
                    time.sleep(0.02)
            if self.child.isalive():
                self.child.kill(signal.SIGKILL)
        self.child.close(force=True)
        for pid, _ in wait_gone(left, timeout=5):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _as_check(condition: Condition) -> Callable[[Terminal], Any]:
    if isinstance(condition, str):
        return lambda t: condition in t.text()
    if isinstance(condition, re.Pattern):
        return lambda t: condition.search(t.text())
    return condition


def _describe(condition: Condition) -> str:
    if isinstance(condition, str):
        return repr(condition)
    if isinstance(condition, re.Pattern):
        return f"/{condition.pattern}/"
    return getattr(condition, "__name__", "a condition")


# -- processes (Linux /proc) ----------------------------------------------------------------


def _stat(pid: int) -> tuple[int, str, int] | None:
    """(parent pid, state, start time) of ``pid``, or None if it is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    # "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ")"
    fields = raw[raw.rindex(")") + 2 :].split()
    return int(fields[1]), fields[0], int(fields[19])


def descendants(root: int) -> set[tuple[int, int]]:
    """Every descendant of ``root``, as (pid, start time) pairs."""
    children: dict[int, list[tuple[int, int]]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (st := _stat(int(entry))) is not None:
            children.setdefault(st[0], []).append((int(entry), st[2]))
    found: set[tuple[int, int]] = set()
    todo = [root]
    while todo:
        for kid in children.get(todo.pop(), []):
            if kid not in found:
                found.add(kid)
                todo.append(kid[0])
    return found


def still_running(processes: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Those of ``processes`` that still run: same pid and start time, and not a zombie (a
    zombie has ended; reaping it is its new parent's business)."""
    alive = set()
    for pid, start in processes:
        st = _stat(pid)
        if st is not None and st[2] == start and st[1] != "Z":
            alive.add((pid, start))
    return alive


def wait_gone(processes: set[tuple[int, int]], timeout: float = TIMEOUT) -> set[tuple[int, int]]:
    """Wait (polling ``/proc``) until none of ``processes`` runs; those still running at the
    deadline."""
    deadline = time.monotonic() + timeout
    while (alive := still_running(processes)) and time.monotonic() < deadline:
        time.sleep(0.05)  # polling a condition with a deadline, not waiting for one by time
    return alive
