"""Filter flags of ``callscope list`` (and ``preset save``) turned into query-language terms.

Flags are not parsed on their own: each becomes a term appended to ``--preset`` and ``--query``,
so the one query parser reads everything and an error points at the bad term in the whole line.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence

from tui.core.filter import extra_fields

_NEEDS_QUOTES = re.compile(r'[\s,"\\]')

# flag dest → query key, for flags whose value is a comma-separated list of items
_LIST_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("status", "status", "statuses, e.g. failed,busy"),
    ("dir", "dir", "directions: in, out, internal"),
    ("from_", "from", "caller numbers; a trailing * matches a prefix"),
    ("to", "to", "callee numbers; a trailing * matches a prefix"),
    ("id", "id", "call ids"),
)
_SINGLE_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("since", "since", "from this time on: -2h, today, 2026-11-01T10:00Z"),
    ("until", "until", "before this time"),
    ("parent", "parent", "the legs of this call id"),
)
_RANGE_FLAGS: tuple[tuple[str, str, str, str], ...] = (
    ("min_duration", "dur", ">=", "at least this long (seconds, or 2m, 1h)"),
    ("max_duration", "dur", "<=", "at most this long"),
    ("min_price", "price", ">=", "charged at least this much"),
    ("max_price", "price", "<=", "charged at most this much"),
)


# Flags whose value may start with "-" (``--since -2h``): argparse would take it for an option.
_DASH_VALUE_FLAGS = frozenset(
    ["--since", "--until", "--min-duration", "--max-duration", "--min-price", "--max-price"]
)
_DASH_VALUE = re.compile(r"-\d")


def join_dash_values(argv: Sequence[str]) -> list[str]:
    """``--since -2h`` → ``--since=-2h`` so that argparse reads the value as a value."""
    out: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in _DASH_VALUE_FLAGS and i + 1 < len(argv) and _DASH_VALUE.match(argv[i + 1]):
            out.append(f"{arg}={argv[i + 1]}")
            i += 2
            continue
        out.append(arg)
        i += 1
    return out


def add_filter_flags(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("filter (each flag becomes a term of --query)")
    group.add_argument("--query", "-q", default="", metavar="QUERY", help="a query line")
    for dest, key, help_text in _LIST_FLAGS:
        flag = "--" + key
        group.add_argument(flag, dest=dest, action="append", metavar="LIST", help=help_text)
    for dest, key, help_text in _SINGLE_FLAGS:
        group.add_argument("--" + key, dest=dest, metavar="VALUE", help=help_text)
    for dest, _key, _op, help_text in _RANGE_FLAGS:
        group.add_argument(
            "--" + dest.replace("_", "-"), dest=dest, metavar="VALUE", help=help_text
        )
    group.add_argument("--text", action="append", metavar="TEXT", help="must occur in the call")
    for extra in extra_fields():
        group.add_argument(
            "--" + extra.key,
            dest="extra_" + extra.key,
            action="append",
            metavar="LIST",
            help=f"{extra.help} ({', '.join(extra.providers)})",
        )


def quote(value: str, *, always: bool = False) -> str:
    if not always and value and not _NEEDS_QUOTES.search(value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _list_item(item: str) -> str:
    star = item.endswith("*")
    body = item[:-1] if star else item
    if _NEEDS_QUOTES.search(body):
        return quote(body, always=True) + ("*" if star else "")
    return item


def _list_term(key: str, values: Sequence[str]) -> str:
    items = [piece.strip() for value in values for piece in value.split(",")]
    return f"{key}:" + ",".join(_list_item(item) for item in items if item)


def flag_terms(args: argparse.Namespace) -> list[str]:
    """The query terms the filter flags stand for, in a fixed order."""
    terms: list[str] = []
    for dest, key, _ in _LIST_FLAGS:
        values = getattr(args, dest, None)
        if values:
            terms.append(_list_term(key, values))
    for dest, key, _ in _SINGLE_FLAGS:
        value = getattr(args, dest, None)
        if value is not None:
            terms.append(f"{key}:{quote(value)}")
    for dest, key, op, _ in _RANGE_FLAGS:
        value = getattr(args, dest, None)
        if value is not None:
            terms.append(f"{key}:{op}{quote(value)}")
    for text in getattr(args, "text", None) or ():
        terms.append(quote(text, always=True))
    for extra in extra_fields():
        values = getattr(args, "extra_" + extra.key, None)
        if values:
            terms.append(_list_term(extra.key, values))
    return terms


def query_text(*parts: str | None, args: argparse.Namespace | None = None) -> str:
    """The whole query line: the given parts (preset, --query), then the flags' terms."""
    pieces = [p.strip() for p in parts if p and p.strip()]
    if args is not None:
        pieces += flag_terms(args)
    return " ".join(pieces)
