"""The one query planner: a filter and a provider's :class:`PlanTable` → a :class:`Plan`.

A provider says, field by field, what its list API can do with a filter term; this module does
the rest the same way for every provider: the plan items the sidebar, the status line and
``--explain`` show, the local residual, the native queries (one per time window × split group),
the warnings in one wording, and the refusal when a filter needs too many queries.

A table maps each query key (``status``, ``from``, ``since`` …, extras by their own key) to a
rule:

- :class:`Local` — the provider cannot filter by it; callscope checks every call.
- :class:`Unsupported` — the provider's calls do not carry it; the term is ignored, with a warning.
- :class:`Param` — one query parameter; its encoder turns the term into the parameter's value
  (or keeps it local when a value cannot be sent, e.g. a number prefix).
- :class:`Split` — a list parameter taking at most ``size`` values: more values become several
  queries whose results are merged by time (Exotel's five numbers, Twilio's one status).
- :class:`Clause` — one clause of a filter expression (PortSIP's OData ``filter``), joined and
  length-limited by the table's :class:`ClauseParam`.
- :class:`Custom` — a small hook for what fits none of these.

Table-level strategies cover what spans fields: ``windows`` (Exotel's monthly ``DateCreated``
windows), ``finish`` (LaML's own query for calls not dialled yet), ``prepare`` (Exotel's national
numbers in their E.164 form).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from tui.core.errors import QueryRefusedError
from tui.core.filter import CallFilter, extra_field
from tui.core.plan import FIELD_OF, QUERY_KEY, Params, Plan, PlanItem, Where

# -- what an encoder says of one filter term -------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """The term goes to the provider as ``value`` (a list of values for :class:`Split`).

    ``both``: the provider narrows only coarsely (by day, inclusive bounds …) and callscope
    refines locally.
    """

    value: Any
    note: str = ""
    both: bool = False
    warning: str = ""


@dataclass(frozen=True)
class Kept:
    """The term stays local (``note`` says why). ``never``: no call of this provider can match,
    so no request is sent; ``warning`` is shown besides."""

    note: str = ""
    warning: str = ""
    never: bool = False


Encoded = Sent | Kept
Encoder = Callable[[Any, "PlanBuilder"], Encoded]


def verbatim(value: Any, _b: PlanBuilder) -> Encoded:
    """The term's value as it is (a string field such as a parent id)."""
    return Sent(str(value))


# -- rules -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Local:
    note: str
    server = False

    def apply(self, b: PlanBuilder, key: str, value: Any) -> None:
        b.keep_local(key, self.note)


@dataclass(frozen=True)
class Unsupported:
    note: str
    server = False

    def apply(self, b: PlanBuilder, key: str, value: Any) -> None:
        b.unsupported(key, self.note)


@dataclass(frozen=True)
class Param:
    param: str
    encode: Encoder = verbatim
    server = True

    def apply(self, b: PlanBuilder, key: str, value: Any) -> None:
        result = self.encode(value, b)
        if isinstance(result, Kept):
            b.kept(key, result)
        else:
            b.send(key, self.param, str(result.value), result.note, both=result.both)
            b.warn(result.warning)


@dataclass(frozen=True)
class Split:
    """A list parameter of at most ``size`` values (``join``-ed); more are split into queries.

    More than ``max_parts`` queries keeps the term local (``too_many`` says so).
    """

    param: str
    size: int
    encode: Encoder
    max_parts: int | None = None
    too_many: str = ""
    join: str = ","
    server = True

    def apply(self, b: PlanBuilder, key: str, value: Any) -> None:
        result = self.encode(value, b)
        if isinstance(result, Kept):
            b.kept(key, result)
            return
        values: Sequence[str] = result.value
        chunks = [values[i : i + self.size] for i in range(0, len(values), self.size)]
        if self.max_parts is not None and len(chunks) > self.max_parts:
            b.keep_local(key, self.too_many)
            return
        b.axes.append([{self.param: self.join.join(chunk)} for chunk in chunks])
        native = f"{self.param}={self.join.join(chunks[0])}"
        note = result.note
        if len(chunks) > 1:
            if self.size == 1:
                native = " | ".join(f"{self.param}={chunk[0]}" for chunk in chunks)
            else:
                native += f" … ({len(chunks)} queries)"
            per = f"one {self.param}" if self.size == 1 else f"≤ {self.size} values"
            note = f"{len(chunks)} queries merged by time ({per} per query)"
        b.item(key, Where.BOTH if result.both else Where.SERVER, native, note)
        b.warn(result.warning)


@dataclass(frozen=True)
class Clause:
    """One clause of the table's filter expression (see :class:`ClauseParam`)."""

    encode: Encoder
    server = True

    def apply(self, b: PlanBuilder, key: str, value: Any) -> None:
        result = self.encode(value, b)
        if isinstance(result, Kept):
            b.kept(key, result)
        else:
            b.clause(key, str(result.value))
            b.warn(result.warning)


@dataclass(frozen=True)
class Custom:
    """A hook for a term no other rule fits; ``server`` says whether it can reach the server."""

    hook: Callable[[PlanBuilder, str, Any], None]
    server: bool = True

    def apply(self, b: PlanBuilder, key: str, value: Any) -> None:
        self.hook(b, key, value)


Rule = Local | Unsupported | Param | Split | Clause | Custom


@dataclass(frozen=True)
class ClauseParam:
    """How :class:`Clause` terms are sent: joined into ``param``, at most ``max_chars`` long
    (a clause that would pass it stays local). ``exact=False``: the provider's support for the
    expression is not confirmed, so every clause is also checked locally."""

    param: str
    join: str
    max_chars: int
    exact: bool = True


# What a table-level strategy returns for the time range: the windows' parameters (``[{}]``: one
# query with no time parameter; ``[]``: the range is empty, nothing to send) and their name for
# the refusal's wording ("monthly windows").
Windows = tuple[Sequence[Params], str]


@dataclass(frozen=True)
class PlanTable:
    """Everything a provider's list API can do with a :class:`CallFilter`, as data."""

    title: str
    rules: Mapping[str, Rule]
    newest_first: bool = True
    fixed: Params = field(default_factory=dict)  # sent with every query (sort order, count)
    clauses: ClauseParam | None = None
    # Both time bounds together (``rules`` then holds neither since nor until).
    windows: Callable[[PlanBuilder, CallFilter], Windows] | None = None
    # The queries once built (may add or rewrite some; set ``b.merged`` if they interleave).
    finish: Callable[[PlanBuilder, list[dict[str, str]]], list[dict[str, str]]] | None = None
    prepare: Callable[[CallFilter], CallFilter] | None = None  # the filter as the provider reads it
    max_queries: int | None = None  # a filter needing more is refused

    def rule(self, key: str) -> Rule:
        found = self.rules.get(key)
        if found is not None:
            return found
        if key == "text":
            return Local("free text is matched locally")
        spec = extra_field(key)
        label = spec.label.lower() if spec else key
        return Unsupported(f"{self.title} calls have no {label}")

    def server_keys(self) -> frozenset[str]:
        """The query keys this provider can filter by server-side (the sidebar's badges)."""
        keys = {key for key, rule in self.rules.items() if rule.server}
        if self.windows is not None:
            keys |= {"since", "until"}
        return frozenset(keys)


@dataclass
class PlanBuilder:
    """What planning has found so far; rules and strategies write to it."""

    title: str
    flt: CallFilter
    now: datetime
    zone: tzinfo = UTC
    clauses_spec: ClauseParam | None = None
    params: dict[str, str] = field(default_factory=dict)
    axes: list[list[dict[str, str]]] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    items: list[PlanItem] = field(default_factory=list)
    local: list[str] = field(default_factory=list)  # CallFilter names (and extra keys)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    never: bool = False  # no call can match: send nothing
    merged: bool = False  # the queries interleave: merge them by time

    def item(self, key: str, where: Where, native: str = "", note: str = "") -> None:
        self.items.append(PlanItem(key, where, native, note))
        if where in (Where.BOTH, Where.LOCAL):
            self.local.append(FIELD_OF.get(key, key))

    def where_of(self, key: str) -> Where | None:
        return next((i.where for i in self.items if i.field == key), None)

    def send(self, key: str, param: str, value: str, note: str = "", both: bool = False) -> None:
        self.params[param] = value
        self.item(key, Where.BOTH if both else Where.SERVER, f"{param}={value}", note)

    def keep_local(self, key: str, note: str = "") -> None:
        self.item(key, Where.LOCAL, "", note)

    def kept(self, key: str, result: Kept) -> None:
        self.keep_local(key, result.note)
        self.warn(result.warning)
        if result.never:
            self.never = True

    def warn(self, warning: str) -> None:
        if warning:
            self.warnings.append(warning)

    def unsupported(self, key: str, note: str) -> None:
        self.item(key, Where.UNSUPPORTED, "", note)
        self.warnings.append(f"{key}: {note}; ignored")

    def clause(self, key: str, text: str) -> None:
        spec = self.clauses_spec
        if spec is None:
            raise TypeError(f"{self.title}'s plan table has no ClauseParam for {key}")
        if sum(len(c) + len(spec.join) for c in self.clauses) + len(text) > spec.max_chars:
            self.keep_local(key, f"the {spec.param} would pass {spec.max_chars} characters")
            return
        self.clauses.append(text)
        where = Where.SERVER if spec.exact else Where.BOTH
        self.item(key, where, f"{spec.param}={text}", "" if spec.exact else "also checked locally")


def value_of(flt: CallFilter, name: str) -> Any:
    """A field's value (``statuses`` …) or an extra's values (``trunk`` …)."""
    if name in CallFilter.__dataclass_fields__:
        return getattr(flt, name)
    return flt.extra(name)


def empty_range(flt: CallFilter, now: datetime) -> bool:
    """Whether ``since`` is at or after ``until`` (nothing can match)."""
    if flt.since is None or flt.until is None:
        return False
    try:
        return flt.since.resolve(now) >= flt.until.resolve(now)
    except (OverflowError, ValueError):
        return False


def plan(table: PlanTable, flt: CallFilter, now: datetime, zone: tzinfo = UTC) -> Plan:
    """Split ``flt`` into ``table``'s native queries and the local residual."""
    if table.prepare is not None:
        flt = table.prepare(flt)
    b = PlanBuilder(table.title, flt, now, zone, table.clauses)
    for name in flt.active_fields():
        key = QUERY_KEY.get(name, name)
        if table.windows is not None and key in ("since", "until"):
            continue
        table.rule(key).apply(b, key, value_of(flt, name))
    windows, window_name = table.windows(b, flt) if table.windows else ([{}], "")
    if b.clauses and table.clauses is not None:
        b.params[table.clauses.param] = table.clauses.join.join(b.clauses)
    _refuse_if_too_many(table, b, len(windows), window_name)
    queries: list[dict[str, str]] = []
    for window in windows:
        for combo in itertools.product(*b.axes):
            query = {**window, **b.params}
            for part in combo:
                query.update(part)
            query.update(table.fixed)
            queries.append(query)
    if table.finish is not None and queries:
        queries = table.finish(b, queries)
    if not windows or empty_range(flt, now):
        queries = []
        b.notes.append("no request: the time range is empty")
    elif b.never:
        queries = []
        b.notes.append(f"no request: the filter can match no {table.title} call")
    merged = b.merged or any(len(axis) > 1 for axis in b.axes)
    return Plan(
        queries=queries,
        local=flt.only(*b.local),
        items=tuple(b.items),
        warnings=tuple(b.warnings),
        merge="merge" if merged and len(queries) > 1 else "concat",
        newest_first=table.newest_first,
        notes=tuple(b.notes),
    )


def _refuse_if_too_many(table: PlanTable, b: PlanBuilder, windows: int, window_name: str) -> None:
    if table.max_queries is None:
        return
    count = windows
    for axis in b.axes:
        count *= len(axis)
    if count <= table.max_queries:
        return
    factors = [f"{windows} {window_name}"] * (windows > 1)
    factors += [f"{len(axis)} groups of {next(iter(axis[0]))}" for axis in b.axes if len(axis) > 1]
    raise QueryRefusedError(
        f"this filter needs {count} {table.title} queries ({' × '.join(factors)}); callscope "
        f"sends at most {table.max_queries}: narrow the time range or the lists",
        provider=table.title,
    )
