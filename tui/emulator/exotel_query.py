"""Exotel v1 bulk Calls: filter parsing, cheap per-call columns and the cursor page walk.

Exotel encodes operators in parameter *values* (``DateCreated=gte:…;lte:…``, ``Duration=eq:30s``)
and enforces hard limits (providers.md §5.3, §9); every broken limit raises :class:`ExotelError`,
which the API turns into the documented ``RestException`` body. Filters become an index range
(``DateCreated`` by binary search — index order is creation order) plus a per-index predicate
evaluated cheapest column first, so a page costs O(page size / filter density).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import islice
from typing import Any, ClassVar

from .dataset import LIVE_STATUSES, STATUSES, Dataset

# [unconfirmed] providers.md §8.4: the zone of Exotel's zone-less "YYYY-MM-DD HH:MM:SS" times. The
# emulated account is an Indian (Mumbai-cluster) account, so its times are Indian Standard Time;
# clients must set the account's zone to ACCOUNT_ZONE. IST has no DST: a fixed +05:30 offset
# equals Asia/Kolkata at every instant and needs no tz database.
ACCOUNT_ZONE = "Asia/Kolkata"
ACCOUNT_TZ = timezone(timedelta(hours=5, minutes=30), "IST")
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"

# Limits from providers.md §5.3 / seed 003. "1 month" and "6 months" are not defined in days by
# the docs [unconfirmed]: a span may be up to 31 days (the same as the documented default window,
# "last 31 days"); records may be up to 183 days (6 × 30.5) old.
DEFAULT_WINDOW = 31 * 86400
MAX_SPAN = 31 * 86400
MAX_AGE = 183 * 86400
MAX_SIDS = 100
MAX_NUMBERS = 5
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
# providers.md §5.5: Duration, Price and EndTime are filled ~5 minutes after the call ends [doc];
# until then they are null.
PENDING_SECONDS = 300
# [unconfirmed] Exotel bills in the account's currency; the emulated Indian account in INR. The
# dataset prices calls in USD; this rate converts them. Prices carry 3 decimals ("1.500", §5.5).
USD_TO_INR = Decimal("83")
PRICE_QUANTUM = Decimal("0.001")

DIRECTIONS = ("inbound", "outbound-dial", "outbound-api")
# Seed 003 lists seven statuses; its own example adds "canceled" (§5.5 lists all eight).
VALID_STATUSES = frozenset(
    ("queued", "ringing", "in-progress", "completed", "failed", "busy", "no-answer", "canceled")
)
FILTER_KEYS = (
    "Sid",
    "DateCreated",
    "To",
    "From",
    "PhoneNumber",
    "Status",
    "Duration",
    "Price",
    "Direction",
)
PAGING_KEYS = ("PageSize", "SortBy", "After", "Before")
# A third-party client reports that Twilio-style ``StartTime>=`` is a 400 "Invalid parameter" [3p];
# the emulator rejects every Twilio-style time filter name, and any name with an operator in it.
_TWILIO_STYLE = re.compile(r"(?:StartTime|EndTime)(?:\W.*)?|.*[<>=!].*")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", re.ASCII)
_E164 = re.compile(r"\+[1-9]\d{5,14}", re.ASCII)
_SECONDS = re.compile(r"(\d{1,9})s", re.ASCII)
_PRICE = re.compile(r"\d{1,9}(?:\.\d{1,9})?", re.ASCII)


class ExotelError(Exception):
    """A request Exotel rejects: HTTP status, message and the ``RestException`` code."""

    def __init__(self, status: int, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code


def bad(message: str) -> ExotelError:
    return ExotelError(400, message)


_ZONE_OFFSET = int(ACCOUNT_TZ.utcoffset(None).total_seconds())
_HOUR_MINUTE = tuple(f"{m // 60:02d}:{m % 60:02d}:" for m in range(1440))


@lru_cache(maxsize=4096)
def _local_day(day: int) -> str:
    """``"2026-11-20 "`` for local day number ``day`` (days since the epoch, account zone)."""
    return datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")


def format_time(ts: int | None) -> str | None:
    """Epoch seconds → ``YYYY-MM-DD HH:MM:SS`` in the account zone (a fixed offset, no DST)."""
    if ts is None:
        return None
    # Arithmetic and a per-day cache instead of datetime/strftime: list pages format hundreds.
    day, second = divmod(ts + _ZONE_OFFSET, 86400)
    return f"{_local_day(day)}{_HOUR_MINUTE[second // 60]}{second % 60:02d}"


def parse_time(value: str, name: str) -> int:
    """``YYYY-MM-DD HH:MM:SS`` in the account zone → epoch seconds (strict)."""
    v = value.strip()
    if not _TIME.fullmatch(v):
        raise bad(f"Invalid {name} value '{value}': expected YYYY-MM-DD HH:MM:SS")
    try:
        dt = datetime.strptime(v, TIME_FORMAT).replace(tzinfo=ACCOUNT_TZ)
    except ValueError:
        raise bad(f"Invalid {name} value '{value}': expected YYYY-MM-DD HH:MM:SS") from None
    return int(dt.timestamp())


def _operators(name: str, value: str, allowed: tuple[str, ...]) -> dict[str, str]:
    """``gte:a;lte:b`` → ``{"gte": "a", "lte": "b"}``; unknown or repeated operators are a 400."""
    out: dict[str, str] = {}
    for part in value.split(";"):
        op, sep, operand = part.partition(":")
        op = op.strip()
        if not sep or op not in allowed or op in out or not operand.strip():
            raise bad(
                f"Invalid {name} filter '{value}': use {' / '.join(allowed)} operators "
                f"like {allowed[0]}:VALUE"
            )
        out[op] = operand
    return out


def _comma_list(name: str, value: str, limit: int | None = None) -> list[str]:
    items = [v.strip() for v in value.split(",") if v.strip()]
    if limit is not None and len(items) > limit:
        raise bad(f"Maximum {limit} values are allowed for {name}, got {len(items)}")
    return items


def _numbers(name: str, value: str) -> frozenset[str]:
    items = _comma_list(name, value, MAX_NUMBERS)
    for n in items:
        if not _E164.fullmatch(n):
            raise bad(f"Invalid {name} '{n}': numbers must be in E.164 format")
    return frozenset(items)


Range = tuple[Any, Any]  # inclusive (lo, hi); None = unbounded


def _range(name: str, value: str, parse: Any) -> Range:
    ops = _operators(name, value, ("gte", "lte", "eq"))
    if "eq" in ops and len(ops) > 1:
        raise bad(f"Invalid {name} filter '{value}': eq cannot be combined with gte/lte")
    vals = {op: parse(v.strip()) for op, v in ops.items()}
    if "eq" in vals:
        return vals["eq"], vals["eq"]
    return vals.get("gte"), vals.get("lte")


def _seconds(v: str) -> int:
    m = _SECONDS.fullmatch(v)
    if m is None:
        raise bad(f"Invalid Duration value '{v}': use seconds with an s suffix, e.g. 30s")
    return int(m.group(1))


def _price(v: str) -> Decimal:
    if not _PRICE.fullmatch(v):
        raise bad(f"Invalid Price value '{v}'")
    try:
        return Decimal(v)
    except InvalidOperation:
        raise bad(f"Invalid Price value '{v}'") from None


def _within(x: Any, r: Range) -> bool:
    return (r[0] is None or x >= r[0]) and (r[1] is None or x <= r[1])


def page_size(params: dict[str, str]) -> int:
    raw = params.get("PageSize", "").strip()
    if raw == "":
        return DEFAULT_PAGE_SIZE
    if not re.fullmatch(r"[0-9]{1,6}", raw) or not 1 <= int(raw) <= MAX_PAGE_SIZE:
        raise bad(f"Invalid PageSize '{raw}': it must be between 1 and {MAX_PAGE_SIZE}")
    return int(raw)


def sort_ascending(params: dict[str, str]) -> bool:
    raw = params.get("SortBy", "").strip()
    if raw in ("", "DateCreated:desc"):
        return False
    if raw == "DateCreated:asc":
        return True
    raise bad(f"Invalid SortBy '{raw}': use DateCreated:asc or DateCreated:desc")


def check_parameter_names(query: Iterable[tuple[str, str]]) -> None:
    for k, _ in query:
        if _TWILIO_STYLE.fullmatch(k):
            raise bad("Invalid parameter")


@dataclass(frozen=True, slots=True)
class CallFilter:
    """A parsed bulk filter. Times are inclusive epoch bounds of ``DateCreated``."""

    created: tuple[int, int]
    sids: tuple[int, ...] | None = None  # decoded call indexes, ascending
    statuses: frozenset[str] | None = None
    to: frozenset[str] | None = None
    from_: frozenset[str] | None = None
    exophones: frozenset[str] | None = None
    directions: frozenset[str] | None = None
    duration: Range = (None, None)
    price: Range = (None, None)

    @classmethod
    def parse(cls, params: dict[str, str], now: int, decode_sid: Any) -> CallFilter:
        kw: dict[str, Any] = {}
        dc = params.get("DateCreated", "").strip()
        if dc:
            ops = _operators("DateCreated", dc, ("gte", "lte"))
            hi = parse_time(ops["lte"], "DateCreated") if "lte" in ops else now
            lo = parse_time(ops["gte"], "DateCreated") if "gte" in ops else hi - DEFAULT_WINDOW
            if lo > hi:
                raise bad("Invalid DateCreated filter: gte must not be later than lte")
            if hi - lo > MAX_SPAN:
                raise bad("DateCreated range cannot be more than 1 month")
            if lo < now - MAX_AGE:
                raise bad("Call records can only be queried up to 6 months old")
        else:
            lo, hi = now - DEFAULT_WINDOW, now
        if params.get("Sid", "").strip():
            found = (decode_sid(s) for s in _comma_list("Sid", params["Sid"], MAX_SIDS))
            kw["sids"] = tuple(sorted({i for i in found if i is not None}))
        if params.get("Status", "").strip():
            wanted = _comma_list("Status", params["Status"])
            unknown = [s for s in wanted if s not in VALID_STATUSES]
            if unknown:
                raise bad(
                    f"Invalid Status '{unknown[0]}'. Valid values are "
                    + ", ".join(sorted(VALID_STATUSES))
                )
            kw["statuses"] = frozenset(wanted)
        for name, attr in (("To", "to"), ("From", "from_"), ("PhoneNumber", "exophones")):
            if params.get(name, "").strip():
                kw[attr] = _numbers(name, params[name])
        if params.get("Direction", "").strip():
            wanted = _comma_list("Direction", params["Direction"])
            if any(d not in DIRECTIONS for d in wanted):
                raise bad(
                    "Invalid Direction. Valid values are inbound, outbound-dial, outbound-api"
                )
            kw["directions"] = frozenset(wanted)
        if params.get("Duration", "").strip():
            kw["duration"] = _range("Duration", params["Duration"].strip(), _seconds)
        if params.get("Price", "").strip():
            kw["price"] = _range("Price", params["Price"].strip(), _price)
        return cls(created=(lo, hi), **kw)

    @property
    def status_only(self) -> bool:
        return (
            self.sids is None
            and self.to is None
            and self.from_ is None
            and self.exophones is None
            and self.directions is None
            and self.duration == (None, None)
            and self.price == (None, None)
        )


class Columns:
    """Cheap per-call values of one account, as Exotel reports them (O(1) each).

    Status comes from a lazily filled byte column (one byte per call, filled a block at a time),
    so status counts over a month are C-speed ``bytes.count`` once warm. Direction, ExoPhone and
    price need the account's own numbers and the remote party's tariff: they read two dataset
    internals (``_acc(key).own``, ``_external``, ``_duration``) — cross-checked against
    ``Dataset.call`` records by the tests — and fall back to building the record if those move.
    """

    BLOCK = 4096
    _CODES: ClassVar[dict[str, int]] = {s: k for k, s in enumerate(STATUSES)}

    def __init__(self, ds: Dataset, key: str) -> None:
        self.ds = ds
        self.key = key
        self.n = ds.count(key)
        self.live_from = ds.live_from(key)
        self._col = bytearray(self.n)
        self._filled = bytearray((self.n + self.BLOCK - 1) // self.BLOCK)
        try:
            self._own: frozenset[str] | None = frozenset(ds._acc(key).own)
            self._rates: dict[str, Decimal] | None = {
                addr: Decimal(rate) for addr, _, rate in ds._external
            }
        except (AttributeError, TypeError, ValueError):  # dataset internals changed
            self._own, self._rates = None, None

    # -- status ---------------------------------------------------------------------------------
    def _fill(self, lo: int, hi: int) -> None:
        status, key, col, codes = self.ds.status, self.key, self._col, self._CODES
        for b in range(lo // self.BLOCK, (hi + self.BLOCK - 1) // self.BLOCK):
            if not self._filled[b]:
                start = b * self.BLOCK
                end = min(self.n, start + self.BLOCK)
                col[start:end] = bytes(codes[status(key, i)] for i in range(start, end))
                self._filled[b] = 1

    def status(self, i: int) -> str:
        if not self._filled[i // self.BLOCK]:
            self._fill(i, i + 1)
        return STATUSES[self._col[i]]

    def count_statuses(self, lo: int, hi: int, statuses: frozenset[str]) -> int:
        if hi <= lo:
            return 0
        self._fill(lo, hi)
        part = bytes(self._col[lo:hi])
        return sum(part.count(self._CODES[s]) for s in statuses if s in self._CODES)

    # -- parties --------------------------------------------------------------------------------
    def direction(self, i: int) -> str:
        if self.ds.is_child(self.key, i):
            return "outbound-dial"
        if self._own is None:
            return "inbound" if self.ds.call(self.key, i).direction == "inbound" else "outbound-api"
        return "inbound" if self.ds.parties(self.key, i)[1] in self._own else "outbound-api"

    def exophone(self, i: int) -> str:
        """The account's own (virtual) number the call used; a leg uses its parent's."""
        j = i - 1 if self.ds.is_child(self.key, i) else i
        f, t = self.ds.parties(self.key, j)
        if self._own is None:
            return t if self.ds.call(self.key, j).direction == "inbound" else f
        return t if t in self._own else f

    def remote(self, i: int) -> str:
        """The party that is not the account's: the caller of inbound calls and legs."""
        f, t = self.ds.parties(self.key, i)
        return t if self.direction(i) == "outbound-api" else f

    # -- money and time -------------------------------------------------------------------------
    def pending(self, end: int | None) -> bool:
        return end is not None and end + PENDING_SECONDS > self.ds.now

    def duration(self, i: int) -> int | None:
        """Exotel ``Duration``: start to end in seconds; None while live or not yet filled in."""
        end = self.ds.end(self.key, i)
        start = self.ds.start(self.key, i)
        if end is None or start is None or self.pending(end):
            return None
        return end - start

    def price(self, i: int) -> Decimal | None:
        if self.status(i) != "completed":
            return None
        end = self.ds.end(self.key, i)
        if end is None or self.pending(end):
            return None
        usd: Decimal | None
        if self._rates is None:
            usd = self.ds.call(self.key, i).price
        else:
            try:
                talk = self.ds._duration(self.ds._acc(self.key), i, "completed")
            except (AttributeError, TypeError):
                talk = self.ds.call(self.key, i).duration
            rate = self._rates.get(self.remote(i))
            if talk is None or rate is None:
                usd = self.ds.call(self.key, i).price
            else:
                usd = (rate * max(1, -(-talk // 60))).quantize(Decimal("0.00001"))
        return to_inr(usd)


def to_inr(usd: Decimal | None) -> Decimal | None:
    return None if usd is None else (usd * USD_TO_INR).quantize(PRICE_QUANTUM)


class Walker:
    """Matching indexes of one account for one :class:`CallFilter` (finished calls only)."""

    def __init__(self, cols: Columns, f: CallFilter) -> None:
        self.cols = cols
        self.f = f
        ds, key = cols.ds, cols.key
        self.lo = ds.first_index_at_or_after(key, f.created[0])
        self.hi = min(ds.first_index_at_or_after(key, f.created[1] + 1), cols.live_from)
        if f.statuses is not None and f.statuses <= set(LIVE_STATUSES):
            self.hi = self.lo  # ongoing calls are never listed

    def matches(self, i: int) -> bool:
        f, c = self.f, self.cols
        if f.statuses is not None and c.status(i) not in f.statuses:
            return False
        if f.directions is not None and c.direction(i) not in f.directions:
            return False
        if f.to is not None or f.from_ is not None:
            fr, to = c.ds.parties(c.key, i)
            if (f.to is not None and to not in f.to) or (f.from_ is not None and fr not in f.from_):
                return False
        if f.exophones is not None and c.exophone(i) not in f.exophones:
            return False
        if f.duration != (None, None):
            d = c.duration(i)
            if d is None or not _within(d, f.duration):
                return False
        if f.price != (None, None):
            p = c.price(i)
            if p is None or not _within(p, f.price):
                return False
        return True

    def _candidates(self, lo: int, hi: int, desc: bool) -> Iterator[int]:
        if self.f.sids is not None:
            xs = [i for i in self.f.sids if lo <= i < hi]
            return reversed(xs) if desc else iter(xs)
        return iter(range(hi - 1, lo - 1, -1) if desc else range(lo, hi))

    def walk(
        self, desc: bool, after: int | None = None, before: int | None = None
    ) -> Iterator[int]:
        """Matches in index order (``desc`` = newest first), strictly between the bounds."""
        lo = self.lo if after is None else max(self.lo, after + 1)
        hi = self.hi if before is None else min(self.hi, before)
        return (i for i in self._candidates(lo, hi, desc) if self.matches(i))

    def total(self) -> int:
        if self.hi <= self.lo:
            return 0
        f = self.f
        if f.status_only:
            if f.statuses is None:
                return self.hi - self.lo
            return self.cols.count_statuses(self.lo, self.hi, f.statuses)
        return sum(1 for _ in self.walk(False))

    def page(self, size: int, ascending: bool, after: int | None, before: int | None) -> list[int]:
        """One page in display order. ``after``/``before`` are cursors in *display* order."""
        if after is not None:  # the records that follow the cursor record
            if ascending:
                return list(islice(self.walk(False, after=after), size))
            return list(islice(self.walk(True, before=after), size))
        if before is not None:  # the records that precede it, nearest first, then re-ordered
            if ascending:
                return list(islice(self.walk(True, before=before), size))[::-1]
            return list(islice(self.walk(False, after=before), size))[::-1]
        return list(islice(self.walk(not ascending), size))
