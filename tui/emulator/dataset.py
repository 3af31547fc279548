"""The emulator's call dataset: provider-neutral call records that cost no memory.

Every call is a pure function of ``(seed, account key, index)``. Index order is time order
(index 0 is the oldest call), and a call's start time is computable in O(1) and monotone in the
index, so a time range maps to an index range by binary search. The fields that filters look at
(status, start, parties, parent) come from cheap integer hashes; the record with all its extras is
only built for the calls that end up on a page. Tests read the same functions as ground truth
through :meth:`Dataset.calls`, :meth:`Dataset.query` and :meth:`Dataset.call`.
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from .dataset_records import (
    ANSWERED_BY,
    CAMPAIGNS,
    CONTENTS,
    END_REASONS,
    FAILED_SIP,
    MEDIUMS,
    NAMES,
    SIP_BY_STATUS,
    SOURCES,
    TRAFFIC,
    TRUNKS,
    draw_extras,
    hostile_text,
)
from .dataset_records import CallRecord as CallRecord  # re-exported: the record type
from .dataset_records import Core as Core  # re-exported: the O(1) columns
from .ids import MASK64, mix64, stable_hash

DEFAULT_NOW = datetime(2026, 11, 20, 12, 0, 0, tzinfo=UTC)
WINDOW_DAYS = 90
MAX_DURATION = 4 * 3600  # cap of the heavy tail; EndTime filters rely on it to bound a scan

ENDED_STATUSES = ("completed", "busy", "no-answer", "failed", "canceled")
LIVE_STATUSES = ("ringing", "in-progress", "queued")
STATUSES = ENDED_STATUSES + LIVE_STATUSES

# Cumulative thresholds out of 256 for ended calls: 72 % completed, 10 % no-answer, 7 % busy,
# 5 % failed, 6 % canceled. Every common status keeps >= 5 % density, so a filtered page is found
# by an early-exit scan of a few thousand indexes at most.
_STATUS_TABLE: tuple[tuple[int, str], ...] = (
    (184, "completed"),
    (210, "no-answer"),
    (228, "busy"),
    (241, "failed"),
    (256, "canceled"),
)
_CHILD_RATE = 22  # of 256: share of indexes that are candidate child legs
# The ended status of a non-parent call by its hash's low byte (the table above, unrolled).
_STATUS_BY_BYTE: tuple[str, ...] = tuple(
    next(name for limit, name in _STATUS_TABLE if r < limit) for r in range(256)
)

# (ISO country, dial prefix, national digits, per-minute USD rate)
_COUNTRIES: tuple[tuple[str, str, int, str], ...] = (
    ("US", "+1", 10, "0.0130"),
    ("US", "+1", 10, "0.0130"),
    ("US", "+1", 10, "0.0130"),
    ("GB", "+44", 10, "0.0200"),
    ("AU", "+61", 9, "0.0250"),
    ("IN", "+91", 10, "0.0400"),
    ("DE", "+49", 10, "0.0220"),
    ("FR", "+33", 9, "0.0210"),
    ("BR", "+55", 11, "0.0350"),
    ("JP", "+81", 10, "0.0600"),
)
_EXTERNAL_POOL = 1500
_AGENTS = (
    "sip:alice@pbx.example.com",
    "sip:bob@pbx.example.com",
    "sip:carol@pbx.example.com;transport=tls",
    "client:dave",
    "client:erin",
    "+14155550111",
    "+442071838750",
    "sip:+61291234567@trunk.example.net",
)


class _Account:
    """Per-account constants, computed once: its hash, size and own numbers."""

    __slots__ = ("home", "key", "kh", "live_from", "n", "own")

    def __init__(self, dataset: Dataset, key: str, n: int, home: str) -> None:
        self.key = key
        self.n = n
        self.home = home
        self.kh = stable_hash(dataset.seed, key)
        self.live_from = n - min(8, n // 50)  # the newest few calls are still live
        country = next((c for c in _COUNTRIES if c[0] == home), _COUNTRIES[0])
        self.own = tuple(_number(country, mix64(self.kh ^ (0xD1D0 + j))) for j in range(4))


def _number(country: tuple[str, str, int, str], h: int) -> str:
    _, prefix, digits, _ = country
    national = str(2 * 10 ** (digits - 1) + h % (7 * 10 ** (digits - 1)))
    return prefix + national


class Dataset:
    """Deterministic calls for any number of accounts (keyed by a string, e.g. ``"twilio:0"``)."""

    def __init__(
        self,
        seed: int = 1,
        calls: int = 500,
        now: datetime = DEFAULT_NOW,
        hostile: bool = False,
    ) -> None:
        self.seed = seed
        self.default_calls = calls
        self.now = int(now.timestamp())
        self.hostile = hostile
        self._accounts: dict[str, _Account] = {}
        self._window_start = self.now - WINDOW_DAYS * 86400
        self._cum, self._weights = self._hour_weights()
        self._external = self._external_pool()
        # Per-minute rates in units of 0.00001 USD: prices become integer arithmetic.
        self._rate_units = {r: int(Decimal(r).scaleb(5)) for _, _, r in self._external}

    # -- accounts -------------------------------------------------------------------------
    def add_account(self, key: str, calls: int | None = None, home: str = "US") -> None:
        """Declare an account; ``home`` is the ISO country of its own numbers."""
        self._accounts[key] = _Account(
            self, key, self.default_calls if calls is None else calls, home
        )

    def _acc(self, key: str) -> _Account:
        acc = self._accounts.get(key)
        if acc is None:
            self.add_account(key)
            acc = self._accounts[key]
        return acc

    def count(self, key: str) -> int:
        return self._acc(key).n

    def live_from(self, key: str) -> int:
        """First index of the live tail (ringing / in-progress / queued calls)."""
        return self._acc(key).live_from

    # -- time layout ----------------------------------------------------------------------
    def _hour_weights(self) -> tuple[list[float], list[float]]:
        """Cumulative weight per hour of the window: business-hour peaks, quieter weekends."""
        weights: list[float] = []
        for b in range(WINDOW_DAYS * 24):
            t = datetime.fromtimestamp(self._window_start + b * 3600, UTC)
            h = t.hour
            w = 10.0 if 9 <= h < 17 else 4.0 if 7 <= h < 20 else 1.0
            if t.weekday() >= 5:
                w *= 0.35
            weights.append(w)
        cum = [0.0]
        for w in weights:
            cum.append(cum[-1] + w)
        return cum, weights

    def _slot(self, acc: _Account, i: int, h: int) -> int:
        # (i + u) / n is strictly increasing in i for u in [0, 1), so slots are monotone.
        u = ((h >> 16) & 0xFFFF) / 65536.0
        target = (i + u) / acc.n * self._cum[-1]
        b = bisect.bisect_right(self._cum, target) - 1
        b = min(b, len(self._weights) - 1)
        frac = (target - self._cum[b]) / self._weights[b]
        return self._window_start + b * 3600 + int(frac * 3600)

    # -- cheap columns (O(1) each) ------------------------------------------------------------
    def _h(self, acc: _Account, i: int) -> int:
        return mix64(acc.kh + i)

    def _cand(self, acc: _Account, i: int) -> bool:
        return ((self._h(acc, i) >> 8) & 0xFF) < _CHILD_RATE

    def is_child(self, key: str, i: int) -> bool:
        acc = self._acc(key)
        return self._is_child(acc, i)

    def _is_child(self, acc: _Account, i: int) -> bool:
        # A child needs a non-candidate predecessor, so children never chain; live calls are
        # never legs, which keeps the live tail simple.
        return 0 < i < acc.live_from - 1 and self._cand(acc, i) and not self._cand(acc, i - 1)

    def parent_of(self, key: str, i: int) -> int | None:
        return i - 1 if self.is_child(key, i) else None

    def children_of(self, key: str, i: int) -> list[int]:
        acc = self._acc(key)
        return [i + 1] if i + 1 < acc.n and self._is_child(acc, i + 1) else []

    def status(self, key: str, i: int) -> str:
        return self._status(self._acc(key), i)

    def _status(self, acc: _Account, i: int) -> str:
        h = self._h(acc, i)
        if i >= acc.live_from:
            return LIVE_STATUSES[h % 3]
        if i + 1 < acc.n and self._is_child(acc, i + 1):
            return "completed"  # a parent leg was answered: it dialled the child
        r = h & 0xFF
        for limit, name in _STATUS_TABLE:
            if r < limit:
                return name
        return "completed"  # unreachable: the table ends at 256

    def _ring(self, h: int) -> int:
        return 2 + (h >> 24) % 20

    def start(self, key: str, i: int) -> int | None:
        return self._start(self._acc(key), i)

    def _start(self, acc: _Account, i: int) -> int | None:
        h = self._h(acc, i)
        if i >= acc.live_from and h % 3 == 2:  # queued: not dialled yet
            return None
        slot = self._slot(acc, i, h)
        if self._is_child(acc, i):
            ph = self._h(acc, i - 1)
            # Dialled right after the parent was answered, but never later than its own slot,
            # so start times stay monotone in the index.
            return min(self._slot(acc, i - 1, ph) + self._ring(ph) + 1, slot)
        return slot

    def slot(self, key: str, i: int) -> int:
        """Call ``i``'s place in time: ``start(i) <= slot(i)`` (equal unless a child leg), and
        slots, like start times, never decrease with the index. One hash, no neighbours."""
        acc = self._acc(key)
        return self._slot(acc, i, self._h(acc, i))

    def sort_time(self, key: str, i: int) -> int:
        """Monotone in ``i``: the start time, or the creation time of a queued call."""
        acc = self._acc(key)
        s = self._start(acc, i)
        return self._slot(acc, i, self._h(acc, i)) if s is None else s

    def _duration(self, acc: _Account, i: int, status: str) -> int | None:
        if status in LIVE_STATUSES:
            return None
        if status != "completed":
            return 0
        h2 = mix64(self._h(acc, i) ^ 0xD00D)
        u = ((h2 & 0xFFFFF) + 1) / float(1 << 20)
        return min(MAX_DURATION, int(6 / u ** (1 / 1.2)))  # Pareto: many short, a few long calls

    def end(self, key: str, i: int) -> int | None:
        acc = self._acc(key)
        status = self._status(acc, i)
        start = self._start(acc, i)
        if start is None or status in LIVE_STATUSES:
            return None
        ring = self._ring(self._h(acc, i))
        return start + ring + (self._duration(acc, i, status) or 0)

    def _direction(self, acc: _Account, i: int) -> str:
        if self._is_child(acc, i):
            return "outbound"
        if i + 1 < acc.n and self._is_child(acc, i + 1):
            return "inbound"
        return "inbound" if (self._h(acc, i) >> 56) % 100 < 65 else "outbound"

    def _ext(self, acc: _Account, i: int) -> int:
        return (self._h(acc, i) >> 40) % _EXTERNAL_POOL

    def parties(self, key: str, i: int) -> tuple[str, str]:
        """``(from, to)`` of call ``i`` — cheap, for number filters."""
        return self._parties(self._acc(key), i)

    def _parties(self, acc: _Account, i: int) -> tuple[str, str]:
        h = self._h(acc, i)
        own = acc.own[(h >> 52) % len(acc.own)]
        if self._is_child(acc, i):
            caller = self._external[self._ext(acc, i - 1)][0]
            return caller, _AGENTS[(h >> 44) % len(_AGENTS)]
        ext = self._external[self._ext(acc, i)][0]
        if self._direction(acc, i) == "inbound":
            return ext, own
        return own, ext

    def recording_count(self, key: str, i: int) -> int:
        acc = self._acc(key)
        return self._recordings(acc, i, self._status(acc, i))

    def _recordings(self, acc: _Account, i: int, status: str) -> int:
        if status != "completed":
            return 0
        h3 = mix64(self._h(acc, i) ^ 0x5EC0)
        if h3 % 100 >= 40:
            return 0
        return 2 if (h3 >> 8) % 10 == 0 else 1

    def _external_pool(self) -> list[tuple[str, str, str]]:
        """``(address, ISO country, USD per minute)`` for the remote parties."""
        pool: list[tuple[str, str, str]] = []
        for j in range(_EXTERNAL_POOL):
            h = mix64(stable_hash(self.seed, "ext") + j)
            if j % 97 == 13:
                pool.append((f"sip:user{j}@voip.example.org", "", "0.0040"))
                continue
            if j % 89 == 7:
                pool.append((f"client:web{j}", "", "0.0040"))
                continue
            country = _COUNTRIES[h % len(_COUNTRIES)]
            pool.append((_number(country, h >> 8), country[0], country[3]))
        return pool

    # -- all cheap columns at once ----------------------------------------------------------------
    def core(self, key: str, i: int) -> Core:
        """Every O(1) column of call ``i`` (0 <= i < count), each hash computed once."""
        acc = self._acc(key)
        if not 0 <= i < acc.n:
            raise IndexError(i)
        return self._core(acc, i)

    def cores(self, key: str, indexes: list[int] | range) -> list[Core]:
        """:meth:`core` of many calls (a page)."""
        acc = self._acc(key)
        n = acc.n
        for i in (indexes[0], indexes[-1]) if len(indexes) else ():
            if not 0 <= i < n:
                raise IndexError(i)
        core = self._core
        return [core(acc, i) for i in indexes]

    def _core(self, acc: _Account, i: int) -> Core:
        # The same arithmetic as the one-column methods above (_status, _start, _duration,
        # _direction, _parties, _recordings), with mix64 inlined and every hash shared: list
        # pages call this once per row, so it is the emulator's hottest code.
        kh, n, live_from = acc.kh, acc.n, acc.live_from
        x = (kh + i + 0x9E3779B97F4A7C15) & MASK64
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & MASK64
        h = x ^ (x >> 31)
        cand = ((h >> 8) & 0xFF) < _CHILD_RATE
        hp = 0
        child = False
        if cand and 0 < i < live_from - 1:
            hp = mix64(kh + i - 1)
            child = ((hp >> 8) & 0xFF) >= _CHILD_RATE
        has_child = False
        if not cand and 0 < i + 1 < live_from - 1 and i + 1 < n:
            hn = mix64(kh + i + 1)
            has_child = ((hn >> 8) & 0xFF) < _CHILD_RATE
        live = i >= live_from
        if live:
            status = LIVE_STATUSES[h % 3]
        elif has_child:
            status = "completed"
        else:
            status = _STATUS_BY_BYTE[h & 0xFF]
        ring = 2 + (h >> 24) % 20
        slot = self._slot(acc, i, h)
        start: int | None
        if live and h % 3 == 2:
            start = None
        elif child:
            start = min(self._slot(acc, i - 1, hp) + 2 + (hp >> 24) % 20 + 1, slot)
        else:
            start = slot
        duration: int | None = None
        if live:
            pass
        elif status != "completed":
            duration = 0
        else:
            u = ((mix64(h ^ 0xD00D) & 0xFFFFF) + 1) / float(1 << 20)
            duration = min(MAX_DURATION, int(6 / u ** (1 / 1.2)))
        end = None if start is None or live else start + ring + (duration or 0)
        answer = (
            start + ring if start is not None and status in ("completed", "in-progress") else None
        )
        if child:
            direction = "outbound"
        elif has_child:
            direction = "inbound"
        else:
            direction = "inbound" if (h >> 56) % 100 < 65 else "outbound"
        own = acc.own[(h >> 52) % len(acc.own)]
        if child:
            remote = self._external[(hp >> 40) % _EXTERNAL_POOL]
            from_, to, country = remote[0], _AGENTS[(h >> 44) % len(_AGENTS)], ""
        else:
            remote = self._external[(h >> 40) % _EXTERNAL_POOL]
            country = remote[1]
            from_, to = (remote[0], own) if direction == "inbound" else (own, remote[0])
        price_units = None
        recordings = 0
        if status == "completed" and duration is not None:
            price_units = self._rate_units[remote[2]] * max(1, -(-duration // 60))
            h3 = mix64(h ^ 0x5EC0)
            if h3 % 100 < 40:
                recordings = 2 if (h3 >> 8) % 10 == 0 else 1
        return Core(
            i,
            h,
            child,
            has_child,
            status,
            slot if start is None else start,
            start,
            answer,
            end,
            duration,
            ring,
            direction,
            from_,
            to,
            country,
            price_units,
            recordings,
        )

    def extras(self, c: Core, sip: bool = False) -> tuple[str | None, str | None, int]:
        """``(caller_name, answered_by, sip_status)`` of a call, as :meth:`call` has them
        (:func:`~tui.emulator.dataset_records.draw_extras`; ``sip=False`` skips a failed call's
        SIP code, which only SignalWire shows)."""
        return draw_extras(c, self.hostile, sip)

    # -- full records ---------------------------------------------------------------------------
    def call(self, key: str, i: int) -> CallRecord:
        """The complete record of call ``i`` of account ``key`` (0 <= i < count)."""
        return _build(self, key, i)

    def calls(self, key: str, newest_first: bool = True) -> Iterator[CallRecord]:
        n = self.count(key)
        order = range(n - 1, -1, -1) if newest_first else range(n)
        for i in order:
            yield self.call(key, i)

    def query(
        self, key: str, predicate: Callable[[CallRecord], bool], newest_first: bool = True
    ) -> list[CallRecord]:
        """Ground truth for tests: every record matching ``predicate``, in the chosen order."""
        return [c for c in self.calls(key, newest_first) if predicate(c)]

    def first_index_at_or_after(self, key: str, t: int) -> int:
        """Smallest index whose :meth:`sort_time` is >= ``t`` (binary search; ``count`` if none)."""
        lo, hi = 0, self.count(key)
        while lo < hi:
            mid = (lo + hi) // 2
            if self.sort_time(key, mid) < t:
                lo = mid + 1
            else:
                hi = mid
        return lo


def _build(ds: Dataset, key: str, i: int) -> CallRecord:
    """The complete record of call ``i`` of account ``key``: the cheap columns plus its draws."""
    acc = ds._acc(key)
    if not 0 <= i < acc.n:
        raise IndexError(i)
    h = ds._h(acc, i)
    rng = random.Random(h)
    status = ds._status(acc, i)
    start = ds._start(acc, i)
    slot = ds._slot(acc, i, h)
    ring = ds._ring(h)
    duration = ds._duration(acc, i, status)
    answered = status in ("completed", "in-progress") and start is not None
    answer = start + ring if answered and start is not None else None
    end = ds.end(key, i)
    direction = ds._direction(acc, i)
    from_, to = ds._parties(acc, i)
    child = ds._is_child(acc, i)
    remote_ext = ds._external[ds._ext(acc, i - 1 if child else i)]
    country = "" if child else remote_ext[1]
    price: Decimal | None = None
    if status == "completed" and duration is not None:
        minutes = max(1, -(-duration // 60))
        price = (Decimal(remote_ext[2]) * minutes).quantize(Decimal("0.00001"))
    caller_name = rng.choice(NAMES) if direction == "inbound" and rng.random() < 0.4 else None
    hostile = ds.hostile and i % 10 == 7
    if hostile:
        caller_name = hostile_text(i)
    answered_by = None
    if direction == "outbound" and not child and status == "completed":
        answered_by = rng.choice(ANSWERED_BY)
    failed_sip = rng.choice(FAILED_SIP)  # drawn for every call: later draws depend on it
    sip = failed_sip if status == "failed" else SIP_BY_STATUS.get(status, 0)
    ivr = rng.choice(("", "1", "2", "1,2", "3,1", "9"))
    return CallRecord(
        account=key,
        index=i,
        parent_index=i - 1 if child else None,
        created=start if start is not None else slot,
        start=start,
        answer=answer,
        end=end,
        duration=duration,
        ring=ring,
        status=status,
        direction=direction,
        from_=from_,
        to=to,
        caller_name=caller_name,
        country=country,
        price=price,
        price_unit="USD",
        recordings=ds._recordings(acc, i, status),
        answered_by=answered_by,
        is_child=child,
        attribution_source=rng.choice(SOURCES),
        attribution_medium=rng.choice(MEDIUMS),
        attribution_campaign=hostile_text(i) if hostile else rng.choice(CAMPAIGNS),
        attribution_content=rng.choice(CONTENTS),
        traffic_type=rng.choice(TRAFFIC),
        ivr_keys=ivr,
        repeat_caller=rng.random() < 0.3,
        endpoint=acc.own[(h >> 20) % len(acc.own)],
        property_index=(h >> 36) % 3,
        trunk=rng.choice(TRUNKS),
        extension=str(101 + (h >> 30) % 20),
        did=to if direction == "inbound" else from_,
        end_reason="CANCELLED" if status == "canceled" else rng.choice(END_REASONS),
        reroute_reason="TRANSFER" if rng.random() < 0.05 else "",
        sip_status=sip,
        exophone=acc.own[0],
        legs=(status,) if not child else (status, "completed"),
    )


def utc(ts: int) -> datetime:
    """Epoch seconds to an aware UTC datetime."""
    return datetime.fromtimestamp(ts, UTC)


def day_bounds(ts: int) -> tuple[int, int]:
    """The UTC calendar day containing ``ts`` as ``[start, end)`` epoch seconds."""
    d = utc(ts).replace(hour=0, minute=0, second=0, microsecond=0)
    return int(d.timestamp()), int((d + timedelta(days=1)).timestamp())
