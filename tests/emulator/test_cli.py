"""``callscope emulator`` / ``python -m tui.emulator``."""

from __future__ import annotations

import json
import os
import signal
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def test_json_line_write_config_and_clean_ctrl_c(tmp_path: Path) -> None:
    cfg = tmp_path / "callscope.toml"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tui.emulator",
            "--calls",
            "100",
            "--json",
            "--write-config",
            str(cfg),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert proc.stdout is not None
        accounts = json.loads(proc.stdout.readline())  # printed once listening
        assert {"twilio", "signalwire"} <= {a["provider"] for a in accounts}
        keys = {"provider", "name", "label", "base_url", "account", "username", "password"}
        for a in accounts:
            assert set(a) == keys | ({"properties"} if a["provider"] == "fonedynamics" else set())
        assert [a["name"] for a in accounts] == [a["provider"] for a in accounts]
        tw = next(a for a in accounts if a["provider"] == "twilio")
        r = httpx.get(
            f"{tw['base_url']}/2010-04-01/Accounts/{tw['account']}/Calls.json",
            auth=(tw["username"], tw["password"]),
        )
        assert r.status_code == 200 and len(r.json()["calls"]) == 50
        written = tomllib.loads(cfg.read_text())["accounts"]
        # the config adds the zone of zone-less provider times (Exotel) to the --json keys
        assert [{k: v for k, v in a.items() if k != "zone"} for a in written] == [
            {k: v for k, v in a.items() if k != "properties"} for a in accounts
        ]
        assert {a["provider"]: a.get("zone") for a in written}["exotel"] == "Asia/Kolkata"
        assert stat.S_IMODE(cfg.stat().st_mode) == 0o600
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    assert proc.returncode == 0 and "Traceback" not in err


def test_bad_arguments_exit_2() -> None:
    from tui.emulator.cli import main

    assert main(["--faults", "twilio:wat=1"]) == 2
    assert main(["--latency", "soon"]) == 2
