"""The Fone Dynamics view of the dataset: derived columns and the wire record of one call.

Fone Dynamics is a call-tracking service: every call rings *into* a tracking number of a
*property* (a website or business location), and the record carries marketing attribution, the
web session that produced the call, IVR keys and whether the caller is a first-time or a repeat
caller. The provider-neutral dataset has no such notions, so this module derives them, O(1) per
index, from one 64-bit hash of ``(seed, account, index)`` plus the dataset's O(1) columns (status,
start, end, recording count). No record needs :meth:`Dataset.call`, so a page of 200 over a
million calls costs a few milliseconds.

Ground truth for tests and integration tests: :class:`FoneView` (the same functions the server
uses). Note that it deliberately does **not** use the dataset's ``property_index`` (3 properties,
hash-spread) nor ``repeat_caller`` (a coin toss, not tied to a caller number): see below.

Derived data, by construction
-----------------------------
- Served calls: indexes ``0 .. ds.live_from(key) - 1``. Fone Dynamics reports finished calls
  only, so the dataset's live tail (ringing / in-progress / queued) never appears.
- Property: ``PROPERTY_CYCLE[i % len(PROPERTY_CYCLE)]``. A repeating pattern keeps "the k-th call
  of property p at or after index x" an O(1) computation, so offset paging of a property path
  over a million calls needs no scan.
- Disposition: completed → ``Answered`` (or ``IVR`` for ~10 %, the caller stayed in the IVR),
  busy → ``Busy``, no-answer → ``NoAnswer``, failed / canceled → ``Failed``.
- Caller: ~3 % ``anonymous``; ~35 % first-time callers whose number is an injective function of
  their own index (so it never occurred before); every other call repeats the number of an
  earlier first-time call of the same account (found by a short walk back from a hashed earlier
  index). Hence "repeat caller" == "this From number called this account before", exactly.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from .dataset import Dataset
from .hostile import HOSTILE_STRINGS
from .ids import hex_id, mix64, stable_hash

# --- Emulator choices (none of these is documented by Fone Dynamics) --------------------------
PROPERTIES_PER_ACCOUNT = 2
PROPERTY_CYCLE = (0, 1, 0)  # index i belongs to property PROPERTY_CYCLE[i % 3]: 2/3 to the main one
IVR_SHARE = 26  # of 256 completed calls are Disposition IVR (~10 %)
ANONYMOUS_SHARE = 8  # of 256 calls have a withheld caller id (~3 %)
FIRST_TIME_SHARE = 90  # of 256 calls come from a new caller by construction (~35 %)
REPEAT_LOOKBACK = 3000  # a repeat caller first called within this many calls before
ORIGIN_WALK = 64  # how far back from the hashed index the first call is looked for
# A withheld caller has no identity to repeat, so it counts as a first-time ("Unique") call; the
# docs only say "Calls from a repeat caller identity" [unconfirmed].
ANONYMOUS_IS_UNIQUE = True
ANONYMOUS = "anonymous"  # documented: "If irretrievable, 'anonymous' is assigned"

# Field names the stored docs lost (their labels carried a "(Unix timestamp)" / "(E.164 Format)"
# badge). Fivetran's connector schema has date_start, froms, tos: hence DateStart, From, To
# [unconfirmed; providers.md §2.5 and fixtures/fonedynamics/get_calls.field_catalogue.json].
START_FIELD = "DateStart"
FROM_FIELD = "From"
TO_FIELD = "To"
# The docs type the start time as "string" holding a Unix timestamp (seed 000), so it is sent as
# a JSON string of digits; Duration is documented as "integer" and sent as a number.
TIME_AS_STRING = True
# The ResponseStatus error shape is ServiceStack's, whose JSON serializer leaves out null
# properties by default; the docs qualify many fields with "If assigned" / "If enabled". So a
# field without a value is omitted rather than sent as null [unconfirmed].
OMIT_NULL_FIELDS = True
# "Duration: Call duration in seconds" [doc] does not say whether ringing counts. A call-tracking
# service times the inbound call from the moment it reaches the tracking number, so Duration is
# the dataset's end - start (ring + talk; unanswered calls last their ringing). False = talk
# seconds only (the dataset's ``duration``; costs a full record per call).
DURATION_INCLUDES_RING = True

DISPOSITIONS = ("Answered", "IVR", "Busy", "NoAnswer", "Failed")
TRAFFIC_TYPES = ("Campaign", "Direct", "Organic", "Referral", "Unattributed")
_STATUS_TO_DISPOSITION = {
    "completed": "Answered",
    "busy": "Busy",
    "no-answer": "NoAnswer",
    "failed": "Failed",
    "canceled": "Failed",
}

# Response field order as printed on the Get Calls page (seed 000).
FIELDS: tuple[str, ...] = (
    "CallSid",
    "PropertySid",
    START_FIELD,
    FROM_FIELD,
    "From_CountryCode",
    "From_Region",
    "From_City",
    TO_FIELD,
    "To_Friendly",
    "Duration",
    "Disposition",
    "Recording_Uri",
    "Endpoint",
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
ALWAYS_PRESENT: tuple[str, ...] = (
    "CallSid",
    "PropertySid",
    START_FIELD,
    FROM_FIELD,
    TO_FIELD,
    "Duration",
    "Disposition",
)

# Callers: (ISO country, weight of 100, dial prefix + leading digits, free digits, places)
_CALLER_COUNTRIES: tuple[tuple[str, int, str, int, tuple[tuple[str, str | None], ...]], ...] = (
    (
        "AU",
        76,
        "+614",
        8,
        (
            ("New South Wales", "Sydney"),
            ("Victoria", "Melbourne"),
            ("Queensland", "Brisbane"),
            ("Western Australia", "Perth"),
            ("South Australia", "Adelaide"),
            ("Australian Capital Territory", "Canberra"),
            ("Tasmania", "Hobart"),
            ("Northern Territory", "Darwin"),
            ("New South Wales", None),
            ("Victoria", None),
        ),
    ),
    ("NZ", 8, "+642", 8, (("Auckland", "Auckland"), ("Wellington", "Wellington"))),
    ("US", 7, "+1", 10, (("California", "Los Angeles"), ("New York", "New York"))),
    ("GB", 5, "+447", 9, (("England", "London"), ("Scotland", "Edinburgh"))),
    ("IN", 4, "+919", 9, (("Maharashtra", "Mumbai"), ("Karnataka", "Bengaluru"))),
)
_AFFINE = 0x5DEECE66D  # odd and not a multiple of 5: i -> (i * A + B) mod 10**k is injective

# Tracking numbers of a property: (number prefix, free digits, To_Friendly or None, dynamic?,
# the fixed attribution of a static number)
_TRACKING: tuple[tuple[str, int, str | None, bool, tuple[str, str, str, str]], ...] = (
    ("+611300", 6, "Website (dynamic pool)", True, ("", "", "", "")),
    ("+612", 8, "Google Business Profile", False, ("google", "organic", "gbp-listing", "")),
    ("+611800", 6, None, False, ("yellowpages", "print", "directory-2026", "quarter-page")),
)
_ENDPOINTS_PER_PROPERTY = 2

_CAMPAIGN_SOURCES = (("google", "cpc"), ("bing", "cpc"), ("facebook", "social"))
_CAMPAIGNS = ("spring-sale", "brand", "retargeting", "black-friday")
_CONTENTS = ("ad-a", "ad-b", "hero-banner", "")
_ORGANIC_SOURCES = ("google", "bing", "duckduckgo")
_REFERRALS = ("productreview.com.au", "yelp.com", "hipages.com.au")
_KEYWORDS = ("plumber near me", "emergency plumber sydney", "blocked drain", "hot water repair", "")
_PAGES = ("/", "/services", "/contact-us", "/quote", "/emergency", "/about")
_PROMPTS = ("1", "2", "1,2", "3,1", "9", "2,1,3")
_SURVEY_TYPES = ("Sale", "Enquiry", "Booking", "Complaint")
_CALL_TYPES = ("New Business", "Existing Customer", "Spam")
_NOTES = ("Asked for a quote", "Call back tomorrow", "Wrong number", "Booked a visit")


def account_sid(seed: int, n: int) -> str:
    return "AC" + hex_id(seed, "fonedynamics", n).upper()


def account_token(seed: int, n: int) -> str:
    return hex_id(seed, "fonedynamics-token", n)


def property_sid(seed: int, n: int, p: int) -> str:
    return "PR" + hex_id(seed, "fonedynamics-property", n, p).upper()


def _digits(prefix: str, digits: int, h: int) -> str:
    """``prefix`` and ``digits`` more digits, the first of them non-zero."""
    return f"{prefix}{10 ** (digits - 1) + h % (9 * 10 ** (digits - 1))}"


class PropertyRanks:
    """The calls of one property (or of all, ``prop=None``) as a dense rank space.

    Rank ``r`` is the r-th call of the property in index order; both directions are O(1).
    """

    __slots__ = ("_cycle", "_pos", "prop")

    def __init__(self, prop: int | None) -> None:
        self.prop = prop
        self._cycle = len(PROPERTY_CYCLE)
        self._pos = (
            tuple(range(self._cycle))
            if prop is None
            else tuple(j for j, p in enumerate(PROPERTY_CYCLE) if p == prop)
        )

    def count_below(self, index: int) -> int:
        """How many calls of the property have an index < ``index``."""
        if self.prop is None:
            return index
        q, r = divmod(index, self._cycle)
        return q * len(self._pos) + sum(1 for p in self._pos if p < r)

    def index_of(self, rank: int) -> int:
        if self.prop is None:
            return rank
        q, r = divmod(rank, len(self._pos))
        return q * self._cycle + self._pos[r]


class FoneView:
    """Fone Dynamics columns of one account's calls (dataset key ``key``, account number ``n``)."""

    def __init__(self, ds: Dataset, key: str, n: int) -> None:
        self.ds = ds
        self.key = key
        self.n = n
        self.kh = stable_hash(ds.seed, "fonedynamics-view", key)
        self.properties = tuple(property_sid(ds.seed, n, p) for p in range(PROPERTIES_PER_ACCOUNT))
        self.tracking: tuple[tuple[str, ...], ...] = tuple(
            tuple(
                _digits(prefix, digits, mix64(self.kh ^ (0x7A0 + 16 * p + s)))
                for s, (prefix, digits, *_rest) in enumerate(_TRACKING)
            )
            for p in range(PROPERTIES_PER_ACCOUNT)
        )
        self.endpoints: tuple[tuple[str, ...], ...] = tuple(
            tuple(
                "+613" + str(90000000 + mix64(self.kh ^ (0xE0 + 16 * p + e)) % 9999999)
                for e in range(_ENDPOINTS_PER_PROPERTY)
            )
            for p in range(PROPERTIES_PER_ACCOUNT)
        )
        self._cache: OrderedDict[int, dict[str, Any]] = OrderedDict()

    # -- cheap columns ---------------------------------------------------------------------------
    def finished(self) -> int:
        """Served calls are indexes ``0 .. finished() - 1`` (the live tail is left out)."""
        return self.ds.live_from(self.key)

    def h(self, i: int) -> int:
        return mix64(self.kh + i)

    def property_of(self, i: int) -> int:
        return PROPERTY_CYCLE[i % len(PROPERTY_CYCLE)]

    def disposition(self, i: int, status: str | None = None, h: int | None = None) -> str:
        if status is None:
            status = self.ds.status(self.key, i)
        if status == "completed" and ((self.h(i) if h is None else h) >> 8) & 0xFF < IVR_SHARE:
            return "IVR"
        return _STATUS_TO_DISPOSITION.get(status, "Failed")

    def _caller_class(self, i: int, h: int | None = None) -> int:
        """0 anonymous, 1 first-time by construction, 2 repeat candidate."""
        b = (self.h(i) if h is None else h) & 0xFF
        return 0 if b < ANONYMOUS_SHARE else 1 if b < ANONYMOUS_SHARE + FIRST_TIME_SHARE else 2

    def origin(self, i: int, h: int | None = None) -> int | None:
        """Index of this caller's first call (``i`` for a new caller); None if anonymous."""
        if h is None:
            h = self.h(i)
        cls = self._caller_class(i, h)
        if cls == 0:
            return None
        if cls == 1 or i == 0:
            return i
        j = i - 1 - (h >> 40) % min(i, REPEAT_LOOKBACK)
        for k in range(j, max(-1, j - ORIGIN_WALK), -1):
            if self._caller_class(k) == 1:
                return k
        return i  # no first-time caller close enough: this one is new after all

    def is_repeat(self, i: int) -> bool:
        o = self.origin(i)
        return o is not None and o != i

    def tracking_slot(self, i: int, h: int | None = None) -> int:
        return (((self.h(i) if h is None else h) >> 16) & 0xFF) % len(_TRACKING)

    def to_number(self, i: int, h: int | None = None) -> str:
        return self.tracking[self.property_of(i)][self.tracking_slot(i, h)]

    def endpoint(self, i: int, disp: str | None = None, h: int | None = None) -> str | None:
        """Where the call was routed; none for IVR-only and failed calls."""
        if h is None:
            h = self.h(i)
        if (disp or self.disposition(i, None, h)) in ("IVR", "Failed"):
            return None
        return self.endpoints[self.property_of(i)][((h >> 24) & 0xFF) % _ENDPOINTS_PER_PROPERTY]

    def caller(
        self, i: int, h: int | None = None
    ) -> tuple[str, str | None, str | None, str | None]:
        """``(From, From_CountryCode, From_Region, From_City)``."""
        o = self.origin(i, h)
        if o is None:
            return ANONYMOUS, None, None, None
        ho = mix64(self.h(o) ^ 0xCA11)
        pick = ho % 100
        country = _CALLER_COUNTRIES[-1]
        for c in _CALLER_COUNTRIES:
            if pick < c[1]:
                country = c
                break
            pick -= c[1]
        iso, _, prefix, digits, places = country
        m = 10**digits
        national = (o * _AFFINE + self.kh) % m
        if iso == "US":
            national = 2 * 10**9 + (o * _AFFINE + self.kh) % (7 * 10**9)
        region, city = places[(ho >> 16) % len(places)]
        return f"{prefix}{national:0{digits}d}", iso, region, city

    def attribution(self, i: int, h: int | None = None) -> tuple[str, ...]:
        """``(source, medium, campaign, content, traffic type, keywords)``; "" = not assigned."""
        if h is None:
            h = self.h(i)
        slot = self.tracking_slot(i, h)
        dynamic = _TRACKING[slot][3]
        h2 = mix64(h ^ 0xA77B)
        if not dynamic:
            src, med, camp, cont = _TRACKING[slot][4]
            traffic, kw = "", ""
        else:
            traffic = TRAFFIC_TYPES[h2 % len(TRAFFIC_TYPES)]
            kw = ""
            if traffic == "Campaign":
                src, med = _CAMPAIGN_SOURCES[(h2 >> 8) % len(_CAMPAIGN_SOURCES)]
                camp = _CAMPAIGNS[(h2 >> 12) % len(_CAMPAIGNS)]
                cont = _CONTENTS[(h2 >> 16) % len(_CONTENTS)]
                kw = _KEYWORDS[(h2 >> 20) % len(_KEYWORDS)] if med == "cpc" else ""
            elif traffic == "Organic":
                src, med, camp, cont = _ORGANIC_SOURCES[(h2 >> 8) % 3], "organic", "", ""
                kw = _KEYWORDS[(h2 >> 20) % len(_KEYWORDS)]
            elif traffic == "Referral":
                src, med, camp, cont = _REFERRALS[(h2 >> 8) % 3], "referral", "", ""
            elif traffic == "Direct":
                src, med, camp, cont = "(direct)", "(none)", "", ""
            else:
                src = med = camp = cont = ""
        if self.ds.hostile and i % 10 == 7:
            camp = HOSTILE_STRINGS[(i // 10) % len(HOSTILE_STRINGS)]
        return src, med, camp, cont, traffic, kw

    def prompts(self, i: int, disp: str | None = None, h: int | None = None) -> str:
        """IVR keys pressed, nested levels comma-separated (e.g. ``"1,2"``); "" = none."""
        if h is None:
            h = self.h(i)
        h3 = mix64(h ^ 0x1F5)
        if h3 % 100 < 45 or (disp or self.disposition(i, None, h)) == "IVR":
            return _PROMPTS[(h3 >> 8) % len(_PROMPTS)]
        return ""

    # -- the wire record ---------------------------------------------------------------------------
    def record(self, i: int, call_sid: str, recording_uri: str | None) -> dict[str, Any]:
        """The call as Fone Dynamics sends it (cached: pages are read again and again)."""
        hit = self._cache.get(i)
        if hit is not None and hit.get("CallSid") == call_sid:
            self._cache.move_to_end(i)
            return hit
        rec = self._build(i, call_sid, recording_uri)
        self._cache[i] = rec
        if len(self._cache) > 4096:
            self._cache.popitem(last=False)
        return rec

    def duration(
        self, i: int, disp: str | None = None, start: int | None = None, end: int | None = None
    ) -> int:
        """Seconds from the call reaching the tracking number to hang-up (ring time included).

        ``start``/``end``: the call's sort time and end when the caller has them."""
        if end is None:
            end = self.ds.end(self.key, i)
        if start is None:
            start = self.ds.sort_time(self.key, i)
        if DURATION_INCLUDES_RING:
            return 0 if end is None else end - start
        if (disp or self.disposition(i)) not in ("Answered", "IVR"):
            return 0
        return int(self.ds.call(self.key, i).duration or 0)

    def has_recording(self, i: int) -> bool:
        return self.disposition(i) == "Answered" and self.ds.recording_count(self.key, i) > 0

    def _build(self, i: int, call_sid: str, recording_uri: str | None) -> dict[str, Any]:
        # The dataset's O(1) columns in one go (status, start, end, recordings share hashes).
        c = self.ds.core(self.key, i)
        h = self.h(i)
        status = c.status
        disp = self.disposition(i, status, h)
        h4 = mix64(h ^ 0x5EED)
        start = c.created  # == ds.sort_time(key, i)
        recorded = disp == "Answered" and c.recordings > 0
        frm, iso, region, city = self.caller(i, h)
        src, med, camp, cont, traffic, kw = self.attribution(i, h)
        slot = self.tracking_slot(i, h)
        dynamic = _TRACKING[slot][3]
        session = dynamic and traffic not in ("", "Unattributed")
        page = _PAGES[(h4 >> 4) % len(_PAGES)]
        surveyed = disp == "Answered" and h4 % 100 < 25
        notes: str | None = _NOTES[(h4 >> 12) % len(_NOTES)] if (h4 >> 8) % 100 < 8 else None
        if self.ds.hostile and i % 10 == 7:
            notes = HOSTILE_STRINGS[(i // 10 + 3) % len(HOSTILE_STRINGS)]
        rec: dict[str, Any] = {
            "CallSid": call_sid,
            "PropertySid": self.properties[self.property_of(i)],
            START_FIELD: str(start) if TIME_AS_STRING else start,
            FROM_FIELD: frm,
            "From_CountryCode": iso,
            "From_Region": region,
            "From_City": city,
            TO_FIELD: self.tracking[self.property_of(i)][slot],
            "To_Friendly": _TRACKING[slot][2],
            "Duration": self.duration(i, disp, start, c.end),
            "Disposition": disp,
            "Recording_Uri": recording_uri if recorded else None,
            "Endpoint": self.endpoint(i, disp, h),
            "Attribution_Source": src or None,
            "Attribution_Medium": med or None,
            "Attribution_Campaign": camp or None,
            "Attribution_Content": cont or None,
            "Session_Traffic_Type": traffic or None,
            "Session_Keywords": (kw or None) if session else None,
            "Session_ConversionUri": page if session else None,
            "Session_LandingUri": f"https://www.example.com.au{_PAGES[(h4 >> 20) % 3]}"
            if session
            else None,
            "Survey_Type": _SURVEY_TYPES[(h4 >> 24) % len(_SURVEY_TYPES)] if surveyed else None,
            "Survey_Value": str(1 + (h4 >> 28) % 500) if surveyed else None,
            "Survey_Custom1": "priority" if surveyed and (h4 >> 37) % 3 == 0 else None,
            "Survey_Custom2": None,
            "Survey_Custom3": None,
            "Survey_UniqueCode": f"FD-{(h4 >> 40) % 0xFFFFFF:06X}" if surveyed else None,
            "Prompts_Keys": self.prompts(i, disp, h) or None,
            "Notes": notes,
            "CallType": _CALL_TYPES[(h4 >> 48) % 3] if (h4 >> 50) % 100 < 15 else None,
            "Google_Analytics_ClientId": f"{1000000000 + (h4 >> 8) % 8999999999}.{start - 3600}"
            if session and (h4 >> 56) % 10 < 7
            else None,
            "Google_Adwords_ClickId": "Cj0KCQ" + hex_id(self.kh, i, "gclid", length=24)
            if session and src == "google" and med == "cpc"
            else None,
        }
        if OMIT_NULL_FIELDS:
            return {k: v for k, v in rec.items() if v is not None}
        return rec
