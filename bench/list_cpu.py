"""Client-side CPU of ``callscope list --all --format ndjson``, without the server's time.

The emulator's pages are fetched once (a warm-up run through a caching transport that forwards
misses to a real ``callscope emulator`` process); the timed runs replay them from memory through
an ``httpx`` transport, so the figure (process CPU time) is callscope's own cost per call (HTTP client, JSON, the
walk, normalization, the NDJSON writer), the same code path as the real command. Output goes to
/dev/null. ``--profile`` writes a pyinstrument profile of one run instead of timing.

    python bench/list_cpu.py [--calls 100000] [--repeats 3] [--providers twilio,fonedynamics]
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import emulator, fmt_mmm, mmm, parser, print_table, print_versions
from throughput import PAGE_SIZES, write_config

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402


class ReplayTransport(httpx.AsyncBaseTransport):
    """Answers from memory; a miss is fetched once from the real server and kept."""

    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.cache: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}
        self.misses = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.method, str(request.url))
        hit = self.cache.get(key)
        if hit is None:
            self.misses += 1
            response = await self.inner.handle_async_request(request)
            content = await response.aread()
            await response.aclose()
            headers = [
                (k, v)
                for k, v in response.headers.raw
                if k.lower() not in (b"content-encoding", b"transfer-encoding")
            ]
            hit = (response.status_code, headers, content)
            self.cache[key] = hit
        status, headers, content = hit
        return httpx.Response(status, headers=headers, content=content, request=request)


def run_cli(argv: list[str], transport: ReplayTransport) -> float:
    import tui.providers
    from tui.cli import main

    original = tui.providers.adapter_for

    def adapter_for(account: Any, **kwargs: Any) -> Any:
        return original(account, transport=transport, **kwargs)

    tui.providers.adapter_for = adapter_for  # type: ignore[assignment]
    try:
        with open(os.devnull, "w") as sink, contextlib.redirect_stdout(sink):
            # CPU time of this process: other load on the machine barely moves it.
            started = time.process_time()
            code = main(argv)
            elapsed = time.process_time() - started
    finally:
        tui.providers.adapter_for = original  # type: ignore[assignment]
    if code != 0:
        raise RuntimeError(f"callscope list exited {code}")
    return elapsed


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--calls", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--providers", default="twilio,fonedynamics")
    p.add_argument("--profile", metavar="HTML", help="write a pyinstrument profile of one run")
    args = p.parse_args()
    calls = 20_000 if args.quick else args.calls
    providers = [x for x in args.providers.split(",") if x in PAGE_SIZES]
    print(f"list_cpu: {calls:,} calls, NDJSON, pages replayed from memory (client CPU only)")
    print_versions()
    rows = []
    with emulator(calls) as emu, tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.toml"
        write_config(config, emu.accounts)
        for provider in providers:
            argv = ["list", "--config", str(config), "-a", f"bench-{provider}", "--all"]
            argv += ["--format", "ndjson"]
            transport = ReplayTransport()
            run_cli(argv, transport)  # warm-up: fills the cache from the emulator
            if args.profile:
                from pyinstrument import Profiler

                profiler = Profiler(interval=0.0005)
                profiler.start()
                run_cli(argv, transport)
                profiler.stop()
                out = Path(args.profile).with_suffix(f".{provider}.html")
                out.write_text(profiler.output_html())
                print(profiler.output_text(unicode=False, color=False, show_all=False))
                continue
            times = [run_cli(argv, transport) for _ in range(args.repeats)]
            rate = calls / mmm(times)[1]
            per_call = mmm(times)[1] / calls * 1e6
            rows.append(
                (provider, fmt_mmm(times, "s", 1.0, 2), f"{rate:,.0f}", f"{per_call:.1f} µs")
            )
            print(f"  {provider}: {fmt_mmm(times, 's', 1.0, 2)} ({transport.misses} misses)")
    if rows:
        print_table(
            ("provider", "min / median / max", "calls/s (median)", "per call"),
            rows,
            title=f"{calls:,} calls, {args.repeats} runs each, client CPU only",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
