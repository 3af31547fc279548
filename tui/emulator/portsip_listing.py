"""PortSIP's list queries: the query options and the paging of call logs and recordings.

:func:`request_options` gathers a list request's options (query string, plus a POST's JSON body),
:func:`parse_query` validates them (``filter``/``orderby`` by :mod:`~tui.emulator.portsip_odata`,
``skip``/``top``/``count``/``search`` here) into a :class:`Query`; :func:`page_calls` and
:func:`page_recordings` walk a :class:`~tui.emulator.portsip_data.Tenant` for one page. Invalid
options raise :class:`~tui.emulator.portsip_auth.Invalid` with the ``VALIDATE_FAILED`` body.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from .dataset import MAX_DURATION
from .portsip_auth import Invalid, json_object, validate_failed
from .portsip_data import IDX_MOD, REC_LAG_US, RING_SLACK_S, Row, Tenant
from .portsip_odata import (
    Compare,
    FieldType,
    Node,
    QueryError,
    Value,
    conjuncts,
    evaluate,
    parse_filter,
    parse_orderby,
)
from .wire import Request

TOP_MAX = 100  # OpenAPI /recordings: top int32 1..100, default 100; applied to every list [infer]
TOP_DEFAULT = 100
# -- choices for [unconfirmed] facts (providers.md §8.2) -----------------------------------------
# skip: the declared schema says int >= 0 default 0; the prose says "1-based" (about.md). 0-based.
SKIP_BASE = 0
# count: about.md "Count" says clients *request* the total with count=true; the examples always
# show it. The total is therefore present only when asked for (count=true).
COUNT_ALWAYS = False
# Order without orderby: both official list examples (cdrs_list, recordings_list) are newest
# first; about.md only shows an explicit orderby. A term without asc/desc is ascending (OData).
DEFAULT_ORDER: tuple[tuple[str, bool], ...] = (("started_at", True),)
SEARCH_FIELDS = ("caller", "callee", "caller_display_name", "callee_display_name", "did_cid")

T = TypeVar("T")


@dataclass(slots=True)
class Query:
    """A list request's validated options (``skip`` 0-based)."""

    node: Node | None
    order: list[tuple[str, bool]]
    skip: int
    top: int
    count: bool
    search: list[str]


def request_options(req: Request) -> dict[str, str]:
    """Query string options, plus (POST) a JSON body's keys the query string lacks."""
    opts = dict(req.params)
    if req.method == "POST" and req.body.strip():
        try:
            body = json_object(req.body)
        except ValueError as e:
            raise Invalid(validate_failed(str(e))) from None
        for k, v in body.items():
            if isinstance(v, bool):
                v = "true" if v else "false"
            elif isinstance(v, int | float | str):
                v = str(v)
            else:
                raise Invalid(validate_failed(f"{k} must be a string, number or boolean"))
            opts.setdefault(k, v)
    return opts


def parse_query(opts: dict[str, str], fields: dict[str, FieldType]) -> Query:
    def get(name: str) -> str | None:
        return opts.get(name, opts.get("$" + name))

    try:
        node = parse_filter(get("filter") or "", fields)
        raw_order = get("orderby")
        order = parse_orderby(raw_order, fields) if raw_order else list(DEFAULT_ORDER)
    except QueryError as e:
        raise Invalid(validate_failed(e.detail)) from None
    skip = _int_option(get("skip"), SKIP_BASE, "skip")
    top = _int_option(get("top"), TOP_DEFAULT, "top")
    if isinstance(skip, str):
        raise Invalid(validate_failed(skip))
    if isinstance(top, str):
        raise Invalid(validate_failed(top))
    if skip < SKIP_BASE:
        raise Invalid(validate_failed(f"skip must be >= {SKIP_BASE}"))
    if not 1 <= top <= TOP_MAX:
        raise Invalid(validate_failed(f"top must be between 1 and {TOP_MAX}"))
    raw_count = (get("count") or "false").lower()
    if raw_count not in ("true", "false"):
        raise Invalid(validate_failed("count must be true or false"))
    search = get("search") or ""
    if len(search) > 1024:
        raise Invalid(validate_failed("search too long"))
    terms = [t.strip() for t in re.split(r"\s+or\s+", search) if t.strip()]
    return Query(node, order, skip - SKIP_BASE, top, raw_count == "true", terms)


def call_plan(t: Tenant, q: Query) -> tuple[int, int, Callable[[Row], bool] | None]:
    """``[lo, hi)`` of candidate indexes and the residual predicate (None = all match)."""
    lo, hi = 0, t.n
    residual: list[Node] = []
    for c in conjuncts(q.node):
        if isinstance(c, Compare) and c.field == "started_at" and isinstance(c.value, int):
            v = c.value
            if c.op in ("ge", "gt", "eq"):
                lo = max(lo, t.first_at_or_after(v + (c.op == "gt")))
            if c.op in ("lt", "le", "eq"):
                hi = min(hi, t.first_at_or_after(v + (c.op != "lt")))
            if c.op != "ne":
                continue
        elif isinstance(c, Compare) and c.field == "ended_at" and isinstance(c.value, int):
            if c.op in ("lt", "le", "eq"):  # ended >= started
                hi = min(hi, t.first_at_or_after(c.value + 1))
            if c.op in ("gt", "ge", "eq"):
                slack = (MAX_DURATION + RING_SLACK_S + 1) * 1_000_000
                lo = max(lo, t.first_at_or_after(c.value - slack))
        residual.append(c)
    terms = q.search
    if not residual and not terms:
        return lo, max(lo, hi), None

    def pred(row: Row) -> bool:
        if any(not evaluate(c, row.get) for c in residual):
            return False
        if terms:
            texts = [str(row.get(f)) for f in SEARCH_FIELDS]
            return any(term in s for term in terms for s in texts)
        return True

    return lo, max(lo, hi), pred


def page_calls(t: Tenant, q: Query) -> tuple[list[Row], int | None]:
    """One page of call logs and, when counted, the number of matches."""
    lo, hi, pred = call_plan(t, q)
    first, desc = q.order[0]
    if first in ("started_at", "id") and (first == "started_at" or t.n <= IDX_MOD):
        # Index order is start order (and id order): walk, skip and stop early.
        if pred is None:
            total = hi - lo
            a = q.skip
            b = min(total, q.skip + q.top)
            idx = (
                (range(hi - 1 - a, hi - 1 - b, -1) if desc else range(lo + a, lo + b))
                if a < b
                else range(0)
            )
            return [t.row(i) for i in idx], total
        order = range(hi - 1, lo - 1, -1) if desc else range(lo, hi)
        page, seen = _take((t.row(i) for i in order), pred, q)
        return page, seen if q.count else None
    rows = [t.row(i) for i in range(lo, hi)]
    if pred is not None:
        rows = [r for r in rows if pred(r)]
    for field, d in reversed(q.order):
        rows.sort(key=_row_key(field), reverse=d)
    return rows[q.skip : q.skip + q.top], len(rows)


def rec_stream(t: Tenant, lo: int, hi: int, desc: bool) -> Iterator[tuple[int, int, int, int]]:
    """``(start µs, index, k, end µs)`` of the recordings of calls ``[lo, hi)`` in start order.

    A recording starts between its call's start and start + ``REC_LAG_US``, so a small heap
    merges the per-call lists into exact start order while walking the calls in index order.
    """
    heap: list[tuple[int, int, int, int]] = []
    sign = -1 if desc else 1
    order = range(hi - 1, lo - 1, -1) if desc else range(lo, hi)
    for i in order:
        if not t.ds.recording_count(t.key, i):
            continue
        s = t.start_us(i)
        bound = s + REC_LAG_US if desc else s
        while heap and (sign * heap[0][0] > sign * bound if desc else heap[0][0] < bound):
            item = heapq.heappop(heap)
            yield sign * item[0], item[1], item[2], item[3]
        for start, k, end in t.recordings(i):
            heapq.heappush(heap, (sign * start, sign * i, k, end))
    while heap:
        item = heapq.heappop(heap)
        yield sign * item[0], item[1], item[2], item[3]


def page_recordings(t: Tenant, q: Query) -> tuple[list[dict[str, Value]], int]:
    """One page of recording items (times in µs) and the number of matches seen."""
    lo, hi = 0, t.n
    for c in conjuncts(q.node):
        if isinstance(c, Compare) and c.field == "started_at" and isinstance(c.value, int):
            if c.op in ("lt", "le", "eq"):
                hi = min(hi, t.first_at_or_after(c.value + 1))
            if c.op in ("gt", "ge", "eq"):
                lo = max(lo, t.first_at_or_after(c.value - REC_LAG_US))
    first, desc = q.order[0]
    simple = first in ("started_at", "id")

    def item(r: tuple[int, int, int, int]) -> dict[str, Value]:
        start, i, k, end = r
        row = t.row(i)
        return {
            "id": t.recording_id(abs(i), k, start),
            "caller": row.get("caller"),
            "callee": row.get("callee"),
            "started_at": start,
            "ended_at": end,
        }

    def ok(it: dict[str, Value]) -> bool:
        if q.node is not None and not evaluate(q.node, it.get):
            return False
        if q.search:
            texts = [str(it["caller"]), str(it["callee"])]
            return any(term in s for term in q.search for s in texts)
        return True

    def fix(r: tuple[int, int, int, int]) -> tuple[int, int, int, int]:
        return r[0], abs(r[1]), r[2], r[3]

    if simple:
        page, seen = _take((item(fix(r)) for r in rec_stream(t, lo, hi, desc)), ok, q)
    else:
        everything = [it for r in rec_stream(t, lo, hi, False) if ok(it := item(fix(r)))]
        for field, d in reversed(q.order):
            everything.sort(key=_item_key(field), reverse=d)
        seen, page = len(everything), everything[q.skip : q.skip + q.top]
    return page, seen


def _take(items: Iterable[T], ok: Callable[[T], bool], q: Query) -> tuple[list[T], int]:
    """The page ``q.skip``/``q.top`` of the ``items`` that pass ``ok``, and how many passed
    (all of them when ``q.count``; else the walk stops at the end of the page)."""
    page: list[T] = []
    seen = 0
    for it in items:
        if not ok(it):
            continue
        if q.skip <= seen < q.skip + q.top:
            page.append(it)
        seen += 1
        if seen >= q.skip + q.top and not q.count:
            break
    return page, seen


def _int_option(raw: str | None, default: int, name: str) -> int | str:
    """The option as an int, or an error message."""
    if raw is None or raw == "":
        return default
    if not re.fullmatch(r"[+-]?\d{1,10}", raw.strip()):
        return f"{name} must be an integer"
    return int(raw)


def _sort_key(v: Value) -> tuple[int, Any]:
    return (0, 0) if v is None else (1, v)


def _row_key(field: str) -> Callable[[Row], tuple[int, Any]]:
    return lambda r: _sort_key(r.get(field))


def _item_key(field: str) -> Callable[[dict[str, Value]], tuple[int, Any]]:
    return lambda it: _sort_key(it[field])
