"""Exports of calls to CSV, JSON and NDJSON, streamed row by row (the CLI and the browser share it).

An :class:`Exporter` takes :class:`~tui.core.model.Call` objects one at a time and writes one row
each for a column set (:data:`EXPORT_COLUMNS`), so a 100,000-row export holds one row in memory.
Every string passes :func:`tui.core.sanitize.visible` (no escape byte reaches a file or a
terminal), the account's secrets are redacted from every value, and CSV cells a spreadsheet would
run as a formula are neutralized (:func:`neutralize_formula`) while phone numbers (``+14155550100``)
and negative prices (``-0.200``) stay exactly as they are.

Values: times are ISO 8601 in UTC (``2026-11-20T11:59:00Z``), durations whole seconds, prices
the provider's exact decimal text (a JSON string, so ``-0.200`` does not become ``-0.2``).
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from types import TracebackType
from typing import Any, Literal, TextIO

from tui.core.model import Call, Direction, Status
from tui.core.sanitize import is_clean, redact_sorted, redactable, visible

Format = Literal["csv", "json", "ndjson"]
FORMATS: tuple[Format, ...] = ("csv", "json", "ndjson")

# Characters that make a spreadsheet (Excel, LibreOffice, Google Sheets) read a cell as a
# formula or a DDE command (OWASP "CSV injection"), plus their full-width forms, which some
# spreadsheets fold to ASCII on import.
_FORMULA_START = frozenset("=@\t\r\uff1d\uff20")
_SIGNS = frozenset("+-\uff0b\uff0d")
# A sign followed by a plain number is data, not a formula: +14155550100, -0.200, -.5, +1e3.
_SIGNED_NUMBER = re.compile(r"[+-](?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
REDACTED = "••••••"


# What ``json.dumps(value, ensure_ascii=False)`` uses, made once (``dumps`` with options builds
# a new encoder per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False)
# The C function that encoder uses for a string (``"..."`` with JSON's escapes, non-ASCII kept).
_encode_text: Callable[[str], str] = json.encoder.encode_basestring


def neutralize_formula(text: str) -> str:
    """``text`` made inert for spreadsheets: a leading ``'`` if it would start a formula."""
    if not text:
        return text
    stripped = text.lstrip(" ")  # " =1+1" is still a formula to some spreadsheets
    if not stripped:
        return text
    first = stripped[0]
    if first in _FORMULA_START or (first in _SIGNS and not _SIGNED_NUMBER.fullmatch(stripped)):
        return "'" + text
    return text


def iso_utc(moment: datetime | None) -> str | None:
    """An aware datetime as ``2026-11-20T11:59:00Z`` (microseconds only when present)."""
    if moment is None:
        return None
    if moment.tzinfo is UTC:  # what the normalizers produce: no conversion needed
        return moment.isoformat()[:-6] + "Z"  # drop "+00:00"
    text = moment.astimezone(UTC).replace(tzinfo=None).isoformat()
    return text + "Z"


@dataclass(frozen=True)
class ExportColumn:
    """One export column: its key (as in ``--columns``), a header and the value it reads."""

    key: str
    header: str
    value: Callable[[Call], Any]
    help: str = ""


def _enum(value: Enum | None) -> str | None:
    return None if value is None else str(value.value)


def _plain(value: Any) -> Any:
    """A JSON-ready copy of ``value`` *without* sanitizing (``Exporter._clean`` minus the text
    pass): what the NDJSON/JSON fast path serializes before checking the line."""
    kind = type(value)
    if value is None or kind is str or kind is int or kind is float or kind is bool:
        return value
    if kind is Decimal:
        return str(value)
    if isinstance(value, bool | int | float):
        return value
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime):
        return iso_utc(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    return str(value)


EXPORT_COLUMNS: dict[str, ExportColumn] = {
    c.key: c
    for c in (
        ExportColumn("id", "id", lambda c: c.id, "the provider's call id"),
        ExportColumn("parent", "parent_id", lambda c: c.parent_id, "the parent call's id"),
        ExportColumn("provider", "provider", lambda c: c.provider),
        ExportColumn("account", "account", lambda c: c.account, "the config account name"),
        ExportColumn("time", "time", lambda c: iso_utc(c.time), "start, else creation (UTC)"),
        ExportColumn("created", "created_at", lambda c: iso_utc(c.created_at)),
        ExportColumn("started", "started_at", lambda c: iso_utc(c.started_at)),
        ExportColumn("answered", "answered_at", lambda c: iso_utc(c.answered_at)),
        ExportColumn("ended", "ended_at", lambda c: iso_utc(c.ended_at)),
        ExportColumn("dir", "direction", lambda c: _enum(c.direction)),
        ExportColumn("dir_raw", "direction_raw", lambda c: c.direction_raw),
        ExportColumn("status", "status", lambda c: _enum(c.status)),
        ExportColumn("status_raw", "status_raw", lambda c: c.status_raw),
        ExportColumn("from", "from", lambda c: c.from_number),
        ExportColumn("to", "to", lambda c: c.to_number),
        ExportColumn("from_formatted", "from_formatted", lambda c: c.from_formatted),
        ExportColumn("to_formatted", "to_formatted", lambda c: c.to_formatted),
        ExportColumn("name", "from_name", lambda c: c.from_name, "caller name"),
        ExportColumn("to_name", "to_name", lambda c: c.to_name),
        ExportColumn("dur", "duration", lambda c: c.duration, "seconds"),
        ExportColumn("price", "price", lambda c: c.price, "as the provider sent it"),
        ExportColumn("currency", "currency", lambda c: c.currency),
        ExportColumn("answered_by", "answered_by", lambda c: c.answered_by),
        ExportColumn("reason", "end_reason", lambda c: c.end_reason),
        ExportColumn("extras", "extras", lambda c: c.extras or None, "provider extras"),
        ExportColumn("links", "links", lambda c: c.links or None),
        ExportColumn("warnings", "warnings", lambda c: list(c.warnings) or None),
        ExportColumn("raw", "raw", lambda c: c.raw, "the record as the provider sent it"),
    )
}
# An export's header names (``duration``, ``end_reason`` …) work as ``--columns`` too, so what a
# user reads at the top of a CSV or in a JSON object can be asked for again.
COLUMN_ALIASES: dict[str, str] = {
    c.header: c.key for c in EXPORT_COLUMNS.values() if c.header != c.key
}
DEFAULT_EXPORT_COLUMNS: tuple[str, ...] = (
    *("id", "parent", "provider", "account", "time", "dir", "status", "from", "to"),
    *("name", "dur", "price", "currency", "reason"),
)

# -- the JSON line of a call, compiled per column set -------------------------------------------
#
# What ``_ENCODER.encode({header: _plain(column.value(call)) ...})`` writes, as one generated
# function per column set: columns that read one field of the call encode a value of its usual
# type inline (a string with the encoder's own C function, an int with ``int.__repr__``, an enum
# and a UTC time from their text); any other value, and every other column, go through the column
# itself (``_encode_value``). Test: tests/cli/test_export.py compares both, byte for byte.

_FIELD_EXPR = {
    "text": '(E(v) if T(v := {value}) is S else "null" if v is None else F{n}(call))',
    "int": '(R(v) if T(v := {value}) is I else "null" if v is None else F{n}(call))',
    "decimal": '(E(S(v)) if T(v := {value}) is DEC else "null" if v is None else F{n}(call))',
    "direction": '(J[v] if T(v := {value}) is DIR else "null" if v is None else F{n}(call))',
    "status": '(J[v] if T(v := {value}) is STA else "null" if v is None else F{n}(call))',
    "time": "(Q + v.isoformat()[:-6] + ZQ if T(v := {value}) is DT and v.tzinfo is UTC "
    'else "null" if v is None else F{n}(call))',
}
# column key → (kind, Call field); "time" reads ``Call.time`` (started, else created).
_TEXT_FIELDS = {
    "id": "id",
    "parent": "parent_id",
    "provider": "provider",
    "account": "account",
    "dir_raw": "direction_raw",
    "status_raw": "status_raw",
    "from": "from_number",
    "to": "to_number",
    "from_formatted": "from_formatted",
    "to_formatted": "to_formatted",
    "name": "from_name",
    "to_name": "to_name",
    "currency": "currency",
    "answered_by": "answered_by",
    "reason": "end_reason",
}
_FIELD_COLUMNS: dict[str, tuple[str, str]] = {
    **{key: ("text", field) for key, field in _TEXT_FIELDS.items()},
    "dur": ("int", "duration"),
    "price": ("decimal", "price"),
    "dir": ("direction", "direction"),
    "status": ("status", "status"),
    "time": ("time", ""),
    "created": ("time", "created_at"),
    "started": ("time", "started_at"),
    "answered": ("time", "answered_at"),
    "ended": ("time", "ended_at"),
}


def _encode_value(column: ExportColumn) -> Callable[[Call], str]:
    get = column.value
    return lambda call: _ENCODER.encode(_plain(get(call)))


class _NotPlain(Exception):
    """A value :func:`compile_fields_line`'s line does not encode itself."""


def _not_plain(_: object) -> str:
    raise _NotPlain


def compile_line(columns: Sequence[ExportColumn]) -> Callable[[Call], str]:
    """A function writing a call as the JSON object of ``columns`` (unsanitized values)."""
    return _compile(columns, fields=False)


def compile_fields_line(
    columns: Sequence[ExportColumn], available: frozenset[str]
) -> Callable[[dict[str, Any]], str] | None:
    """:func:`compile_line` for a call's fields given as a dict holding at least ``available``
    (see ``Adapter.lean_fields``): the same text, or :class:`_NotPlain` for a value of an
    unusual type. ``None`` if a column reads anything else."""
    for column in columns:
        kind, field = _FIELD_COLUMNS.get(column.key, ("", ""))
        needs = {"started_at", "created_at"} if column.key == "time" else {field}
        if not kind or not needs <= available:
            return None
    return _compile(columns, fields=True)


def _compile(columns: Sequence[ExportColumn], *, fields: bool) -> Callable[[Any], str]:
    env: dict[str, Any] = {
        "T": type, "S": str, "I": int, "DEC": Decimal, "DT": datetime, "UTC": UTC,
        "DIR": Direction, "STA": Status, "E": _encode_text, "R": int.__repr__,
        "J": {**{d: _encode_text(d.value) for d in Direction},
              **{s: _encode_text(s.value) for s in Status}},
        "Q": '"', "ZQ": 'Z"',
    }  # fmt: skip
    pieces: list[str] = []
    seen: set[str] = set()
    for n, column in enumerate(columns):
        if column.header in seen:  # "id,id": a JSON object has each key once
            continue
        seen.add(column.header)
        env[f"F{n}"] = _not_plain if fields else _encode_value(column)
        prefix = ("{" if not pieces else ", ") + _ENCODER.encode(column.header) + ": "
        kind, field = _FIELD_COLUMNS.get(column.key, ("", ""))
        if kind:
            # A lean dict's value is d["field"]; a call's, call.field.
            read = '{0}["{1}"]'.format if fields else "{0}.{1}".format
            obj = "d" if fields else "call"
            value = (
                f"({read(obj, 'started_at')} or {read(obj, 'created_at')})"
                if column.key == "time"
                else read(obj, field)
            )
            expr = _FIELD_EXPR[kind].format(n=n, value=value)
        else:
            expr = f"F{n}(call)"
        pieces += [repr(prefix), expr]
    pieces.append(repr("}" if pieces else "{}"))
    head = "def line(d):\n    call = d\n" if fields else "def line(call):\n"
    source = head + "    return ''.join((" + ", ".join(pieces) + "))\n"
    exec(source, env)
    line: Callable[[Any], str] = env["line"]
    return line


def parse_columns(text: str | Sequence[str] | None) -> list[str]:
    """``"id,from,to"`` (or a list) → column keys; raises ``ValueError`` naming an unknown one.
    An export's header name stands for its column (``duration`` for ``dur``)."""
    if text is None:
        return list(DEFAULT_EXPORT_COLUMNS)
    items = text.split(",") if isinstance(text, str) else list(text)
    keys = [item.strip().lower() for item in items if item.strip()]
    keys = [COLUMN_ALIASES.get(key, key) for key in keys]
    if keys == ["all"]:
        return list(EXPORT_COLUMNS)
    unknown = [key for key in keys if key not in EXPORT_COLUMNS]
    if unknown:
        raise ValueError(
            f"unknown column {unknown[0]!r} (expected some of {', '.join(EXPORT_COLUMNS)}, or all)"
        )
    if not keys:
        raise ValueError("no columns given")
    return keys


class Exporter:
    """Writes calls to ``out`` one row at a time; :meth:`close` finishes the document.

    ``secrets`` are redacted from every string (the account's credentials: a provider may echo
    them in a URL or a field). JSON is one array written incrementally (``[`` first, ``]`` on
    close); NDJSON one object per line; CSV a header and one line per call.
    """

    def __init__(
        self,
        out: TextIO,
        fmt: Format,
        columns: Sequence[str] | None = None,
        *,
        secrets: Iterable[str] = (),
    ) -> None:
        if fmt not in FORMATS:
            raise ValueError(f"unknown export format {fmt!r} (expected {', '.join(FORMATS)})")
        self.out = out
        self.fmt = fmt
        self.columns = [EXPORT_COLUMNS[key] for key in parse_columns(columns)]
        self.secrets = [s for s in secrets if s]
        self._redact = redactable(self.secrets)
        # A secret as it would appear inside a JSON string: finding none of these in a line
        # proves no value of the line holds a secret (JSON escapes character by character).
        self._needles = [_ENCODER.encode(s)[1:-1] for s in self._redact]
        self._line = compile_line(self.columns)
        self.rows = 0
        self.closed = False
        self._csv = csv.writer(out) if fmt == "csv" else None
        self._started = False

    def _start(self) -> None:
        self._started = True
        if self._csv is not None:
            self._csv.writerow([self._text(c.header) for c in self.columns])
        elif self.fmt == "json":
            self.out.write("[")

    # -- values -------------------------------------------------------------------------------

    def _text(self, text: str) -> str:
        return redact_sorted(visible(text), self._redact, REDACTED)

    def _clean(self, value: Any) -> Any:
        """A JSON-ready copy of ``value``: strings sanitized and redacted, decimals exact."""
        if value is None or isinstance(value, bool | int | float):
            return value
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, datetime):
            return iso_utc(value)
        if isinstance(value, Enum):
            return self._clean(value.value)
        if isinstance(value, dict):
            return {self._text(str(k)): self._clean(v) for k, v in value.items()}
        if isinstance(value, list | tuple | set | frozenset):
            return [self._clean(v) for v in value]
        return self._text(str(value))

    def row(self, call: Call) -> dict[str, Any]:
        """The call's values for the column set, sanitized (as JSON and NDJSON write them)."""
        return {c.header: self._clean(c.value(call)) for c in self.columns}

    def fields_line(
        self, available: frozenset[str]
    ) -> Callable[[dict[str, Any]], str | None] | None:
        """For NDJSON: a function writing a call given as some of its fields (``available``;
        see ``Adapter.lean_fields``) exactly as :meth:`write` would write the call, or returning
        ``None`` when :meth:`write` would take its per-value path (then write the call itself).
        ``None`` if a column reads another field, or for another format."""
        if self.fmt != "ndjson":
            return None
        encode = compile_fields_line(self.columns, available)
        if encode is None:
            return None
        clean = self._clean_line

        def line(fields: dict[str, Any]) -> str | None:
            try:
                text = encode(fields)
            except _NotPlain:
                return None
            return text if clean(text) else None

        return line

    def _clean_line(self, line: str) -> bool:
        """True if ``line`` (the unsanitized values' JSON) is already what sanitizing gives."""
        if "\\" not in line and (
            # JSON escaped every C0 control (with a backslash): of the rest, only DEL is unsafe
            "\x7f" not in line if line.isascii() else is_clean(line)
        ):
            for needle in self._needles:
                if needle in line:
                    break
            else:
                return True
        return False

    def write_lines(self, lines: list[str]) -> int:
        """NDJSON: write lines made by :meth:`fields_line` or :meth:`json_line`; the rows total."""
        if not self._started:
            self._start()
        if lines:
            self.out.write("\n".join(lines) + "\n")
            self.rows += len(lines)
        return self.rows

    def json_line(self, call: Call) -> str:
        """The call's JSON object as JSON and NDJSON write it."""
        return self._json_line(call)

    def _json_line(self, call: Call) -> str:
        """The call as one JSON object, exactly as ``json.dumps(self.row(call))`` would be.

        Fast path: encode the unsanitized values (:func:`compile_line`), then look at the line
        once. A line without a backslash had no character JSON escapes (quotes, C0 controls) in
        any value; then an ASCII line without DEL, or a line :func:`is_clean` accepts, had no
        character :func:`visible` would escape (DEL, C1 controls, bidi and invisible ones); and
        a line holding no escaped secret had no secret in any value. Anything else takes the
        per-value path.
        """
        line = self._line(call)
        if self._clean_line(line):
            return line
        return _ENCODER.encode(self.row(call))

    def _csv_cell(self, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, dict | list):
            text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        else:
            text = str(value)
        return neutralize_formula(text)

    # -- writing ------------------------------------------------------------------------------

    def write(self, call: Call) -> None:
        if not self._started:
            self._start()
        if self._csv is not None:
            values = self.row(call)
            self._csv.writerow([self._csv_cell(values[c.header]) for c in self.columns])
        elif self.fmt == "json":
            self.out.write((",\n " if self.rows else "\n ") + self._json_line(call))
        else:
            self.out.write(self._json_line(call) + "\n")
        self.rows += 1

    def write_all(self, calls: Iterable[Call]) -> int:
        """Write every call of ``calls`` (NDJSON: in one ``write``); the total rows written."""
        if self.fmt == "ndjson":
            if not self._started:
                self._start()
            line = self._json_line
            lines = [line(call) for call in calls]
            if lines:
                lines.append("")
                self.out.write("\n".join(lines))
                self.rows += len(lines) - 1
            return self.rows
        for call in calls:
            self.write(call)
        return self.rows

    def close(self) -> None:
        """Finish the document (the header of an empty CSV, JSON's closing bracket)."""
        if self.closed:
            return
        self.closed = True
        if not self._started:
            self._start()
        if self.fmt == "json":
            self.out.write("\n]\n" if self.rows else "]\n")

    def __enter__(self) -> Exporter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
