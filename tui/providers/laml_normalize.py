"""LaML call records (Twilio, SignalWire) → ``Call``: the field table, read one way per record.

:func:`laml_table` is the whole mapping from a record's keys to ``Call`` fields. A page record
whose every value is plain is read by the table's compiled plain reader; any other record by its
checked reader (every odd value a warning); :meth:`LamlNormalize.lean_fields` is the plain reader
of the table's lean rows. Links and extras are one function each, used by both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Protocol

from tui.core.account import Account
from tui.core.fieldtable import DECIMAL, INTEGER, MAPPING, TEXT, FieldTable, ident, row, time
from tui.core.fieldtable import vocabulary as vocab
from tui.core.model import Call, Direction, Status
from tui.core.normalize import Fields
from tui.providers.laml_parse import plain_time


class LamlVocabulary(Protocol):
    """What normalization reads of a ``LamlDialect``."""

    @property
    def provider(self) -> str: ...
    @property
    def statuses(self) -> Mapping[str, Status]: ...
    @property
    def directions(self) -> Mapping[str, Direction]: ...
    @property
    def formatted_from(self) -> tuple[str, ...]: ...
    @property
    def formatted_to(self) -> tuple[str, ...]: ...


# Alternative spellings of the formatted numbers (Twilio ``from_formatted``, SignalWire
# ``formatted_from`` plus the alias). A spelling whose value differs from the one used is kept.
FORMATTED_FROM_KEYS = ("from_formatted", "formatted_from")
FORMATTED_TO_KEYS = ("to_formatted", "formatted_to")
RFC2822 = time(plain_time)


def laml_table(
    statuses: Mapping[str, Status],
    directions: Mapping[str, Direction],
    formatted_from: tuple[str, ...] = FORMATTED_FROM_KEYS,
    formatted_to: tuple[str, ...] = FORMATTED_TO_KEYS,
) -> FieldTable:
    """A dialect's rows, in the order the checked reader reads (and warns)."""
    return FieldTable(
        (
            row("id", "sid", ident("sid: missing")),
            row(("status", "status_raw"), "status", vocab(statuses, Status.UNKNOWN)),
            row(("direction", "direction_raw"), "direction", vocab(directions, Direction.UNKNOWN)),
            row("parent_id", "parent_call_sid", TEXT),
            row("from_formatted", formatted_from, TEXT, consumed=False),
            row("to_formatted", formatted_to, TEXT, consumed=False),
            row("_subresources", "subresource_uris", MAPPING, consumed=False, when="id"),
            row("from_number", "from", TEXT),
            row("to_number", "to", TEXT),
            row("from_name", "caller_name", TEXT, consumed=False),  # kept in extras too
            row("created_at", "date_created", RFC2822),
            row("started_at", "start_time", RFC2822),
            row("ended_at", "end_time", RFC2822),
            row("duration", "duration", INTEGER),
            row("price", "price", DECIMAL),
            row("currency", "price_unit", TEXT),
            row("answered_by", "answered_by", TEXT),
        )
    )


# Keys a normalized ``Call`` field holds completely; every other key goes to ``extras`` verbatim.
CONSUMED_KEYS: frozenset[str] = frozenset(laml_table({}, {}).consumed())
# What a LaML record never carries.
UNREPORTED: dict[str, Any] = {"to_name": None, "answered_at": None, "end_reason": None}
# The fields :meth:`LamlNormalize.lean_fields` reads (not the formatted numbers nor the end).
LEAN_READ = frozenset(
    {
        *("id", "parent_id", "from_number", "to_number", "from_name", "created_at"),
        *("started_at", "duration", "price", "currency", "direction", "direction_raw"),
        *("status", "status_raw", "answered_by"),
    }
)


class _Tables:
    __slots__ = ("full", "lean")

    def __init__(self, d: LamlVocabulary) -> None:
        self.full = laml_table(d.statuses, d.directions, d.formatted_from, d.formatted_to)
        self.lean = self.full.only(LEAN_READ)
        assert self.lean.targets == LEAN_READ


_TABLES: dict[str, _Tables] = {}


def tables_of(d: LamlVocabulary) -> _Tables:
    found = _TABLES.get(d.provider)
    if found is None:
        found = _TABLES[d.provider] = _Tables(d)
    return found


def laml_extras(record: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
    """Every key no field holds completely, verbatim (a formatted number's other spelling
    only when its value differs from the one used)."""
    from_formatted, to_formatted = values["from_formatted"], values["to_formatted"]
    extras: dict[str, Any] = {}
    for key, value in record.items():
        if key in CONSUMED_KEYS or value is None or value == "":
            continue
        if key in FORMATTED_FROM_KEYS and value == from_formatted:
            continue
        if key in FORMATTED_TO_KEYS and value == to_formatted:
            continue
        extras[key] = value
    return extras


class LamlNormalize:
    """The LaML adapter's normalization (mixed into ``LamlAdapter``)."""

    provider: ClassVar[str]
    dialect: ClassVar[LamlVocabulary]
    account: Account
    lean: bool

    # the adapter's (links are URLs of its API; a call's own fallback: ``Adapter``'s)
    _links_of: Callable[[Any, Mapping[str, Any], str, str | None], dict[str, str]]
    safe_normalize: Callable[[Any], Call]

    def _call(self, record: Any, values: dict[str, Any], full: bool, f: Fields | None) -> Call:
        """The call from the table's ``values``; links and extras unless lean (``full``)."""
        sid = values["id"]
        subresources = values.pop("_subresources")
        links: dict[str, str] = {}
        extras: dict[str, Any] = {}
        if full:
            raw = record if f is None else f.raw
            extras = laml_extras(raw, values)
            if sid is not None:
                links = self._links_of(raw.get("uri"), subresources, sid, values["parent_id"])
        if sid is None:
            values["id"] = "?"
        return Call(
            provider=self.provider,
            account=self.account.name,
            links=links,
            extras=extras,
            warnings=() if f is None else tuple(f.warnings),
            raw=record,
            **UNREPORTED,
            **values,
        )

    def normalize(self, raw: Any) -> Call:
        """One call record → ``Call``: the table's plain reader for a well-typed record (no
        warning to give), else :meth:`normalize_checked`."""
        if type(raw) is dict:
            values = tables_of(self.dialect).full.plain(raw)
            if values is not None:
                return self._call(raw, values, not self.lean, None)
        return self.normalize_checked(raw)

    def normalize_checked(self, raw: Any) -> Call:
        """One record of any shape → ``Call``, every odd value a warning (never raises)."""
        f = Fields(raw)
        return self._call(raw, tables_of(self.dialect).full.checked(f), True, f)

    def _normalize_page_record(self, record: Any) -> Call:
        try:
            return self.normalize(record)
        except Exception:  # a normalizer bug: the base turns it into a Call with a warning
            return self.safe_normalize(record)

    lean_fields_read = frozenset({"provider", "account", *UNREPORTED, *LEAN_READ})

    def lean_fields(self, raw: Any) -> dict[str, Any] | None:
        """:meth:`normalize`'s ``lean_fields_read`` fields for a record the plain reader of
        the lean rows reads; ``None`` otherwise."""
        if type(raw) is not dict:
            return None
        values = tables_of(self.dialect).lean.plain(raw)
        if values is None:
            return None
        values["provider"] = self.provider
        values["account"] = self.account.name
        values.update(UNREPORTED)
        return values
