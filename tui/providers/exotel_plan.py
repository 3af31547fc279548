"""Exotel query planning: a ``CallFilter`` → ``Calls.json`` queries (split where a limit bites).

Exotel writes operators into values (``DateCreated=gte:…;lte:…``, ``Duration=gte:10s``), takes
≤ 5 numbers per list and ≤ 1 month per query, and keeps 6 months of calls. A filter over more
numbers is split into queries merged by time, a longer range into month windows read newest
first, and an absurd product of both is refused. Reference: providers.md §5.3.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta, tzinfo
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from tui.core.errors import QueryRefusedError
from tui.core.filter import CallFilter, NumberPattern, NumRange, TimeBound, canonical_number
from tui.core.model import Direction, Status
from tui.core.normalize import short_repr
from tui.core.plan import Plan, Where
from tui.core.planner import (
    Encoded,
    Encoder,
    Kept,
    Local,
    Param,
    PlanBuilder,
    PlanTable,
    Sent,
    Split,
    Windows,
)
from tui.core.planner import plan as plan_with

# --- Provider facts the reference marks [unconfirmed] (providers.md §5, §8 item 4) ------------

# Sort order: the docs say "by default DateCreated descending" and show only `DateCreated:asc`;
# the explicit `:desc` spelling is by symmetry. Set to None to rely on the documented default.
SORT_BY: str | None = "DateCreated:desc"
# The span limit is "maximum date range of 1 month" (seed 003). We read it as one calendar month
# minus a second, the shape of the docs' own example `gte:2019-01-01 00:00:00;lte:2019-01-31
# 23:59:59`, which also says Exotel times (and inclusive `lte` ends) have whole-second resolution.
MAX_SPAN_MONTHS = 1
RESOLUTION = timedelta(seconds=1)
# "You can query call records only up to 6 months old" (seed 003): months counted back from
# now in the account's zone, plus a margin so clock skew never sends a just-too-old bound.
RETENTION_MONTHS = 6
RETENTION_SLACK = timedelta(hours=1)
# With no `until`, the newest window ends a little after now (clock skew between us and Exotel).
OPEN_END_SLACK = timedelta(minutes=5)
# The bulk Status filter: seed 003 lists seven values and uses `canceled` in its example (the
# newer docs list only completed, failed, busy, no-answer; the list holds finished calls only).
STATUS_PARAM: dict[Status, str] = {
    s: s.value
    for s in (
        Status.QUEUED,
        Status.RINGING,
        Status.IN_PROGRESS,
        Status.COMPLETED,
        Status.FAILED,
        Status.BUSY,
        Status.NO_ANSWER,
        Status.CANCELED,
    )
}

# --- Documented facts (seed 003: Call Details bulk) -----------------------------------------

MAX_NUMBERS = 5  # To / From / PhoneNumber: "max limit: 5"
MAX_IDS = 100  # Sid: "maximum allowed limit is 100"
DEFAULT_WINDOW_DAYS = 31  # no DateCreated = "last 31 days"
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DIRECTION_PARAM: dict[Direction, tuple[str, ...]] = {
    Direction.INBOUND: ("inbound",),
    Direction.OUTBOUND: ("outbound-dial", "outbound-api"),  # dashboard, API/campaigns
}
# callscope's own limit: a filter needing more native queries than this is refused, not sent.
MAX_QUERIES = 24
# Records write Indian numbers nationally (`0XXXXX38847`, providers.md §5.5 and the docs' example
# calls_bulk.docs_example.json) while To/From/PhoneNumber filters take E.164 (§5.3): callscope
# reads and sends the E.164 form so a filter means the same on the server and locally.
NATIONAL_NUMBER = re.compile(r"0\d{10}")
COUNTRY_CODE = "+91"


def international(number: str) -> str:
    """``07924730963`` → ``+917924730963``; anything else unchanged."""
    return COUNTRY_CODE + number[1:] if NATIONAL_NUMBER.fullmatch(number) else number


def _international_pattern(pattern: NumberPattern) -> NumberPattern:
    value = canonical_number(pattern.value)
    if pattern.prefix and value.startswith("0") and (value == "0" or value[1:].isdigit()):
        return NumberPattern(COUNTRY_CODE + value[1:], True)  # a national prefix
    converted = international(value)
    return pattern if converted == value else NumberPattern(converted, pattern.prefix)


def international_filter(flt: CallFilter) -> CallFilter:
    """``flt`` with national numbers (and national prefixes) in their E.164 form."""
    exophones = tuple(
        str(_international_pattern(NumberPattern.parse(v))) for v in flt.extra("exophone")
    )
    converted = replace(
        flt,
        from_numbers=tuple(_international_pattern(p) for p in flt.from_numbers),
        to_numbers=tuple(_international_pattern(p) for p in flt.to_numbers),
    )
    return converted.with_extra("exophone", exophones) if exophones else converted


NO_TIME_WARNING = (
    f"no time range: Exotel searches only the last {DEFAULT_WINDOW_DAYS} days by default; "
    f"add since: to go further back (up to {RETENTION_MONTHS} months)"
)


# --- the plan table -----------------------------------------------------------------------


def _statuses(value: frozenset[Status], _b: PlanBuilder) -> Encoded:
    if Status.UNKNOWN in value:
        return Kept("unknown is only known after reading the call")
    values = sorted(STATUS_PARAM[s] for s in value if s in STATUS_PARAM)
    if not values:  # only ivr: no Exotel call has it
        return Kept("Exotel has no such status: never matches")
    never = sorted(s.value for s in value if s not in STATUS_PARAM)
    return Sent(",".join(values), f"no Exotel {', '.join(never)}" * bool(never))


def _directions(value: frozenset[Direction], _b: PlanBuilder) -> Encoded:
    if Direction.UNKNOWN in value:
        return Kept("unknown is only known after reading the call")
    values = [v for d in sorted(value) for v in DIRECTION_PARAM.get(d, ())]
    if not values:  # only internal: Exotel has none
        return Kept("Exotel has no internal calls: never matches")
    return Sent(",".join(values))


def _numbers(param: str) -> Encoder:
    def encode(patterns: Sequence[NumberPattern], _b: PlanBuilder) -> Encoded:
        values: list[str] = []
        for pattern in patterns:
            value = canonical_number(pattern.value)
            if pattern.prefix:
                return Kept(f"prefix match is local ({param} matches exact numbers)")
            if not value or "," in value or ";" in value:
                return Kept(f"{short_repr(pattern.value)} cannot be sent as {param}")
            values.append(value)
        return Sent(sorted(set(values)))

    return encode


def _exophones(values: Sequence[str], b: PlanBuilder) -> Encoded:
    return _numbers("PhoneNumber")([NumberPattern.parse(v) for v in values], b)


def _ids(ids: Sequence[str], _b: PlanBuilder) -> Encoded:
    if all(i and "," not in i for i in ids):
        return Sent(list(ids))
    return Kept("an id with a comma cannot be sent")


def _range(seconds: bool) -> Encoder:
    def encode(rng: NumRange, _b: PlanBuilder) -> Encoded:
        """``gte:…;lte:…`` / ``eq:…``; a strict or fractional bound is sent widened and refined
        locally (Duration is whole seconds with an ``s`` suffix)."""
        lows = [b for b in (rng.low, rng.high) if b is not None]
        if any(b < 0 for b in lows) or (
            rng.low is not None and rng.high is not None and rng.low > rng.high
        ):
            return Kept("a negative or empty range is checked locally")
        exact = True
        low = high = None
        if rng.low is not None:
            low = rng.low.to_integral_value(ROUND_FLOOR) if seconds else rng.low
            exact &= rng.low_inclusive and low == rng.low
        if rng.high is not None:
            high = rng.high.to_integral_value(ROUND_CEILING) if seconds else rng.high
            exact &= rng.high_inclusive and high == rng.high
        unit = "s" if seconds else ""
        if low is not None and low == high:
            value = f"eq:{_num(low)}{unit}"
        else:
            parts = []
            if low is not None:
                parts.append(f"gte:{_num(low)}{unit}")
            if high is not None:
                parts.append(f"lte:{_num(high)}{unit}")
            value = ";".join(parts)
        note = "" if exact else "Exotel bounds are inclusive: the exact bound is checked locally"
        return Sent(value, note, both=not exact)

    return encode


def _num(value: Decimal) -> str:
    return format(value, "f")


# --- time windows --------------------------------------------------------------------------


def _windows(p: PlanBuilder, flt: CallFilter) -> Windows:
    """``DateCreated`` windows (newest first) as parameter dicts; ``[{}]`` = no time filter."""
    now, zone = p.now, p.zone
    if flt.since is None and flt.until is None:
        p.warnings.append(NO_TIME_WARNING)
        p.notes.append(f"time: Exotel's default, the last {DEFAULT_WINDOW_DAYS} days")
        return [{}], ""
    oldest = _add_months(_wall(now, zone), -RETENTION_MONTHS) + RETENTION_SLACK
    oldest = _ceil(oldest)
    newest = _ceil(_wall(now + OPEN_END_SLACK, zone))
    since = _resolve(flt.since, now, zone)
    until = _resolve(flt.until, now, zone)
    if until is not None and until <= oldest:
        raise QueryRefusedError(
            f"Exotel keeps call records for {RETENTION_MONTHS} months: this range ends "
            f"{until:{TIME_FORMAT}}, before the oldest it can list ({oldest:{TIME_FORMAT}}, "
            f"{_zone_name(zone)})",
            provider="Exotel",
        )
    lo = oldest if since is None else _floor(since)
    clipped = since is not None and lo < oldest
    if clipped:
        p.warnings.append(
            f"since: Exotel keeps only {RETENTION_MONTHS} months of calls; "
            f"listing from {oldest:{TIME_FORMAT}} ({_zone_name(zone)})"
        )
        lo = oldest
    if since is None:
        p.notes.append(f"since: none given; from Exotel's oldest ({RETENTION_MONTHS} months)")
    # `lte` is inclusive: the exclusive `until` is sent as is and refined locally.
    hi = newest if until is None else min(_ceil(until), newest)
    windows: list[tuple[datetime, datetime]] = []
    end = hi
    while end >= lo:
        begin = max(lo, _add_months(end, -MAX_SPAN_MONTHS) + RESOLUTION)
        windows.append((begin, end))
        end = begin - RESOLUTION
    zone_note = f"DateCreated in {_zone_name(zone)}"
    if len(windows) > 1:
        zone_note += (
            f"; split into {len(windows)} windows of ≤ {MAX_SPAN_MONTHS} month (Exotel's limit), "
            "newest first"
        )
    if flt.since is not None:
        whole = since is not None and since == lo
        p.item(
            "since",
            Where.SERVER if whole or clipped else Where.BOTH,
            f"DateCreated=gte:{lo:{TIME_FORMAT}}",
            zone_note,
        )
    if flt.until is not None:
        p.item(
            "until",
            Where.BOTH,
            f"DateCreated=…;lte:{hi:{TIME_FORMAT}}",
            zone_note + "; lte is inclusive, the exclusive end is checked locally",
        )
    params = [
        {"DateCreated": f"gte:{begin:{TIME_FORMAT}};lte:{end:{TIME_FORMAT}}"}
        for begin, end in windows
    ]
    return params, "monthly windows"


def _wall(moment: datetime, zone: tzinfo) -> datetime:
    """An aware instant as naive wall time in ``zone`` (how Exotel reads and writes times)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _resolve(bound: TimeBound | None, now: datetime, zone: tzinfo) -> datetime | None:
    """The bound as wall time in ``zone``; bounds beyond ``datetime``'s range are clamped."""
    if bound is None:
        return None
    try:
        instant = bound.resolve(now)
    except (OverflowError, ValueError):  # -9999999w: before anything Exotel keeps
        return datetime.min
    try:
        return _wall(instant, zone)
    except (OverflowError, ValueError):  # 0001-01-01 or 9999-12-31 shifted out of range
        return datetime.max.replace(microsecond=0) if instant > now else datetime.min


def _floor(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _ceil(moment: datetime) -> datetime:
    if moment.microsecond == 0:
        return moment
    try:
        return moment.replace(microsecond=0) + RESOLUTION
    except OverflowError:
        return moment.replace(microsecond=0)


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    year = min(max(year, 1), 9999)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def _zone_name(zone: tzinfo) -> str:
    return str(getattr(zone, "key", None) or zone)


PLAN_TABLE = PlanTable(
    title="Exotel",
    rules={
        "status": Param("Status", _statuses),
        "dir": Param("Direction", _directions),
        "from": Split("From", MAX_NUMBERS, _numbers("From")),
        "to": Split("To", MAX_NUMBERS, _numbers("To")),
        "dur": Param("Duration", _range(seconds=True)),
        "price": Param("Price", _range(seconds=False)),
        "parent": Local("Exotel's call list has no parent filter"),
        "id": Split("Sid", MAX_IDS, _ids),
        "exophone": Split("PhoneNumber", MAX_NUMBERS, _exophones),
    },
    newest_first=True,
    fixed={"SortBy": SORT_BY} if SORT_BY else {},
    windows=_windows,
    prepare=international_filter,
    max_queries=MAX_QUERIES,
)


def plan_filter(flt: CallFilter, now: datetime, zone: tzinfo = UTC) -> Plan:
    """Split ``flt`` into Exotel ``Calls.json`` queries and the local residual (reference §5.3)."""
    return plan_with(PLAN_TABLE, flt, now, zone)
