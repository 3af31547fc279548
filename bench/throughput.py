"""NDJSON listing throughput: ``callscope list --all --format ndjson`` vs the baselines.

One emulator process serves 100,000 calls per account. Alternated in one run (the order flips
each round), each a fresh process writing to /dev/null, timed from spawn to exit:

- Twilio: ``callscope list -a bench-twilio --all --format ndjson`` (pages of 1000) vs the
  official ``twilio`` package's ``client.calls.stream(page_size=1000)`` with
  ``client.api.base_url`` set to the emulator, each record written as an NDJSON line.
- Fone Dynamics (offset paging): ``callscope list`` vs a plain sequential httpx loop.

callscope's own modules are byte-compiled first (the official package's were, by pip).

If ``callscope list`` does not exist yet (its help lacks ``--format``), the same pipeline is
measured in-process instead (adapter source + ``Walker`` + NDJSON of ``Call.raw``).

    python bench/throughput.py [--calls 100000] [--repeats 2] [--json out.json]
"""

from __future__ import annotations

import compileall
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from _common import (
    BENCH,
    CALLSCOPE,
    PYTHON,
    ROOT,
    Goal,
    emulator,
    fmt_mmm,
    mmm,
    parser,
    print_goals,
    print_table,
    print_versions,
    write_results,
)

CHILD = str(BENCH / "_official_child.py")
PAGE_SIZES = {"twilio": 1000, "fonedynamics": 200}
BASELINE = {"twilio": "official twilio stream()", "fonedynamics": "plain httpx loop"}


def cli_has_list() -> bool:
    proc = subprocess.run([*CALLSCOPE, "list", "--help"], capture_output=True, text=True,
                          check=False, cwd=ROOT)  # fmt: skip
    return proc.returncode == 0 and "ndjson" in proc.stdout


def write_config(path: Path, accounts: list[dict[str, str]]) -> None:
    lines = []
    for a in accounts:
        if a["provider"] not in PAGE_SIZES:
            continue
        lines += [
            "[[accounts]]",
            f'name = "bench-{a["provider"]}"',
            f'provider = "{a["provider"]}"',
            f'base_url = "{a["base_url"]}"',
            f'account = "{a["account"]}"',
            f'username = "{a["username"]}"',
            f'password = "{a["password"]}"',
            f"page_size = {PAGE_SIZES[a['provider']]}",
            "",
        ]
    path.write_text("\n".join(lines))
    path.chmod(0o600)


_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a running process (from /proc; 0 where there is no /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / _TICKS


def timed(cmd: list[str], emulator_pid: int) -> tuple[float, float, float]:
    """(wall, the command's CPU, the emulator's CPU meanwhile), in seconds."""
    emulator_before = cpu_seconds(emulator_pid)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stderr is not None
    err = proc.stderr.read()  # small (the count); read before waiting so the pipe never fills
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {err.decode()[-1500:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, cpu_seconds(emulator_pid) - emulator_before


def in_process_cmd(config: Path, provider: str) -> list[str]:
    return [PYTHON, str(BENCH / "_list_inprocess.py"), str(config), f"bench-{provider}"]


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--calls", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    calls = 20_000 if args.quick else args.calls
    repeats = 1 if args.quick else args.repeats
    use_cli = cli_has_list()
    # The official package's modules were byte-compiled when pip installed it; an editable
    # callscope compiles its own on every start when PYTHONDONTWRITEBYTECODE is set (as in some
    # sandboxes), ~0.1 s a run. Compile them once, as a normal first run would.
    compileall.compile_dir(str(ROOT / "tui"), quiet=1)
    print(f"throughput: {calls:,} calls, NDJSON, {'callscope list' if use_cli else 'in-process pipeline'}"
          " vs baselines, alternated")  # fmt: skip
    print_versions()
    times: dict[tuple[str, str], list[float]] = {}
    cpu: dict[tuple[str, str], list[tuple[float, float]]] = {}  # (client, emulator) seconds
    with emulator(calls) as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        write_config(config, emu.accounts)
        for provider in ("twilio", "fonedynamics"):
            a = emu.account(provider)
            ours = ([*CALLSCOPE, "list", "--config", str(config), "-a", f"bench-{provider}",
                     "--all", "--format", "ndjson"] if use_cli
                    else in_process_cmd(config, provider))  # fmt: skip
            kind = "twilio" if provider == "twilio" else "httpx-fonedynamics"
            theirs = [PYTHON, CHILD, kind, a["base_url"], a["account"], a["username"],
                      a["password"], str(calls)]  # fmt: skip
            for round_no in range(repeats):
                order = [("callscope", ours), ("baseline", theirs)]
                if round_no % 2:
                    order.reverse()
                for who, cmd in order:
                    wall, client, server = timed(cmd, emu.pid)
                    times.setdefault((provider, who), []).append(wall)
                    cpu.setdefault((provider, who), []).append((client, server))
                    print(f"  {provider} {who}: {wall:.1f} s (CPU: client {client:.1f} s, "
                          f"emulator {server:.1f} s)", flush=True)  # fmt: skip
    rows = []
    goals = []
    for provider in ("twilio", "fonedynamics"):
        ours, theirs = times[(provider, "callscope")], times[(provider, "baseline")]
        rate_ours = calls / mmm(ours)[1]
        rate_theirs = calls / mmm(theirs)[1]
        for who, label, walls, rate in (("callscope", "callscope list --format ndjson", ours,
                                          rate_ours),
                                         ("baseline", BASELINE[provider], theirs, rate_theirs)):
            client = statistics.median(c for c, _ in cpu[(provider, who)]) / calls * 1e6
            server = statistics.median(e for _, e in cpu[(provider, who)]) / calls * 1e6
            rows.append((provider, label, fmt_mmm(walls, "s", 1.0, 2), f"{rate:,.0f}",
                         f"{client:.0f} / {server:.0f} µs"))  # fmt: skip
        ratio = rate_ours / rate_theirs
        goal = "≥ 3×" if provider == "twilio" else "≥ 3× (issue: same as Twilio)"
        goals.append(Goal(f"NDJSON rate ÷ {BASELINE[provider]} ({provider})", f"{ratio:.2f}×",
                          goal, ratio >= 3))  # fmt: skip
    print_table(("provider", "client", "min / median / max", "calls/s (median)",
                 "CPU a call: client / emulator"), rows,
                title=f"{calls:,} calls, {repeats} runs each, alternated")  # fmt: skip
    print("CPU a call: medians; the emulator's is what it spent serving that client's run. A"
          " pipelined client can go no faster than the emulator serves.")  # fmt: skip
    print_goals(goals)
    write_results(args.json, "throughput", goals,
                  {f"{k[0]}/{k[1]}": v for k, v in times.items()})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
