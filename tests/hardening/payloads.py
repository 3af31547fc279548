"""Hostile payloads and a transport that plants them into every field of real provider pages.

:func:`hostile_transport` is an ``httpx.MockTransport`` whose handler forwards each request to
the emulator (so auth, paging and every provider's own shapes stay real) and rewrites the JSON
that comes back: every string of every record becomes a hostile string (made unique, so ids
stay distinct), numbers become strings, some strings become numbers, and records gain ``NaN``
and ``1e400``. :func:`hostile_error` builds a provider's own error body with a hostile message.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from tui.emulator import Emulator
from tui.emulator.hostile import HOSTILE_STRINGS

OSC52 = "\x1b]52;c;aGk=\x07"
OSC8_URL = "https://osc8.evil.example/planted"
EXTRA: tuple[str, ...] = (
    f"osc52 {OSC52} end",
    f"\x1b]8;;{OSC8_URL}\x07click\x1b]8;;\x07",
    "\x9d8;;https://c1.evil.example\x9c c1 osc and \x9b2J c1 csi",
    "cursor \x1b[10;10H\x1b[1A\x1b[2K moved",
    "[/]",
    "[@click=app.quit]quit[/]",
    "[link=https://evil.example]x[/link] [b]",
    "lone \ud800 surrogate \udfff",
    "\u202e\u2066\u2069 rtl \u200f\u200e",
    "\u0000\u0001\u001f\u007f\u0080\u009f",
    "12345",
    "-1e400",
)
MEGA = "B" * (1024 * 1024)  # planted once per page (in the first record's first string)
HOSTILE: tuple[str, ...] = (*HOSTILE_STRINGS, *EXTRA)
FORBIDDEN = ("\x1b", "\x9b", "\x9d", "\u202e", "\x07")  # must never reach the terminal


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters (and lone surrogates) present in ``text``."""
    found = [repr(ch) for ch in FORBIDDEN if ch in text]
    if any("\ud800" <= ch <= "\udfff" for ch in text):
        found.append("lone surrogate")
    return found


_BIG = "__callscope_big__"


class Planter:
    """Rewrites records: the n-th string seen becomes HOSTILE[n % len] + a unique suffix."""

    def __init__(self) -> None:
        self.counter = itertools.count()
        self.planted = 0

    def value(self, value: Any) -> Any:
        if isinstance(value, bool) or value is None:
            return value
        n = next(self.counter)
        if isinstance(value, int | float):
            return str(value) if n % 3 else HOSTILE[n % len(HOSTILE)]  # numbers as strings
        if isinstance(value, str):
            if n % 17 == 5:
                return 1e308 if n % 2 else -7  # strings as numbers
            self.planted += 1
            return f"{HOSTILE[n % len(HOSTILE)]}#{n}"
        if isinstance(value, list):
            return [self.value(v) for v in value]
        if isinstance(value, dict):
            return {k: self.value(v) for k, v in value.items()}
        return value

    def record(self, record: dict[str, Any]) -> dict[str, Any]:
        out = {k: self.value(v) for k, v in record.items()}
        out["x_nan"] = float("nan")
        out["x_big"] = _BIG
        return out

    def body(self, payload: Any) -> bytes | None:
        """The page with its records rewritten, or None if it holds no list of records."""
        if not isinstance(payload, dict):
            return None
        touched = False
        out: dict[str, Any] = {}
        for key, value in payload.items():
            if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                records = [self.record(v) for v in value]
                first = next((k for k, v in records[0].items() if isinstance(v, str)), None)
                if first is not None:
                    records[0][first] = MEGA + records[0][first]
                out[key] = records
                touched = True
            else:
                out[key] = value
        if not touched:
            return None
        text = json.dumps(out, allow_nan=True)  # ASCII with \\u escapes: surrogates survive
        return text.replace(f'"{_BIG}"', "1e400").encode()


Handler = Callable[[httpx.Request], Awaitable[httpx.Response]]


def forwarding_handler(
    rewrite: Callable[[httpx.Request, httpx.Response], httpx.Response | None],
) -> Handler:
    """A MockTransport handler that forwards to the real URL, then lets ``rewrite`` answer."""
    client = httpx.AsyncClient()

    async def handle(request: httpx.Request) -> httpx.Response:
        upstream = await client.send(
            httpx.Request(
                request.method, request.url, headers=request.headers, content=request.content
            )
        )
        changed = rewrite(request, upstream)
        if changed is not None:
            return changed
        return httpx.Response(
            upstream.status_code, headers=upstream.headers, content=upstream.content
        )

    return handle


def hostile_transport(planter: Planter) -> httpx.MockTransport:
    def rewrite(request: httpx.Request, upstream: httpx.Response) -> httpx.Response | None:
        if upstream.status_code != 200 or "json" not in upstream.headers.get("content-type", ""):
            return None
        body = planter.body(upstream.json())
        if body is None:
            return None
        return httpx.Response(200, headers={"content-type": "application/json"}, content=body)

    return httpx.MockTransport(forwarding_handler(rewrite))


def hostile_error(emu: Emulator, provider: str, message: str, status: int = 400) -> httpx.Response:
    """``provider``'s own error body (as the emulator writes it) carrying ``message``."""
    wire = emu.api(provider).error(status, message)
    return httpx.Response(
        status, headers={"content-type": wire.content_type, **dict(wire.headers)}, content=wire.body
    )
