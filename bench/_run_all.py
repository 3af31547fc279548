"""``bench/run_all``: every benchmark in turn, then one summary table of the headline figures.

Each script runs as its own process with ``--json`` (its full output is shown as it runs);
the sizes and repeats below keep the whole run under 10 minutes on 2 cores, and each script
has a time limit (a script over it is stopped and reported, the run goes on). ``keys.py
--with-memory`` measures key latency and the Twilio RSS walk (10k / 100k / 1M) in one run
(``memory.py`` alone would walk again). ``bench/cli_memory.py`` (the CLI's own memory
benchmark) prints its own table.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import BENCH, PYTHON, print_table, print_versions

# (script, arguments, time limit in seconds)
PLAN: list[tuple[str, list[str], int]] = [
    ("emulator.py", ["--repeats", "3"], 60),
    ("first_paint.py", ["--repeats", "3"], 150),
    ("keys.py", ["--with-memory", "--repeats", "5"], 420),
    ("prefetch.py", ["--repeats", "1"], 90),
    ("throughput.py", ["--repeats", "1"], 150),
    ("cli_memory.py", ["--sizes", "10000,100000", "--repeats", "1"], 90),
]


def main() -> int:
    quick = "--quick" in sys.argv[1:]
    started = time.monotonic()
    print_versions()
    summary: list[tuple[str, ...]] = []
    failures = []
    timings: list[tuple[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="callscope-bench-") as tmp:
        for script, args, limit in PLAN:
            path = BENCH / script
            if not path.exists():
                continue
            out = Path(tmp) / f"{path.stem}.json"
            cmd = [PYTHON, str(path), *args]
            if quick and script != "cli_memory.py":  # not ours: its own arguments
                cmd.append("--quick")
            if quick and script == "cli_memory.py":
                cmd = [PYTHON, str(path), "--sizes", "10000", "--repeats", "1"]
            cmd += ["--json", str(out)]
            print(f"\n=== {script} {' '.join(cmd[2:])}", flush=True)
            t0 = time.monotonic()
            try:
                rc = subprocess.run(cmd, check=False, timeout=limit).returncode
            except subprocess.TimeoutExpired:
                rc = -1
            took = time.monotonic() - t0
            timings.append((script, took))
            print(f"=== {script}: exit {rc}, {took:.0f} s", flush=True)
            if rc != 0:
                failures.append(script)
                what = f"stopped at its {limit} s limit" if rc == -1 else f"exit {rc}"
                summary.append((script, "FAILED", what, "", ""))
                continue
            if out.exists():
                for goal in json.loads(out.read_text())["goals"]:
                    met = goal["met"]
                    summary.append((script, goal["name"], goal["value"], goal["goal"],
                                    "-" if met is None else ("met" if met else "MISSED")))  # fmt: skip
    print_table(("script", "figure", "value", "goal", ""), summary,
                title=f"SUMMARY ({time.monotonic() - started:.0f} s)")  # fmt: skip
    print("time per script: " + ", ".join(f"{s} {t:.0f} s" for s, t in timings))
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
