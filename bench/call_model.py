"""How to represent ``Call``: cost of building, reading and holding 100k of them, per representation.

Compares ``Call`` as the pydantic model it was before issue 17, built four ways (validated
``Call(**fields)``, public ``model_construct(**fields)``, ``model_construct`` with
``_fields_set``, and the hand-written ``__dict__`` write callscope used), with slotted
dataclasses of the same fields and defaults built through their ``__init__``: frozen, and not
frozen (today's ``Call``). Attribute reads: ten fields of every
call. Memory: ``tracemalloc`` growth while 100k calls that share their field values are held
(so the figure is the per-call container, not the values).

    python bench/call_model.py [--calls 100000] [--repeats 5]
"""

from __future__ import annotations

import dataclasses
import gc
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from _common import fmt_mmm, mmm, parser, print_table, print_versions

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import pydantic  # noqa: E402

from tui.core.model import Call, Direction, Status  # noqa: E402


def _pydantic_model() -> type[pydantic.BaseModel]:
    """``Call`` as the frozen pydantic model it was before issue 17 (same fields and defaults)."""
    specs: dict[str, Any] = {}
    for f in dataclasses.fields(Call):
        if f.default_factory is not dataclasses.MISSING:
            default: Any = pydantic.Field(default_factory=f.default_factory)
        elif f.default is dataclasses.MISSING:
            default = ...
        else:
            default = f.default
        specs[f.name] = (Call.__annotations__[f.name], default)
    config = pydantic.ConfigDict(frozen=True, arbitrary_types_allowed=True, defer_build=True)
    return pydantic.create_model("PydanticCall", __config__=config, **specs)


def _slotted_dataclass(*, frozen: bool) -> type:
    """A slotted dataclass with ``Call``'s fields and defaults (``Call`` itself: not frozen)."""
    specs = [(f.name, Any, f) for f in dataclasses.fields(Call)]
    return dataclasses.make_dataclass("CallDC", specs, frozen=frozen, slots=True)


PydanticCall = _pydantic_model()
CallDC = _slotted_dataclass(frozen=True)
WHEN = datetime(2026, 11, 19, 15, 51, 13, tzinfo=UTC)
PRICE = Decimal("-0.0130")


def fields(n: int) -> dict[str, Any]:
    """Every field of a typical Twilio call, in declaration order (a fresh dict: call_of keeps it)."""
    return {
        "provider": "twilio",
        "account": "prod",
        "id": f"CA{n:032x}",
        "parent_id": None,
        "from_number": "+14155550100",
        "to_number": "+14155550199",
        "from_formatted": "(415) 555-0100",
        "to_formatted": "(415) 555-0199",
        "from_name": None,
        "to_name": None,
        "created_at": WHEN,
        "started_at": WHEN,
        "answered_at": None,
        "ended_at": WHEN,
        "duration": 47,
        "price": PRICE,
        "currency": "USD",
        "direction": Direction.INBOUND,
        "direction_raw": "inbound",
        "status": Status.COMPLETED,
        "status_raw": "completed",
        "answered_by": None,
        "end_reason": None,
        "links": {},
        "extras": {},
        "warnings": (),
        "raw": None,
    }


def _dict_write() -> Callable[[dict[str, Any]], Any]:
    """What ``tui.core.model.call_of`` did before issue 17: the dict becomes ``__dict__``."""
    new, setattr_, names = PydanticCall.__new__, object.__setattr__, set(PydanticCall.model_fields)

    def build(values: dict[str, Any]) -> Any:
        call = new(PydanticCall)
        setattr_(call, "__dict__", values)
        setattr_(call, "__pydantic_fields_set__", names.copy())
        setattr_(call, "__pydantic_extra__", None)
        setattr_(call, "__pydantic_private__", None)
        return call

    return build


def builders() -> dict[str, Callable[[dict[str, Any]], Any]]:
    every = frozenset(PydanticCall.model_fields)
    construct = PydanticCall.model_construct
    dict_write = _dict_write()
    return {
        "pydantic Call(**f) (validated)": lambda f: PydanticCall(**f),
        "pydantic model_construct(**f)": lambda f: construct(**f),
        "pydantic model_construct(set(f), **f)": lambda f: construct(every, **f),
        "pydantic __dict__ write (before)": dict_write,
        "slotted frozen dataclass(**f)": lambda f: CallDC(**f),
        "slotted dataclass, not frozen (**f): Call": lambda f: Call(**f),
    }


def time_build(build: Callable[[dict[str, Any]], Any], count: int) -> tuple[float, list[Any]]:
    inputs = [fields(n) for n in range(count)]
    gc.collect()
    gc.disable()
    try:
        started = time.perf_counter()
        made = [build(f) for f in inputs]
        return time.perf_counter() - started, made
    finally:
        gc.enable()


def time_read(calls: list[Any]) -> float:
    started = time.perf_counter()
    for c in calls:
        _ = (c.id, c.from_number, c.to_number, c.started_at, c.created_at, c.duration, c.price,
         c.status, c.direction, c.currency)  # fmt: skip
    return time.perf_counter() - started


def memory_per_call(build: Callable[[dict[str, Any]], Any], count: int) -> float:
    shared = fields(0)
    inputs = [dict(shared) for _ in range(count)]
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    made = [build(f) for f in inputs]
    del inputs  # what the representation keeps: a dict-backed model keeps its input dict
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del made
    return (after - before) / count


def main() -> int:
    p = parser(__doc__ or "")
    p.add_argument("--calls", type=int, default=100_000)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    count = 20_000 if args.quick else args.calls
    print(f"call_model: {count:,} calls per run, {args.repeats} runs")
    print_versions()
    rows = []
    for name, build in builders().items():
        sample = build(fields(1))
        assert sample.id == fields(1)["id"] and sample.price == PRICE, name
        builds, reads = [], []
        for _ in range(args.repeats):
            elapsed, made = time_build(build, count)
            builds.append(elapsed)
            reads.append(time_read(made))
            del made
        per_build = mmm(builds)[1] / count * 1e6
        per_read = mmm(reads)[1] / count * 1e9 / 10
        memory = memory_per_call(build, min(count, 50_000))
        rows.append(
            (
                name,
                fmt_mmm(builds, "s", 1.0, 3),
                f"{per_build:.2f} µs",
                f"{per_read:.0f} ns",
                f"{memory:.0f} B",
            )
        )
        print(f"  {name}: build {per_build:.2f} µs, read {per_read:.0f} ns, {memory:.0f} B")
    print_table(
        ("representation", "build min / median / max", "build/call", "read/field", "memory/call"),
        rows,
        title=f"{count:,} calls (27 fields); memory: shared values, container only",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
