"""NDJSON listing throughput: ``callscope list --all --format ndjson`` vs the baselines.

One emulator process serves 100,000 calls per account. Alternated in one run (the order flips
each round), each a fresh process writing to /dev/null, timed from spawn to exit:

- Twilio: ``callscope list -a bench-twilio --all --format ndjson`` (pages of 1000) vs the
  official ``twilio`` package's ``client.calls.stream(page_size=1000)`` with
  ``client.api.base_url`` set to the emulator, each record written as an NDJSON line.
- Fone Dynamics (offset paging): ``callscope list`` vs a plain sequential httpx loop.

If ``callscope list`` does not exist yet (its help lacks ``--format``), the same pipeline is
measured in-process instead (adapter source + ``Walker`` + NDJSON of ``Call.raw``).

    python bench/throughput.py [--calls 100000] [--repeats 2] [--json out.json]
"""

from __future__ import annotations

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


def timed(cmd: list[str]) -> float:
    started = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False,
                          cwd=ROOT)  # fmt: skip
    elapsed = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[:4]} failed: {proc.stderr.decode()[-1500:]}")
    return elapsed


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
    print(f"throughput: {calls:,} calls, NDJSON, {'callscope list' if use_cli else 'in-process pipeline'}"
          " vs baselines, alternated")  # fmt: skip
    print_versions()
    times: dict[tuple[str, str], list[float]] = {}
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
                    times.setdefault((provider, who), []).append(timed(cmd))
                    print(f"  {provider} {who}: {times[(provider, who)][-1]:.1f} s", flush=True)
    rows = []
    goals = []
    for provider in ("twilio", "fonedynamics"):
        ours, theirs = times[(provider, "callscope")], times[(provider, "baseline")]
        rate_ours = calls / mmm(ours)[1]
        rate_theirs = calls / mmm(theirs)[1]
        rows.append((provider, "callscope list --format ndjson", fmt_mmm(ours, "s", 1.0, 2),
                     f"{rate_ours:,.0f}"))  # fmt: skip
        rows.append((provider, BASELINE[provider], fmt_mmm(theirs, "s", 1.0, 2),
                     f"{rate_theirs:,.0f}"))  # fmt: skip
        ratio = rate_ours / rate_theirs
        goal = "≥ 3×" if provider == "twilio" else "≥ 3× (issue: same as Twilio)"
        goals.append(Goal(f"NDJSON rate ÷ {BASELINE[provider]} ({provider})", f"{ratio:.2f}×",
                          goal, ratio >= 3))  # fmt: skip
    print_table(("provider", "client", "min / median / max", "calls/s (median)"), rows,
                title=f"{calls:,} calls, {repeats} runs each, alternated")  # fmt: skip
    print_goals(goals)
    write_results(args.json, "throughput", goals,
                  {f"{k[0]}/{k[1]}": v for k, v in times.items()})  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
