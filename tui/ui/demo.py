"""The demo's emulator, run as a child process (``python -m tui.emulator.child``).

Started at the app's first moment, it imports, builds its dataset and answers on another core
while the app draws, instead of sharing the app's interpreter lock as a thread would. This
module imports only the standard library: the app's start-up must not pay for the emulator.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

STOP_TIMEOUT = 5.0
# The provider of the demo's first tab (the emulator lists Twilio first): the app imports its
# adapter while the emulator starts. A wrong guess only costs that import.
DEMO_FIRST_PROVIDER = "twilio"


class DemoEmulator:
    """A running demo emulator: :meth:`accounts` waits for it, :meth:`stop` ends it."""

    def __init__(self, calls: int, now: datetime) -> None:
        env = dict(os.environ)
        # The child must import this very ``tui`` package, whatever its working directory.
        root = str(Path(__file__).resolve().parent.parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (open while the child runs)
        self._proc = subprocess.Popen(
            [sys.executable, "-m", "tui.emulator.child", str(calls), now.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            env=env,
            close_fds=True,
            start_new_session=True,  # the terminal's signals are the app's, not the emulator's
        )
        self._accounts: list[dict[str, Any]] | None = None

    def accounts(self) -> list[dict[str, Any]]:
        """Wait until the emulator listens; its accounts (RuntimeError if it did not start)."""
        if self._accounts is None:
            assert self._proc.stdout is not None
            line = self._proc.stdout.readline()
            if not line:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self._proc.wait(STOP_TIMEOUT)
                self._stderr.seek(0)
                lines = self._stderr.read().decode(errors="replace").strip().splitlines()
                reason = lines[-1] if lines else f"exit status {self._proc.returncode}"
                raise RuntimeError(f"the demo emulator did not start: {reason}")
            self._accounts = json.loads(line)
        return self._accounts

    def stop(self) -> None:
        """End the emulator (closing its standard input) and wait for it."""
        if self._proc.stdin is not None:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._stderr.close()
