"""Fone Dynamics call records → ``Call``: the field table, read one way per record.

:data:`TABLE` is the whole mapping from a record's keys to ``Call`` fields: a record whose every
value is plain is read by its compiled plain reader, any other by its checked reader (every odd
value a warning); :meth:`FoneDynamicsNormalize.lean_fields` is the plain reader of the lean rows.
Reference: providers.md §2 and §7.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import tzinfo
from functools import cached_property
from typing import Any, ClassVar

from tui.core.account import Account
from tui.core.fieldtable import INTEGER, TEXT, FieldTable, epoch_digits, ident, row, time
from tui.core.fieldtable import vocabulary as vocab
from tui.core.model import LINK_RECORDING_MEDIA, LINK_RECORDINGS, LINK_SELF, Call, Direction, Status
from tui.core.normalize import url_quote

# --- Provider facts the reference marks [unconfirmed] (providers.md §2, §8 item 1) -------------

# By analogy with Messages (GET /v2/Messages/{Sid}); the list paths are in fonedynamics.py.
PATH_CALL = "/v2/Calls/{sid}"
# Record field names whose labels were lost in every stored copy of the Get Calls page; the
# spellings are guesses from the filter table ("Date_From") and the Fivetran schema (date_start,
# froms, tos). First present wins.
START_KEYS = ("DateStart", "Date_Start", "StartTime", "Date")
FROM_KEYS = ("From", "Caller")
TO_KEYS = ("To", "Dialled")

# --- Documented facts (seed 000: Get Calls page) ----------------------------------------------

ID_KEY = "CallSid"
DURATION_KEY = "Duration"
DISPOSITION_KEY = "Disposition"
RECORDING_KEY = "Recording_Uri"
FRIENDLY_KEY = "To_Friendly"

# Disposition ↔ normalized status (reference §7.1). Keys are lower-case (Fields.enum folds case).
DISPOSITIONS: dict[str, Status] = {
    "answered": Status.COMPLETED,
    "ivr": Status.IVR,
    "busy": Status.BUSY,
    "noanswer": Status.NO_ANSWER,
    "failed": Status.FAILED,
}
# Fone Dynamics has no direction field: call tracking only records calls *into* a tracking
# number (reference §7.2, proposal).
DIRECTION = Direction.INBOUND

# The rows, in the order the checked reader reads (and warns).
TABLE = FieldTable(
    (
        row("id", ID_KEY, ident(f"{ID_KEY} missing")),
        row(("status", "status_raw"), DISPOSITION_KEY, vocab(DISPOSITIONS, Status.UNKNOWN)),
        row("_recording", RECORDING_KEY, TEXT, consumed=False),  # links; kept in extras
        row("from_number", FROM_KEYS, TEXT),
        row("to_number", TO_KEYS, TEXT),
        row("to_name", FRIENDLY_KEY, TEXT, consumed=False),  # kept in extras too
        row("started_at", START_KEYS, time(epoch_digits)),
        row("duration", DURATION_KEY, INTEGER),
    )
)
LEAN_TABLE = TABLE.only(TABLE.targets)  # every field (not the recording: a link)

# Keys that fill normalized fields (anything else in a record lands in extras).
CONSUMED_KEYS: frozenset[str] = frozenset(TABLE.consumed())
# The documented provider-specific fields, kept verbatim in Call.extras (in this order).
EXTRA_KEYS: tuple[str, ...] = (
    "PropertySid",
    "From_CountryCode",
    "From_Region",
    "From_City",
    FRIENDLY_KEY,
    "Endpoint",
    RECORDING_KEY,
    "Attribution_Source",
    "Attribution_Medium",
    "Attribution_Campaign",
    "Attribution_Content",
    "Session_Traffic_Type",
    "Session_Keywords",
    "Session_ConversionUri",
    "Session_LandingUri",
    "Survey_Type",
    "Survey_Value",
    "Survey_Custom1",
    "Survey_Custom2",
    "Survey_Custom3",
    "Survey_UniqueCode",
    "Prompts_Keys",
    "Notes",
    "CallType",
    "Google_Analytics_ClientId",
    "Google_Adwords_ClickId",
)
# The fields a Fone Dynamics record never carries (and its one direction), as every call has them.
UNREPORTED: dict[str, Any] = {
    "parent_id": None,
    "from_formatted": None,
    "to_formatted": None,
    "from_name": None,
    "created_at": None,
    "answered_at": None,
    "ended_at": None,
    "price": None,
    "currency": None,
    "direction": DIRECTION,
    "direction_raw": None,
    "answered_by": None,
    "end_reason": None,
}


def fd_extras(record: Mapping[str, Any]) -> dict[str, Any]:
    """The documented extras in their order, then any key the reference does not know (e.g. the
    real start-time field), verbatim."""
    extras: dict[str, Any] = {}
    for key in EXTRA_KEYS:
        value = record.get(key)
        if value is not None and value != "":
            extras[key] = value
    for key, value in record.items():
        if key not in CONSUMED_KEYS and key not in extras and value not in (None, ""):
            extras[str(key)] = value
    return extras


class FoneDynamicsNormalize:
    """The Fone Dynamics adapter's normalization (mixed into ``FoneDynamicsAdapter``)."""

    provider: ClassVar[str]
    account: Account
    lean: bool

    @cached_property
    def zone(self) -> tzinfo:
        # Times are epoch seconds (UTC); the zone only reads a zone-less text time, if one comes.
        return self.account.tz

    def normalize(self, raw: Any) -> Call:
        """One record → ``Call``: the table's plain reader for a well-typed record (no warning
        to give), else its checked reader."""
        record, values, warnings = TABLE.read(raw, self.zone)
        return self._call(raw, record, values, warnings)

    def _call(
        self, raw: Any, record: Mapping[str, Any], values: dict[str, Any], warnings: tuple[str, ...]
    ) -> Call:
        recording = values.pop("_recording")
        call_id = values["id"]
        extras: dict[str, Any] = {}
        links: dict[str, str] = {}
        if not self.lean:
            extras = fd_extras(record)
            if recording:
                links[LINK_RECORDING_MEDIA] = recording
                links[LINK_RECORDINGS] = recording
            if call_id:
                links[LINK_SELF] = PATH_CALL.format(sid=url_quote(call_id))
        if call_id is None:
            values["id"] = "?"
        return Call(
            provider=self.provider,
            account=self.account.name,
            links=links,
            extras=extras,
            warnings=warnings,
            raw=raw,
            **UNREPORTED,
            **values,
        )

    lean_fields_read = frozenset({"provider", "account", *UNREPORTED, *LEAN_TABLE.targets})

    def lean_fields(self, raw: Any) -> dict[str, Any] | None:
        """:meth:`normalize`'s fields but links, extras and warnings, for a record the plain
        reader of the lean rows reads; ``None`` otherwise."""
        if type(raw) is not dict:
            return None
        values = LEAN_TABLE.plain(raw)
        if values is None:
            return None
        values["provider"] = self.provider
        values["account"] = self.account.name
        values.update(UNREPORTED)
        return values
