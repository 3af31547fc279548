"""``CallFilter``: the one filter every provider, the sidebar, the query line and the CLI share.

A filter is an immutable value. ``tui.core.query`` parses it from and prints it to the one-line
query language; adapters split it into what the provider can do and a residual that
:meth:`CallFilter.matches` applies locally to every page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from tui.core import registry
from tui.core.model import Call, Direction, Status
from tui.core.registry import ExtraField

_RELATIVE = re.compile(r"^-?(\d{1,7})([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_KEYWORDS = ("now", "today", "yesterday")
_NUMBER_NOISE = re.compile(r"[\s().\-]")


@dataclass(frozen=True, order=True)
class NumberPattern:
    """A phone number or address, matched exactly or (with a trailing ``*``) as a prefix."""

    value: str
    prefix: bool = False

    def __str__(self) -> str:
        return self.value + ("*" if self.prefix else "")

    @classmethod
    def parse(cls, text: str) -> NumberPattern:
        if text.endswith("*"):
            return cls(text[:-1], True)
        return cls(text, False)

    def matches(self, number: str | None) -> bool:
        if number is None:
            return False
        want = canonical_number(self.value)
        have = canonical_number(number)
        return have.startswith(want) if self.prefix else have == want


def canonical_number(text: str) -> str:
    """Compare numbers without formatting noise: ``(415) 555-0100`` ≈ ``4155550100``."""
    if "@" in text or ":" in text:  # sip:/client: addresses compare case-insensitively
        return text.strip().casefold()
    return _NUMBER_NOISE.sub("", text)


@dataclass(frozen=True)
class TimeBound:
    """A point in time as the user wrote it: relative (``-2h``), a keyword, a date or an instant.

    ``text`` is canonical; :meth:`resolve` turns it into an aware datetime for a given ``now``
    (keywords and dates use ``now``'s zone; dates with no zone are read in that zone too).
    """

    text: str

    @classmethod
    def parse(cls, text: str) -> TimeBound:
        """Parse and canonicalize; raises ``ValueError`` with what was expected."""
        raw = text.strip()
        lowered = raw.lower()
        if lowered in _KEYWORDS:
            return cls(lowered)
        match = _RELATIVE.match(lowered)
        if match:
            return cls(f"-{int(match.group(1))}{match.group(2)}")
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
            datetime.strptime(raw, "%Y-%m-%d")  # validates
            return cls(raw)
        try:
            instant = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
        except ValueError:
            raise ValueError(
                "a time: -15m, -2h, -7d, today, yesterday, now, 2026-11-01 or 2026-11-01T10:00Z"
            ) from None
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=UTC)
        instant = instant.astimezone(UTC)
        return cls(instant.strftime("%Y-%m-%dT%H:%M:%S") + _fraction(instant) + "Z")

    @classmethod
    def at(cls, instant: datetime) -> TimeBound:
        return cls.parse(instant.astimezone(UTC).isoformat())

    def resolve(self, now: datetime) -> datetime:
        if self.text == "now":
            return now
        if self.text in ("today", "yesterday"):
            midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
            return midnight - timedelta(days=1) if self.text == "yesterday" else midnight
        match = _RELATIVE.match(self.text)
        if match:
            return now - timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])
        if len(self.text) == 10:
            day = datetime.strptime(self.text, "%Y-%m-%d")
            return day.replace(tzinfo=now.tzinfo or UTC)
        return datetime.fromisoformat(self.text.replace("Z", "+00:00"))

    def __str__(self) -> str:
        return self.text


def _fraction(instant: datetime) -> str:
    return f".{instant.microsecond:06d}".rstrip("0") if instant.microsecond else ""


@dataclass(frozen=True)
class NumRange:
    """A closed or half-open numeric range; ``None`` bounds are open."""

    low: Decimal | None = None
    high: Decimal | None = None
    low_inclusive: bool = True
    high_inclusive: bool = True

    def contains(self, value: Decimal | int | None) -> bool:
        if value is None:
            return False
        if self.low is not None and (
            value < self.low or (value == self.low and not self.low_inclusive)
        ):
            return False
        return not (
            self.high is not None
            and (value > self.high or (value == self.high and not self.high_inclusive))
        )

    def intersect(self, other: NumRange) -> NumRange:
        low, low_inc = self.low, self.low_inclusive
        if other.low is not None and (
            low is None or other.low > low or (other.low == low and not other.low_inclusive)
        ):
            low, low_inc = other.low, other.low_inclusive
        high, high_inc = self.high, self.high_inclusive
        if other.high is not None and (
            high is None or other.high < high or (other.high == high and not other.high_inclusive)
        ):
            high, high_inc = other.high, other.high_inclusive
        return NumRange(low, high, low_inc, high_inc)

    def __post_init__(self) -> None:
        # An open side's inclusivity means nothing; fix it so equal ranges compare equal.
        if self.low is None:
            object.__setattr__(self, "low_inclusive", True)
        if self.high is None:
            object.__setattr__(self, "high_inclusive", True)

    @property
    def is_empty_range(self) -> bool:
        return self.low is None and self.high is None


def extra_fields() -> tuple[ExtraField, ...]:
    """The provider-specific filter fields every registered provider declares."""
    return registry.extra_fields()


def extra_field(key: str) -> ExtraField | None:
    """The provider-specific filter field of query key ``key``, if there is one."""
    return registry.extra_field(key)


def _sorted_unique(values: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(sorted(set(values)))


@dataclass(frozen=True)
class CallFilter:
    """Everything a user can ask of a call list. The empty filter matches every call."""

    statuses: frozenset[Status] = frozenset()
    directions: frozenset[Direction] = frozenset()
    from_numbers: tuple[NumberPattern, ...] = ()
    to_numbers: tuple[NumberPattern, ...] = ()
    since: TimeBound | None = None  # inclusive
    until: TimeBound | None = None  # exclusive
    duration: NumRange | None = None  # seconds
    price: NumRange | None = None  # amount charged (absolute value)
    parent_id: str | None = None
    ids: tuple[str, ...] = ()
    text: tuple[str, ...] = ()  # every term must occur (case-insensitive)
    extras: tuple[tuple[str, tuple[str, ...]], ...] = field(default=())

    def __post_init__(self) -> None:
        # Canonical order makes equal filters compare equal and print identically.
        object.__setattr__(self, "from_numbers", _sorted_unique(self.from_numbers))
        object.__setattr__(self, "to_numbers", _sorted_unique(self.to_numbers))
        object.__setattr__(self, "ids", _sorted_unique(self.ids))
        object.__setattr__(self, "text", _sorted_unique(t for t in self.text if t))
        order = {extra.key: n for n, extra in enumerate(extra_fields())}
        merged: dict[str, set[str]] = {}
        for key, values in self.extras:
            kept = [v for v in values if v]
            if kept:
                merged.setdefault(key, set()).update(kept)
        object.__setattr__(
            self,
            "extras",
            tuple(
                (key, tuple(sorted(merged[key])))
                for key in sorted(merged, key=lambda k: (order.get(k, 99), k))
            ),
        )
        if self.duration is not None and self.duration.is_empty_range:
            object.__setattr__(self, "duration", None)
        if self.price is not None and self.price.is_empty_range:
            object.__setattr__(self, "price", None)

    # -- convenience -----------------------------------------------------------------------

    def extra(self, key: str) -> tuple[str, ...]:
        for name, values in self.extras:
            if name == key:
                return values
        return ()

    def with_extra(self, key: str, values: Iterable[str]) -> CallFilter:
        kept = tuple((k, v) for k, v in self.extras if k != key)
        values = tuple(values)
        return replace(self, extras=kept + (((key, values),) if values else ()))

    def without(self, *names: str) -> CallFilter:
        """A copy with the named fields (dataclass names or extra keys) cleared."""
        changes: dict[str, Any] = {}
        extras = dict(self.extras)
        for name in names:
            if name not in type(self).__dataclass_fields__:
                extras.pop(name, None)
            else:
                changes[name] = type(self).__dataclass_fields__[name].default
                if name in ("statuses", "directions"):
                    changes[name] = frozenset()
        changes["extras"] = tuple(extras.items())
        return replace(self, **changes)

    def only(self, *names: str) -> CallFilter:
        """A copy keeping just the named fields (the rest cleared)."""
        keep = set(names)
        all_names = [n for n in type(self).__dataclass_fields__ if n != "extras"]
        all_names += [k for k, _ in self.extras]
        return self.without(*[n for n in all_names if n not in keep])

    def active_fields(self) -> list[str]:
        """Names of the fields that constrain anything (dataclass names, then extra keys)."""
        names = [
            name
            for name in type(self).__dataclass_fields__
            if name != "extras" and getattr(self, name) not in (None, (), frozenset())
        ]
        return names + [key for key, _ in self.extras]

    @property
    def is_empty(self) -> bool:
        return not self.active_fields()

    @property
    def reads_details(self) -> bool:
        """Whether :meth:`matches` reads ``Call.extras`` (free text, provider-specific keys)."""
        return bool(self.text or self.extras)

    # -- evaluation --------------------------------------------------------------------------

    def matches(self, call: Call, now: datetime | None = None) -> bool:
        """Whether ``call`` satisfies every constraint (evaluated locally, exactly)."""
        if self.statuses and call.status not in self.statuses:
            return False
        if self.directions and call.direction not in self.directions:
            return False
        if self.from_numbers and not any(p.matches(call.from_number) for p in self.from_numbers):
            return False
        if self.to_numbers and not any(p.matches(call.to_number) for p in self.to_numbers):
            return False
        if self.since is not None or self.until is not None:
            moment = call.time
            if moment is None:
                return False
            current = now or datetime.now(UTC)
            if self.since is not None and moment < self.since.resolve(current):
                return False
            if self.until is not None and moment >= self.until.resolve(current):
                return False
        if self.duration is not None and not self.duration.contains(call.duration):
            return False
        if self.price is not None and not self.price.contains(call.cost):
            return False
        if self.parent_id is not None and call.parent_id != self.parent_id:
            return False
        if self.ids and call.id not in self.ids:
            return False
        if self.text:
            haystack = call.search_text()
            if not all(term.casefold() in haystack for term in self.text):
                return False
        return all(_extra_matches(key, values, call) for key, values in self.extras)


def _extra_matches(key: str, values: tuple[str, ...], call: Call) -> bool:
    spec = extra_field(key)
    if spec is None or spec.match == "server":
        return True  # no local evidence (e.g. unique/repeat): the server decides
    if spec.attr:
        have = [getattr(call, spec.attr, None)]
    else:
        have = [call.extras.get(k) for k in spec.extras_keys]
    present = [str(v) for v in have if v is not None and v != ""]
    if spec.match == "path":
        paths = [_keys_path(v) for v in present]
        return any(p is not None and p.startswith(v) for p in paths for v in values)
    if spec.match == "number":
        return any(NumberPattern.parse(v).matches(h) for v in values for h in present)
    wanted = {v.casefold() for v in values}
    return any(h.casefold() in wanted for h in present)


def _keys_path(value: Any) -> str | None:
    """An IVR key list (``"1,2"``) as the query's path form ``1>2``."""
    if value is None or value == "":
        return None
    return ">".join(part.strip() for part in str(value).split(","))
