"""``callscope emulator``: run the emulator in the foreground and print how to reach it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from .dataset import DEFAULT_NOW
from .faults import parse_latency
from .server import EmulatedAccount, Emulator, EmulatorConfig


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="callscope emulator",
        description="Serve emulated Twilio/SignalWire/… call APIs on loopback.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: an ephemeral port)")
    p.add_argument("--seed", type=int, default=1, help="dataset seed (default 1)")
    p.add_argument("--calls", type=int, default=10_000, help="calls per account (default 10000)")
    p.add_argument("--latency", help="latency of every response in ms, e.g. 100 or 100±20")
    p.add_argument("--faults", default="", help="fault spec, e.g. 'twilio:429=0.1,latency=100±20'")
    p.add_argument("--hostile", action="store_true", help="plant hostile strings in records")
    p.add_argument("--fixed-now", action="store_true", help="use the fixed test clock, not now")
    p.add_argument("--json", action="store_true", help="print the accounts as one JSON line")
    p.add_argument("--write-config", metavar="PATH", help="write a callscope config (TOML)")
    return p


def write_config(path: Path, accounts: list[EmulatedAccount]) -> None:
    """Write ``[[accounts]]`` tables for the running emulator, readable only by the user."""
    import tomli_w  # a callscope dependency; imported here so the server itself needs only h11

    data = {"accounts": [a.to_config() for a in accounts]}
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        tomli_w.dump(data, fh)
    os.chmod(path, 0o600)  # also when the file existed with wider permissions


def _print_accounts(accounts: list[EmulatedAccount], as_json: bool) -> None:
    if as_json:
        print(json.dumps([a.to_dict() for a in accounts]), flush=True)
        return
    for a in accounts:
        print(f"{a.label}  [{a.name}]")
        print(f"  base_url = {a.base_url}")
        print(f"  account  = {a.account}")
        print(f"  username = {a.username}")
        print(f"  password = {a.password}")
        if a.properties:
            print(f"  properties = {', '.join(a.properties)}")
    print("Ctrl-C stops the emulator.", flush=True)


async def _run(config: EmulatorConfig, args: argparse.Namespace) -> None:
    async with Emulator(config) as emu:
        if args.write_config:
            write_config(Path(args.write_config), emu.accounts)
        _print_accounts(emu.accounts, args.json)
        await emu.serve_forever()


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.latency:
            parse_latency(args.latency)
        config = EmulatorConfig(
            now=DEFAULT_NOW if args.fixed_now else datetime.now(UTC).replace(microsecond=0),
            seed=args.seed,
            calls=args.calls,
            host=args.host,
            port=args.port,
            hostile=args.hostile,
            faults=args.faults,
            latency=args.latency,
        )
        if args.calls < 0:
            raise ValueError("--calls must be >= 0")
        with contextlib.suppress(KeyboardInterrupt, asyncio.CancelledError):
            asyncio.run(_run(config, args))
    except (ValueError, OSError) as e:
        print(f"callscope emulator: {e}", file=sys.stderr)
        return 2
    return 0
