"""Total normalization helpers: turn untrusted provider values into typed ones, never raising.

Adapters read a raw record through :class:`Fields`; each accessor returns a typed value or
``None`` and records a warning when the value was present but unusable. The parse functions
(``parse_time`` …) raise ``ValueError`` and are what the accessors wrap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime, tzinfo
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar, overload
from urllib.parse import quote

E = TypeVar("E")
T = TypeVar("T")

# Unix seconds beyond this are taken as milliseconds (year 5138 in seconds; 1973 in ms).
_MS_THRESHOLD = 100_000_000_000
_MAX_REPR = 80
# SignalWire writes "Sept"; email.utils only knows three-letter months.
_LONG_MONTHS = re.compile(r"\b(Sept|June|July|March|April)\b")
_MONTH_FIX = {"Sept": "Sep", "June": "Jun", "July": "Jul", "March": "Mar", "April": "Apr"}
_ISO_FRACTION = re.compile(r"(\.\d{1,6})\d*")
_NAIVE_SPACE = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def url_quote(value: str) -> str:
    """``value`` percent-encoded as one URL path segment or query value (nothing kept as is),
    total: a lone surrogate (hostile provider data) is encoded as its UTF-8 bytes instead of
    raising, so a call whose id holds one still gets its links."""
    return quote(value, safe="", errors="surrogatepass")


def short_repr(value: Any) -> str:
    """A bounded, printable repr for warnings (values can be megabytes of hostile text)."""
    text = repr(value)
    return text if len(text) <= _MAX_REPR else text[: _MAX_REPR - 1] + "…"


def parse_time(value: Any, *, zone: tzinfo = UTC) -> datetime | None:
    """Parse any time format a provider sends into an aware UTC datetime.

    Handles RFC 2822 (with SignalWire's ``Sept``), RFC 3339 with or without fractions (any
    number of fraction digits), Unix seconds as int/float/string, and zone-less
    ``YYYY-MM-DD HH:MM:SS`` (Exotel), which is read in ``zone``. ``None`` and ``""`` are
    absent (``None``). Anything else raises ``ValueError``.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a time")
    if isinstance(value, int | float):
        return _from_epoch(float(value))
    if not isinstance(value, str):
        raise ValueError(f"unexpected {type(value).__name__}")
    text = value.strip()
    if not text:
        return None
    if text.lstrip("-").replace(".", "", 1).isdigit():
        return _from_epoch(float(text))
    if text[:4].isdigit() and len(text) >= 10 and text[4] == "-":
        return _parse_iso(text, zone)
    return _parse_rfc2822(text)


def _from_epoch(seconds: float) -> datetime:
    if not math.isfinite(seconds):
        raise ValueError("not a finite number")
    if abs(seconds) >= _MS_THRESHOLD:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError("epoch out of range") from exc


def _parse_iso(text: str, zone: tzinfo) -> datetime:
    dot = text.find(".")
    if dot >= 0 and not (
        # One dot and at most 6 digits after it: cutting the fraction would change nothing.
        text.isascii() and text.find(".", dot + 1) < 0 and not text[dot + 1 : dot + 8].isdigit()
    ):
        text = _ISO_FRACTION.sub(r"\1", text, count=1)
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)  # raises ValueError on garbage
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def _parse_rfc2822(text: str) -> datetime:
    fixed = _LONG_MONTHS.sub(lambda m: _MONTH_FIX[m.group(1)], text)
    try:
        parsed = parsedate_to_datetime(fixed)
    except (TypeError, ValueError, IndexError) as exc:
        raise ValueError("not an RFC 2822 date") from exc
    if parsed is None:
        raise ValueError("not a date")
    if parsed.tzinfo is None:  # "-0000" means UTC with unknown origin zone
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_int(value: Any) -> int | None:
    """Integer from int, integral float or numeric string; ``""``/``None`` → ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value) or value != int(value):
            raise ValueError("not a whole number")
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) > 30:
            raise ValueError("number too long")
        try:
            return int(text)
        except ValueError:
            as_float = float(text)  # "12.0"
            if not math.isfinite(as_float) or as_float != int(as_float):
                raise ValueError("not a whole number") from None
            return int(as_float)
    raise ValueError(f"unexpected {type(value).__name__}")


def parse_decimal(value: Any) -> Decimal | None:
    """Decimal from a number or numeric string, exactly as written; ``""``/``None`` → ``None``."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Decimal(repr(value))
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if len(text) > 40:
            raise ValueError("number too long")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError("not a number") from exc
        if not result.is_finite():
            raise ValueError("not a finite number")
        return result
    raise ValueError(f"unexpected {type(value).__name__}")


def format_duration(seconds: int | None) -> str:
    """``75`` → ``1m 15s``; ``3725`` → ``1h 2m 5s``; ``None`` → ``""``."""
    if seconds is None:
        return ""
    sign = "-" if seconds < 0 else ""
    rest = abs(seconds)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{sign}{hours}h {minutes}m {secs}s"
    if minutes:
        return f"{sign}{minutes}m {secs}s"
    return f"{sign}{secs}s"


class Fields:
    """Typed, total access to one raw record; collects warnings instead of raising."""

    __slots__ = ("raw", "warnings", "zone")

    def __init__(self, raw: Any, *, zone: tzinfo = UTC) -> None:
        self.raw: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
        self.warnings: list[str] = []
        self.zone = zone
        if not isinstance(raw, Mapping):
            self.warnings.append(f"record is not an object: {short_repr(raw)}")

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def get(self, *keys: str) -> Any:
        """The first present, non-null value among ``keys`` (alternative spellings)."""
        for key in keys:
            value = self.raw.get(key)
            if value is not None:
                return value
        return None

    def text(self, *keys: str) -> str | None:
        """A string field; numbers are accepted and turned to text; ``""`` → ``None``."""
        value = self.get(*keys)
        if value is None:
            return None
        if isinstance(value, str):
            return value or None
        if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
            return str(value)
        self.warn(f"{keys[0]}: expected text, got {short_repr(value)}")
        return None

    def integer(self, *keys: str) -> int | None:
        result: int | None = self._parsed(keys, parse_int, "not a whole number")
        return result

    def decimal(self, *keys: str) -> Decimal | None:
        result: Decimal | None = self._parsed(keys, parse_decimal, "not a number")
        return result

    def time(self, *keys: str) -> datetime | None:
        result: datetime | None = self._parsed(keys, self._time, "not a time")
        return result

    def _time(self, value: Any) -> datetime | None:
        return parse_time(value, zone=self.zone)

    def _parsed(self, keys: tuple[str, ...], parse: Callable[[Any], Any], what: str) -> Any:
        """``parse`` of the first present value; a value it refuses warns and reads ``None``."""
        value = self.get(*keys)
        try:
            return parse(value)
        except (ValueError, OverflowError):
            self.warn(f"{keys[0]}: {what}: {short_repr(value)}")
            return None

    def enum(self, key: str, mapping: Mapping[str, E], unknown: E) -> tuple[E, str | None]:
        """Map a vocabulary value (case-insensitively); unknown values warn and keep the raw."""
        raw = self.text(key)
        if raw is None:
            return unknown, None
        found = mapping.get(raw.strip().lower())
        if found is None:
            self.warn(f"{key}: unknown value {short_repr(raw)}")
            return unknown, raw
        return found, raw

    def mapping(self, key: str) -> Mapping[str, Any]:
        value = self.get(key)
        if value is None:
            return {}
        if isinstance(value, Mapping):
            return value
        self.warn(f"{key}: expected an object, got {short_repr(value)}")
        return {}

    def extras(self, keys: tuple[str, ...]) -> dict[str, Any]:
        """Copy the present, non-empty provider-specific fields verbatim (for ``Call.extras``)."""
        out: dict[str, Any] = {}
        for key in keys:
            value = self.raw.get(key)
            if value is None or value == "":
                continue
            out[key] = value
        return out


# -- fast reads: the common, well-typed value directly, anything else through ``Fields`` (which
# converts or warns), so the result is always ``Fields``' own. Listing 100k calls spends most of
# its time reading fields.


def text_of(f: Fields, *keys: str) -> str | None:
    """``f.text(*keys)``."""
    get = f.raw.get
    for key in keys:
        value = get(key)
        if value is not None:
            return (value or None) if type(value) is str else f.text(*keys)
    return None


def integer_of(f: Fields, key: str) -> int | None:
    """``f.integer(key)``."""
    value = f.raw.get(key)
    return value if type(value) is int or value is None else f.integer(key)


class Deferred(Sequence[T]):
    """A page's records, normalized on first access (all at once, then kept).

    A page source hands its page over as soon as the envelope is read, so the walk can ask for
    the next page before this one's records are normalized (the provider answers meanwhile).
    """

    __slots__ = ("_items", "_make", "_raw")

    def __init__(self, raw: Sequence[Any], make: Callable[[Any], T]) -> None:
        self._raw: Sequence[Any] | None = raw
        self._make = make
        self._items: list[T] | None = None

    def _all(self) -> list[T]:
        if self._items is None:
            raw = self._raw or ()
            make = self._make
            self._items = [make(record) for record in raw]
            self._raw = None
        return self._items

    def __len__(self) -> int:
        return len(self._raw) if self._items is None and self._raw is not None else len(self._all())

    @property
    def unmade(self) -> tuple[Sequence[Any], Callable[[Any], T]] | None:
        """The raw records and the function that normalizes one, while none is normalized yet
        (a consumer may read them another way); ``None`` once they are."""
        if self._items is None and self._raw is not None:
            return self._raw, self._make
        return None

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[T]: ...

    def __getitem__(self, index: int | slice) -> T | Sequence[T]:
        return self._all()[index]

    def __iter__(self) -> Iterator[T]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Deferred):
            other = other._all()
        return self._all() == other

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"Deferred({self._all()!r})"


def safely(build: Callable[[], Any], fallback: Callable[[BaseException], Any]) -> Any:
    """Run a normalizer; on any bug-level exception return ``fallback(exc)`` instead of raising."""
    try:
        return build()
    except Exception as exc:  # a normalizer bug must not cost the user the page
        return fallback(exc)


def utc_day_start(moment: datetime) -> datetime:
    """Midnight UTC of ``moment``'s UTC calendar day."""
    day = moment.astimezone(UTC)
    return datetime(day.year, day.month, day.day, tzinfo=UTC)
