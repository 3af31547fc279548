"""The call table's columns: key, title, width and how a ``Call`` becomes cell text."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from tui.core.model import Call, Direction
from tui.core.normalize import format_duration
from tui.core.sanitize import cell

DIRECTION_SHORT = {
    Direction.INBOUND: "in",
    Direction.OUTBOUND: "out",
    Direction.INTERNAL: "int",
    Direction.UNKNOWN: "?",
}


def format_time(moment: datetime | None, utc: bool) -> str:
    if moment is None:
        return ""
    shown = moment if utc else moment.astimezone()
    # isoformat is C code and several times faster than strftime ("YYYY-MM-DD HH:MM:SS+hh:mm")
    return shown.isoformat(" ", "seconds")[:19]


def _price(call: Call) -> str:
    if call.price is None:
        return ""
    return f"{call.price:f}"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    text: Callable[[Call, bool], str]
    right: bool = False


COLUMNS: dict[str, Column] = {
    c.key: c
    for c in (
        Column("time", "Start", 19, lambda c, utc: format_time(c.time, utc)),
        Column("dir", "Dir", 4, lambda c, utc: DIRECTION_SHORT[c.direction]),
        Column("from", "From", 18, lambda c, utc: cell(c.from_number)),
        Column("to", "To", 18, lambda c, utc: cell(c.to_number)),
        Column("status", "Status", 11, lambda c, utc: c.status.value),
        Column("dur", "Duration", 9, lambda c, utc: format_duration(c.duration), right=True),
        Column("price", "Price", 9, lambda c, utc: _price(c), right=True),
        Column("id", "Id", 36, lambda c, utc: cell(c.id)),
        Column("name", "Caller name", 18, lambda c, utc: cell(c.from_name)),
        Column("reason", "End reason", 16, lambda c, utc: cell(c.end_reason)),
    )
}
DEFAULT_COLUMNS = ("time", "dir", "from", "to", "status", "dur", "price", "id")


def columns_for(keys: list[str] | tuple[str, ...] | None) -> list[Column]:
    chosen = [COLUMNS[k] for k in (keys or DEFAULT_COLUMNS) if k in COLUMNS]
    return chosen or [COLUMNS[k] for k in DEFAULT_COLUMNS]


def sort_value(column: str, call: Call) -> tuple[int, object]:
    """A sort key for the loaded rows' columns (missing values sort last)."""
    value: object
    if column == "time":
        value = call.time
    elif column == "dur":
        value = call.duration
    elif column == "price":
        value = call.cost
    elif column == "status":
        value = call.status.value
    elif column == "dir":
        value = call.direction.value
    elif column == "from":
        value = call.from_number
    elif column == "to":
        value = call.to_number
    else:
        value = call.id
    return (1, 0) if value is None else (0, value)
