"""The ``table`` output format: aligned, sanitized, truncated columns, written row by row.

Widths are fixed per column (not measured over all rows) so the table streams like the other
formats: a cell longer than its column is cut with ``…``; wide (CJK) characters count twice.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TextIO

from tui.core.export import EXPORT_COLUMNS, parse_columns
from tui.core.model import Call, Direction
from tui.core.normalize import format_duration
from tui.core.sanitize import cell, redact

DEFAULT_TABLE_COLUMNS = ("time", "dir", "from", "to", "status", "dur", "price", "id")
_DIRECTION_SHORT = {
    Direction.INBOUND: "in",
    Direction.OUTBOUND: "out",
    Direction.INTERNAL: "int",
    Direction.UNKNOWN: "?",
}
_WIDTHS = {
    **{"time": 19, "created": 19, "started": 19, "answered": 19, "ended": 19},
    **{"dir": 4, "status": 11, "dur": 9, "price": 9, "currency": 8, "provider": 12},
    **{"from": 18, "to": 18, "id": 36, "parent": 36, "name": 18, "reason": 16},
}
_RIGHT = frozenset({"dur", "price"})
_TIME_KEYS: dict[str, Callable[[Call], datetime | None]] = {
    "time": lambda c: c.time,
    "created": lambda c: c.created_at,
    "started": lambda c: c.started_at,
    "answered": lambda c: c.answered_at,
    "ended": lambda c: c.ended_at,
}


def char_width(char: str) -> int:
    if unicodedata.combining(char):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def fit(text: str, width: int, *, right: bool = False) -> str:
    """``text`` cut (with ``…``) or padded to exactly ``width`` terminal cells."""
    used = 0
    out: list[str] = []
    total = sum(char_width(ch) for ch in text)
    if total > width:
        for ch in text:
            w = char_width(ch)
            if used + w > width - 1:
                break
            out.append(ch)
            used += w
        text = "".join(out) + "…"
        total = used + 1
    pad = " " * max(0, width - total)
    return pad + text if right else text + pad


def _text_of(key: str, utc: bool) -> Callable[[Call], str]:
    if key in _TIME_KEYS:
        read = _TIME_KEYS[key]

        def moment(call: Call) -> str:
            value = read(call)
            if value is None:
                return ""
            return (value if utc else value.astimezone()).strftime("%Y-%m-%d %H:%M:%S")

        return moment
    if key == "dir":
        return lambda c: _DIRECTION_SHORT[c.direction]
    if key == "dur":
        return lambda c: format_duration(c.duration)
    if key == "price":
        return lambda c: "" if c.price is None else f"{c.price:f}"
    column = EXPORT_COLUMNS[key]

    def generic(call: Call) -> str:
        value = column.value(call)
        if value is None:
            return ""
        if isinstance(value, dict | list | tuple):
            return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))
        return str(value)

    return generic


class TableWriter:
    """Writes a header, then one aligned line per call."""

    def __init__(
        self,
        out: TextIO,
        columns: Sequence[str] | None = None,
        *,
        utc: bool = False,
        secrets: Iterable[str] = (),
    ) -> None:
        self.out = out
        self.keys = parse_columns(columns) if columns else list(DEFAULT_TABLE_COLUMNS)
        self.widths = [_WIDTHS.get(key, 18) for key in self.keys]
        self.texts = [_text_of(key, utc) for key in self.keys]
        self.secrets = [s for s in secrets if s]
        self.rows = 0
        self._started = False

    def _line(self, cells: Sequence[str]) -> str:
        parts = [
            fit(text, width, right=key in _RIGHT)
            for key, text, width in zip(self.keys, cells, self.widths, strict=True)
        ]
        return "  ".join(parts).rstrip() + "\n"

    def _start(self) -> None:
        self._started = True
        self.out.write(self._line([key.upper() for key in self.keys]))

    def write(self, call: Call) -> None:
        if not self._started:
            self._start()
        cells = [redact(cell(text(call)), self.secrets) for text in self.texts]
        self.out.write(self._line(cells))
        self.rows += 1

    def write_all(self, calls: Iterable[Call]) -> int:
        for call in calls:
            self.write(call)
        return self.rows

    def close(self) -> None:
        if not self._started:
            self._start()
