"""Pure parsing for the LaML adapter: fast typed reads of call records, RFC 2822 times, the
error body, list envelopes and the Twilio log entries (notifications, events).

Every function here is total over JSON values: odd input becomes ``None`` plus a warning (through
:class:`Fields`) or a ``ValueError`` the adapter turns into a typed error.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import httpx

from tui.core import errors
from tui.core.http import ErrorInfo
from tui.core.model import LogEntry
from tui.core.normalize import Fields, short_repr

# Error codes with a meaning of their own (providers.md §6.5). The HTTP status of 21481 is
# [unconfirmed], so the code decides the class.
CODE_NOT_FOUND = "20404"
CODE_INVALID_PAGE_TOKEN = "21481"
CODE_AUTH_FAILED = "20003"
CODE_TOO_MANY_REQUESTS = "20429"
_MAX_MESSAGE = 500

_MONTHS = {
    "Jan": 1,
    "Feb": 2,
    "Mar": 3,
    "Apr": 4,
    "May": 5,
    "Jun": 6,
    "Jul": 7,
    "Aug": 8,
    "Sep": 9,
    "Sept": 9,
    "Oct": 10,
    "Nov": 11,
    "Dec": 12,
}
_NOTIFICATION_LEVELS = {"0": "error", "1": "warning"}
_DAY_CACHE: dict[str, str] = {}  # "18 Oct 2019" → "2019-10-18T"
_DAY_CACHE_SIZE = 4096
_TIME_CACHE: dict[str, datetime] = {}
_TIME_CACHE_SIZE = 8192


# Fast paths for the common, well-typed value; anything else goes through ``Fields`` (which
# converts or warns). Listing 100k calls spends most of its time here.


def fast_time(f: Fields, key: str) -> datetime | None:
    """``Fri, 18 Oct 2019 17:00:00 +0000`` without the general parser (the hot path of a
    100k-call listing: days are cached, the time of day is added); anything else goes through
    ``Fields.time``."""
    value = f.raw.get(key)
    if type(value) is str:
        moment = _rfc2822_utc(value)
        if moment is not None:
            return moment
    return f.time(key)


def plain_time(value: Any) -> datetime | bool | None:
    """A time as ``Fields.time`` reads a null, ``""`` or ``+0000`` RFC 2822 text; ``False`` for any
    other value (the checked path decides, and warns)."""
    if type(value) is str:
        if not value:
            return None
        moment = _TIME_CACHE.get(value)
        if moment is None:
            moment = _rfc2822_utc(value)
        return False if moment is None else moment
    return None if value is None or value == "" else False


def _rfc2822_utc(value: str) -> datetime | None:
    """``Fri, 18 Oct 2019 17:00:00 +0000`` (or SignalWire's ``Sept``) → aware UTC datetime;
    ``None`` for any other form (the weekday is not checked, as the general parser does not
    check it either)."""
    moment = _TIME_CACHE.get(value)  # a record's creation and start are often the same text
    if moment is not None:
        return moment
    size = len(value)
    if size == 31:
        day_text = value[5:16]  # "18 Oct 2019"
    elif size == 32 and value[7:13] == " Sept ":  # SignalWire's September
        day_text = value[5:17]
    else:
        return None
    if value[-6:] != " +0000" or value[-12] != ":" or value[-9] != ":":
        return None
    day = _DAY_CACHE.get(day_text)
    if day is None:
        day = _parse_day(day_text)
        if day is None:
            return None
    clock = value[-14:-6]  # HH:MM:SS, the colons checked above
    if clock >= "24":  # fromisoformat refuses hour 24 in 3.11; spell it out for later versions
        return None
    try:
        # Checks the rest: ASCII digits, minutes and seconds under 60. tzinfo is UTC.
        moment = datetime.fromisoformat(day + clock + "+00:00")
    except ValueError:
        return None
    if len(_TIME_CACHE) >= _TIME_CACHE_SIZE:
        _TIME_CACHE.clear()
    _TIME_CACHE[value] = moment
    return moment


def _parse_day(text: str) -> str | None:
    """``18 Oct 2019`` → ``2019-10-18T`` (cached), or ``None`` if it is not a valid day."""
    parts = text.split(" ")
    if len(parts) != 3 or not (parts[0] + parts[2]).isdigit() or not text.isascii():
        return None
    month = _MONTHS.get(parts[1])
    if month is None:
        return None
    try:
        day = datetime(int(parts[2]), month, int(parts[0]), tzinfo=UTC)
    except ValueError:
        return None
    if len(_DAY_CACHE) >= _DAY_CACHE_SIZE:
        _DAY_CACHE.clear()
    iso = day.date().isoformat() + "T"
    _DAY_CACHE[text] = iso
    return iso


def parse_laml_error(response: httpx.Response, body: Any) -> ErrorInfo:
    """``{code, message, more_info, status}`` and SignalWire's ``{"errors": [...]}`` variants."""
    if not isinstance(body, Mapping):
        return ErrorInfo()
    code = _code(body.get("code"))
    message = _text(body.get("message"))
    detail = _text(body.get("more_info"))
    listed = body.get("errors")
    if isinstance(listed, list) and listed:
        messages: list[str] = []
        for item in listed[:10]:
            if isinstance(item, Mapping):
                code = code or _code(item.get("code"))
                detail = detail or _text(item.get("more_info"))
                text = _text(item.get("message"))
            else:
                text = _text(item)
            if text:
                messages.append(text)
        message = message or "; ".join(messages) or None
    kind: type[errors.ProviderError] | None = None
    if code == CODE_NOT_FOUND:
        kind = errors.NotFoundError
    elif code == CODE_INVALID_PAGE_TOKEN:
        kind = errors.BadRequestError
        message = f"invalid page token: {message}" if message else "invalid page token"
    elif code == CODE_AUTH_FAILED:
        kind = errors.AuthError
    elif code == CODE_TOO_MANY_REQUESTS:
        kind = errors.RateLimitedError
    return ErrorInfo(code=code, message=message, detail=detail, kind=kind)


def _code(value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | str):
        return None
    text = str(value).strip()
    return text[:40] or None


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text:
        return None
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


# ``"next_page_uri": "<ASCII text without escapes>"`` (that text is the JSON string's value).
_NEXT_KEY = b'"next_page_uri"'
_KEY_END = re.compile(rb"[ \t\n\r]*:")
_NEXT_VALUE = re.compile(rb'[ \t\n\r]*:[ \t\n\r]*"([\x20\x21\x23-\x5b\x5d-\x7e]{1,4096})"')


def next_uri_hint(body: bytes) -> str | None:
    """The list page's ``next_page_uri`` as its bytes show it, without decoding the page: the
    last such key's value if it is a plain ASCII string, else ``None``. A guess (the key could
    belong to a nested object): the decoded page decides; the walk only asks for it early."""
    at = body.rfind(_NEXT_KEY)
    while at >= 0 and _KEY_END.match(body, at + len(_NEXT_KEY)) is None:
        at = body.rfind(_NEXT_KEY, 0, at)  # that was a value spelled like the key, not the key
    if at < 0:
        return None
    found = _NEXT_VALUE.match(body, at + len(_NEXT_KEY))
    return None if found is None else found.group(1).decode("ascii")


def list_envelope(body: Any, key: str) -> tuple[list[Any], str | None]:
    """The records and the next page URI of a LaML list envelope, or ``ValueError``."""
    if not isinstance(body, Mapping):
        raise ValueError(f"expected a JSON object, got {short_repr(body)}")
    items = body.get(key)
    if not isinstance(items, list):
        raise ValueError(f"no {key!r} list in the page")
    nxt = body.get("next_page_uri")
    if nxt is None or nxt == "":
        return items, None
    if not isinstance(nxt, str):
        raise ValueError(f"next_page_uri is not a string: {short_repr(nxt)}")
    return items, nxt


# -- log entries (Twilio notifications and events) -------------------------------------------


def notification_entry(raw: Any) -> LogEntry:
    """A notification (``log`` 0 = error, 1 = warning) as a log line."""
    f = Fields(raw)
    log_value = f.text("log")
    level = _NOTIFICATION_LEVELS.get(log_value or "", log_value)
    code = f.text("error_code")
    message = f.text("message_text") or ""
    title = f"{code}: {message}" if code and message else (code or message)
    details = [
        f"{label}: {value}"
        for label, value in (
            (
                "request",
                " ".join(v for v in (f.text("request_method"), f.text("request_url")) if v),
            ),
            ("more info", f.text("more_info")),
            ("sid", f.text("sid")),
        )
        if value
    ]
    return LogEntry(
        time=f.time("message_date") or f.time("date_created"),
        level=level,
        title=title,
        detail="\n".join(details),
        raw=raw,
    )


def event_entry(raw: Any) -> LogEntry:
    """A call event (a webhook request and its answer) as a log line."""
    f = Fields(raw)
    request = Fields(f.mapping("request"))
    response = Fields(f.mapping("response"))
    code = response.integer("response_code")
    level = "info" if code is None or code < 400 else "error"
    title = " ".join(v for v in (request.text("method"), request.text("url")) if v)
    bits = [
        value
        for value in (
            f"HTTP {code}" if code is not None else None,
            response.text("content_type"),
            f"{response.text('request_duration')} ms"
            if response.text("request_duration")
            else None,
        )
        if value
    ]
    return LogEntry(
        time=response.time("date_created"),
        level=level,
        title=title,
        detail=" · ".join(bits),
        raw=raw,
    )
