"""``python -m tui.emulator.child CALLS NOW``: the demo's emulator, in a child process of the app.

The app (:mod:`tui.ui.demo`) starts this process as early as it can, so that the emulator's
imports, its dataset and its answers run beside the app rather than taking turns with it on one
interpreter. The child prints one JSON line, the accounts, once it listens on loopback, and
serves until its standard input closes: when the app exits, or dies.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
from datetime import datetime

from .server import Emulator, EmulatorConfig


async def _serve(config: EmulatorConfig) -> None:
    async with Emulator(config) as emu:
        sys.stdout.write(json.dumps([dataclasses.asdict(a) for a in emu.accounts]) + "\n")
        sys.stdout.flush()
        # The parent never writes: end of file means it is gone.
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.buffer.read)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    config = EmulatorConfig(calls=int(args[0]), now=datetime.fromisoformat(args[1]))
    asyncio.run(_serve(config))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
