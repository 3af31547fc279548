"""What PortSIP's ``/api/calllogs`` can filter, as a plan table (reference §3.4).

Every server-side term is a clause of one OData-like ``filter`` expression (clauses joined by
``and``, alternatives by ``or``: :mod:`tui.providers.portsip_odata`), sorted by ``orderby`` and
counted with ``count=true``. PortSIP has no status field (it is derived locally), no parent and
no cost in lists.
"""

from __future__ import annotations

from collections.abc import Sequence

from tui.core.filter import NumberPattern, NumRange, TimeBound
from tui.core.model import Direction
from tui.core.planner import (
    Clause,
    ClauseParam,
    Encoded,
    Encoder,
    Kept,
    Local,
    PlanBuilder,
    PlanTable,
    Sent,
    Unsupported,
)
from tui.providers.portsip_odata import (
    any_of,
    duration_clause,
    number_clause,
    odata_string,
    odata_time,
)

ORDER_BY = "started_at desc"  # newest first, like the other providers
# The spec declares no query parameters on /calllogs [unconfirmed, §8.2]: while that stands,
# every pushed-down filter is also applied locally (Where.BOTH), so a PBX that ignores `filter`
# still gives exact results. Set True once a PBX version is known to honour it exactly.
CALLLOGS_FILTER_IS_EXACT = False
# Longest `filter` sent; what would pass it is filtered locally. No documented limit: URLs of a
# few KB are safe through proxies [unconfirmed].
MAX_FILTER_CHARS = 2000
MAX_IDS_PUSHED = 50  # more ids than this make the URL too long: filter them locally
NATIVE_DIRECTIONS: dict[Direction, tuple[str, ...]] = {
    Direction.INBOUND: ("INBOUND_CALL", "INBOUND_OUTBOUND_CALL"),
    Direction.OUTBOUND: ("OUTBOUND_CALL",),
    Direction.INTERNAL: ("EXTENSION_CALL",),
}


def _equals_any(field: str, upper: bool = False) -> Encoder:
    """``field eq 'a'`` alternatives, one per value."""

    def encode(values: Sequence[str], _b: PlanBuilder) -> Encoded:
        texts = [v.upper() if upper else v for v in values]
        return Sent(any_of([f"{field} eq {odata_string(v)}" for v in texts]))

    return encode


def _directions(value: frozenset[Direction], b: PlanBuilder) -> Encoded:
    if Direction.UNKNOWN in value:
        return Kept("unknown direction cannot be asked of the server")
    return _equals_any("direction")([v for d in sorted(value) for v in NATIVE_DIRECTIONS[d]], b)


def _numbers(field: str) -> Encoder:
    def encode(patterns: Sequence[NumberPattern], _b: PlanBuilder) -> Encoded:
        clause = number_clause(field, patterns)
        if clause is None:
            return Kept("number with formatting or an address: matched locally")
        return Sent(clause)

    return encode


def _since(bound: TimeBound, b: PlanBuilder) -> Encoded:
    return Sent(f"started_at ge {odata_time(bound.resolve(b.now))}")


def _until(bound: TimeBound, b: PlanBuilder) -> Encoded:
    return Sent(f"started_at lt {odata_time(bound.resolve(b.now), up=True)}")


def _duration(rng: NumRange, _b: PlanBuilder) -> Encoded:
    clause = duration_clause(rng)
    return Kept() if clause is None else Sent(clause)


def _ids(ids: Sequence[str], b: PlanBuilder) -> Encoded:
    if len(ids) > MAX_IDS_PUSHED:
        return Kept(f"more than {MAX_IDS_PUSHED} ids")
    return _equals_any("id")(ids, b)


def plan_table(exact: bool = CALLLOGS_FILTER_IS_EXACT) -> PlanTable:
    """PortSIP's table; ``exact``: whether the PBX is trusted to apply ``filter`` exactly."""
    return PlanTable(
        title="PortSIP",
        rules={
            "status": Local("PortSIP has no status field; derived from SIP code and times"),
            "dir": Clause(_directions),
            "from": Clause(_numbers("caller")),
            "to": Clause(_numbers("callee")),
            "since": Clause(_since),
            "until": Clause(_until),
            "dur": Clause(_duration),
            "price": Unsupported("call-log lists carry no cost (only one call log does)"),
            "parent": Unsupported("PortSIP call logs have no parent (sessions group them)"),
            "id": Clause(_ids),
            "trunk": Clause(_equals_any("trunk")),
            "reason": Clause(_equals_any("end_reason", upper=True)),
        },
        newest_first=True,
        fixed={"orderby": ORDER_BY, "count": "true"},
        clauses=ClauseParam("filter", " and ", MAX_FILTER_CHARS, exact=exact),
    )


PLAN_TABLE = plan_table()
