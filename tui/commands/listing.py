"""``callscope list``: the filtered call list on stdout, streamed page by page.

The walk is the browser's (:class:`~tui.core.walk.Walker` over ``adapter.source``: the plan's
native queries, the local predicate, de-duplication and loop guards) but no row is kept: each
admitted page is written and dropped, so memory stays flat however many calls match.
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Sequence
from contextlib import aclosing, contextmanager
from datetime import UTC, datetime
from typing import Any, Protocol, TextIO

from tui.commands import exits
from tui.commands.common import (
    Session,
    account_options,
    add_command,
    is_tty,
    load_config,
    run_async,
)
from tui.commands.filters import add_filter_flags, query_text
from tui.commands.table import TableWriter
from tui.core.config import Config
from tui.core.export import Exporter, parse_columns
from tui.core.filter import CallFilter
from tui.core.model import Call
from tui.core.plan import Plan
from tui.core.query import format_query, parse_query
from tui.core.sanitize import visible
from tui.core.walk import Admitted, Render, Walker
from tui.providers.base import Adapter

TTY_TABLE_LIMIT = 100  # rows shown by default when a person reads a table in a terminal
# Pages of the walk: big enough for few requests, small enough that a page's transient JSON and
# Call objects stay small. Measured (bench/cli_memory.py): with 1000-record pages the peak RSS
# grew from 77 MiB at 10k calls to 100 MiB at 50k; with 200 it stays at 48 MiB, same speed.
STREAM_PAGE_SIZE = 200
OUTPUT_FORMATS = ("table", "csv", "json", "ndjson")
# Allocations between collections of the young generation, then of the older ones, while a
# listing streams (see ``few_collections``); the default is (700, 10, 10).
GC_THRESHOLD = (50_000, 50, 50)
# Output columns that read ``Call.links`` / ``Call.extras`` (see ``Adapter.lean``).
DETAIL_COLUMNS = frozenset({"links", "extras"})


class RowWriter(Protocol):
    rows: int

    def write(self, call: Call) -> None: ...

    def write_all(self, calls: Iterable[Call]) -> int: ...

    def close(self) -> None: ...


HELP = "list calls (table, CSV, JSON, NDJSON)"
DESCRIPTION = "List the calls matching a filter. Data goes to stdout, notes to stderr."


def add_parser(sub: Any, parents: Sequence[argparse.ArgumentParser]) -> None:
    p = add_command(sub, parents, "list", HELP, DESCRIPTION)
    account_options(p)
    add_filter_flags(p)
    p.add_argument("--preset", metavar="NAME", help="start from a saved filter (callscope preset)")
    out = p.add_argument_group("output")
    out.add_argument("--format", "-f", choices=OUTPUT_FORMATS, default="table")
    out.add_argument(
        "--columns", "-c", metavar="LIST", help="comma-separated columns, or 'all' (see README)"
    )
    amount = out.add_mutually_exclusive_group()
    amount.add_argument("--limit", "-n", type=int, metavar="N", help="stop after N calls")
    amount.add_argument("--all", action="store_true", help="every matching call (no limit)")
    out.add_argument("--utc", action="store_true", help="table times in UTC (exports always are)")
    out.add_argument(
        "--explain", action="store_true", help="print the plan (native queries, local filters)"
    )
    out.add_argument(
        "--fail-empty", action="store_true", help="exit with status 1 when nothing matched"
    )
    out.add_argument("--page-size", type=int, help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def build_filter(args: argparse.Namespace, config: Config) -> tuple[str, CallFilter]:
    """The query line (preset, --query, flags) and its filter; QueryError points at a term."""
    preset_text = ""
    if getattr(args, "preset", None):
        if args.preset not in config.presets:
            known = ", ".join(sorted(config.presets)) or "none saved"
            raise exits.UsageError(f"no preset named {args.preset!r} (presets: {known})")
        preset_text = config.presets[args.preset]
    text = query_text(preset_text, args.query, args=args)
    return text, parse_query(text)


def _limit(args: argparse.Namespace) -> int | None:
    if args.all:
        return None
    if args.limit is not None:
        if args.limit < 0:
            raise exits.UsageError("--limit must be >= 0")
        return int(args.limit)
    if args.format == "table" and is_tty(sys.stdout):
        return TTY_TABLE_LIMIT
    return None


def run(args: argparse.Namespace) -> int:
    config = load_config(args)
    text, flt = build_filter(args, config)
    if args.columns:
        try:
            parse_columns(args.columns)
        except ValueError as exc:
            raise exits.UsageError(f"--columns: {exc}") from None
    limit = _limit(args)
    # Only a limit the user did not ask for is worth a word when it cuts the list short.
    implicit = limit is not None and args.limit is None
    with Session(args, config) as session, few_collections():
        return run_async(session, lambda: _list(session, args, text, flt, limit, implicit))


@contextmanager
def few_collections() -> Iterator[None]:
    """Run the cyclic garbage collector rarely while calls stream through.

    Pages are acyclic (JSON values, calls) and reference counting frees each one as the next
    arrives; at the default threshold (a collection every 700 allocations) the collector instead
    re-scans every live record of the page in hand several times over (measured: ~15-20% of a
    listing's CPU). The threshold is restored afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def explain(out: TextIO, session: Session, text: str, flt: CallFilter, plan: Plan) -> None:
    """The plan as text: what goes to the provider, what is applied here, what splits it."""
    adapter = session.adapter
    say = out.write
    say(f"account   {visible(session.account.name)} ({adapter.title})\n")
    say(f"query     {visible(text) or '(none: every call)'}\n")
    if text:
        say(f"parsed    {visible(format_query(flt))}\n")
    say(f"plan      {visible(plan.describe())}\n")
    for number, params in enumerate(plan.queries, 1):
        native = " ".join(f"{k}={v}" for k, v in params.items()) or "(no parameters)"
        say(f"native {number}  {visible(native)}\n")
    if len(plan.queries) > 1:
        how = "merged by time" if plan.merge == "merge" else "read one after another"
        say(f"split     {len(plan.queries)} queries, {how}\n")
    for item in plan.items:
        detail = " ".join(
            bit for bit in (item.native, f"({item.note})" if item.note else "") if bit
        )
        say(f"  {item.field:<10} {item.where.value:<13} {visible(detail)}\n".rstrip() + "\n")
    if not plan.local.is_empty:
        say(f"local     {visible(format_query(plan.local))}\n")
    for warning in plan.warnings:
        say(f"warning   {visible(warning)}\n")
    for note in plan.notes:
        say(f"note      {visible(note)}\n")
    for limit in adapter.capabilities.limits:
        say(f"limit     {visible(limit)}\n")


async def _list(
    session: Session,
    args: argparse.Namespace,
    text: str,
    flt: CallFilter,
    limit: int | None,
    implicit: bool = False,
) -> int:
    adapter = session.adapter
    now = datetime.now(UTC)
    page_size = args.page_size or session.account.page_size or STREAM_PAGE_SIZE
    source, plan = adapter.source(flt, now=now, page_size=page_size)
    out = sys.stdout
    if args.explain:
        explain(out, session, text, flt, plan)
        return exits.OK
    err = sys.stderr
    for warning in plan.warnings:
        print(f"callscope: note: {visible(warning)}", file=err)

    writer: RowWriter
    secrets = session.secrets()
    if args.format == "table":
        utc = args.utc or session.config.utc
        table = TableWriter(out, args.columns, utc=utc, secrets=secrets)
        keys = table.keys
        writer = table
    else:
        exporter = Exporter(out, args.format, args.columns, secrets=secrets)
        keys = [column.key for column in exporter.columns]
        writer = exporter
    # Nothing shown or matched reads a call's links or extras: let the adapter skip them.
    adapter.lean = not (DETAIL_COLUMNS & set(keys)) and not plan.local.reads_details

    predicate = None
    if not plan.local.is_empty:
        local = plan.local

        def predicate(call: Call) -> bool:
            return local.matches(call, now)

    progress = is_tty(err)
    render = _renderer(adapter, writer) if predicate is None else None
    walker = Walker(source, predicate, adapter.title, render=render)
    more = False
    if limit != 0:
        # aclosing: stopping at --limit cancels the request already out for the next page.
        async with aclosing(walker.pages()) as pages:
            more = await _write_pages(pages, writer, walker, limit, progress)
    if progress:
        err.write("\r\x1b[K")
        err.flush()
    writer.close()
    out.flush()
    if more and implicit:
        print(
            f"callscope: stopped after {writer.rows:,} calls, the default for a table in a "
            "terminal (--all for every match, --limit N for another number)",
            file=err,
        )
    if writer.rows == 0 and args.fail_empty:
        print("callscope: no call matched", file=err)
        return exits.EMPTY
    return exits.OK


def _renderer(adapter: Adapter, writer: RowWriter) -> Render | None:
    """NDJSON lines written straight from the records the adapter reads plainly (no call is
    built for them); any other record is normalized and written as usual. Same bytes."""
    if not isinstance(writer, Exporter) or not adapter.lean_fields_read:
        return None
    fields_line = writer.fields_line(adapter.lean_fields_read)
    if fields_line is None:
        return None
    lean_fields = adapter.lean_fields
    json_line = writer.json_line

    def render(raws: Sequence[Any], make: Callable[[Any], Call]) -> list[tuple[str, str]]:
        out: list[tuple[str, str]] = []
        for raw in raws:
            try:
                fields = lean_fields(raw)
            except Exception:  # a reader bug: the normalizer decides (and warns)
                fields = None
            line = None if fields is None else fields_line(fields)
            if fields is None or line is None:
                call = make(raw)
                out.append((call.id, json_line(call)))
            else:
                out.append((fields["id"], line))
        return out

    return render


async def _write_pages(
    pages: AsyncIterator[Admitted],
    writer: RowWriter,
    walker: Walker,
    limit: int | None,
    progress: bool,
) -> bool:
    """Write admitted pages until the walk or ``limit`` ends; True if calls were left out."""
    out, err = sys.stdout, sys.stderr
    async for admitted in pages:
        items: Sequence[Any] = admitted.rows
        write: Callable[[Any], object] = writer.write_all
        if admitted.lines is not None:
            assert isinstance(writer, Exporter)  # only exporters render (see _renderer)
            items = admitted.lines
            write = writer.write_lines
        if limit is not None and writer.rows + len(items) >= limit:
            take = limit - writer.rows
            write(items[:take])
            return len(items) > take or admitted.next is not None
        write(items)
        out.flush()
        if progress:
            err.write(f"\r\x1b[K{writer.rows:,} calls · {walker.scanned:,} scanned")
            err.flush()
    return False
