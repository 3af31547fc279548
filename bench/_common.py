"""Shared helpers of the benchmark scripts: statistics, versions, RSS, the emulator subprocess.

Benchmarks print figures; they are never tests. Every script prints min / median / max over its
repeats and the versions it ran with, and with ``--json PATH`` also writes its headline figures
(what ``bench/run_all`` puts in its summary table).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PYTHON = sys.executable
# The venv's console script; fall back to ``python -m tui`` (same entry point).
_SCRIPT = Path(PYTHON).with_name("callscope")
CALLSCOPE: list[str] = [str(_SCRIPT)] if _SCRIPT.exists() else [PYTHON, "-m", "tui"]


# -- figures ------------------------------------------------------------------------------------


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (``q`` in 0..100); NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1))))
    return ordered[rank]


def mmm(values: Sequence[float]) -> tuple[float, float, float]:
    """(min, median, max)."""
    if not values:
        nan = float("nan")
        return nan, nan, nan
    return min(values), statistics.median(values), max(values)


def fmt_mmm(
    values: Sequence[float], unit: str = "ms", scale: float = 1000.0, digits: int = 1
) -> str:
    lo, mid, hi = mmm(values)
    return f"{lo * scale:.{digits}f} / {mid * scale:.{digits}f} / {hi * scale:.{digits}f} {unit}"


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]], title: str = "") -> None:
    """A plain fixed-width table (no markup: it goes to logs and the README as is)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    if title:
        print(f"\n{title}")
    line = "  ".join(h.ljust(w) for h, w in zip(cells[0], widths, strict=True))
    print(line)
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    sys.stdout.flush()


# -- environment ----------------------------------------------------------------------------------


def _version(dist: str) -> str:
    try:
        return importlib.metadata.version(dist)
    except importlib.metadata.PackageNotFoundError:
        return "-"


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _memory_gib() -> str:
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    return "?"


def versions() -> dict[str, str]:
    return {
        "python": platform.python_version(),
        "textual": _version("textual"),
        "httpx": _version("httpx"),
        "pydantic": _version("pydantic"),
        "callscope": _version("callscope"),
        "twilio": _version("twilio"),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores "
        f"({_cpu_model()}), {_memory_gib()} RAM",
    }


def print_versions() -> None:
    v = versions()
    print(
        f"versions: Python {v['python']} · Textual {v['textual']} · httpx {v['httpx']} · "
        f"pydantic {v['pydantic']} · callscope {v['callscope']} · twilio {v['twilio']}"
    )
    print(f"machine: {v['machine']}")
    sys.stdout.flush()


def rss_mb(pid: int | None = None) -> float:
    """Resident set size in MB (from /proc; no psutil dependency)."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def hwm_mb(pid: int | None = None) -> float:
    """Peak resident set size in MB."""
    status = Path(f"/proc/{pid or 'self'}/status").read_text()
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# -- arguments and results ------------------------------------------------------------------------


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", metavar="PATH", help="also write the headline figures as JSON")
    p.add_argument("--quick", action="store_true", help="fewer repeats / smaller sizes (smoke run)")
    return p


@dataclass
class Goal:
    """One headline figure: what was measured, the value, the goal and whether it is met."""

    name: str
    value: str
    goal: str
    met: bool | None  # None: informational

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "goal": self.goal, "met": self.met}


def write_results(path: str | None, script: str, goals: list[Goal], extra: dict[str, Any]) -> None:
    if not path:
        return
    data = {
        "script": script,
        "versions": versions(),
        "goals": [g.as_dict() for g in goals],
        "extra": extra,
    }
    Path(path).write_text(json.dumps(data, indent=1, default=str))


def print_goals(goals: list[Goal]) -> None:
    rows = [
        (g.name, g.value, g.goal, "-" if g.met is None else ("met" if g.met else "MISSED"))
        for g in goals
    ]
    print_table(("figure", "value", "goal", ""), rows, title="headline figures")


# -- the emulator as a separate process ---------------------------------------------------------


@dataclass
class EmulatorProcess:
    process: subprocess.Popen[str]
    accounts: list[dict[str, str]]
    started: float  # time.monotonic() just before the process was spawned
    ready: float  # time.monotonic() when its account line was read
    config_path: Path  # the callscope config it wrote (``--write-config``)

    def account(self, provider: str) -> dict[str, str]:
        return next(a for a in self.accounts if a["provider"] == provider)

    @property
    def pid(self) -> int:
        return self.process.pid


@contextlib.contextmanager
def emulator(
    calls: int, *, latency: str | None = None, extra: Sequence[str] = ()
) -> Iterator[EmulatorProcess]:
    """``callscope emulator --calls N --fixed-now --json --write-config FILE``, its own process.

    Its own process means its own core and GIL: the measured process only does the app's work.
    """
    with tempfile.TemporaryDirectory(prefix="callscope-bench-emu-") as tmp:
        config_path = Path(tmp) / "config.toml"
        cmd = [*CALLSCOPE, "emulator", "--calls", str(calls), "--json", "--fixed-now",
               "--write-config", str(config_path), *extra]  # fmt: skip
        if latency:
            cmd += ["--latency", latency]
        started = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
        try:
            assert proc.stdout is not None
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("the emulator exited before printing its accounts")
            ready = time.monotonic()
            yield EmulatorProcess(proc, json.loads(line), started, ready, config_path)
        finally:
            proc.terminate()
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def app_config(emu: EmulatorProcess, providers: Sequence[str], page_size: int | None = None) -> Any:
    """The emulator's written config, loaded as the app loads it, cut to ``providers``' accounts.

    ``page_size`` (if given) is set on each; imports pydantic, so call it late.
    """
    from tui.core import config as config_module

    config = config_module.load(emu.config_path, environ={})
    chosen = [a for p in providers for a in config.accounts if a.provider == p]
    if page_size is not None:
        chosen = [a.model_copy(update={"page_size": page_size}) for a in chosen]
    config.accounts = chosen
    return config


def ensure_root_on_path() -> None:
    """Scripts run as ``python bench/x.py``: make ``tui`` and ``bench`` importable."""
    root = str(ROOT)
    if root not in sys.path:
        sys.path.insert(0, root)
