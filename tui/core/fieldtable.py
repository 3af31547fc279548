"""Normalization described once: a provider's field table (source keys → reader → ``Call`` field).

A :class:`FieldTable` is read two ways, both derived from the same rows:

* :meth:`FieldTable.checked` reads every row through :class:`~tui.core.normalize.Fields`, in
  table order: any value, odd ones becoming ``None`` plus a warning (the order of the warnings is
  the order of the rows).
* :attr:`FieldTable.plain` is a function compiled from the rows that reads a ``dict`` record
  whose every value is in its reader's *plain* case (a string for text, an ``int`` or short digit
  string for an integer, a known vocabulary word …) and gives up (``None``) on anything else.
  Where it answers, it answers what :meth:`checked` would, with no warning: each reader's plain
  case is one :meth:`checked` reads without a warning, to the same value (property tests over
  hostile records: tests/unit/providers/test_fast_paths.py).

Adapters build the call from the values (a provider's own steps — links, extras, derived
fields — follow the table), and their lean readers are :meth:`FieldTable.only` of the same table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any

from tui.core.normalize import Fields, integer_of, text_of

_PLAIN_DECIMAL = re.compile(r"-?\d{1,20}(\.\d{1,20})?")
_DECIMALS: dict[str, Decimal] = {}
_DECIMAL_CACHE_SIZE = 4096

Plain = Callable[[Any], Any]  # a value → its normalized value, or False (not the plain case)
Checked = Callable[[Fields, tuple[str, ...]], Any]

# Plain reads inlined into the compiled reader (``v``: the first non-null value of the row's keys,
# ``{out}``: the row's local). Each ends with ``{out}`` set or the record given up.
_TEXT = """\
    if v is None:
        {out} = None
    elif type(v) is str:
        {out} = v or None
    else:
        return None
"""
_ID = """\
    if type(v) is not str or not v:
        return None
    {out} = v
"""
_INT = """\
    if v is None or type(v) is int:
        {out} = v
    elif type(v) is str and 0 < len(v) < 10 and v.isascii() and v.isdigit():
        {out} = int(v)
    else:
        return None
"""
_CALL = """\
    {out} = {fn}(v)
    if {out} is False:
        return None
"""


@dataclass(frozen=True, slots=True)
class Reader:
    """How one row reads its value: ``checked`` (any value, warns) and the plain case, inlined
    (``inline``, see above) or a function (``plain``, returning ``False`` when not plain)."""

    checked: Checked
    plain: Plain | None = None
    inline: str = ""


@dataclass(frozen=True, slots=True)
class Row:
    """One row: the record's ``keys`` (alternative spellings, first non-null wins) read by
    ``reader`` into ``targets`` (one ``Call`` field, or two for a vocabulary: the normalized
    value and the raw text). A target starting with ``_`` is an input of the provider's own steps,
    not a field. ``consumed``: the key's value is held completely by the field (not in extras).
    ``when``: an earlier row's target; while it is ``None`` this row is not read (``None``).
    ``unless``: an earlier row's target; unless it is ``None`` this row is not read (``None``)."""

    targets: tuple[str, ...]
    keys: tuple[str, ...]
    reader: Reader
    consumed: bool = True
    when: str = ""
    unless: str = ""


def row(
    target: str | tuple[str, str],
    keys: str | tuple[str, ...],
    reader: Reader,
    *,
    consumed: bool = True,
    when: str = "",
    unless: str = "",
) -> Row:
    targets = (target,) if isinstance(target, str) else target
    keys = (keys,) if isinstance(keys, str) else keys
    return Row(targets, keys, reader, consumed, when, unless)


# -- readers -----------------------------------------------------------------------------------


def _text(f: Fields, keys: tuple[str, ...]) -> Any:
    return text_of(f, *keys)


def _integer(f: Fields, keys: tuple[str, ...]) -> Any:
    return integer_of(f, keys[0]) if len(keys) == 1 else f.integer(*keys)


def _checked_decimal(f: Fields, keys: tuple[str, ...]) -> Any:
    return f.decimal(*keys)


def _mapping(f: Fields, keys: tuple[str, ...]) -> Any:
    return f.mapping(keys[0])


def _plain_mapping(value: Any) -> Any:
    return {} if value is None else value if type(value) is dict else False


TEXT = Reader(_text, inline=_TEXT)
INTEGER = Reader(_integer, inline=_INT)
MAPPING = Reader(_mapping, _plain_mapping)  # an object (``{}`` when absent)


def ident(missing: str) -> Reader:
    """A record's id: text; absent, ``None`` and the warning ``missing``."""

    def checked(f: Fields, keys: tuple[str, ...]) -> Any:
        value = text_of(f, *keys)
        if value is None:
            f.warn(missing)
        return value

    return Reader(checked, inline=_ID)


def plain_decimal(value: Any) -> Decimal | bool | None:
    """A number as ``Fields.decimal`` reads a null, ``""``, plain decimal text or a finite JSON
    number (SignalWire sends numbers); ``False`` for any other value (the checked path decides,
    and warns)."""
    if value is None or value == "":
        return None
    kind = type(value)
    if kind is str:
        # Every text in the cache read as this one would: it passed the pattern, or it is a
        # finite float's repr (parse_decimal reads that text the same, without a warning).
        found = _DECIMALS.get(value)
        if found is not None:
            return found
        if _PLAIN_DECIMAL.fullmatch(value):
            return _decimal(value)
    if kind is float and math.isfinite(value):
        return _decimal(repr(value))  # as parse_decimal reads a float
    if kind is int:
        return Decimal(value)
    return False


def _decimal(text: str) -> Decimal:
    # Prices repeat (-0.0130, -0.0085…) and a Decimal is immutable: share them.
    found = _DECIMALS.get(text)
    if found is None:
        if len(_DECIMALS) >= _DECIMAL_CACHE_SIZE:
            _DECIMALS.clear()
        found = _DECIMALS[text] = Decimal(text)
    return found


DECIMAL = Reader(_checked_decimal, plain_decimal)


def time(plain: Plain) -> Reader:
    """A time (``Fields.time``, in the ``Fields``' zone); ``plain`` its common form."""

    def checked(f: Fields, keys: tuple[str, ...]) -> Any:
        value = plain(f.get(*keys))
        return f.time(*keys) if value is False else value

    return Reader(checked, plain)


def epoch_digits(value: Any) -> Any:
    """Unix seconds as a string of digits (under 10**11: never read as milliseconds)."""
    if value is None:
        return None
    if type(value) is str and 0 < len(value) < 12 and value.isascii() and value.isdigit():
        return datetime.fromtimestamp(float(value), UTC)
    return False


def local_time(zone: tzinfo) -> Plain:
    """``YYYY-MM-DD HH:MM:SS`` in ``zone`` (Exotel)."""

    def plain(value: Any) -> Any:
        if value is None:
            return None
        if type(value) is str and len(value) == 19 and value[10] == " " and value[16] == ":":
            try:
                return datetime.fromisoformat(value).replace(tzinfo=zone).astimezone(UTC)
            except ValueError:
                return False
        return False

    return plain


def iso_micro_z(value: Any) -> Any:
    """``2026-11-19T15:51:13.318341Z`` (microseconds, Z): for that form ``parse_time``'s own
    steps are exactly ``datetime.fromisoformat``."""
    if value is None:
        return None
    if type(value) is str and len(value) == 27 and value[26] == "Z" and value[19] == ".":
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return False
    return False


def vocabulary(mapping: Mapping[str, Any], unknown: Any) -> Reader:
    """A vocabulary value (``Fields.enum``: case-folded; unknown words warn): two targets, the
    normalized value and the text as sent."""

    def plain(value: Any) -> Any:
        if value is None or value == "":
            return unknown, None
        if type(value) is str:
            found = mapping.get(value)
            if found is None:
                found = mapping.get(value.strip().lower())
            if found is not None:
                return found, value
        return False

    def checked(f: Fields, keys: tuple[str, ...]) -> Any:
        value = plain(f.raw.get(keys[0]))
        return f.enum(keys[0], mapping, unknown) if value is False else value

    return Reader(checked, plain)


# -- the table ---------------------------------------------------------------------------------


class FieldTable:
    """A provider's rows, with the checked reader and the compiled plain one."""

    __slots__ = ("plain", "rows")

    def __init__(self, rows: tuple[Row, ...]) -> None:
        self.rows = rows
        self.plain: Callable[[dict[str, Any]], dict[str, Any] | None] = _compile(rows)

    def checked(self, f: Fields) -> dict[str, Any]:
        """Every row read through ``f`` (warnings in row order)."""
        out: dict[str, Any] = {}
        for r in self.rows:
            if (r.when and out[r.when] is None) or (r.unless and out[r.unless] is not None):
                out[r.targets[0]] = None
                continue
            value = r.reader.checked(f, r.keys)
            if len(r.targets) == 1:
                out[r.targets[0]] = value
            else:
                out.update(zip(r.targets, value, strict=True))
        return out

    def read(
        self, raw: Any, zone: tzinfo = UTC
    ) -> tuple[Mapping[str, Any], dict[str, Any], tuple[str, ...]]:
        """One record read the one way it can be: (the record as a mapping, the values, the
        warnings) — plainly if it is a ``dict`` the plain reader answers for, else checked."""
        if type(raw) is dict:
            values = self.plain(raw)
            if values is not None:
                return raw, values, ()
        f = Fields(raw, zone=zone)
        values = self.checked(f)
        return f.raw, values, tuple(f.warnings)

    def only(self, targets: Collection[str]) -> FieldTable:
        """The rows that fill some of ``targets`` (a lean reader's table)."""
        return FieldTable(tuple(r for r in self.rows if set(r.targets) & set(targets)))

    @property
    def targets(self) -> frozenset[str]:
        return frozenset(t for r in self.rows for t in r.targets if not t.startswith("_"))

    def consumed(self) -> dict[str, str]:
        """Record key → the field that holds it completely (``consumed`` rows)."""
        return {key: r.targets[0] for r in self.rows if r.consumed for key in r.keys}


def _compile(rows: tuple[Row, ...]) -> Callable[[dict[str, Any]], dict[str, Any] | None]:
    """The plain reader of ``rows`` as one generated function (one local per row)."""
    env: dict[str, Any] = {}
    lines = ["def plain(raw):", "    get = raw.get"]
    results: list[str] = []
    local = {t: f"x{n}" for n, r in enumerate(rows) for t in r.targets[:1]}
    for n, r in enumerate(rows):
        out = f"x{n}"
        body = [f"v = get({r.keys[0]!r})"]
        for key in r.keys[1:]:
            body += ["if v is None:", f"    v = get({key!r})"]
        if r.reader.inline:
            code = r.reader.inline.format(out=out)
        else:
            env[f"P{n}"] = r.reader.plain
            code = _CALL.format(out=out, fn=f"P{n}")
        body += [line.removeprefix("    ") for line in code.strip("\n").split("\n")]
        if r.when or r.unless:
            test = f"{local[r.when]} is not None" if r.when else f"{local[r.unless]} is None"
            body = [f"if {test}:", *("    " + line for line in body), "else:", f"    {out} = None"]
        lines += ["    " + line for line in body]
        if len(r.targets) == 1:
            results.append(f"{r.targets[0]!r}: {out}")
        else:
            results += [f"{t!r}: {out}[{i}]" for i, t in enumerate(r.targets)]
    lines.append("    return {" + ", ".join(results) + "}")
    exec("\n".join(lines) + "\n", env)
    compiled: Callable[[dict[str, Any]], dict[str, Any] | None] = env["plain"]
    return compiled
