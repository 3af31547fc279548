"""The normalized call record (``Call``) every provider's CDR becomes, and its vocabularies.

A ``Call`` is what the table, the detail pane, the filters and the exports read. It is built by
the adapters through :class:`tui.core.normalize.Fields`, which never raises: whatever a provider
sent that does not fit becomes ``None``/``unknown`` plus a line in ``warnings``, and ``raw`` keeps
the object exactly as received.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


class Call(BaseModel):
    """One call as callscope shows it, whatever provider it came from."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)

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

    links: dict[str, str] = Field(default_factory=dict)
    extras: dict[str, Any] = Field(default_factory=dict)
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


class Recording(BaseModel):
    """A recording of a call, normalized (Twilio/SignalWire resources, Exotel/Fone Dynamics URLs,
    PortSIP recording entries)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

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


class LogEntry(BaseModel):
    """One notification or event of a call (Twilio), shown as a list in the detail pane."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    time: datetime | None = None
    level: str | None = None
    title: str = ""
    detail: str = ""
    raw: Any = None


def _builder(model: type[BaseModel]) -> Any:
    """A constructor that skips validation *and* pydantic's per-field bookkeeping.

    Normalizers hand over values that are already typed (``Fields`` did the checking), so
    ``model_validate`` would only re-check them and ``model_construct`` still costs ~15-60 µs
    per record in field iteration; at 100k records that is seconds. This fills the instance
    the way ``model_construct`` does, with defaults (fresh dicts for factory defaults).
    """
    fixed: dict[str, Any] = {}
    factories: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if info.default_factory is not None:
            factories[name] = info.default_factory
        else:
            fixed[name] = info.default
    setattr_ = object.__setattr__

    def build(**values: Any) -> Any:
        data = dict(fixed)
        for name, factory in factories.items():
            if name not in values:
                data[name] = factory()
        data.update(values)
        instance = model.__new__(model)
        setattr_(instance, "__dict__", data)
        setattr_(instance, "__pydantic_fields_set__", set(values))
        setattr_(instance, "__pydantic_extra__", None)
        setattr_(instance, "__pydantic_private__", None)
        return instance

    return build


build_call: Callable[..., Call] = _builder(Call)

# Every field of ``Call``, in declaration order.
CALL_FIELDS: tuple[str, ...] = tuple(Call.model_fields)
_CALL_FIELD_SET = set(CALL_FIELDS)
_new_call = Call.__new__
_set = object.__setattr__


def call_of(fields: dict[str, Any]) -> Call:
    """``build_call(**fields)`` for a dict that holds every field, in declaration order
    (:data:`CALL_FIELDS`): the dict itself becomes the call's ``__dict__``, so the fast paths
    of the adapters build one dict per record and nothing else. The caller gives up ``fields``.
    """
    call = _new_call(Call)
    _set(call, "__dict__", fields)
    _set(call, "__pydantic_fields_set__", _CALL_FIELD_SET.copy())
    _set(call, "__pydantic_extra__", None)
    _set(call, "__pydantic_private__", None)
    return call


build_recording: Callable[..., Recording] = _builder(Recording)
build_log_entry: Callable[..., LogEntry] = _builder(LogEntry)
