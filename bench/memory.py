"""RSS of the browser after paging through 10k, 100k and 1M rows.

The emulator (its own process) serves 1,000,000 Twilio calls; the app (this process, headless)
walks them in pages of 1000 with the pager's own sequential walk while the table shows them.
The pager keeps every page's cursor and an LRU of page data, so memory should stay flat. RSS is
read from /proc (before and after a ``gc.collect()``), with the peak (VmHWM).

    python bench/memory.py [--sizes 10000,100000,1000000] [--json out.json]
"""

from __future__ import annotations

import asyncio
import gc

from _browser import browser
from _common import (
    Goal,
    emulator,
    hwm_mb,
    parser,
    print_goals,
    print_table,
    print_versions,
    rss_mb,
    write_results,
)

PAGE_SIZE = 1000
HOW = f"Twilio pages of {PAGE_SIZE}, walked by the app's pager while the table shows it"


def print_rss(rss: dict[int, tuple[float, float, float]], how: str) -> None:
    rows = [(f"{n:,}", f"{a:.0f}", f"{b:.0f}", f"{c:.0f}") for n, (a, b, c) in sorted(rss.items())]
    print_table(("rows paged through", "RSS MB", "RSS after gc MB", "peak MB"), rows,
                title=f"memory of the app process (emulator in its own process; {how})")  # fmt: skip


def memory_goals(rss: dict[int, tuple[float, float, float]]) -> list[Goal]:
    goals = []
    largest = max(rss)
    value = rss[largest][0]
    goals.append(Goal(f"RSS after {largest:,} rows", f"{value:.0f} MB", "≤ 200 MB", value <= 200))
    if 100_000 in rss and largest > 100_000:
        growth = value / rss[100_000][0] - 1
        goals.append(Goal(f"RSS growth 100k → {largest:,}", f"{growth * 100:+.0f}%", "≤ +20%",
                          growth <= 0.20))  # fmt: skip
    return goals


async def bench(sizes: list[int]) -> dict[int, tuple[float, float, float]]:
    rss: dict[int, tuple[float, float, float]] = {}
    with emulator(max(sizes) + 10 * PAGE_SIZE) as emu:
        async with browser(emu, ["twilio"], page_size=PAGE_SIZE, keep_frames=False) as b:
            rss[0] = (rss_mb(), rss_mb(), hwm_mb())
            for n in sorted(sizes):
                await b.view.pager.ensure(n - 1)
                await b.settle()
                before = rss_mb()
                gc.collect()
                rss[n] = (before, rss_mb(), hwm_mb())
                print(f"  {n:>9,} rows · RSS {before:.0f} MB", flush=True)
    return rss


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--sizes", default="10000,100000,1000000")
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"memory: RSS while paging through Twilio calls in pages of {PAGE_SIZE}")
    print_versions()
    rss = asyncio.run(bench(sizes))
    print_rss(rss, HOW)
    first = rss.pop(0)
    print(f"(RSS with the first page shown: {first[0]:.0f} MB)")
    goals = memory_goals(rss)
    print_goals(goals)
    write_results(args.json, "memory", goals, {"rss_mb": {str(k): v for k, v in rss.items()}})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
