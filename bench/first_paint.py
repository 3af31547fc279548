"""First paint and first call rows of ``callscope`` (demo mode) vs a bare Textual app.

Each run is a fresh process (``_paint_child.py``), timed from just before it is spawned. Two
modes: *headless* (Textual's headless driver; frames timed by the ``App._display`` hook) and
*pty* (the app on a real pseudo-terminal, TERM=xterm-256color, 160×50; the parent reads the
terminal's bytes and timestamps the first frame (the splash / the Static's text) and the first
call rows (a row's start time ``YYYY-MM-DD HH:MM:SS``) as a terminal would show them). Apps
alternate within each round and the order flips every round, so drift hits both alike.

    python bench/first_paint.py [--repeats 5] [--json out.json]
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import pstats
import re
import select
import struct
import subprocess
import tempfile
import termios
import time
from pathlib import Path

from _common import (
    BENCH,
    PYTHON,
    Goal,
    fmt_mmm,
    mmm,
    parser,
    print_goals,
    print_table,
    print_versions,
    write_results,
)

CHILD = str(BENCH / "_paint_child.py")
COLS, LINES = 160, 50
ROW_PATTERN = re.compile(rb"20\d\d-\d\d-\d\d \d\d:\d\d:\d\d")
FRAME_MARKERS = {"callscope": b"starting", "bare": b"bare-textual-app"}
TIMEOUT = 30.0


def child_env(config_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env["CALLSCOPE_CONFIG_DIR"] = config_dir  # no accounts: demo mode, no user themes
    env.pop("CALLSCOPE_CONFIG", None)
    env["TERM"] = "xterm-256color"
    env["COLUMNS"], env["LINES"] = str(COLS), str(LINES)
    env.pop("TEXTUAL", None)  # no devtools
    # An installed callscope has its bytecode cached; this sandbox sets PYTHONDONTWRITEBYTECODE,
    # which would make every run compile callscope from source (the warm-up run writes the cache).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_headless(kind: str, config_dir: str) -> dict[str, float | None]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    t0 = time.monotonic()
    proc = subprocess.run(
        [PYTHON, CHILD, kind, "headless", out],
        env=child_env(config_dir),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=TIMEOUT,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} headless failed: {proc.stderr.decode()[-2000:]}")
    data = json.loads(Path(out).read_text())
    os.unlink(out)
    return {
        "frame": data["first_frame"] - t0 if data["first_frame"] else None,
        "rows": data["first_rows"] - t0 if data["first_rows"] else None,
    }


def run_pty(kind: str, config_dir: str) -> dict[str, float | None]:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as fh:
        out = fh.name
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLS, 0, 0))
    t0 = time.monotonic()
    proc = subprocess.Popen(
        [PYTHON, CHILD, kind, "pty", out],
        env=child_env(config_dir),
        stdin=slave,
        stdout=slave,
        stderr=slave,
        start_new_session=True,
        close_fds=True,
    )
    os.close(slave)
    seen_frame: float | None = None
    seen_rows: float | None = None
    buffer = b""
    marker = FRAME_MARKERS[kind]
    deadline = t0 + TIMEOUT
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if ready:
                try:
                    chunk = os.read(master, 65536)
                except OSError:  # EIO: the child closed the terminal
                    break
                if not chunk:
                    break
                now = time.monotonic()
                buffer = buffer[-4096:] + chunk
                if seen_frame is None and marker in buffer:
                    seen_frame = now
                if seen_rows is None and ROW_PATTERN.search(buffer):
                    seen_rows = now
            elif proc.poll() is not None:
                break
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(5)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    hooks: dict[str, float | None] = {"first_frame": None, "first_rows": None}
    with contextlib.suppress(OSError, ValueError):
        hooks = json.loads(Path(out).read_text())
    with contextlib.suppress(OSError):
        os.unlink(out)
    return {
        "frame": seen_frame - t0 if seen_frame else None,
        "rows": seen_rows - t0 if seen_rows else None,
        "hook_frame": hooks["first_frame"] - t0 if hooks.get("first_frame") else None,
        "hook_rows": hooks["first_rows"] - t0 if hooks.get("first_rows") else None,
    }


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--modes", default="headless,pty")
    p.add_argument("--profile", metavar="PATH",
                   help="also run callscope once more, headless, with cProfile from its first "
                        "frame to its first rows, write the stats to PATH and print the top "
                        "functions")  # fmt: skip
    args = p.parse_args()
    repeats = 2 if args.quick else args.repeats
    print("first_paint: callscope (demo) vs a bare Textual app, each run a fresh process")
    print_versions()
    results: dict[str, dict[str, list[dict[str, float | None]]]] = {}
    with tempfile.TemporaryDirectory(prefix="callscope-bench-") as config_dir:
        for mode in args.modes.split(","):
            runner = run_headless if mode == "headless" else run_pty
            runs: dict[str, list[dict[str, float | None]]] = {"callscope": [], "bare": []}
            runner("bare", config_dir)  # warm the OS caches (bytecode, shared libraries)
            runner("callscope", config_dir)
            for round_no in range(repeats):
                order = ("callscope", "bare") if round_no % 2 == 0 else ("bare", "callscope")
                for kind in order:
                    runs[kind].append(runner(kind, config_dir))
            results[mode] = runs

    goals: list[Goal] = []
    rows = []
    extra: dict[str, object] = {}
    for mode, runs in results.items():
        bare = [r["frame"] for r in runs["bare"] if r["frame"] is not None]
        frames = [r["frame"] for r in runs["callscope"] if r["frame"] is not None]
        first_rows = [r["rows"] for r in runs["callscope"] if r["rows"] is not None]
        rows.append((mode, "bare Textual: first frame", fmt_mmm(bare), ""))
        rows.append((mode, "callscope: first frame", fmt_mmm(frames),
                     f"{mmm(frames)[1] / mmm(bare)[1]:.2f}×"))  # fmt: skip
        rows.append((mode, "callscope: first call rows", fmt_mmm(first_rows),
                     f"{mmm(first_rows)[1] / mmm(bare)[1]:.2f}×"))  # fmt: skip
        if mode == "pty":
            hook_frames = [r["hook_frame"] for r in runs["callscope"] if r.get("hook_frame")]
            hook_rows = [r["hook_rows"] for r in runs["callscope"] if r.get("hook_rows")]
            rows.append((mode, "  (callscope frame, by hook)", fmt_mmm(hook_frames), ""))
            rows.append((mode, "  (callscope rows, by hook)", fmt_mmm(hook_rows), ""))
        ratio_frame = mmm(frames)[1] / mmm(bare)[1]
        ratio_rows = mmm(first_rows)[1] / mmm(bare)[1]
        goals.append(Goal(f"first paint ÷ bare Textual ({mode})", f"{ratio_frame:.2f}×",
                          "≤ 1.3×", ratio_frame <= 1.3))  # fmt: skip
        goals.append(Goal(f"first rows ÷ bare Textual ({mode})", f"{ratio_rows:.2f}×",
                          "≤ 1.6×", ratio_rows <= 1.6))  # fmt: skip
        extra[mode] = {
            "bare_ms": [round(v * 1000, 1) for v in bare],
            "frame_ms": [round(v * 1000, 1) for v in frames],
            "rows_ms": [round(v * 1000, 1) for v in first_rows],
        }
    print_table(("mode", "what (from process spawn)", "min / median / max", "ratio (median)"),
                rows, title=f"first paint, {repeats} runs each, alternated")  # fmt: skip
    print_goals(goals)
    write_results(args.json, "first_paint", goals, extra)
    if args.profile:
        with tempfile.TemporaryDirectory(prefix="callscope-bench-") as config_dir:
            env = {**child_env(config_dir), "CALLSCOPE_BENCH_PROFILE": args.profile}
            with tempfile.NamedTemporaryFile(suffix=".json") as out:
                subprocess.run([PYTHON, CHILD, "callscope", "headless", out.name], env=env,
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               timeout=TIMEOUT, check=True)  # fmt: skip
        print(f"\nprofile, first frame → first rows (written to {args.profile}):")
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
