"""The dataset's record types and the vocabularies of a record's seeded draws.

:class:`Core` holds a call's O(1) columns (what list pages render from); :class:`CallRecord` is the
complete provider-neutral record, which ``Dataset.call`` builds from those columns plus draws of a
generator seeded with the call's hash (caller name, attribution, trunk, …) from the tables below.
:func:`draw_extras` repeats just the first draws (caller name, answered-by, SIP code) for a
:class:`Core`. This module imports nothing of the dataset: ``dataset`` imports it.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from typing import NamedTuple

from .hostile import HOSTILE_STRINGS

NAMES = (
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
SOURCES = ("google", "bing", "facebook", "(direct)", "newsletter", "yelp")
MEDIUMS = ("cpc", "organic", "referral", "email", "(none)", "social")
CAMPAIGNS = ("spring-sale", "brand", "retargeting", "", "black-friday")
CONTENTS = ("ad-a", "ad-b", "hero-banner", "", "footer")
TRAFFIC = ("Campaign", "Direct", "Organic", "Referral", "Unattributed")
END_REASONS = ("CALLER_DISCONNECTED", "CALLEE_DISCONNECTED", "BLIND_TRANSFER_COMPLETED")
TRUNKS = ("telstra-sip", "twilio-elastic", "bandwidth-1")
ANSWERED_BY = ("human", "human", "machine_start", "unknown")
FAILED_SIP = (404, 500, 503, 603)
SIP_BY_STATUS = {"completed": 200, "busy": 486, "no-answer": 480, "canceled": 487}


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
            caller_name = rng.choice(NAMES)
    elif status == "completed" and not c.is_child:
        rng = random.Random(c.h)
        answered_by = rng.choice(ANSWERED_BY)
    if hostile and c.idx % 10 == 7:
        caller_name = hostile_text(c.idx)
    if status == "failed":
        if not sip:
            return caller_name, answered_by, 0
        if rng is None:
            rng = random.Random(c.h)
        return caller_name, answered_by, rng.choice(FAILED_SIP)
    return caller_name, answered_by, SIP_BY_STATUS.get(status, 0)


@lru_cache(maxsize=4096)
def hostile_text(index: int) -> str:
    return HOSTILE_STRINGS[(index // 10) % len(HOSTILE_STRINGS)]
