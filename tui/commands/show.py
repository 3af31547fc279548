"""``callscope show ID``: one call, normalized as aligned text, or (``--raw``) the provider's JSON.

Everything printed passes the sanitizer and the account's secrets are redacted, since the raw
record is untrusted provider text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator, Sequence
from typing import Any

from tui.commands import exits
from tui.commands.common import Session, add_call_command, load_config, run_async
from tui.core.export import iso_utc
from tui.core.model import Call
from tui.core.normalize import format_duration
from tui.core.sanitize import redact, visible

HELP = "one call by id (normalized, or --raw provider JSON)"
DESCRIPTION = "Show one call: the normalized fields, or the provider's JSON with --raw."


def add_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    p = add_call_command(sub, parents, "show", HELP, DESCRIPTION)
    p.add_argument("--raw", action="store_true", help="the record as the provider sent it (JSON)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args)
    with Session(args, config) as session:
        return run_async(session, lambda: _show(session, args))


async def _show(session: Session, args: argparse.Namespace) -> int:
    call = await session.adapter.get_call(args.id)
    secrets = session.secrets()
    if args.raw:
        text = json.dumps(call.raw, indent=2, ensure_ascii=False, default=str)
        sys.stdout.write(redact(visible(text, multiline=True), secrets) + "\n")
    else:
        for label, value in normalized_lines(call):
            sys.stdout.write(f"{label:<14} {redact(visible(value), secrets)}\n".rstrip() + "\n")
    return exits.OK


def normalized_lines(call: Call) -> Iterator[tuple[str, str]]:
    """(label, value) pairs of the normalized view; empty values are left out."""

    def with_raw(value: str, raw: str | None) -> str:
        return f"{value} ({raw})" if raw and raw != value else value

    def party(number: str | None, formatted: str | None, name: str | None) -> str:
        text = number or ""
        if formatted and formatted != number:
            text += f" ({formatted})"
        if name:
            text += f" — {name}"
        return text

    price = "" if call.price is None else f"{call.price:f} {call.currency or ''}".strip()
    duration = (
        "" if call.duration is None else f"{call.duration} s ({format_duration(call.duration)})"
    )
    rows: list[tuple[str, Any]] = [
        ("id", call.id),
        ("parent", call.parent_id),
        ("provider", call.provider),
        ("account", call.account),
        ("direction", with_raw(call.direction.value, call.direction_raw)),
        ("status", with_raw(call.status.value, call.status_raw)),
        ("from", party(call.from_number, call.from_formatted, call.from_name)),
        ("to", party(call.to_number, call.to_formatted, call.to_name)),
        ("created", iso_utc(call.created_at)),
        ("started", iso_utc(call.started_at)),
        ("answered", iso_utc(call.answered_at)),
        ("ended", iso_utc(call.ended_at)),
        ("duration", duration),
        ("price", price),
        ("answered by", call.answered_by),
        ("end reason", call.end_reason),
    ]
    for label, value in rows:
        if value:
            yield label, str(value)
    for name, url in sorted(call.links.items()):
        yield f"link {name}", url
    for key, value in call.extras.items():
        if value not in (None, "", [], {}):
            text = value if isinstance(value, str) else json.dumps(value, default=str)
            yield f"extra {key}", text
    for warning in call.warnings:
        yield "warning", warning
