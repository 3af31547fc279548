"""A query plan: what an adapter sends to the provider and what callscope applies locally.

Plans are data so the sidebar, the status line and ``callscope list --explain`` can show them
("server: status, since · local: price").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from tui.core.filter import CallFilter

# Native query parameters. A list value becomes a repeated parameter (PortSIP, Twilio do not
# need it, but an adapter may).
Params = Mapping[str, str]


# CallFilter field → query-language key, where they differ (extras and since/until/price/text
# are spelled the same); plan items are named by the key.
QUERY_KEY = {
    "statuses": "status",
    "directions": "dir",
    "from_numbers": "from",
    "to_numbers": "to",
    "duration": "dur",
    "parent_id": "parent",
    "ids": "id",
}
FIELD_OF = {key: name for name, key in QUERY_KEY.items()}


class Where(StrEnum):
    SERVER = "server"  # the provider applies it exactly
    BOTH = "server+local"  # the provider narrows coarsely (e.g. by day), callscope refines
    LOCAL = "local"  # callscope applies it to every page
    UNSUPPORTED = "unsupported"  # neither can (no such data from this provider): ignored


@dataclass(frozen=True)
class PlanItem:
    """How one filter field is applied. ``field`` is a query key (``status``, ``since`` …)."""

    field: str
    where: Where
    native: str = ""  # the parameter as sent, e.g. "Status=failed"
    note: str = ""  # why, or the limit that bites


@dataclass(frozen=True)
class Plan:
    """The native queries (more than one when a provider limit splits the filter) and the rest.

    ``merge`` says how the results of several queries combine: ``"concat"`` when they are
    disjoint and already in order (time windows), ``"merge"`` when they interleave (number
    chunks) and must be merged by time.
    """

    queries: Sequence[Params]
    local: CallFilter
    items: tuple[PlanItem, ...] = ()
    warnings: tuple[str, ...] = ()
    merge: str = "concat"
    newest_first: bool = True
    notes: tuple[str, ...] = field(default=())
    # The calls are fetched one by one by id (``queries`` is empty): no list is walked.
    by_id: bool = False

    def where(self, name: str) -> Where | None:
        for item in self.items:
            if item.field == name:
                return item.where
        return None

    def describe(self) -> str:
        """``server: status, since · local: price`` (empty parts left out); a plan that
        fetches calls by id says ``server: id (fetched directly)``."""
        server = [i.field for i in self.items if i.where in (Where.SERVER, Where.BOTH)]
        local = [i.field for i in self.items if i.where in (Where.LOCAL, Where.BOTH)]
        ignored = [i.field for i in self.items if i.where is Where.UNSUPPORTED]
        parts = []
        if server:
            by_id = " (fetched directly)" if self.by_id else ""
            parts.append("server: " + ", ".join(server) + by_id)
        if local:
            parts.append("local: " + ", ".join(local))
        if ignored:
            parts.append("unsupported: " + ", ".join(ignored))
        if len(self.queries) > 1:
            parts.append(f"{len(self.queries)} queries")
        return " · ".join(parts) if parts else "no filter"
