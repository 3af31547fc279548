"""``callscope recordings ID``: a call's recordings, listed or (``--download DIR``) saved.

DIR is created (with its parents) when there is something to save in it. A file is named from
the recording id (made safe for any file system) and written to a temporary name first, so an
interrupted download never leaves a file that looks complete.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tui.commands import exits
from tui.commands.common import Session, add_call_command, is_tty, load_config, run_async
from tui.commands.table import fit
from tui.core.export import iso_utc
from tui.core.media import file_name, save
from tui.core.model import LINK_RECORDINGS, Recording
from tui.core.sanitize import cell, redact

BAR_WIDTH = 30
HELP = "a call's recordings (list, or --download DIR)"
DESCRIPTION = "List the recordings of a call, or download them into a directory."


def add_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    p = add_call_command(sub, parents, "recordings", HELP, DESCRIPTION)
    p.add_argument(
        "--download", metavar="DIR", help="save every recording's media into DIR (created)"
    )
    p.add_argument("--fail-empty", action="store_true", help="exit 1 when the call has none")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args)
    if args.download and Path(args.download).exists() and not Path(args.download).is_dir():
        raise exits.UsageError(f"--download: {args.download} is a file, not a directory")
    with Session(args, config) as session:
        return run_async(session, lambda: _recordings(session, args))


async def _recordings(session: Session, args: argparse.Namespace) -> int:
    adapter = session.adapter
    secrets = session.secrets()
    call = await adapter.get_call(args.id)
    result = await adapter.follow(call, LINK_RECORDINGS)
    recordings = list(result.recordings)
    err = sys.stderr
    if result.note:
        print(f"callscope: note: {redact(cell(result.note), secrets)}", file=err)
    if not recordings:
        print(f"callscope: call {cell(call.id)} has no recordings", file=err)
        return exits.EMPTY if args.fail_empty else exits.OK
    if not args.download:
        out = sys.stdout
        out.write("ID                                  STARTED               DURATION  MEDIA\n")
        for rec in recordings:
            duration = "" if rec.duration is None else f"{rec.duration} s"
            line = "  ".join(
                (
                    fit(cell(rec.id), 34),
                    fit(iso_utc(rec.started_at) or "", 20),
                    fit(duration, 8, right=True),
                    cell(rec.media_url or "(no media)"),
                )
            )
            out.write(redact(line, secrets).rstrip() + "\n")
        return exits.OK
    target = Path(args.download)
    make_directory(target)
    for rec in recordings:
        if not rec.media_url:
            print(f"callscope: recording {cell(rec.id)} has no media; skipped", file=err)
            continue
        path = await _download(session, rec, target)
        sys.stdout.write(f"{path}\n")
        sys.stdout.flush()
    return exits.OK


def make_directory(target: Path) -> None:
    """Create the ``--download`` directory (and its parents) as ``mkdir -p`` would; a path that
    cannot be one is a usage error in one line."""
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        why = exc.strerror or type(exc).__name__
        raise exits.UsageError(f"--download: cannot create {target}: {why}") from None


async def _download(session: Session, rec: Recording, directory: Path) -> Path:
    err = sys.stderr
    progress = is_tty(err)
    assert rec.media_url is not None
    async with session.adapter.http.stream(rec.media_url) as response:
        path = directory / file_name(rec, response.headers.get("content-type", ""))
        total = int(response.headers.get("content-length") or 0) or None

        def show(done: int) -> None:
            err.write("\r\x1b[K" + _bar(path.name, done, total))
            err.flush()

        try:
            done = await save(response.aiter_bytes(), path, show if progress else None)
        finally:
            if progress:
                err.write("\r\x1b[K")
                err.flush()
    print(f"callscope: saved {done:,} bytes to {path}", file=err)
    return path


def _bar(name: str, done: int, total: int | None) -> str:
    if not total:
        return f"{name}  {done:,} bytes"
    filled = min(BAR_WIDTH, done * BAR_WIDTH // total)
    bar = "█" * filled + "·" * (BAR_WIDTH - filled)
    return f"{name}  {bar}  {done * 100 // total:3d}%  {done:,}/{total:,} bytes"
