"""The real command, as a subprocess: ``python -m tui list …`` and a reader that goes away."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.cli.conftest import CALLS, truth_ids
from tui.emulator import Emulator


def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "CALLSCOPE_CONFIG_DIR": str(tmp_path / "cfg"), "PYTHONUNBUFFERED": "1"}


def test_list_as_a_subprocess_streams_ndjson_with_exit_0(
    emu: Emulator, config_file: Path, tmp_path: Path
) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui",
            "--config",
            str(config_file),
            "list",
            "-a",
            "twilio",
            "--all",
            "--format",
            "ndjson",
            "--columns",
            "id",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env(tmp_path),
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    ids = [json.loads(line)["id"] for line in done.stdout.splitlines()]
    assert ids == truth_ids(emu) and len(ids) == CALLS


def test_a_closed_pipe_ends_the_listing_quietly(tmp_path: Path, config_file: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui",
            "list",
            "--provider",
            "twilio",
            "--demo-calls",
            "3000",
            "--all",
            "--format",
            "csv",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(tmp_path),
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline().startswith(b"id,parent_id")
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert err == b""
