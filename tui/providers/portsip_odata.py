"""PortSIP's OData-like ``filter`` expressions, built from callscope's filter values.

The grammar (reference §3.4): ``caller eq '101'``, ``started_at ge '2026-11-01T00:00:00Z'``,
``startswith(callee,'44')``, combined with ``and`` / ``or`` (alternatives in parentheses).
Every builder returns an expression that selects *at least* what the local predicate keeps.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tui.core.filter import NumberPattern, NumRange, canonical_number

# Values sent in an OData string literal only when the server's `eq`/`startswith` agrees with the
# local comparison (canonical_number): plain dial strings. Others stay local.
_PUSHABLE_NUMBER = re.compile(r"^[+0-9A-Za-z*#]+$")
# Recording ↔ call join (§3.7, no documented link): same caller/callee, overlapping times.
# The official example's recording ends 2 ms after its call; allow clock skew both ways.
RECORDING_OVERLAP_SLACK = timedelta(seconds=5)


def odata_string(value: str) -> str:
    """A quoted OData string literal (a quote inside is doubled)."""
    return "'" + value.replace("'", "''") + "'"


def odata_time(moment: datetime, *, up: bool = False) -> str:
    """``'2026-11-01T00:00:00Z'``, whole seconds (rounded down, or up with ``up``)."""
    moment = moment.astimezone(UTC)
    if up and moment.microsecond:
        moment += timedelta(seconds=1)
    return odata_string(moment.strftime("%Y-%m-%dT%H:%M:%SZ"))


def any_of(terms: list[str]) -> str:
    return terms[0] if len(terms) == 1 else "(" + " or ".join(terms) + ")"


def number_clause(field: str, patterns: Iterable[NumberPattern]) -> str | None:
    """``caller eq '101'`` / ``startswith(callee,'44')`` alternatives; None if one can't be sent."""
    terms = []
    for pattern in patterns:
        value = canonical_number(pattern.value)
        if not value or not _PUSHABLE_NUMBER.match(value):
            return None
        literal = odata_string(value)
        terms.append(
            f"startswith({field},{literal})" if pattern.prefix else f"{field} eq {literal}"
        )
    return any_of(terms) if terms else None


def duration_clause(rng: NumRange) -> str | None:
    """Whole-second bounds: ``duration ge 5 and duration le 60`` (same set as the range)."""
    parts = []
    if rng.low is not None:
        low = math.ceil(rng.low) if rng.low_inclusive else math.floor(rng.low) + 1
        parts.append(f"duration ge {low}")
    if rng.high is not None:
        high = math.floor(rng.high) if rng.high_inclusive else math.ceil(rng.high) - 1
        parts.append(f"duration le {high}")
    return " and ".join(parts) or None


def recordings_filter(
    caller: str | None, callee: str | None, started: datetime | None, ended: datetime | None
) -> str | None:
    """The ``/recordings`` filter for a call: same caller/callee, time overlap (with slack)."""
    if started is None or (caller is None and callee is None):
        return None
    parts = []
    if caller is not None:
        parts.append(f"caller eq {odata_string(caller)}")
    if callee is not None:
        parts.append(f"callee eq {odata_string(callee)}")
    parts.append(f"ended_at ge {odata_time(started - RECORDING_OVERLAP_SLACK)}")
    if ended is not None:
        parts.append(f"started_at le {odata_time(ended + RECORDING_OVERLAP_SLACK, up=True)}")
    return " and ".join(parts)
