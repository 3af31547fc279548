"""PortSIP call logs → ``Call``: the field table, read one way per record, and the derived status.

The rows are read in two parts with the status derived between them (its warning comes there):
:data:`HEAD` (what the status is derived from) and :data:`TAIL`. A record whose every value is
plain is read by their compiled plain readers, any other by their checked readers. Links are URLs
of the adapter's API (``PortSipAdapter._links``). Reference: providers.md §3, §7.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, ClassVar

from tui.core.account import Account
from tui.core.fieldtable import (
    DECIMAL,
    INTEGER,
    TEXT,
    FieldTable,
    Reader,
    ident,
    iso_micro_z,
    row,
    time,
)
from tui.core.fieldtable import vocabulary as vocab
from tui.core.model import Call, Direction, Status
from tui.core.normalize import Fields, short_repr, text_of

DIRECTIONS: dict[str, Direction] = {  # §7.2
    "inbound_call": Direction.INBOUND,
    "inbound_outbound_call": Direction.INBOUND,  # entered from a trunk, then went out again
    "outbound_call": Direction.OUTBOUND,
    "extension_call": Direction.INTERNAL,
}
# fmt: off
END_REASONS = frozenset({
    "CALLER_DISCONNECTED", "CALLEE_DISCONNECTED", "BLIND_TRANSFER_COMPLETED",
    "CONSULT_TRANSFER_COMPLETED", "REPLACED", "REFERRED", "REDIRECTED", "CANCELLED",
    # not in the spec's enum, but in PortSIP's own CDR example (accessing-cdrs-and-recordings.md)
    "CALLER_DISCONNECT", "CALLEE_DISCONNECT",
})
REROUTE_REASONS = frozenset({
    "TRANSFER", "OVERFLOW",
    # added in v22.5 (§3.5)
    "CAPACITY_BLOCKED", "QUEUE_EXIT", "QUEUE_ABANDONED", "REDIRECT", "FORWARDING_UNCONDITIONAL",
    "FORWARDING_BUSY", "FORWARDING_NO_ANSWER", "FORWARDING_NOT_REACHABLE", "FORWARDING_EXCEPTION",
    "FORWARDING_LUNCH", "FORWARDING_BUSINESS_TRIP", "FORWARDING_AWAY", "FORWARDING_NIGHT_MODE",
})
# fmt: on
# SIP final codes → status (§7.1: standard SIP meanings, not PortSIP documentation).
CANCEL_REASONS = frozenset({"CANCELLED", "CANCELED"})
CANCEL_CODES = frozenset({487})
BUSY_CODES = frozenset({486, 600})
NO_ANSWER_CODES = frozenset({408, 480})


def documented(known: frozenset[str]) -> Reader:
    """Text from a documented vocabulary; another word is kept, with a warning."""

    def plain(value: Any) -> Any:
        if value is None or value == "":
            return None
        return value if type(value) is str and value in known else False

    def checked(f: Fields, keys: tuple[str, ...]) -> Any:
        value = text_of(f, *keys)
        if value is not None and value not in known:
            f.warn(f"{keys[0]}: undocumented value {short_repr(value)}")
        return value

    return Reader(checked, plain)


ISO = time(iso_micro_z)
# What the status is derived from (read first: its warning follows them).
HEAD = FieldTable(
    (
        row("id", "id", ident("record has no id")),
        row("_other_id", ("call_id", "session_id"), TEXT, consumed=False, unless="id"),
        row("started_at", "started_at", ISO),
        row("answered_at", "answered_at", ISO),
        row("ended_at", "ended_at", ISO),
        row("_rang_at", "rang_at", ISO, consumed=False),
        row("duration", "duration", INTEGER),
        row("_status_code", "status_code", INTEGER, consumed=False),
        row("end_reason", "end_reason", documented(END_REASONS)),
        row("_reroute_reason", "reroute_reason", documented(REROUTE_REASONS), consumed=False),
        row(("direction", "direction_raw"), "direction", vocab(DIRECTIONS, Direction.UNKNOWN)),
    )
)
TAIL = FieldTable(
    (
        row("from_number", "caller", TEXT),
        row("to_number", "callee", TEXT),
        row("from_name", "caller_display_name", TEXT),
        row("to_name", "callee_display_name", TEXT),
        row("price", "cost", DECIMAL),  # kept in extras too
    )
)
# Fields read into normalized Call fields; every other key of a record goes to extras verbatim.
CONSUMED_KEYS = frozenset({*HEAD.consumed(), *TAIL.consumed()})
# Documented fields that land in extras (§3.5); listed for tests and readers.
# fmt: off
EXTRA_KEYS = (
    "session_id", "call_id", "caller_domain", "callee_domain", "destination",
    "outbound_caller_id", "did_cid", "trunk", "service_number", "user_data", "reroute_reason",
    "status_code", "cost", "billed_account", "rang_at",
)
# fmt: on
# What a PortSIP call log never carries.
UNREPORTED: dict[str, Any] = {
    "parent_id": None,
    "from_formatted": None,
    "to_formatted": None,
    "created_at": None,
    "currency": None,
    "status_raw": None,
    "answered_by": None,
}
UNDERIVED = "status: cannot be derived (neither ended, answered nor ringing)"


def derive_status(
    *,
    answered_at: datetime | None,
    ended_at: datetime | None,
    rang_at: datetime | None,
    duration: int | None,
    status_code: int | None,
    end_reason: str | None,
) -> Status:
    """PortSIP has no status field; derive one (reference §7.1), rules in this order:

    1. not ended: answered → in-progress; rang (and no talk time) → ringing;
    2. answered and ended, or any talk time → completed;
    3. then the call was not answered; if it has not ended either, we cannot tell → unknown;
    4. end reason CANCELLED or SIP 487 → canceled;
    5. SIP 486 / 600 → busy;
    6. SIP 408 / 480 → no-answer;
    7. any other unanswered, ended call → failed.
    """
    talked = duration is not None and duration > 0
    if ended_at is None:
        if answered_at is not None:
            return Status.IN_PROGRESS
        if rang_at is not None and not talked:
            return Status.RINGING
    if (answered_at is not None and ended_at is not None) or talked:
        return Status.COMPLETED
    if ended_at is None:
        return Status.UNKNOWN
    if (end_reason or "").upper() in CANCEL_REASONS or status_code in CANCEL_CODES:
        return Status.CANCELED
    if status_code in BUSY_CODES:
        return Status.BUSY
    if status_code in NO_ANSWER_CODES:
        return Status.NO_ANSWER
    return Status.FAILED


def portsip_extras(record: Mapping[str, Any]) -> dict[str, Any]:
    """Every key no field holds completely, verbatim, and the cost as sent."""
    extras = {
        key: value
        for key, value in record.items()
        if key not in CONSUMED_KEYS and value is not None and value != ""
    }
    cost = record.get("cost")
    if cost is not None and cost != "":
        extras["cost"] = cost
    return extras


def _status(head: dict[str, Any]) -> Status:
    return derive_status(
        answered_at=head["answered_at"],
        ended_at=head["ended_at"],
        rang_at=head.pop("_rang_at"),
        duration=head["duration"],
        status_code=head.pop("_status_code"),
        end_reason=head["end_reason"],
    )


class PortSipNormalize:
    """The PortSIP adapter's normalization (mixed into ``PortSipAdapter``)."""

    provider: ClassVar[str]
    account: Account
    lean: bool
    _zone: Any
    # the adapter's: URLs of its API
    _links: Callable[
        [Mapping[str, Any], str, str | None, str | None, datetime | None, datetime | None],
        dict[str, str],
    ]

    def normalize(self, raw: Any) -> Call:
        """One call log → ``Call``: the plain readers for a well-typed record, else the checked
        ones (every odd value a warning)."""
        if type(raw) is dict:
            head, tail = HEAD.plain(raw), TAIL.plain(raw)
            if head is not None and tail is not None:
                status = _status(head)
                warnings = (UNDERIVED,) if status is Status.UNKNOWN else ()
                return self._call(raw, raw, {**head, **tail}, status, warnings)
        f = Fields(raw, zone=self._zone)
        head = HEAD.checked(f)
        status = _status(head)
        if status is Status.UNKNOWN:
            f.warn(UNDERIVED)
        values = {**head, **TAIL.checked(f)}
        return self._call(raw, f.raw, values, status, tuple(f.warnings))

    def _call(
        self,
        raw: Any,
        record: Mapping[str, Any],
        values: dict[str, Any],
        status: Status,
        warnings: tuple[str, ...],
    ) -> Call:
        other_id = values.pop("_other_id")
        values.pop("_reroute_reason")
        if values["id"] is None:
            values["id"] = other_id or "?"
        extras: dict[str, Any] = {}
        links: dict[str, str] = {}
        if not self.lean:
            extras = portsip_extras(record)
            links = self._links(
                record,
                values["id"],
                values["from_number"],
                values["to_number"],
                values["started_at"],
                values["ended_at"],
            )
        return Call(
            provider=self.provider,
            account=self.account.name,
            status=status,
            links=links,
            extras=extras,
            warnings=warnings,
            raw=raw,
            **UNREPORTED,
            **values,
        )
