"""The emulator's request and response values and the helpers every provider module uses.

Provider modules never see sockets or h11: they receive a :class:`Request` and return a
:class:`Response`. Keeping both as plain values makes handlers pure and easy to test.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote
from xml.sax.saxutils import escape


@dataclass(slots=True)
class Request:
    """One parsed HTTP request. ``params`` keeps the first value of each query key."""

    method: str
    target: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes = b""
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, method: str, target: str, headers: dict[str, str], body: bytes) -> Request:
        raw_path, _, raw_query = target.partition("?")
        # Keep "+" literal in paths; in queries parse_qsl turns "+" into a space as browsers
        # and Twilio do, so clients must send %2B for E.164 numbers (the fixtures do).
        query = parse_qsl(raw_query, keep_blank_values=True)
        params: dict[str, str] = {}
        for k, v in query:
            params.setdefault(k, v)
        return cls(method, target, unquote(raw_path), query, headers, body, params)

    def basic_auth(self) -> tuple[str, str] | None:
        """``(username, password)`` from an ``Authorization: Basic`` header, else ``None``."""
        value = self.headers.get("authorization", "")
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "basic" or not token:
            return None
        try:
            decoded = base64.b64decode(token.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        user, sep, password = decoded.partition(":")
        return (user, password) if sep else None

    def bearer(self) -> str | None:
        scheme, _, token = self.headers.get("authorization", "").partition(" ")
        return token.strip() or None if scheme.lower() == "bearer" else None


@dataclass(slots=True)
class Response:
    status: int
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)


def json_response(
    payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None
) -> Response:
    # Compact separators: pages are large and the benchmark measures bytes on the wire too.
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return Response(status, body, headers=headers or [])


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def json_items_response(
    payload: dict[str, Any], key: str, items: list[bytes], status: int = 200
) -> Response:
    """:func:`json_response` of ``payload`` whose ``key`` holds ``items``, already JSON (UTF-8).

    List pages render their items straight to JSON bytes (see ``laml_render.CallsJson``); the
    envelope around them is encoded here with the same separators, in ``payload``'s key order
    (the value ``payload[key]`` itself is ignored, only its position counts). Items stay separate
    bytes until the one join: a page with a single non-ASCII name would otherwise widen a
    megabytes-long ``str`` to UCS-2/4 before encoding it.
    """
    keys = list(payload)
    at = keys.index(key)
    before = "".join(f"{_dumps(k)}:{_dumps(payload[k])}," for k in keys[:at])
    after = "".join(f",{_dumps(k)}:{_dumps(payload[k])}" for k in keys[at + 1 :])
    first = f"{{{before}{_dumps(key)}:[".encode()
    last = f"]{after}}}".encode()
    if len(items) <= 1:
        return Response(status, first + b"".join(items) + last)
    # One join and no other copy of the body: the envelope rides on the first and last items.
    return Response(status, b",".join([first + items[0], *items[1:-1], items[-1] + last]))


def text_response(
    text: str, status: int = 200, content_type: str = "text/plain; charset=utf-8"
) -> Response:
    return Response(status, text.encode("utf-8"), content_type)


def encode_query(pairs: list[tuple[str, str]]) -> str:
    """Encode like Twilio's own URIs: ``+`` → ``%2B``, ``>`` in keys → ``%3E``."""
    return "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in pairs)


def xml_singular(tag: str) -> str:
    """The element name of a list's items: ``Calls`` → ``Call``."""
    return tag[:-1] if tag.endswith("s") else tag


def write_xml(
    tag: str,
    value: Any,
    out: list[str],
    key: Callable[[str], str] = str,
    item: Callable[[str, Any], tuple[str, Any]] | None = None,
) -> None:
    """Append ``value`` as the XML element ``tag`` to ``out`` (the providers' XML bodies).

    ``None`` is an empty element, a dict's keys become child elements named ``key(k)``, a list's
    items children named by ``item(tag, value)`` → ``(name, value)`` (default: the singular of
    ``tag``); scalars are text (booleans lower-case), without the C0 controls XML 1.0 cannot carry
    even escaped (Twilio drops them, and so do we).
    """
    if value is None:
        out.append(f"<{tag}/>")
    elif isinstance(value, dict):
        out.append(f"<{tag}>")
        for k, v in value.items():
            write_xml(key(k), v, out, key, item)
        out.append(f"</{tag}>")
    elif isinstance(value, list):
        out.append(f"<{tag}>")
        for v in value:
            name, child = item(tag, v) if item is not None else (xml_singular(tag), v)
            write_xml(name, child, out, key, item)
        out.append(f"</{tag}>")
    else:
        text = str(value).lower() if isinstance(value, bool) else str(value)
        text = "".join(ch for ch in text if ch >= " " or ch in "\t\n\r")
        out.append(f"<{tag}>{escape(text)}</{tag}>")
