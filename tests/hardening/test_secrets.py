"""Secrets: never sent to a foreign host, never on screen, in logs, errors, exports or config show.

A second loopback server (:class:`Recorder`) stands for a foreign host. Each provider's pages
are rewritten (through an ``httpx.MockTransport`` that forwards to the emulator, and to the
recorder) so that every link in them — next pages, subresources, recording media — points at
the recorder, and some requests on the origin are redirected there. The recorder must see the
adapters' requests and no credential in any of them.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import io
import logging
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.hardening.conftest import COUNTS, PROVIDERS
from tests.hardening.payloads import forwarding_handler
from tests.ui.conftest import NOW, accounts_of, make_app, ready, wait_for
from tui.core import config as config_module
from tui.core import errors
from tui.core.account import Account
from tui.core.export import Exporter
from tui.core.filter import CallFilter
from tui.core.walk import Walker
from tui.emulator import Emulator, EmulatorConfig
from tui.emulator.cli import write_config
from tui.providers import adapter_for


class Recorder:
    """A loopback HTTP server that records every request's bytes and answers 404."""

    def __init__(self) -> None:
        self.requests: list[bytes] = []
        self.port = 0
        self._server: asyncio.Server | None = None

    async def __aenter__(self) -> Recorder:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            head = await reader.readuntil(b"\r\n\r\n")
            length = re.search(rb"(?i)content-length:\s*(\d+)", head)
            body = await reader.readexactly(int(length.group(1))) if length else b""
            self.requests.append(head + body)
            payload = b'{"message":"not here"}'
            writer.write(
                b"HTTP/1.1 404 Not Found\r\ncontent-type: application/json\r\n"
                b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(payload), payload)
            )
            await writer.drain()
        writer.close()


def secret_forms(account: Account, extra: list[str]) -> list[str]:
    """Every form a credential could take on the wire or on screen."""
    password = account.password.get_secret_value()
    basic = base64.b64encode(f"{account.username}:{password}".encode()).decode()
    return [s for s in (password, basic, *extra) if s]


def leaks_in(blob: bytes | str, secrets: list[str]) -> list[str]:
    text = blob.decode("latin-1") if isinstance(blob, bytes) else blob
    found = [f"secret …{s[-4:]}" for s in secrets if s in text]
    if re.search(r"(?im)^authorization:", text):
        found.append("Authorization header")
    return found


def portsip_tokens(emu: Emulator) -> list[str]:
    api = emu.api("portsip")
    return [*api._sessions, *api._refresh]  # type: ignore[attr-defined]


def foreign_transport(emu: Emulator, recorder: Recorder) -> httpx.MockTransport:
    """Forward to the emulator and the recorder; point every link at the recorder; redirect
    every third data request on the origin there too."""
    origin = f"http://127.0.0.1:{emu.port}"
    count = [0]

    def repoint(value: Any) -> Any:
        if isinstance(value, str):
            if value.startswith(origin):
                return recorder.origin + value[len(origin) :]
            if value.startswith("/") and len(value) > 1:
                return recorder.origin + value
            return value
        if isinstance(value, list):
            return [repoint(v) for v in value]
        if isinstance(value, dict):
            return {k: repoint(v) for k, v in value.items()}
        return value

    def rewrite(request: httpx.Request, upstream: httpx.Response) -> httpx.Response | None:
        if request.url.port == recorder.port:
            return None
        path = request.url.path
        if any(word in path for word in ("login", "oauth", "token")):
            return None
        count[0] += 1
        if count[0] % 3 == 0:
            target = recorder.origin + request.url.raw_path.decode()
            return httpx.Response(302, headers={"location": target})
        if "json" not in upstream.headers.get("content-type", ""):
            return None
        try:
            body = upstream.json()
        except ValueError:
            return None
        return httpx.Response(upstream.status_code, json=repoint(body))

    return httpx.MockTransport(forwarding_handler(rewrite))


async def exercise(adapter: Any, problems: list[str]) -> list[str]:
    """Walk, fetch, follow every link and download media; the text of every error met."""
    seen: list[str] = []
    calls = []

    async def attempt(coro: Any) -> Any:
        try:
            return await coro
        except errors.CallscopeError as exc:
            seen.append(str(exc))
            seen.append(repr(exc))
            seen.append(getattr(exc, "detail", "") or "")
            return None
        except Exception as exc:  # an untyped error is a finding too
            problems.append(f"{adapter.provider}: untyped {type(exc).__name__}: {exc}")
            return None

    source, _ = adapter.source(CallFilter(), now=NOW, page_size=5)

    async def walk() -> None:
        async for admitted in Walker(source, None, adapter.provider).pages():
            calls.extend(admitted.rows)
            if len(calls) >= 15:
                return

    first = await attempt(source.fetch(source.first))
    await attempt(walk())
    if not calls and first is not None:
        calls.extend(first.calls)
    for call in calls[:4]:
        await attempt(adapter.get_call(call.id))
        for link in call.links:
            result = await attempt(adapter.follow(call, link))
            for rec in getattr(result, "recordings", ()) or ():
                if rec.media_url:

                    async def download(url: str = rec.media_url) -> None:
                        async with adapter.http.stream(url) as response:
                            await response.aread()

                    await attempt(download())
        for url in list(call.links.values())[:2]:

            async def direct(url: str = url) -> None:
                async with adapter.http.stream(url) as response:
                    await response.aread()

            await attempt(direct())
    if not calls:
        problems.append(f"{adapter.provider}: the walk gave no calls to follow")
    return seen


@pytest.mark.parametrize("media_auth", [False, True])
async def test_no_credential_reaches_a_foreign_host_from_any_provider(
    media_auth: bool, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLSCOPE_RETRY_BUDGET", "0.5")
    caplog.set_level(logging.DEBUG)
    problems: list[str] = []
    texts: list[str] = []
    async with (
        Recorder() as recorder,
        Emulator(EmulatorConfig(calls=30, now=NOW, media_auth=media_auth)) as emu,
    ):
        transport = foreign_transport(emu, recorder)
        by_provider: dict[str, int] = {}
        accounts = accounts_of(emu, PROVIDERS)
        for account in accounts:
            adapter = adapter_for(account, transport=transport)
            before = len(recorder.requests)
            texts += await exercise(adapter, problems)
            await adapter.aclose()
            by_provider[account.provider] = len(recorder.requests) - before
        secrets = [f for a in accounts for f in secret_forms(a, [])] + portsip_tokens(emu)
    leaks = [f"request {n}: {leak}" for n, raw in enumerate(recorder.requests)
             for leak in leaks_in(raw, secrets)]  # fmt: skip
    logged = [r.getMessage() + str(r.args) for r in caplog.records]
    leaks += [f"log: {leak}" for line in logged for leak in leaks_in(line, secrets)]
    leaks += [f"error text: {leak}" for t in texts for leak in leaks_in(t, secrets)]
    COUNTS["requests seen by the foreign recorder"] += len(recorder.requests)
    COUNTS["leaks found"] += len(leaks)
    assert not problems, problems
    assert all(n > 0 for n in by_provider.values()), (
        f"some provider never met the recorder: {by_provider}"
    )
    assert not leaks, leaks


async def test_secrets_stay_off_screen_raw_view_and_exports(tmp_path: Path) -> None:
    async with Emulator(EmulatorConfig(calls=20, now=NOW)) as emu:
        accounts = accounts_of(emu, PROVIDERS)
        app = make_app(tmp_path, accounts)
        shots: list[str] = []
        exported = io.StringIO()
        async with app.run_test(size=(150, 45)) as pilot:
            for number in range(1, 6):
                await pilot.press(str(number))
                view = await ready(pilot, app)
                await wait_for(pilot, lambda v=view: v.table.current is not None)
                await pilot.press("enter")
                view.detail.active = "tab-raw"
                await pilot.pause()
                shots.append(app.export_screenshot())  # the table, the status line, raw JSON
                shots.append(str(view.detail.query_one("#raw").render()))
                calls = [view.table.call_at(i) for i in range(view.pager.loaded)]  # type: ignore[union-attr]
                for fmt in ("csv", "json", "ndjson"):
                    with Exporter(exported, fmt, secrets=view.account.secrets()) as out:  # type: ignore[arg-type]
                        for call in calls:
                            if call is not None:
                                out.write(call)
        secrets = [f for a in accounts for f in secret_forms(a, [])] + portsip_tokens(emu)
    leaks = [leak for text in (*shots, exported.getvalue()) for leak in leaks_in(text, secrets)]
    COUNTS["leaks found"] += len(leaks)
    assert not leaks, leaks


def test_config_with_secrets_is_written_0600_and_a_world_readable_one_warns(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tui.emulator.server import EmulatedAccount

    path = tmp_path / "config.toml"
    account = EmulatedAccount("twilio", "T", "http://127.0.0.1:9", "AC1", "AC1", "tok-s3cret-value")
    write_config(path, [account])
    config = config_module.load(path)
    assert config.warnings == []
    config_module.save(config, {"theme": "callscope-light"})
    assert path.stat().st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)
    warned = config_module.load(path)
    assert any("readable by other users" in w and "chmod 600" in w for w in warned.warnings)
    from tui.cli import main

    code = main(["config", "show", "--config", str(path)])
    shown = capsys.readouterr()
    assert code == 0
    assert "tok-s3cret-value" not in shown.out + shown.err
    assert not leaks_in(shown.out + shown.err, ["tok-s3cret-value"])
