"""``callscope emulator --calls 1000000``: time to the first page and RSS while a client walks.

Each run spawns the command, reads its ``--json`` account line, requests the first page of
Twilio calls (default page size) and records the time from spawn to that response; then a
plain httpx client walks 10,000 records (pages of 1000) while the emulator's RSS is sampled
after every page (from /proc). Issue 4's acceptance: first page ≤ 1 s, RSS < 300 MB.

    python bench/emulator.py [--repeats 3] [--calls 1000000] [--json out.json]
"""

from __future__ import annotations

import time

import httpx
from _common import (
    Goal,
    emulator,
    fmt_mmm,
    hwm_mb,
    mmm,
    parser,
    print_goals,
    print_table,
    print_versions,
    rss_mb,
    write_results,
)

WALK = 10_000


def one_run(calls: int) -> tuple[float, float, float, float]:
    """(s to ready line, s to first page, max RSS MB during the walk, peak RSS MB)."""
    with emulator(calls) as emu:
        a = emu.account("twilio")
        url = f"{a['base_url']}/2010-04-01/Accounts/{a['account']}/Calls.json"
        with httpx.Client(auth=(a["username"], a["password"]), timeout=60) as client:
            r = client.get(url)
            r.raise_for_status()
            first_page = time.monotonic() - emu.started
            ready = emu.ready - emu.started
            walked = 0
            peak = rss_mb(emu.pid)
            next_url: str | None = f"{url}?PageSize=1000"
            while next_url and walked < WALK:
                r = client.get(next_url)
                r.raise_for_status()
                body = r.json()
                walked += len(body["calls"])
                nxt = body.get("next_page_uri")
                next_url = f"{a['base_url']}{nxt}" if nxt else None
                peak = max(peak, rss_mb(emu.pid))
            return ready, first_page, peak, hwm_mb(emu.pid)


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--calls", type=int, default=1_000_000)
    args = p.parse_args()
    repeats = 1 if args.quick else args.repeats
    print(
        f"emulator: callscope emulator --calls {args.calls:,}, first page and RSS over a {WALK:,}-record walk"
    )
    print_versions()
    runs = [one_run(args.calls) for _ in range(repeats)]
    ready = [r[0] for r in runs]
    first = [r[1] for r in runs]
    rss = [r[2] for r in runs]
    peak = [r[3] for r in runs]
    print_table(("what", "min / median / max"), [
        ("spawn → accounts line printed", fmt_mmm(ready)),
        ("spawn → first page received", fmt_mmm(first)),
        (f"RSS while a client walks {WALK:,} records", fmt_mmm(rss, "MB", 1.0, 0)),
        ("peak RSS (VmHWM)", fmt_mmm(peak, "MB", 1.0, 0)),
    ], title=f"{repeats} runs")  # fmt: skip
    goals = [
        Goal("emulator 1M: spawn → first page", f"{mmm(first)[1] * 1000:.0f} ms (median)",
             "≤ 1000 ms", max(first) <= 1.0),
        Goal(f"emulator 1M: RSS during a {WALK:,}-record walk", f"{max(rss):.0f} MB (max)",
             "< 300 MB", max(rss) < 300),
    ]  # fmt: skip
    print_goals(goals)
    write_results(args.json, "emulator", goals, {"runs": runs})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
