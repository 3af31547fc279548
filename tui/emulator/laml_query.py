"""Filters and cursor paging of the LaML list endpoints (Twilio and SignalWire Calls).

Filters become an index range (start-time bounds by binary search, since index order is time
order) plus a cheap per-index predicate; pages are walked newest first with an early exit, so a
page costs O(page size / filter density), not O(dataset).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from .dataset import LIVE_STATUSES, MAX_DURATION, STATUSES, Dataset
from .laml_render import Flavour, Sids

# Twilio error codes used here. 21481 is documented ("Invalid PageToken"); the code Twilio uses for
# an out-of-range PageSize or a malformed filter value is not in the reference [unconfirmed], so
# the generic "invalid parameter" code 20001 stands in for it.
INVALID_PAGE_TOKEN = 21481
INVALID_PARAMETER = 20001

_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")
# Time-zone abbreviations seen in Twilio's own request examples ("06/11/2019 22:05:25 MST").
_TZ_ABBR = {
    "UTC": 0,
    "GMT": 0,
    "Z": 0,
    "EST": -5,
    "EDT": -4,
    "CST": -6,
    "CDT": -5,
    "MST": -7,
    "MDT": -6,
    "PST": -8,
    "PDT": -7,
}


class BadRequest(Exception):
    """A request the provider rejects with a 400 and its own code."""

    def __init__(self, message: str, code: int = INVALID_PARAMETER) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def parse_time(value: str) -> tuple[bool, int]:
    """``(date_only, epoch seconds)``: a ``YYYY-MM-DD`` day (its UTC midnight) or an instant.

    Accepts ISO 8601, RFC 2822 and ``MM/DD/YYYY HH:MM:SS TZ``; naive datetimes are UTC.
    """
    v = value.strip()
    if _DATE_ONLY.fullmatch(v):
        d = date.fromisoformat(v)
        return True, int(datetime(d.year, d.month, d.day, tzinfo=UTC).timestamp())
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(v.replace("Sept", "Sep"))
        except (TypeError, ValueError, IndexError):
            m = re.fullmatch(
                r"(\d{2})/(\d{2})/(\d{4}) (\d{2}):(\d{2}):(\d{2})(?: ([A-Z]{1,4}))?", v
            )
            if m and (m.group(7) or "UTC") in _TZ_ABBR:
                tz = timezone(timedelta(hours=_TZ_ABBR[m.group(7) or "UTC"]))
                mo, dd, yy, hh, mi, ss = (int(m.group(k)) for k in range(1, 7))
                try:
                    dt = datetime(yy, mo, dd, hh, mi, ss, tzinfo=tz)
                except ValueError:
                    dt = None
    if dt is None:
        raise BadRequest(f"Invalid date: {value}")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return False, int(dt.timestamp())


def time_bounds(op: str, value: str) -> tuple[int | None, int | None]:
    """``[lo, hi)`` epoch bounds for ``StartTime``/``StartTime<``/``StartTime>`` (same for End).

    Date-only values compare UTC calendar days (``<`` = on or before the day, ``>`` = on or
    after it); datetimes compare instants (``<=`` / ``>=``); ``=`` with a datetime means its day.
    """
    date_only, ts = parse_time(value)
    day0 = ts - ts % 86400
    if op == "=":
        return day0, day0 + 86400
    if op == "<":
        return None, (day0 + 86400 if date_only else ts + 1)
    return (day0 if date_only else ts), None


def _intersect(
    a: tuple[int | None, int | None], b: tuple[int | None, int | None]
) -> tuple[int | None, int | None]:
    lo = a[0] if b[0] is None else b[0] if a[0] is None else max(a[0], b[0])
    hi = a[1] if b[1] is None else b[1] if a[1] is None else min(a[1], b[1])
    return lo, hi


@dataclass(slots=True)
class CallQuery:
    """A parsed Calls filter. ``statuses`` are neutral dataset statuses."""

    statuses: frozenset[str] | None = None
    to: str | None = None
    from_: str | None = None
    parent: int | None = None
    parent_unknown: bool = False  # a ParentCallSid that names no call: the answer is empty
    start: tuple[int | None, int | None] = (None, None)
    end: tuple[int | None, int | None] = (None, None)

    @classmethod
    def parse(cls, params: dict[str, str], flavour: Flavour, sids: Sids) -> CallQuery:
        q = cls()
        if "Status" in params:
            wanted = params["Status"]
            if wanted not in STATUSES:
                raise BadRequest(f"Invalid Status: {wanted}")
            q.statuses = frozenset(n for n, p in flavour.statuses.items() if p == wanted)
        q.to = params.get("To") or None
        q.from_ = params.get("From") or None
        if params.get("ParentCallSid"):
            idx = sids.call_index(params["ParentCallSid"])
            q.parent, q.parent_unknown = idx, idx is None
        for field in ("StartTime", "EndTime"):
            for op in ("=", "<", ">"):
                name = field if op == "=" else field + op
                if name in params:
                    b = time_bounds(op, params[name])
                    if field == "StartTime":
                        q.start = _intersect(q.start, b)
                    else:
                        q.end = _intersect(q.end, b)
        return q

    def index_range(self, ds: Dataset, key: str) -> tuple[int, int]:
        """``[lo, hi)`` of indexes that can match, from the time bounds and the live tail."""
        lo, hi = 0, ds.count(key)
        if self.start[0] is not None:
            lo = max(lo, ds.first_index_at_or_after(key, self.start[0]))
        if self.start[1] is not None:
            hi = min(hi, ds.first_index_at_or_after(key, self.start[1]))
        if self.end[0] is not None:
            # end <= start + ring (< 30 s) + MAX_DURATION bounds how early a match can start.
            lo = max(lo, ds.first_index_at_or_after(key, self.end[0] - MAX_DURATION - 30))
        if self.end[1] is not None:
            hi = min(hi, ds.first_index_at_or_after(key, self.end[1]))
        if self.statuses is not None and self.statuses <= set(LIVE_STATUSES):
            lo = max(lo, ds.live_from(key))
        return lo, hi

    def matches(self, ds: Dataset, key: str, i: int) -> bool:
        if self.statuses is not None and ds.status(key, i) not in self.statuses:
            return False
        if self.start != (None, None):
            s = ds.start(key, i)
            if s is None or not _within(s, self.start):
                return False
        if self.end != (None, None):
            e = ds.end(key, i)
            if e is None or not _within(e, self.end):
                return False
        if self.to is not None or self.from_ is not None:
            f, t = ds.parties(key, i)
            if (self.to is not None and t != self.to) or (
                self.from_ is not None and f != self.from_
            ):
                return False
        return True

    def iter_desc(self, ds: Dataset, key: str, below: int | None) -> Iterator[int]:
        """Matching indexes, newest first, strictly below ``below`` (None = from the newest)."""
        if self.parent_unknown:
            return
        lo, hi = self.index_range(ds, key)
        if below is not None:
            hi = min(hi, below)
        if self.parent is not None:
            kids = sorted(
                (c for c in ds.children_of(key, self.parent) if lo <= c < hi), reverse=True
            )
            cands: range | list[int] = kids
        else:
            cands = range(hi - 1, lo - 1, -1)
        for i in cands:
            if self.matches(ds, key, i):
                yield i

    def iter_asc(self, ds: Dataset, key: str, above: int) -> Iterator[int]:
        """Matching indexes, oldest first, strictly above ``above`` (for ``PB`` tokens)."""
        if self.parent_unknown:
            return
        lo, hi = self.index_range(ds, key)
        lo = max(lo, above + 1)
        cands: range | list[int]
        if self.parent is not None:
            cands = [c for c in ds.children_of(key, self.parent) if lo <= c < hi]
        else:
            cands = range(lo, hi)
        for i in cands:
            if self.matches(ds, key, i):
                yield i


def _within(ts: int, bounds: tuple[int | None, int | None]) -> bool:
    lo, hi = bounds
    return (lo is None or ts >= lo) and (hi is None or ts < hi)


def page_size(params: dict[str, str], maximum: int) -> int:
    raw = params.get("PageSize", "50")
    try:
        size = int(raw)
    except ValueError:
        raise BadRequest(f"Invalid PageSize: {raw}") from None
    if not 1 <= size <= maximum:
        raise BadRequest(f"PageSize must be between 1 and {maximum}, got {size}")
    return size


def page_number(params: dict[str, str]) -> int:
    raw = params.get("Page", "0")
    try:
        page = int(raw)
    except ValueError:
        raise BadRequest(f"Invalid Page: {raw}") from None
    if page < 0:
        raise BadRequest(f"Invalid Page: {raw}")
    return page
