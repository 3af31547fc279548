"""What the LaML ``Calls.json`` list can filter (Twilio and SignalWire), as a plan table.

``Status`` takes one value (several statuses are one query each, merged by time), ``From``/``To``
one exact number, ``StartTime>``/``StartTime<`` whole UTC days, ``ParentCallSid`` a call sid.
A call not dialled yet has no start time, so time bounds would drop queued calls: they come from
a query of their own (:func:`_queued_by_own_query`). Reference: providers.md §6.2, §4.2.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import UTC, datetime, timedelta
from typing import Protocol

from tui.core.filter import NumberPattern, TimeBound
from tui.core.model import Status
from tui.core.normalize import short_repr, utc_day_start
from tui.core.plan import Where
from tui.core.planner import (
    Custom,
    Encoded,
    Kept,
    Local,
    Param,
    PlanBuilder,
    PlanTable,
    Rule,
    Sent,
    Split,
)


class Dialect(Protocol):
    """What planning reads of a :class:`~tui.providers.laml.LamlDialect`."""

    @property
    def title(self) -> str: ...
    @property
    def filter_statuses(self) -> Collection[Status]: ...
    @property
    def call_sid(self) -> re.Pattern[str]: ...
    @property
    def call_sid_hint(self) -> str: ...
    @property
    def time_filter_format(self) -> str: ...
    @property
    def newest_first(self) -> bool: ...


# Several statuses: one query per status (the API takes one ``Status``), merged by time, when
# there are at most this many; more than that reads everything and filters locally.
MAX_STATUS_QUERIES = 3
# Extra whole days added around the server's day bounds. 0 is safe for every documented reading
# of ``StartTime<`` (providers.md §6.2, §8.5); raise it if a provider is found to use local days.
DAY_BOUND_SLACK_DAYS = 0

_PHONE_LIKE = re.compile(r"[+\d\s().\-]+")
_NUMBER_NOISE = re.compile(r"[\s().\-]")
_DAY_NOTE = "the server filters by UTC start day; the exact instant is checked locally"
_QUEUED_NOTE = "; queued calls (no start yet) by their own query"


def wire_number(pattern: NumberPattern) -> str:
    """A number as the server's exact match wants it: formatting noise dropped from phone numbers;
    SIP, ``client:`` and SIM identifiers as written."""
    value = pattern.value.strip()
    return _NUMBER_NOISE.sub("", value) if _PHONE_LIKE.fullmatch(value) else value


def day_bounds(
    since: datetime | None, until: datetime | None, fmt: str = "%Y-%m-%d"
) -> tuple[str | None, str | None]:
    """Inclusive-safe UTC days for ``StartTime>`` (on or after the day) and ``StartTime<``.

    ``StartTime<=D`` reads "before D" (current spec) or "on or before midnight of D" / "on day ≤ D"
    (older docs, emulator): midnight of D at or after ``until`` loses nothing under any reading.
    """
    slack = timedelta(days=DAY_BOUND_SLACK_DAYS)
    low = None if since is None else (utc_day_start(since) - slack)
    high: datetime | None = None
    if until is not None:
        high = utc_day_start(until)
        if high < until.astimezone(UTC):
            high += timedelta(days=1)
        high += slack
    return (
        None if low is None else low.strftime(fmt),
        None if high is None else high.strftime(fmt),
    )


def _undialled(b: PlanBuilder) -> bool:
    """Whether calls with no start time yet need a query of their own (a time bound, and
    queued calls wanted)."""
    flt = b.flt
    timed = flt.since is not None or flt.until is not None
    return timed and (not flt.statuses or Status.QUEUED in flt.statuses)


def plan_table(d: Dialect) -> PlanTable:
    """The plan table of one LaML dialect."""

    def statuses(value: frozenset[Status], b: PlanBuilder) -> Encoded:
        wanted = sorted(value)
        odd = [s.value for s in wanted if s not in d.filter_statuses]
        if odd:
            return Kept(f"{d.title} cannot filter by {', '.join(odd)}")
        return Sent([s.value for s in wanted])

    def number(param: str) -> Param:
        def encode(patterns: tuple[NumberPattern, ...], b: PlanBuilder) -> Encoded:
            if len(patterns) == 1 and not patterns[0].prefix:
                return Sent(wire_number(patterns[0]))
            why = "prefix match" if any(p.prefix for p in patterns) else "several numbers"
            return Kept(f"{param} matches one number exactly; {why} filtered locally")

        return Param(param, encode)

    def day(param: str, op: str, low: bool) -> Custom:
        def hook(b: PlanBuilder, key: str, bound: TimeBound) -> None:
            instant = bound.resolve(b.now)
            day_low, day_high = day_bounds(
                instant if low else None, None if low else instant, d.time_filter_format
            )
            value = day_low if low else day_high
            assert value is not None
            note = _DAY_NOTE + (_QUEUED_NOTE if _undialled(b) else "")
            b.params[param] = value
            b.item(key, Where.BOTH, f"{param.rstrip('<>')}{op}{value}", note)

        return Custom(hook)

    def parent(value: str, b: PlanBuilder) -> Encoded:
        if not d.call_sid.fullmatch(value):
            b.warnings.append(
                f"parent {short_repr(value)} is not a {d.call_sid_hint}; {d.title} may refuse it"
            )
        return Sent(value)

    def queued_by_own_query(b: PlanBuilder, queries: list[dict[str, str]]) -> list[dict[str, str]]:
        """A call not dialled yet has no start_time (providers.md §6.4), so StartTime bounds
        drop it, while callscope shows and filters it by its creation time (Call.time): queued
        calls come from a query of their own with no time bound."""
        if not _undialled(b):
            return queries
        queued = Status.QUEUED.value

        def timeless(query: dict[str, str]) -> dict[str, str]:
            return {k: v for k, v in query.items() if not k.startswith("StartTime")}

        if b.flt.statuses and b.where_of("status") is Where.SERVER:
            return [timeless(q) if q.get("Status") == queued else q for q in queries]
        b.merged = True
        return [*queries, {**timeless(queries[0]), "Status": queued}]

    no_filter = "{title} has no {key} filter"
    rules: dict[str, Rule] = {
        "status": Split(
            "Status",
            1,
            statuses,
            max_parts=MAX_STATUS_QUERIES,
            too_many=f"more than {MAX_STATUS_QUERIES} statuses: filtered locally",
        ),
        "dir": Local(no_filter.format(title=d.title, key="direction")),
        "from": number("From"),
        "to": number("To"),
        "since": day("StartTime>", ">=", low=True),
        "until": day("StartTime<", "<=", low=False),
        "dur": Local(no_filter.format(title=d.title, key="dur")),
        "price": Local(no_filter.format(title=d.title, key="price")),
        "parent": Param("ParentCallSid", parent),
        "id": Local("the list has no id filter"),
    }
    return PlanTable(
        title=d.title,
        rules=rules,
        newest_first=d.newest_first,
        finish=queued_by_own_query,
    )
