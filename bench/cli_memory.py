"""Peak RSS of ``callscope list --all --format ndjson`` over 10,000 and 100,000 emulated calls.

The emulator runs in its own process (``callscope emulator --json``), so only the CLI's memory
is measured: each listing is a child process whose peak RSS comes from ``os.wait4`` (the
kernel's ``ru_maxrss`` of that one child). Flat memory means the 100k peak is within 10% of
the 10k peak. Prints min/median/max per size over the repeats, and the versions measured.

    /tmp/venv/bin/python bench/cli_memory.py [--sizes 10000,100000] [--repeats 3] [--provider twilio]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

import tomli_w


def start_emulator(calls: int) -> tuple[subprocess.Popen[str], list[dict[str, str]]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tui", "emulator", "--calls", str(calls), "--json", "--fixed-now"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    if not line:
        proc.kill()
        raise SystemExit("the emulator did not start")
    return proc, json.loads(line)


def run_listing(config: Path, account: str) -> tuple[int, float, int]:
    """(peak RSS in KiB, seconds, rows) of one ``callscope list --all --format ndjson``."""
    started = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui", "list", "--config", str(config), "-a", account,
             "--all", "--format", "ndjson"],
            stdout=out,
            stderr=subprocess.PIPE,
        )  # fmt: skip
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        elapsed = time.monotonic() - started
        err = proc.stderr.read().decode() if proc.stderr else ""
        if proc.returncode != 0:
            raise SystemExit(f"callscope list failed ({proc.returncode}): {err}")
        out.seek(0)
        rows = sum(1 for _ in out)
    return usage.ru_maxrss, elapsed, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--provider", default="twilio")
    parser.add_argument("--json", metavar="PATH", help="also write the headline figures as JSON")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"python {platform.python_version()} · callscope {version('callscope')} · "
        f"httpx {version('httpx')} · pydantic {version('pydantic')} · {platform.platform()}"
    )
    print(f"provider {args.provider}, {args.repeats} runs per size; emulator in its own process")
    peaks: dict[int, float] = {}
    for size in sizes:
        emulator, accounts = start_emulator(size)
        try:
            with tempfile.TemporaryDirectory() as tmp:
                config = Path(tmp) / "config.toml"
                chosen = [
                    {**a, "name": a["provider"]} for a in accounts if a["provider"] == args.provider
                ]
                config.write_text(tomli_w.dumps({"accounts": chosen}), encoding="utf-8")
                config.chmod(0o600)
                rss: list[int] = []
                seconds: list[float] = []
                for _ in range(args.repeats):
                    peak, elapsed, rows = run_listing(config, args.provider)
                    rss.append(peak)
                    seconds.append(elapsed)
        finally:
            emulator.terminate()
            emulator.wait(timeout=10)
        peaks[size] = statistics.median(rss)
        print(
            f"{size:>9,} calls ({rows:,} rows): peak RSS MiB min/median/max "
            f"{min(rss) / 1024:.1f} / {statistics.median(rss) / 1024:.1f} / {max(rss) / 1024:.1f}"
            f" · seconds {min(seconds):.1f} / {statistics.median(seconds):.1f} / {max(seconds):.1f}"
            f" · {rows / statistics.median(seconds):,.0f} rows/s"
        )
    if len(sizes) >= 2:
        low, high = peaks[sizes[0]], peaks[sizes[-1]]
        change = (high - low) / low * 100
        verdict = "flat (within 10%)" if abs(change) <= 10 else "NOT flat (over 10%)"
        print(f"median peak RSS {sizes[-1]:,} vs {sizes[0]:,}: {change:+.1f}% — {verdict}")
    if args.json:
        goals = [
            {"name": f"callscope list peak RSS, {size:,} calls", "value": f"{kib / 1024:.0f} MiB",
             "goal": "-", "met": None}
            for size, kib in peaks.items()
        ]  # fmt: skip
        if len(sizes) >= 2:
            goals.append({"name": f"CLI peak RSS {sizes[-1]:,} vs {sizes[0]:,}",
                          "value": f"{change:+.1f}%", "goal": "within 10%",
                          "met": abs(change) <= 10})  # fmt: skip
        Path(args.json).write_text(json.dumps({"script": "cli_memory", "goals": goals}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
