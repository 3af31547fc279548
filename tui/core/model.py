"""The normalized call record (``Call``) every provider's CDR becomes, and its vocabularies.

A ``Call`` is what the table, the detail pane, the filters and the exports read. It is built by
the adapters through :class:`tui.core.normalize.Fields`, which never raises: whatever a provider
sent that does not fit becomes ``None``/``unknown`` plus a line in ``warnings``, and ``raw`` keeps
the object exactly as received.

``Call``, ``Recording`` and ``LogEntry`` are slotted dataclasses, not pydantic models: nothing
validates them (the normalizers hand over typed values; ``Fields`` did the checking), and pydantic
stays at the boundaries that do validate (config, accounts). Measured with bench/call_model.py
(100k calls, 27 fields): a slotted dataclass builds in 0.85 µs, reads a field in ~7 ns and holds
~260 B a call; pydantic's public ``model_construct`` takes 6.6-7.7 µs and 0.9-3.2 kB, validated
``Call(**fields)`` 5 µs and 3.3 kB, and the ``__dict__`` write callscope used before 0.8 µs and
1.3 kB (reads ~60 ns: dict-backed instances spread over 5x the memory).

They are frozen for the type checker (:func:`record`: assigning a field is a mypy error) but not
at run time: a ``frozen=True`` dataclass sets each of 27 fields through ``object.__setattr__``,
3.2 µs a call, nearly four times the plain ``__init__``, on the path that builds every row.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar, dataclass_transform

_T = TypeVar("_T")


@dataclass_transform(frozen_default=True, field_specifiers=(dataclasses.field,))
def record(cls: type[_T]) -> type[_T]:
    """A slotted dataclass, frozen for mypy only (see the module docstring)."""
    return dataclasses.dataclass(slots=True)(cls)


class Status(StrEnum):
    """Normalized call status (reference §7.1)."""

    QUEUED = "queued"
    RINGING = "ringing"
    IN_PROGRESS = "in-progress"
    COMPLETED = "completed"
    BUSY = "busy"
    NO_ANSWER = "no-answer"
    FAILED = "failed"
    CANCELED = "canceled"
    IVR = "ivr"
    UNKNOWN = "unknown"


class Direction(StrEnum):
    """Normalized call direction (reference §7.2)."""

    INBOUND = "inbound"
    OUTBOUND = "outbound"
    INTERNAL = "internal"
    UNKNOWN = "unknown"


# Well-known names in ``Call.links``. Values are URLs (absolute, or paths on the account's origin).
LINK_RECORDINGS = "recordings"
LINK_NOTIFICATIONS = "notifications"
LINK_EVENTS = "events"
LINK_PARENT = "parent"
LINK_CHILDREN = "children"
LINK_RECORDING_MEDIA = "recording"
LINK_SELF = "self"


@record
class Call:
    """One call as callscope shows it, whatever provider it came from."""

    provider: str
    account: str
    id: str
    parent_id: str | None = None

    from_number: str | None = None
    to_number: str | None = None
    from_formatted: str | None = None
    to_formatted: str | None = None
    from_name: str | None = None
    to_name: str | None = None

    created_at: datetime | None = None
    started_at: datetime | None = None
    answered_at: datetime | None = None
    ended_at: datetime | None = None
    duration: int | None = None

    price: Decimal | None = None
    currency: str | None = None

    direction: Direction = Direction.UNKNOWN
    direction_raw: str | None = None
    status: Status = Status.UNKNOWN
    status_raw: str | None = None

    answered_by: str | None = None
    end_reason: str | None = None

    links: dict[str, str] = dataclasses.field(default_factory=dict)
    extras: dict[str, Any] = dataclasses.field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    raw: Any = None

    @property
    def time(self) -> datetime | None:
        """The instant the call is sorted and filtered by: start, else creation."""
        return self.started_at or self.created_at

    @property
    def cost(self) -> Decimal | None:
        """The amount charged, whatever sign convention the provider uses (Twilio: negative)."""
        return None if self.price is None else abs(self.price)

    def search_text(self) -> str:
        """Lower-cased text that free-text terms in a filter are matched against."""
        parts: list[str] = [self.id]
        for value in (
            self.parent_id,
            self.from_number,
            self.to_number,
            self.from_formatted,
            self.to_formatted,
            self.from_name,
            self.to_name,
            self.status_raw,
            self.direction_raw,
            self.answered_by,
            self.end_reason,
        ):
            if value:
                parts.append(value)
        for value in self.extras.values():
            if isinstance(value, str | int | float | Decimal) and not isinstance(value, bool):
                parts.append(str(value))
        return "\n".join(parts).casefold()


@record
class Recording:
    """A recording of a call, normalized (Twilio/SignalWire resources, Exotel/Fone Dynamics URLs,
    PortSIP recording entries)."""

    provider: str
    id: str
    call_id: str | None = None
    started_at: datetime | None = None
    duration: int | None = None
    channels: int | None = None
    status: str | None = None
    media_url: str | None = None
    price: Decimal | None = None
    currency: str | None = None
    warnings: tuple[str, ...] = ()
    raw: Any = None


@record
class LogEntry:
    """One notification or event of a call (Twilio), shown as a list in the detail pane."""

    time: datetime | None = None
    level: str | None = None
    title: str = ""
    detail: str = ""
    raw: Any = None


# Every field of ``Call``, in declaration order.
CALL_FIELDS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Call))


def fields_of(call: Call) -> dict[str, Any]:
    """The call's fields by name, in declaration order (the values themselves, not copies)."""
    return {name: getattr(call, name) for name in CALL_FIELDS}
