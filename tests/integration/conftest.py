"""Integration fixtures: one emulator on loopback, adapters wired to it, and ground truth.

The ground truth of each provider is computed from the emulator's *dataset* (plus the provider's
id mapping and, for Fone Dynamics and PortSIP, the emulator's documented record view), never from
an adapter: each helper returns :class:`Truth` rows in the order the provider lists them, with the
facts a filter looks at already in normalized terms (status per providers.md §7.1, the instant a
call is filtered by, the provider extras by their query key).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from tui.core.account import Account
from tui.core.filter import CallFilter
from tui.core.http import RetryPolicy
from tui.core.model import Call, Status
from tui.core.pager import CallPager
from tui.core.plan import Plan
from tui.core.walk import Walker
from tui.emulator import Emulator, EmulatorConfig, EmulatorThread
from tui.emulator.dataset import ENDED_STATUSES
from tui.emulator.exotel import ExotelAPI, national
from tui.emulator.fonedynamics import FoneDynamicsAPI
from tui.emulator.portsip import PortSipAPI
from tui.providers import adapter_for
from tui.providers.base import Adapter

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CALLS = 420  # per account: ~5 calls a day over the dataset's 90 days
PROVIDERS = ("twilio", "signalwire", "exotel", "fonedynamics", "portsip")
# Several pages per walk, different sizes so page boundaries fall in different places.
PAGE_SIZE = {"twilio": 53, "signalwire": 61, "exotel": 29, "fonedynamics": 67, "portsip": 47}
EXOTEL_DEFAULT_DAYS = 31  # providers.md §5.3: no DateCreated = the last 31 days

# Results of the fault tests, printed as a matrix at the end of the run.
FAULT_OUTCOMES: dict[tuple[str, str], str] = {}


# -- the emulator and adapters ---------------------------------------------------------------


@pytest.fixture(scope="session")
def emu() -> Iterator[Emulator]:
    """One emulator for the whole integration run, on its own thread (any test loop can use it)."""
    thread = EmulatorThread(EmulatorConfig(calls=CALLS, now=NOW))
    emulator = thread.start()
    try:
        yield emulator
    finally:
        thread.stop()
    assert emulator.errors == [], emulator.errors[0]


@pytest.fixture(autouse=True)
def _clean_faults(emu: Emulator) -> Iterator[None]:
    emu.faults.clear()
    yield
    emu.faults.clear()


def account_of(emu: Emulator, provider: str, page_size: int | None = None) -> Account:
    a = emu.account(provider)
    zone = ExotelAPI.zone if provider == "exotel" else "UTC"
    return Account(
        name=f"it-{provider}",
        provider=provider,
        label=a.label,
        base_url=a.base_url,
        account=a.account,
        username=a.username,
        password=SecretStr(a.password),
        zone=zone,
        page_size=page_size,
    )


async def _no_sleep(seconds: float) -> None:
    return None


FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01, budget=5.0, jitter=0.0)


def make_adapter(emu: Emulator, provider: str, **kw: Any) -> Adapter:
    kw.setdefault("retry", FAST_RETRY)
    kw.setdefault("sleep", _no_sleep)
    return adapter_for(account_of(emu, provider, PAGE_SIZE[provider]), **kw)


@pytest.fixture
async def adapters(emu: Emulator) -> AsyncIterator[dict[str, Adapter]]:
    made: dict[str, Adapter] = {}

    class Lazy(dict[str, Adapter]):
        def __missing__(self, provider: str) -> Adapter:
            made[provider] = self[provider] = make_adapter(emu, provider)
            return made[provider]

    yield Lazy()
    for adapter in made.values():
        await adapter.aclose()


# -- walking ---------------------------------------------------------------------------------


def predicate_of(plan: Plan) -> Callable[[Call], bool] | None:
    if plan.local.is_empty:
        return None
    local = plan.local
    return lambda call: local.matches(call, NOW)


async def walk(adapter: Adapter, flt: CallFilter, page_size: int | None = None) -> list[Call]:
    """Every call of ``flt`` through :class:`Walker` (the CLI's streaming path)."""
    source, plan = adapter.source(flt, now=NOW, page_size=page_size)
    out: list[Call] = []
    async for admitted in Walker(source, predicate_of(plan), adapter.title).pages():
        out.extend(admitted.rows)
    return out


async def walk_pager(adapter: Adapter, flt: CallFilter, page_size: int | None = None) -> list[Call]:
    """Every call of ``flt`` through :class:`CallPager.ensure` (the table's path), with a tiny
    page cache so evicted pages are fetched again by their cursors."""
    source, plan = adapter.source(flt, now=NOW, page_size=page_size)
    pager = CallPager(source, predicate=predicate_of(plan), provider=adapter.title, cache_pages=2)
    out: list[Call] = []
    while (call := await pager.ensure(len(out))) is not None:
        out.append(call)
        assert len(out) < 100_000, "the pager never ended"
    # read the first rows again: their pages were evicted and must come back identical
    for index in range(min(3, len(out))):
        again = await pager.ensure(index)
        assert again is not None and again.id == out[index].id
    return out


# -- ground truth ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """One call as the provider should list it, in normalized terms (from the dataset)."""

    id: str
    status: Status
    from_: str | None
    to: str | None
    time: datetime  # what callscope sorts and filters by: start, else creation
    parent: str | None = None
    extras: Mapping[str, str] = field(default_factory=dict)  # by query key (exophone, trunk …)
    recordings: int = 0
    index: int = -1  # the dataset index (for finding related calls)


def utc(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def truth_laml(emu: Emulator, provider: str) -> list[Truth]:
    """Twilio and SignalWire: every call, newest first (SignalWire has no ``no-answer``)."""
    a = emu.account(provider)
    sids = emu.api(provider).sids[a.account]  # type: ignore[attr-defined]
    out = []
    for c in emu.dataset.calls(a.key):
        status = c.status
        if provider == "signalwire" and status == "no-answer":
            status = "canceled"  # providers.md §4.4: no no-answer in SignalWire's enum
        out.append(
            Truth(
                id=sids.call(c.index),
                status=Status(status),
                from_=c.from_,
                to=c.to,
                time=utc(c.start if c.start is not None else c.created),
                parent=None if c.parent_index is None else sids.call(c.parent_index),
                recordings=c.recordings,
                index=c.index,
            )
        )
    return out


def truth_exotel(emu: Emulator) -> list[Truth]:
    """Exotel: finished calls only, newest first by DateCreated; numbers in national format;
    every retained call (the 31-day default window is the filter's business)."""
    a = emu.account("exotel")
    api = emu.api("exotel")
    assert isinstance(api, ExotelAPI)
    spec = api.by_account[a.account]
    ds = emu.dataset
    out = []
    for c in ds.calls(a.key):
        if c.status not in ENDED_STATUSES:
            continue
        if c.is_child:
            parent = ds.call(a.key, c.index - 1)
            exophone = parent.to if parent.direction == "inbound" else parent.from_
        else:
            exophone = c.to if c.direction == "inbound" else c.from_
        out.append(
            Truth(
                id=api.call_sid(spec, c.index),
                status=Status(c.status),
                from_=national(c.from_),
                to=national(c.to),
                time=utc(c.start if c.start is not None else c.created),
                parent=api.call_sid(spec, c.index - 1) if c.is_child else None,
                extras={"exophone": national(exophone), "created": str(c.created)},
                recordings=c.recordings,
                index=c.index,
            )
        )
    return out


FD_STATUS = {
    "Answered": Status.COMPLETED,
    "IVR": Status.IVR,
    "Busy": Status.BUSY,
    "NoAnswer": Status.NO_ANSWER,
    "Failed": Status.FAILED,
}


def truth_fonedynamics(emu: Emulator) -> list[Truth]:
    """Fone Dynamics: finished calls, oldest first, as :class:`FoneView` renders them."""
    a = emu.account("fonedynamics")
    api = emu.api("fonedynamics")
    assert isinstance(api, FoneDynamicsAPI)
    spec = next(s for s in api.ctx.accounts if s.account == a.account)
    view = api.views[a.account]
    out = []
    for i in range(view.finished()):
        rec = api.render(spec, i)
        extras = {
            "source": rec.get("Attribution_Source", ""),
            "medium": rec.get("Attribution_Medium", ""),
            "campaign": rec.get("Attribution_Campaign", ""),
            "endpoint": rec.get("Endpoint", ""),
            "keys": rec.get("Prompts_Keys", ""),
            "unique": "repeat" if view.is_repeat(i) else "unique",
        }
        out.append(
            Truth(
                id=rec["CallSid"],
                status=FD_STATUS[rec["Disposition"]],
                from_=rec["From"],
                to=rec["To"],
                time=utc(int(rec["DateStart"])),
                extras=extras,
                recordings=1 if "Recording_Uri" in rec else 0,
                index=i,
            )
        )
    return out


def portsip_status(row: Mapping[str, Any]) -> Status:
    """providers.md §7.1 (every listed call log has ended)."""
    if row.get("answered_at") or (row.get("duration") or 0) > 0:
        return Status.COMPLETED
    code = row.get("status_code")
    if row.get("end_reason") == "CANCELLED" or code == 487:
        return Status.CANCELED
    if code in (486, 600):
        return Status.BUSY
    if code in (408, 480):
        return Status.NO_ANSWER
    return Status.FAILED


def truth_portsip(emu: Emulator) -> list[Truth]:
    """PortSIP: every ended call's log, newest first by ``started_at``."""
    a = emu.account("portsip")
    api = emu.api("portsip")
    assert isinstance(api, PortSipAPI)
    t = api.tenants[a.account]
    keys = ("id", "caller", "callee", "started_at", "answered_at", "duration", "status_code")
    out = []
    for i in range(t.n - 1, -1, -1):
        row = t.row(i).render([*keys, "end_reason", "trunk", "session_id"])
        started = datetime.fromisoformat(str(row["started_at"]).replace("Z", "+00:00"))
        out.append(
            Truth(
                id=str(row["id"]),
                status=portsip_status(row),
                from_=str(row["caller"]),
                to=str(row["callee"]),
                time=started,
                extras={
                    "trunk": str(row.get("trunk") or ""),
                    "reason": str(row.get("end_reason") or ""),
                    "session": str(row["session_id"]),
                },
                recordings=len(t.recordings(i)),
                index=i,
            )
        )
    return out


_TRUTH_CACHE: dict[str, list[Truth]] = {}


def truth(emu: Emulator, provider: str) -> list[Truth]:
    """The provider's full listing, in its order (cached: the dataset is fixed)."""
    if provider not in _TRUTH_CACHE:
        if provider in ("twilio", "signalwire"):
            _TRUTH_CACHE[provider] = truth_laml(emu, provider)
        elif provider == "exotel":
            _TRUTH_CACHE[provider] = truth_exotel(emu)
        elif provider == "fonedynamics":
            _TRUTH_CACHE[provider] = truth_fonedynamics(emu)
        else:
            _TRUTH_CACHE[provider] = truth_portsip(emu)
    return _TRUTH_CACHE[provider]


def exotel_default_window(row: Truth) -> bool:
    created = int(row.extras["created"])
    return NOW - timedelta(days=EXOTEL_DEFAULT_DAYS) <= utc(created) <= NOW


# -- the fault matrix ------------------------------------------------------------------------


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not FAULT_OUTCOMES:
        return
    kinds = list(dict.fromkeys(kind for _, kind in FAULT_OUTCOMES))
    providers = [p for p in PROVIDERS if any(p == q for q, _ in FAULT_OUTCOMES)]
    width = max(len(k) for k in kinds) + 2
    cols = [max(len(p), *(len(FAULT_OUTCOMES.get((p, k), "")) for k in kinds)) for p in providers]
    tr = terminalreporter
    tr.section("fault matrix (provider × injected fault → outcome)")
    tr.write_line(
        "fault".ljust(width) + "  ".join(p.ljust(w) for p, w in zip(providers, cols, strict=True))
    )
    for kind in kinds:
        cells = [
            FAULT_OUTCOMES.get((p, kind), "-").ljust(w)
            for p, w in zip(providers, cols, strict=True)
        ]
        tr.write_line(kind.ljust(width) + "  ".join(cells))


def short_timeout() -> httpx.Timeout:
    return httpx.Timeout(0.5)
