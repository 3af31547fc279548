"""Exotel call records → ``Call``: the field table, read one way per record.

:func:`exotel_table` is the whole mapping from a record's keys to ``Call`` fields (times are
read in the account's zone): a record whose every value is plain is read by the compiled plain
reader, any other by the checked reader (every odd value a warning). Numbers are then put in
E.164 (the national form kept as the formatted number), extras and links built. Reference:
providers.md §5, §7.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, tzinfo
from typing import Any, ClassVar

from tui.core.account import Account
from tui.core.fieldtable import (
    DECIMAL,
    INTEGER,
    MAPPING,
    TEXT,
    FieldTable,
    Reader,
    ident,
    local_time,
    row,
    time,
)
from tui.core.fieldtable import vocabulary as vocab
from tui.core.model import (
    LINK_CHILDREN,
    LINK_PARENT,
    LINK_RECORDING_MEDIA,
    LINK_RECORDINGS,
    LINK_SELF,
    Call,
    Direction,
    Status,
)
from tui.core.normalize import Fields, short_repr
from tui.providers.exotel_plan import STATUS_PARAM, international

# Media link preference: the pre-signed URL works without credentials (valid 5-60 min, docs);
# whether the plain RecordingUrl needs the API credentials depends on account settings.
RECORDING_MEDIA_KEYS = ("PreSignedRecordingUrl", "RecordingUrl")
# Status / Direction ↔ normalized (reference §7). Keys lower-case (Fields.enum folds case).
STATUSES: dict[str, Status] = {value: status for status, value in STATUS_PARAM.items()}
DIRECTIONS: dict[str, Direction] = {
    "inbound": Direction.INBOUND,
    "outbound-dial": Direction.OUTBOUND,  # placed from the Exotel dashboard
    "outbound-api": Direction.OUTBOUND,  # API, campaigns …
}


def http_url() -> Reader:
    """A media URL: http(s) only; another non-empty value warns."""

    def plain(value: Any) -> Any:
        if value is None or value == "":
            return None
        if type(value) is str and value.lower().startswith(("https://", "http://")):
            return value
        return False

    def checked(f: Fields, keys: tuple[str, ...]) -> Any:
        value = f.raw.get(keys[0])
        if isinstance(value, str) and value.lower().startswith(("https://", "http://")):
            return value
        if value not in (None, ""):
            f.warn(f"{keys[0]}: not an http(s) URL: {short_repr(value)}")
        return None

    return Reader(checked, plain)


URL = http_url()


def exotel_table(zone: tzinfo) -> FieldTable:
    """The rows, in the order the checked reader reads (and warns)."""
    local = time(local_time(zone))
    presigned, plain_url = RECORDING_MEDIA_KEYS
    return FieldTable(
        (
            row("id", "Sid", ident("Sid missing")),
            row(("status", "status_raw"), "Status", vocab(STATUSES, Status.UNKNOWN)),
            row(("direction", "direction_raw"), "Direction", vocab(DIRECTIONS, Direction.UNKNOWN)),
            row("_details", "Details", MAPPING, consumed=False),
            row("_exophone", "PhoneNumber", TEXT, consumed=False),
            row("_exophone_sid", "PhoneNumberSid", TEXT, consumed=False, unless="_exophone"),
            row("from_number", "From", TEXT),  # then E.164
            row("to_number", "To", TEXT),
            row("parent_id", "ParentCallSid", TEXT),
            row("_media", presigned, URL, consumed=False),
            row("_media_plain", plain_url, URL, consumed=False, unless="_media"),
            row("from_name", "CallerName", TEXT),  # also kept in extras under its own name
            row("created_at", "DateCreated", local),
            row("started_at", "StartTime", local),
            row("ended_at", "EndTime", local),
            row("duration", "Duration", INTEGER),
            row("price", "Price", DECIMAL),
            row("currency", "Currency", TEXT),
            row("answered_by", "AnsweredBy", TEXT),
        )
    )


# Keys that fill normalized fields (module data; tests check every documented key is consumed).
CONSUMED_KEYS: dict[str, str] = exotel_table(UTC).consumed()
# The documented provider-specific fields, kept verbatim in Call.extras (undocumented keys too).
EXTRA_KEYS: tuple[str, ...] = (
    "AccountSid",
    "DateUpdated",
    "PhoneNumberSid",
    "PhoneNumber",
    "ForwardedFrom",
    "CallerName",
    "Uri",
    "ConversationDuration",
    "RecordingUrl",
    "PreSignedRecordingUrl",
    "Details",
)
# Lifted out of `Details` (details=true) into extras of their own.
DETAIL_KEYS: tuple[str, ...] = ("ConversationDuration", "Leg1Status", "Leg2Status", "Legs")
# Derived (never sent by Exotel): the ExoPhone in E.164, what the `exophone:` filter matches.
EXOPHONE_KEY = "ExoPhone"
_KNOWN_KEYS = frozenset({*CONSUMED_KEYS, *EXTRA_KEYS})

_TABLES: dict[tzinfo, FieldTable] = {}
UNREPORTED: dict[str, Any] = {"to_name": None, "answered_at": None, "end_reason": None}


def table_of(zone: tzinfo) -> FieldTable:
    found = _TABLES.get(zone)
    if found is None:
        found = _TABLES[zone] = exotel_table(zone)
    return found


def exotel_extras(
    record: Mapping[str, Any], details: Mapping[str, Any], exophone: Any
) -> dict[str, Any]:
    """The documented extras, the legs' fields lifted out of ``Details``, undocumented keys
    (kept, never dropped), and the derived ExoPhone in E.164 (what the PhoneNumber filter takes)."""
    extras: dict[str, Any] = {}
    for key in EXTRA_KEYS:
        value = record.get(key)
        if value is not None and value != "":
            extras[key] = value
    for key in DETAIL_KEYS:
        value = details.get(key)
        if key not in extras and value is not None and value != "":
            extras[key] = value
    for key, value in record.items():
        if key not in _KNOWN_KEYS and value is not None and value != "":
            extras[key] = value
    if exophone is not None:
        extras[EXOPHONE_KEY] = international(exophone)
    return extras


class ExotelNormalize:
    """The Exotel adapter's normalization (mixed into ``ExotelAdapter``)."""

    provider: ClassVar[str]
    account: Account
    zone: tzinfo
    call_url: Callable[[str], str]  # the adapter's

    def normalize(self, raw: Any) -> Call:
        record, values, warnings = table_of(self.zone).read(raw, self.zone)
        return self._call(raw, record, values, warnings)

    def _call(
        self, raw: Any, record: Mapping[str, Any], values: dict[str, Any], warnings: tuple[str, ...]
    ) -> Call:
        call_id = values["id"]
        details = values.pop("_details")
        exophone, exophone_sid = values.pop("_exophone"), values.pop("_exophone_sid")
        media, media_plain = values.pop("_media"), values.pop("_media_plain")
        exophone, media = exophone or exophone_sid, media or media_plain
        extras = exotel_extras(record, details or {}, exophone)
        from_given, to_given = values["from_number"], values["to_number"]
        values["from_number"] = None if from_given is None else international(from_given)
        values["to_number"] = None if to_given is None else international(to_given)
        links: dict[str, str] = {}
        if call_id is not None:
            own = self.call_url(call_id)
            links[LINK_SELF] = own
            links[LINK_CHILDREN] = own + "?details=true"
        if media is not None:
            links[LINK_RECORDING_MEDIA] = media
            if call_id is not None:
                links[LINK_RECORDINGS] = links[LINK_CHILDREN]
        parent_id = values["parent_id"]
        if parent_id is not None:
            links[LINK_PARENT] = self.call_url(parent_id)
        if call_id is None:
            values["id"] = "?"
        return Call(
            provider=self.provider,
            account=self.account.name,
            # the national form as Exotel wrote it, when the number was converted to E.164
            from_formatted=from_given if from_given != values["from_number"] else None,
            to_formatted=to_given if to_given != values["to_number"] else None,
            links=links,
            extras=extras,
            warnings=warnings,
            raw=raw,
            **UNREPORTED,
            **values,
        )
