"""What Fone Dynamics' "Get Calls" can filter, as a plan table (reference §2.2).

``Disposition``, ``To``, ``Endpoint``, the four attribution fields (comma lists), ``Prompts_keys``
(IVR paths), ``Unique`` and the ``Date_From``/``Date_To`` epoch window are sent; every call is
inbound, none has a price or a parent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime

from tui.core.errors import QueryRefusedError
from tui.core.filter import CallFilter, NumberPattern, TimeBound, canonical_number
from tui.core.model import Direction, Status
from tui.core.plan import Plan
from tui.core.planner import (
    Custom,
    Encoded,
    Encoder,
    Kept,
    Local,
    Param,
    PlanBuilder,
    PlanTable,
    Rule,
    Sent,
    Unsupported,
)
from tui.core.planner import plan as plan_with
from tui.providers.fonedynamics_normalize import DIRECTION

# Filter names for the time window: taken from the Find SMS page (same semantics, epoch seconds)
# [unconfirmed, providers.md §2].
PARAM_DATE_FROM = "Date_From"  # inclusive
PARAM_DATE_TO = "Date_To"  # exclusive
DISPOSITION_PARAM: dict[Status, str] = {
    Status.COMPLETED: "Answered",
    Status.IVR: "IVR",
    Status.BUSY: "Busy",
    Status.NO_ANSWER: "NoAnswer",
    Status.FAILED: "Failed",
}
# Filter extras pushed down as comma lists: query key → parameter.
ATTRIBUTION_PARAMS: dict[str, str] = {
    "source": "Attribution_Source",
    "medium": "Attribution_Medium",
    "campaign": "Attribution_Campaign",
    "content": "Attribution_Content",
}
UNIQUE_VALUES: dict[str, str] = {"unique": "Unique", "repeat": "Repeat"}


def _epoch(moment: datetime, *, up: bool) -> tuple[int, bool]:
    """Unix seconds (rounded down or up) and whether the instant was whole."""
    seconds = moment.astimezone(UTC).timestamp()
    whole = seconds == int(seconds)
    return (math.ceil(seconds) if up else math.floor(seconds)), whole


def _exact_list(param: str) -> Encoder:
    """A comma list of exact numbers; a prefix (or a value that can't be sent) stays local."""

    def encode(patterns: Sequence[NumberPattern], _b: PlanBuilder) -> Encoded:
        values = [canonical_number(p.value) for p in patterns]
        if any(p.prefix for p in patterns) or any(not v or "," in v for v in values):
            return Kept(f"prefix match is local ({param} matches exact numbers)")
        return Sent(",".join(values))

    return encode


def _endpoints(values: Sequence[str], b: PlanBuilder) -> Encoded:
    return _exact_list("Endpoint")([NumberPattern.parse(v) for v in values], b)


def _plain_list(values: Sequence[str], _b: PlanBuilder) -> Encoded:
    if any("," in v or not v.strip() for v in values):
        return Kept("a value holds a comma")
    return Sent(",".join(values))


def _statuses(value: frozenset[Status], _b: PlanBuilder) -> Encoded:
    if Status.UNKNOWN in value:
        # an unrecognized Disposition normalizes to unknown; the server cannot select those
        return Kept("unknown is only known after reading the call")
    mapped = sorted(DISPOSITION_PARAM[s] for s in value if s in DISPOSITION_PARAM)
    never = sorted(s.value for s in value if s not in DISPOSITION_PARAM)
    note = f"no Disposition for {', '.join(never)}: never matches" if never else ""
    warning = f"status: Fone Dynamics has no {', '.join(never)} calls" if never else ""
    if not mapped:
        return Kept(note, warning, never=True)
    return Sent(",".join(mapped), note, warning=warning)


def _directions(b: PlanBuilder, key: str, value: frozenset[Direction]) -> None:
    """Always local (there is no such parameter); a direction other than inbound never matches."""
    note = "every Fone Dynamics call is inbound"
    if DIRECTION in value:
        b.kept(key, Kept(note))
    else:
        warning = "Fone Dynamics calls are all inbound: dir can never match"
        b.kept(key, Kept(note, warning, never=True))


def _since(bound: TimeBound, b: PlanBuilder) -> Encoded:
    seconds, whole = _epoch(bound.resolve(b.now), up=False)
    return Sent(str(max(0, seconds)), "inclusive", both=not whole)


def _until(bound: TimeBound, b: PlanBuilder) -> Encoded:
    seconds, whole = _epoch(bound.resolve(b.now), up=True)
    if seconds <= 0:
        b.never = True
    return Sent(str(max(0, seconds)), "exclusive", both=not whole)


def _keys(values: Sequence[str], _b: PlanBuilder) -> Encoded:
    # "1>2" (key 1, then 2 in the nested IVR) → "1,2"; alternatives joined by ";"
    paths = [",".join(part.strip() for part in v.split(">")) for v in values]
    if any(";" in path or not path for path in paths):
        return Kept("a value holds a ';'")
    return Sent(";".join(paths), "local re-checks the path", both=True)


def _unique(values: Sequence[str], _b: PlanBuilder) -> Encoded:
    wanted = {UNIQUE_VALUES.get(v.strip().lower()) for v in values}
    if None in wanted:
        raise QueryRefusedError("unique takes unique or repeat", provider="Fone Dynamics")
    value = wanted.pop() if len(wanted) == 1 else "All"
    return Sent(str(value), "no local evidence: the server decides")


_NO_FILTER = Local("no such Fone Dynamics filter")
RULES: dict[str, Rule] = {
    "status": Param("Disposition", _statuses),
    "dir": Custom(_directions, server=False),
    "to": Param("To", _exact_list("To")),
    "since": Param(PARAM_DATE_FROM, _since),
    "until": Param(PARAM_DATE_TO, _until),
    "price": Unsupported("Fone Dynamics reports no price"),
    "parent": Unsupported("Fone Dynamics calls have no legs"),
    "from": _NO_FILTER,
    "dur": _NO_FILTER,
    "id": _NO_FILTER,
    "text": _NO_FILTER,
    **{key: Param(param, _plain_list) for key, param in ATTRIBUTION_PARAMS.items()},
    "endpoint": Param("Endpoint", _endpoints),
    "keys": Param("Prompts_keys", _keys),
    "unique": Param("Unique", _unique),
}
PLAN_TABLE = PlanTable(title="Fone Dynamics", rules=RULES, newest_first=False)


def plan_filter(flt: CallFilter, now: datetime) -> Plan:
    """Split ``flt`` into one ``Get Calls`` query and the local residual (reference §2.2)."""
    return plan_with(PLAN_TABLE, flt, now)
