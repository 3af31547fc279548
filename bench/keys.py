"""Key latency of the call table with 1k, 100k and 1M rows behind the cursor.

Each provider runs against ``callscope emulator`` in its own process (``--write-config``; the app
is ``CallscopeApp(config=...)`` on that config, headless, in this process), in pages of the
provider's maximum size:

- **PortSIP** (offset paging with ``count=true``: the pager enters *random-access* mode), the
  emulator holding 1,010,000 calls: the cursor is moved to row N (1k, 100k, 1M) and only the
  pages needed there are fetched; ``G`` jumps to the last row (1,009,999), ``g`` back to row 0.
- **Twilio** (cursor paging, pages of 1000: *sequential*): the pager walks until row N is
  loaded (1k, 100k) in the app; ``G`` goes to the last *loaded* row. ``--with-memory`` records
  RSS at 10k / 100k during this walk and then goes on to 1M for the 1M figure (what
  ``memory.py`` measures alone), without sampling keys there.

Each key (down, page-down, ``G``, ``g``, filter apply = Enter on ``status:completed`` in the query
bar) is posted with ``App.simulate_key`` and timed from the moment ``App.on_event`` starts
processing it to the first frame that repaints the table (``App._display``), with the process
CPU time over the same span (never ``pilot.press()``). For ``G``/``g`` whose first frame shows
placeholders, the time until the rows are on screen is printed too (network-bound). For the
filter samples the N-row pager is put back after each apply (bench-only reach-in), so every
sample starts from N rows.

    python bench/keys.py [--portsip-sizes 1000,100000,1000000] [--twilio-sizes 1000,100000]
                         [--with-memory] [--repeats 6] [--json out.json]
                         [--keys down,filter --profile keys.pstats]
"""

from __future__ import annotations

import asyncio
import cProfile
import gc
import pstats
import time

from _browser import Browser, browser
from _common import (
    Goal,
    emulator,
    hwm_mb,
    parser,
    percentile,
    print_goals,
    print_table,
    print_versions,
    rss_mb,
    write_results,
)

TWILIO_PAGE = 1000  # Twilio's maximum PageSize
PORTSIP_PAGE = 100  # PortSIP's maximum `top`
PORTSIP_CALLS = 1_010_000  # room below row 1,000,000 for down / page-down
FILTER = "status:completed"
FIRST_ROWS_TIMEOUT = 60.0
# Between keys, wait until the detail pane's deferred redraw (it redraws once the cursor rests
# for DETAIL_DELAY) has happened too: otherwise it lands in the next key's window.
QUIET = 0.12

Samples = dict[str, list[tuple[float, float]]]
PROFILE: cProfile.Profile | None = None  # --profile


async def walk_to(b: Browser, rows: int) -> float:
    """Load rows until ``rows`` are loaded (the pager's own sequential walk); seconds taken."""
    started = time.perf_counter()
    await b.view.pager.ensure(rows - 1)
    await b.settle()
    return time.perf_counter() - started


async def place(b: Browser, index: int) -> None:
    b.view.table.move_to(index)
    await b.settle(QUIET)


async def rows_on_screen(b: Browser, pressed: float, timeout: float) -> float | None:
    """Seconds from ``pressed`` to the first frame whose table lines are all loaded rows."""
    try:
        frame = await b.probe.next_frame(
            lambda f: f.row_lines > 0 and not f.placeholder_rows, timeout
        )
    except TimeoutError:
        return None
    return frame.wall - pressed


KEYS = ("down", "page-down", "G", "g", "filter")


async def sample_keys(b: Browser, n: int, repeats: int, keys: tuple[str, ...] = KEYS) -> Samples:
    out: Samples = {}
    table = b.view.table

    async def run(name: str, key: str, count: int, start: int | None) -> None:
        if start is not None:
            await place(b, start)
        samples = out.setdefault(name, [])
        for _ in range(count):
            wall, cpu, frame = await b.key(key)
            samples.append((wall, cpu))
            if frame.placeholder_rows:  # the page is being fetched: when are its rows shown?
                assert b.probe.last_key is not None
                shown = await rows_on_screen(b, b.probe.last_key[1], FIRST_ROWS_TIMEOUT)
                if shown is not None:
                    out.setdefault(f"{name} → rows on screen (network)", []).append((shown, 0.0))
            await b.settle(QUIET)

    if "down" in keys:
        await run("down", "down", repeats * 3, n)
    if "page-down" in keys:
        await run("page-down", "pagedown", repeats * 2, n)
    for _ in range(repeats * 2):  # more samples than one per repeat: p95 is nearest-rank
        await place(b, n)
        if "G" in keys:
            await run("G", "G", 1, None)
        if "g" in keys:
            await run("g", "g", 1, None)
    # filter apply: Enter in the query bar, then the N-row pager is put back
    view = b.view
    for _ in range(repeats if "filter" in keys else 0):
        old_pager, old_filter, old_plan = view.pager, view.filter, view.plan
        await place(b, n)
        view.action_open_query()
        view.query_one("QueryBar").input.value = FILTER
        await b.settle(QUIET)
        rows_frame = asyncio.ensure_future(
            b.probe.next_frame(
                lambda f, old=old_pager: f.row_lines > 0 and view.pager is not old,
                FIRST_ROWS_TIMEOUT,
            )
        )
        wall, cpu, _frame = await b.key("enter")
        assert b.probe.last_key is not None
        pressed = b.probe.last_key[1]
        out.setdefault("filter apply", []).append((wall, cpu))
        new = view.pager
        try:
            first = await rows_frame
            out.setdefault("filter → first rows (network)", []).append((first.wall - pressed, 0.0))
        except TimeoutError:  # reported, not fatal: the emulator may scan long for a filter
            print(f"  {n:,} rows: the filter's first rows did not come within "
                  f"{FIRST_ROWS_TIMEOUT:.0f} s", flush=True)  # fmt: skip
        if new is not None and new is not old_pager:
            new.cancel()
        view.pager, view.filter, view.plan = old_pager, old_filter, old_plan
        table.set_pager(old_pager)
        table.focus()
        await place(b, n)
    return out


def measure_rss(n: int, walked: float, how: str) -> tuple[float, float, float]:
    before = rss_mb()
    gc.collect()
    figures = (before, rss_mb(), hwm_mb())
    print(f"  {n:>9,} rows paged through ({how}) after {walked:.0f} s · RSS {before:.0f} MB "
          f"({figures[1]:.0f} MB after gc) · peak {figures[2]:.0f} MB", flush=True)  # fmt: skip
    return figures


async def bench_portsip(
    sizes: list[int], repeats: int, keys: tuple[str, ...]
) -> dict[int, Samples]:
    """Random access: the cursor is put on row N, only the pages needed there are fetched."""
    per_size: dict[int, Samples] = {}
    with emulator(max(PORTSIP_CALLS, max(sizes) + 10_000)) as emu:
        async with browser(emu, ["portsip"], page_size=PORTSIP_PAGE) as b:
            b.profile = PROFILE
            pager = b.view.pager
            print(f"  portsip: {pager.status_text()} · random access: {pager.random_access}",
                  flush=True)  # fmt: skip
            for n in sorted(sizes):
                fetches = pager.fetches
                per_size[n] = await sample_keys(b, n, repeats, keys)
                print(f"  portsip {n:>9,} rows behind the cursor: keys sampled "
                      f"({pager.fetches - fetches} page fetches)", flush=True)  # fmt: skip
            b.probe.frames.clear()
    return per_size


async def bench_twilio(
    sizes: list[int], repeats: int, memory_at: list[int], keys: tuple[str, ...]
) -> tuple[dict[int, Samples], dict[int, tuple[float, float, float]], dict[int, float]]:
    """Sequential: the pager walks to row N in the app (pages of 1000), then keys / RSS."""
    per_size: dict[int, Samples] = {}
    rss: dict[int, tuple[float, float, float]] = {}
    walk_seconds: dict[int, float] = {}
    checkpoints = sorted(set(sizes) | set(memory_at))
    with emulator(checkpoints[-1] + 10 * TWILIO_PAGE) as emu:
        async with browser(emu, ["twilio"], page_size=TWILIO_PAGE) as b:
            b.profile = PROFILE
            walked = 0.0
            for n in checkpoints:
                walked += await walk_to(b, n + 2 * TWILIO_PAGE)
                walk_seconds[n] = round(walked, 1)
                if n in memory_at:
                    rss[n] = measure_rss(n, walked, "the app's pager, table showing it")
                if n in sizes:
                    per_size[n] = await sample_keys(b, n, repeats, keys)
                    print(f"  twilio {n:>9,} rows behind the cursor: keys sampled", flush=True)
    return per_size, rss, walk_seconds


def summarize(provider: str, per_size: dict[int, Samples]) -> list[tuple[object, ...]]:
    rows = []
    for n, keys in per_size.items():
        for name, samples in keys.items():
            walls = [w for w, _ in samples]
            cpus = [c for _, c in samples]
            network = "network" in name
            rows.append(
                (provider, f"{n:,}", name, len(samples),
                 f"{percentile(walls, 50) * 1000:.1f}", f"{percentile(walls, 95) * 1000:.1f}",
                 f"{min(walls) * 1000:.1f} / {max(walls) * 1000:.1f}",
                 "-" if network else f"{percentile(cpus, 50) * 1000:.1f}")
            )  # fmt: skip
    return rows


def key_goals(provider: str, n: int, samples_by_key: Samples) -> list[Goal]:
    goals = []
    for name, samples in samples_by_key.items():
        walls = [w for w, _ in samples]
        p50, p95 = percentile(walls, 50) * 1000, percentile(walls, 95) * 1000
        where = f"{provider} @ {n:,} rows"
        if "network" in name:  # network-bound, informational
            goals.append(Goal(f"{name}, {where} p50", f"{p50:.0f} ms", "-", None))
            continue
        cpu = percentile([c for _, c in samples], 50) * 1000
        goals.append(Goal(f"key {name}, {where} p50/p95", f"{p50:.1f} / {p95:.1f} ms "
                          f"(cpu {cpu:.1f})", "≤ 8 / ≤ 16 ms", p50 <= 8 and p95 <= 16))  # fmt: skip
    return goals


def sizes_arg(text: str) -> list[int]:
    return [int(s) for s in text.split(",") if s.strip()]


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--portsip-sizes", default="1000,100000,1000000")
    p.add_argument("--twilio-sizes", default="1000,100000")
    p.add_argument("--repeats", type=int, default=6)
    p.add_argument("--with-memory", action="store_true",
                   help="also RSS at 10k/100k/1M rows of the Twilio walk")  # fmt: skip
    p.add_argument("--memory-sizes", default="10000,100000,1000000")
    p.add_argument("--keys", default=",".join(KEYS), help="which keys to sample (for profiling)")
    p.add_argument("--profile", metavar="PATH",
                   help="cProfile the key windows (all keys sampled, summed) into PATH (pstats) "
                        "and print the top functions")  # fmt: skip
    args = p.parse_args()
    portsip_sizes = sizes_arg(args.portsip_sizes)
    twilio_sizes = sizes_arg(args.twilio_sizes)
    memory_at = sizes_arg(args.memory_sizes) if args.with_memory else []
    repeats = args.repeats
    global PROFILE
    PROFILE = cProfile.Profile() if args.profile else None
    keys = tuple(k for k in args.keys.split(",") if k in KEYS)
    if args.quick:
        repeats = 3
        twilio_sizes = [n for n in twilio_sizes if n <= 10_000] or [1000]
        memory_at = [n for n in memory_at if n <= 100_000]
    print(f"keys: latency key → frame that repaints the table; PortSIP pages of {PORTSIP_PAGE} "
          f"(random access), Twilio pages of {TWILIO_PAGE} (sequential)")  # fmt: skip
    print_versions()
    started = time.perf_counter()
    portsip = asyncio.run(bench_portsip(portsip_sizes, repeats, keys)) if portsip_sizes else {}
    # The PortSIP app's widgets are cyclic garbage now: collect them before the Twilio app
    # starts, or they would count in its RSS (it freezes what is alive after its start-up).
    gc.collect()
    print(f"  portsip done after {time.perf_counter() - started:.0f} s", flush=True)
    twilio, rss, walk_seconds = (
        asyncio.run(bench_twilio(twilio_sizes, repeats, memory_at, keys))
        if twilio_sizes or memory_at
        else ({}, {}, {})
    )
    print(f"  twilio done after {time.perf_counter() - started:.0f} s", flush=True)
    print_table(
        ("provider", "rows behind", "key", "n", "p50 ms", "p95 ms", "min / max ms", "cpu p50 ms"),
        summarize("portsip", portsip) + summarize("twilio", twilio),
        title="key latency (wall from key processing to the table's next frame)",
    )
    goals: list[Goal] = []
    if portsip:
        goals += key_goals("portsip", max(portsip), portsip[max(portsip)])
    if twilio:
        goals += key_goals("twilio", max(twilio), twilio[max(twilio)])
    extra: dict[str, object] = {
        provider: {
            str(n): {
                k: [[round(w * 1000, 2), round(c * 1000, 2)] for w, c in v] for k, v in ks.items()
            }
            for n, ks in per_size.items()
        }
        for provider, per_size in (("portsip", portsip), ("twilio", twilio))
    }
    extra["twilio_walk_seconds"] = walk_seconds
    if rss:
        from memory import memory_goals, print_rss

        print_rss(rss, "Twilio pages of 1000, walked by the app's pager while the table shows it")
        goals += memory_goals(rss)
        extra["rss_mb"] = {str(k): v for k, v in rss.items()}
    print_goals(goals)
    write_results(args.json, "keys", goals, extra)
    if PROFILE is not None:
        PROFILE.dump_stats(args.profile)
        print(f"\nprofile of the key windows (written to {args.profile}):")
        pstats.Stats(args.profile).sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
