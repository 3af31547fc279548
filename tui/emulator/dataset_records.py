"""The dataset's record types and the seeded draws that fill a whole record.

:class:`Core` holds a call's O(1) columns (what list pages render from); :class:`CallRecord` is the
complete provider-neutral record, built by :func:`build_record` from those columns plus draws of a
generator seeded with the call's hash (caller name, attribution, trunk, …). :func:`draw_extras`
repeats just the first draws (caller name, answered-by, SIP code) for a :class:`Core`.
:class:`~tui.emulator.dataset.Dataset` reaches both through ``call`` and ``extras``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, NamedTuple

from .hostile import HOSTILE_STRINGS

if TYPE_CHECKING:
    from .dataset import Dataset

_NAMES = (
    "ALICE SMITH",
    "Bob Jones",
    "ACME CORP",
    "WIRELESS CALLER",
    "José Álvarez",
    "Müller GmbH",
    "李小龍",
    "O'Brien, Pat",
    "Anonymous",
    "DR. NGUYEN",
)
_SOURCES = ("google", "bing", "facebook", "(direct)", "newsletter", "yelp")
_MEDIUMS = ("cpc", "organic", "referral", "email", "(none)", "social")
_CAMPAIGNS = ("spring-sale", "brand", "retargeting", "", "black-friday")
_CONTENTS = ("ad-a", "ad-b", "hero-banner", "", "footer")
_TRAFFIC = ("Campaign", "Direct", "Organic", "Referral", "Unattributed")
_END_REASONS = ("CALLER_DISCONNECTED", "CALLEE_DISCONNECTED", "BLIND_TRANSFER_COMPLETED")
_TRUNKS = ("telstra-sip", "twilio-elastic", "bandwidth-1")
_ANSWERED_BY = ("human", "human", "machine_start", "unknown")
_FAILED_SIP = (404, 500, 503, 603)
_SIP_BY_STATUS = {"completed": 200, "busy": 486, "no-answer": 480, "canceled": 487}


@dataclass(frozen=True, slots=True)
class CallRecord:
    """One call, provider-neutral. Times are epoch seconds (UTC); ``None`` means "not yet"."""

    account: str
    index: int
    parent_index: int | None
    created: int
    start: int | None
    answer: int | None
    end: int | None
    duration: int | None  # talk seconds; None while the call is live
    ring: int
    status: str  # one of STATUSES
    direction: str  # "inbound" | "outbound"
    from_: str
    to: str
    caller_name: str | None
    country: str  # ISO-2 of the remote party ("" for sip:/client: parties)
    price: Decimal | None  # positive cost in USD, None when not billed
    price_unit: str
    recordings: int  # number of recordings (0..2)
    answered_by: str | None
    is_child: bool
    # Fone Dynamics flavour
    attribution_source: str
    attribution_medium: str
    attribution_campaign: str
    attribution_content: str
    traffic_type: str
    ivr_keys: str
    repeat_caller: bool
    endpoint: str
    property_index: int  # which of the account's (3) properties
    # PortSIP flavour
    trunk: str
    extension: str
    did: str
    end_reason: str
    reroute_reason: str
    sip_status: int
    # Exotel flavour
    exophone: str
    legs: tuple[str, ...] = field(default=())

    @property
    def has_recording(self) -> bool:
        return self.recordings > 0

    @property
    def start_dt(self) -> datetime | None:
        return None if self.start is None else datetime.fromtimestamp(self.start, UTC)


class Core(NamedTuple):
    """The O(1) columns of one call, computed together so each hash is computed once.

    Every field equals the one of the same name in :meth:`Dataset.call`'s record (a test checks
    it); ``h`` is the call's hash, ``has_child`` whether call ``idx + 1`` is its child leg.
    Providers render list pages from this instead of building whole records.
    """

    idx: int  # the call's index (``index`` would shadow tuple.index)
    h: int
    is_child: bool
    has_child: bool
    status: str
    created: int
    start: int | None
    answer: int | None
    end: int | None
    duration: int | None
    ring: int
    direction: str
    from_: str
    to: str
    country: str
    price_units: int | None  # the price in units of 0.00001 USD, None when not billed
    recordings: int

    @property
    def price(self) -> Decimal | None:
        """The price as :class:`CallRecord` carries it (a 5-decimal ``Decimal``)."""
        return None if self.price_units is None else Decimal(self.price_units).scaleb(-5)


def draw_extras(c: Core, hostile: bool, sip: bool) -> tuple[str | None, str | None, int]:
    """``(caller_name, answered_by, sip_status)`` of a call, as :meth:`call` has them.

    These come from the record's seeded generator (the first draws :func:`_build` makes, in
    its order); seeding costs a few microseconds, so it happens only when a draw is needed.
    ``sip=False`` skips the draw behind a failed call's SIP code (its ``sip_status`` is then
    0): only SignalWire shows it.
    """
    rng: random.Random | None = None
    caller_name = answered_by = None
    status = c.status
    if c.direction == "inbound":
        rng = random.Random(c.h)
        if rng.random() < 0.4:
            caller_name = rng.choice(_NAMES)
    elif status == "completed" and not c.is_child:
        rng = random.Random(c.h)
        answered_by = rng.choice(_ANSWERED_BY)
    if hostile and c.idx % 10 == 7:
        caller_name = _hostile_text(c.idx)
    if status == "failed":
        if not sip:
            return caller_name, answered_by, 0
        if rng is None:
            rng = random.Random(c.h)
        return caller_name, answered_by, rng.choice(_FAILED_SIP)
    return caller_name, answered_by, _SIP_BY_STATUS.get(status, 0)


@lru_cache(maxsize=4096)
def _hostile_text(index: int) -> str:
    return HOSTILE_STRINGS[(index // 10) % len(HOSTILE_STRINGS)]


def build_record(ds: Dataset, key: str, i: int) -> CallRecord:
    """The complete record of call ``i`` of account ``key``: the cheap columns plus its draws."""
    acc = ds._acc(key)
    if not 0 <= i < acc.n:
        raise IndexError(i)
    h = ds._h(acc, i)
    rng = random.Random(h)
    status = ds._status(acc, i)
    start = ds._start(acc, i)
    slot = ds._slot(acc, i, h)
    ring = ds._ring(h)
    duration = ds._duration(acc, i, status)
    answered = status in ("completed", "in-progress") and start is not None
    answer = start + ring if answered and start is not None else None
    end = ds.end(key, i)
    direction = ds._direction(acc, i)
    from_, to = ds._parties(acc, i)
    child = ds._is_child(acc, i)
    remote_ext = ds._external[ds._ext(acc, i - 1 if child else i)]
    country = "" if child else remote_ext[1]
    price: Decimal | None = None
    if status == "completed" and duration is not None:
        minutes = max(1, -(-duration // 60))
        price = (Decimal(remote_ext[2]) * minutes).quantize(Decimal("0.00001"))
    caller_name = rng.choice(_NAMES) if direction == "inbound" and rng.random() < 0.4 else None
    hostile = ds.hostile and i % 10 == 7
    if hostile:
        caller_name = _hostile_text(i)
    answered_by = None
    if direction == "outbound" and not child and status == "completed":
        answered_by = rng.choice(_ANSWERED_BY)
    failed_sip = rng.choice(_FAILED_SIP)  # drawn for every call: later draws depend on it
    sip = failed_sip if status == "failed" else _SIP_BY_STATUS.get(status, 0)
    ivr = rng.choice(("", "1", "2", "1,2", "3,1", "9"))
    return CallRecord(
        account=key,
        index=i,
        parent_index=i - 1 if child else None,
        created=start if start is not None else slot,
        start=start,
        answer=answer,
        end=end,
        duration=duration,
        ring=ring,
        status=status,
        direction=direction,
        from_=from_,
        to=to,
        caller_name=caller_name,
        country=country,
        price=price,
        price_unit="USD",
        recordings=ds._recordings(acc, i, status),
        answered_by=answered_by,
        is_child=child,
        attribution_source=rng.choice(_SOURCES),
        attribution_medium=rng.choice(_MEDIUMS),
        attribution_campaign=_hostile_text(i) if hostile else rng.choice(_CAMPAIGNS),
        attribution_content=rng.choice(_CONTENTS),
        traffic_type=rng.choice(_TRAFFIC),
        ivr_keys=ivr,
        repeat_caller=rng.random() < 0.3,
        endpoint=acc.own[(h >> 20) % len(acc.own)],
        property_index=(h >> 36) % 3,
        trunk=rng.choice(_TRUNKS),
        extension=str(101 + (h >> 30) % 20),
        did=to if direction == "inbound" else from_,
        end_reason="CANCELLED" if status == "canceled" else rng.choice(_END_REASONS),
        reroute_reason="TRANSFER" if rng.random() < 0.05 else "",
        sip_status=sip,
        exophone=acc.own[0],
        legs=(status,) if not child else (status, "completed"),
    )
