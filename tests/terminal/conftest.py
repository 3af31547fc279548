"""Fixtures of the terminal journeys: the installed ``callscope`` in a pseudo-terminal.

``start(*args, rows=, cols=)`` starts the program (the console script next to the Python
running pytest) in a fresh environment: a temporary config directory and home, UTC, no
provider credentials, no real config. ``demo`` is the demo at 80×24 and at 160×50;
``emulator(faults)`` runs ``callscope emulator`` with injected faults and returns a config that
points at it. Every program started here is ended when the test ends.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.terminal.term import TIMEOUT, Terminal

if not sys.platform.startswith("linux"):  # pragma: no cover - the harness reads /proc
    collect_ignore_glob = ["test_*.py"]

CALLSCOPE = Path(sys.executable).parent / "callscope"
SIZES = {"80x24": (24, 80), "160x50": (50, 160)}
# What the child keeps of the environment; everything else (provider credentials such as
# TWILIO_AUTH_TOKEN, CALLSCOPE_*, NO_COLOR, TEXTUAL_*, LINES/COLUMNS, TMUX) stays out.
KEPT = ("PATH", "USER", "LOGNAME", "TMPDIR")


@pytest.fixture
def child_env(tmp_path: Path) -> dict[str, str]:
    home = tmp_path / "home"
    config_dir = tmp_path / "config"
    home.mkdir()
    config_dir.mkdir()
    env = {k: os.environ[k] for k in KEPT if k in os.environ}
    env.update(
        HOME=str(home),
        CALLSCOPE_CONFIG_DIR=str(config_dir),
        TERM="xterm-256color",
        COLORTERM="truecolor",
        TEXTUAL_ANIMATIONS="none",
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        TZ="UTC",
    )
    return env


@pytest.fixture
def start(child_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Terminal]]:
    """``start(*args, rows=24, cols=80, env={})``: ``callscope *args`` in a new pseudo-terminal
    (``env`` adds to the child's environment)."""
    assert CALLSCOPE.exists(), f"{CALLSCOPE} is not installed (pip install -e '.[test]')"
    started: list[Terminal] = []

    def _start(
        *args: str, rows: int = 24, cols: int = 80, env: dict[str, str] | None = None
    ) -> Terminal:
        term = Terminal([str(CALLSCOPE), *args], rows=rows, cols=cols,
                        env={**child_env, **(env or {})}, cwd=tmp_path)  # fmt: skip
        started.append(term)
        return term

    yield _start
    for term in started:
        term.close()


@pytest.fixture(params=list(SIZES.values()), ids=list(SIZES))
def demo(request: pytest.FixtureRequest, start: Callable[..., Terminal]) -> Terminal:
    """The demo (no account configured), at 80×24 and at 160×50; just started."""
    rows, cols = request.param
    return start(rows=rows, cols=cols)


@pytest.fixture
def emulator(child_env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """``emulator(faults="exotel:500=1")``: ``callscope emulator`` (the installed program) with
    those faults, on an ephemeral loopback port; returns a config file pointing at it."""
    running: list[subprocess.Popen[bytes]] = []

    def _emulator(faults: str = "", calls: int = 500) -> Path:
        config = tmp_path / f"emulator-{len(running)}.toml"
        proc = subprocess.Popen(
            [str(CALLSCOPE), "emulator", "--fixed-now", "--calls", str(calls),
             "--faults", faults, "--write-config", str(config), "--json"],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=child_env,
        )  # fmt: skip
        running.append(proc)
        assert proc.stdout is not None
        # One JSON line once it listens (after the config is written); read with a deadline.
        ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
        line = proc.stdout.readline() if ready else b""
        if not line:
            proc.kill()
            _, err = proc.communicate()
            raise AssertionError(f"callscope emulator did not start: {err.decode()[-2000:]}")
        json.loads(line)
        return config

    yield _emulator
    for proc in running:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
