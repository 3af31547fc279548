"""Prefetch: hold page-down at 20 keys/s for 10 s against an emulator answering in 100 ± 20 ms.

The emulator (its own process) adds ``--latency 100±20`` to every response. The app uses each
provider's default page size (what a user gets). Page-down is posted every 50 ms on an absolute
schedule (``App.simulate_key``) for 10 s; every frame the table repaints is inspected (the
``CallTable.render_line`` hook) and each row drawn as a placeholder ("… loading") is counted —
including the trailing "more" row. Goal: none ever visible. Providers: Twilio (cursor paging,
sequential) and Fone Dynamics (offset paging with a total: random access).

    python bench/prefetch.py [--seconds 10] [--rate 20] [--json out.json]
"""

from __future__ import annotations

import asyncio
import time

from _browser import browser
from _common import Goal, emulator, parser, print_goals, print_table, print_versions, write_results

PROVIDERS = ("twilio", "fonedynamics")


async def hold_page_down(provider: str, seconds: float, rate: float) -> dict[str, object]:
    with emulator(1_000_000, latency="100±20") as emu:
        async with browser(emu, [provider]) as b:
            placeholder_rows: set[int] = set()
            frames_with = 0
            frames = 0

            def on_frame(frame: object) -> None:
                nonlocal frames_with, frames
                rows = getattr(frame, "placeholder_rows", ())
                if getattr(frame, "table_lines", 0):
                    frames += 1
                if rows:
                    frames_with += 1
                    placeholder_rows.update(rows)

            b.probe.on_frame = on_frame
            seen_before = b.probe.keys_seen
            start = time.perf_counter()
            presses = int(seconds * rate)
            for n in range(presses):
                delay = start + n / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                b.app.simulate_key("pagedown")
            posted = time.perf_counter()
            # the app may lag behind the keys: wait until it has processed all of them
            await b.until(lambda: b.probe.keys_seen - seen_before >= presses, timeout=120)
            lag = time.perf_counter() - posted
            await b.settle()
            b.probe.on_frame = None
            view = b.view
            return {
                "provider": provider,
                "presses": presses,
                "cursor": view.table.cursor_row,
                "loaded": view.pager.loaded,
                "page_size": view.pager.page_size,
                "random": view.pager.random_access,
                "frames": frames,
                "frames_with_placeholders": frames_with,
                "placeholder_rows": len(placeholder_rows),
                "lag_s": round(lag, 2),
            }


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--seconds", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=20.0)
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    repeats = 1 if args.quick else args.repeats
    print(f"prefetch: page-down at {args.rate:g}/s for {args.seconds:g} s, latency 100±20 ms")
    print_versions()
    results = []
    for _ in range(repeats):
        for provider in PROVIDERS:
            results.append(asyncio.run(hold_page_down(provider, args.seconds, args.rate)))
    rows = [
        (r["provider"], r["page_size"], "random" if r["random"] else "sequential", r["presses"],
         r["cursor"], r["lag_s"], r["frames"], r["frames_with_placeholders"],
         r["placeholder_rows"])
        for r in results
    ]  # fmt: skip
    print_table(("provider", "page", "mode", "keys", "cursor at end", "key backlog s", "table frames",
                 "frames w/ placeholders", "placeholder rows seen"), rows,
                title="placeholder rows ever visible")  # fmt: skip
    goals = []
    for provider in PROVIDERS:
        counts = [int(str(r["placeholder_rows"])) for r in results if r["provider"] == provider]
        goals.append(Goal(f"placeholder rows seen, {provider} (max of {len(counts)})",
                          str(max(counts)), "0", max(counts) == 0))  # fmt: skip
    print_goals(goals)
    write_results(args.json, "prefetch", goals, {"runs": results})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
