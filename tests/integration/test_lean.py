"""Lean walks (``Adapter.lean``, what ``callscope list`` asks for): every provider lists the same
calls as a full walk, only without links and extras, on clean and on hostile pages."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.hardening.payloads import Planter, hostile_transport
from tui.core.filter import CallFilter
from tui.core.model import Call, fields_of
from tui.emulator import Emulator

from .conftest import PROVIDERS, make_adapter, walk

LEAN_PROVIDERS = ("twilio", "signalwire", "fonedynamics", "portsip")  # Exotel builds full calls


class Replay(httpx.AsyncBaseTransport):
    """Answers each URL the same way every time (the first answer, from ``inner``)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.seen: dict[tuple[str, str], tuple[int, list[tuple[bytes, bytes]], bytes]] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        key = (request.method, str(request.url))
        if key not in self.seen:
            response = await self.inner.handle_async_request(request)
            body = await response.aread()
            headers = [
                (k, v)
                for k, v in response.headers.raw
                if k.lower() not in (b"content-encoding", b"transfer-encoding", b"content-length")
            ]
            self.seen[key] = (response.status_code, headers, body)
        status, headers, body = self.seen[key]
        return httpx.Response(status, headers=headers, content=body, request=request)


def without(call: Call, names: set[str]) -> dict[str, object]:
    return {k: v for k, v in fields_of(call).items() if k not in names}


async def calls_of(emu: Emulator, provider: str, transport: Replay, *, lean: bool) -> list[Call]:
    adapter = make_adapter(emu, provider, transport=transport)
    adapter.lean = lean
    try:
        return await walk(adapter, CallFilter())
    finally:
        await adapter.aclose()


@pytest.mark.parametrize("hostile", [False, True], ids=["clean", "hostile"])
@pytest.mark.parametrize("provider", PROVIDERS)
async def test_a_lean_walk_lists_the_full_calls_without_links_and_extras(
    emu: Emulator, provider: str, hostile: bool
) -> None:
    inner = hostile_transport(Planter()) if hostile else httpx.AsyncHTTPTransport()
    transport = Replay(inner)
    full = await calls_of(emu, provider, transport, lean=False)
    lean = await calls_of(emu, provider, transport, lean=True)
    assert len(lean) == len(full) > 0
    assert any(call.links for call in full)
    if provider in LEAN_PROVIDERS and not hostile:  # hostile records may take a full path
        assert all(not call.links and not call.extras for call in lean)
    for a, b in zip(full, lean, strict=True):
        assert b.links in ({}, a.links) and b.extras in ({}, a.extras)
        kept = {"links", "extras", "raw"}
        assert without(b, kept) == without(a, kept)
        assert json.dumps(b.raw, default=str) == json.dumps(a.raw, default=str)
