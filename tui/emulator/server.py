"""The emulator's HTTP/1.1 server: asyncio streams + h11, keep-alive, fault injection.

h11 is the HTTP/1.1 state machine httpx itself depends on, so the emulator adds no dependency
and needs no framework: each connection is one task that reads a request, routes it to the first
provider API that claims its path, lets :mod:`~tui.emulator.faults` delay or damage the answer,
and writes it. Garbage requests get a 400 and the server carries on.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from http import HTTPStatus
from types import TracebackType
from typing import Any

import h11

from .api import AccountSpec, Context, ProviderAPI
from .dataset import DEFAULT_NOW, Dataset
from .faults import HUGE_BYTES, Faults
from .registry import provider_apis
from .wire import Request, Response, json_response

MAX_HEAD = 64 * 1024
MAX_BODY = 1024 * 1024
_SMALL_BODY = 256 * 1024  # bodies up to this size are sent in one piece with their head
SLOW_PIECES = 10
SLOW_PAUSE = 0.1  # seconds between pieces of a "slow" body
_HTML_502 = b"<html><head><title>502 Bad Gateway</title></head><body><h1>502</h1></body></html>"
_REASONS = {s.value: s.phrase.encode() for s in HTTPStatus}
_BAD_BODY = b'{"error":"bad HTTP request"}'
_BAD_REQUEST = (
    b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\n"
    b"content-length: %d\r\nconnection: close\r\n\r\n" % len(_BAD_BODY)
) + _BAD_BODY


@dataclass(slots=True)
class EmulatorConfig:
    """Everything that shapes an emulator run. The defaults suit tests (small, fixed clock)."""

    seed: int = 1
    calls: int = 500  # per account
    now: datetime = DEFAULT_NOW
    hostile: bool = False
    host: str = "127.0.0.1"
    port: int = 0  # 0 = an ephemeral port
    accounts_per_provider: int = 1
    providers: tuple[str, ...] | None = None  # None = every provider with an API module
    faults: str = ""  # a fault spec, see tui.emulator.faults
    latency: str | None = None  # default latency of every provider, "100" or "100±20"
    media_auth: bool = False  # Twilio's "Enforce HTTP Auth on Media URLs"


@dataclass(frozen=True, slots=True)
class EmulatedAccount:
    """An account of a running emulator, ready for a client config."""

    provider: str
    label: str
    base_url: str
    account: str
    username: str
    password: str
    key: str = field(default="", compare=False)  # its dataset key (ground truth lookups)
    zone: str = "UTC"  # the zone of the provider's zone-less times (Exotel)
    # A short name for ``callscope -a NAME``: the provider id (``twilio-2`` … for more accounts).
    name: str = ""
    properties: tuple[str, ...] = ()  # Fone Dynamics: the sids of its properties

    def to_dict(self) -> dict[str, Any]:
        """What a client needs (``--json``, ``/_emulator/accounts``)."""
        return {
            "provider": self.provider,
            "name": self.name or self.provider,
            "label": self.label,
            "base_url": self.base_url,
            "account": self.account,
            "username": self.username,
            "password": self.password,
        } | ({"properties": list(self.properties)} if self.properties else {})

    def to_config(self) -> dict[str, str]:
        """The ``[[accounts]]`` table for a callscope config (adds the zone where it matters)."""
        table = {k: v for k, v in self.to_dict().items() if k != "properties"}
        return table | ({"zone": self.zone} if self.zone != "UTC" else {})


class Emulator:
    """A running emulator: ``async with Emulator(EmulatorConfig(...)) as emu: ...``."""

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        self.config = replace(config or EmulatorConfig(), **overrides)
        cfg = self.config
        self.dataset = Dataset(cfg.seed, cfg.calls, cfg.now, cfg.hostile)
        self.faults = Faults(cfg.seed)
        if cfg.latency:
            self.faults.set("*", latency=cfg.latency)
        if cfg.faults:
            self.faults.apply_spec(cfg.faults)
        self.apis: list[ProviderAPI] = []
        self._specs: list[AccountSpec] = []
        for cls in provider_apis():
            if cfg.providers is not None and cls.provider not in cfg.providers:
                continue
            specs = [
                replace(s, home=cls.home_country)
                for s in cls.make_accounts(cfg.seed, cfg.accounts_per_provider)
            ]
            for s in specs:
                self.dataset.add_account(s.key, home=s.home)
            self._specs += specs
            self.apis.append(cls(Context(self.dataset, specs, self._origin, cfg.media_auth)))
        self.errors: list[str] = []  # tracebacks of handler crashes (each answered with a 500)
        self._server: asyncio.Server | None = None
        self._conns: set[asyncio.Task[None]] = set()
        self._last_ok: dict[str, Response] = {}
        self.port = 0
        self.connections = 0  # accepted so far (keep-alive clients reuse one for a whole walk)
        self.requests = 0  # answered so far

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> Emulator:
        self._server = await asyncio.start_server(
            self._connection, self.config.host, self.config.port
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is None:
            return
        self._server.close()
        for task in list(self._conns):
            task.cancel()
        if self._conns:
            await asyncio.gather(*self._conns, return_exceptions=True)
        await self._server.wait_closed()
        self._server = None

    async def serve_forever(self) -> None:
        assert self._server is not None, "start() first"
        await self._server.serve_forever()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    # -- what clients need ----------------------------------------------------------------------
    def _origin(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    @property
    def origin(self) -> str:
        return self._origin()

    def base_url(self, provider: str) -> str:
        """The base URL a client of ``provider`` is configured with (mirrors the real one)."""
        for api in self.apis:
            if api.provider == provider:
                return self._origin() + api.base_path
        raise KeyError(f"provider {provider!r} is not served by this emulator")

    @property
    def accounts(self) -> list[EmulatedAccount]:
        out: list[EmulatedAccount] = []
        for spec in self._specs:
            number = 1 + sum(a.provider == spec.provider for a in out)
            out.append(
                EmulatedAccount(
                    spec.provider,
                    spec.label,
                    self.base_url(spec.provider),
                    spec.account,
                    spec.username,
                    spec.password,
                    spec.key,
                    getattr(self.api(spec.provider), "zone", "UTC"),
                    spec.provider if number == 1 else f"{spec.provider}-{number}",
                    spec.properties,
                )
            )
        return out

    def account(self, provider: str, index: int = 0) -> EmulatedAccount:
        return [a for a in self.accounts if a.provider == provider][index]

    def api(self, provider: str) -> ProviderAPI:
        return next(a for a in self.apis if a.provider == provider)

    # -- connections ----------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._conns.add(task)
        self.connections += 1
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=MAX_HEAD)
        try:
            while True:
                req = await self._read(conn, reader)
                if req is None:
                    break
                self.requests += 1
                if not await self._answer(conn, reader, writer, req):
                    break
                if conn.our_state is not h11.DONE or conn.their_state is not h11.DONE:
                    break
                conn.start_next_cycle()
        except (h11.RemoteProtocolError, UnicodeDecodeError, ValueError):
            if conn.our_state in (h11.IDLE, h11.SEND_RESPONSE):
                writer.write(_BAD_REQUEST)
                await _drain(writer)
        except (ConnectionError, h11.LocalProtocolError):
            pass
        except asyncio.CancelledError:
            pass  # server stopping
        finally:
            self._conns.discard(task)
            writer.transport.abort() if writer.transport.is_closing() else writer.close()

    async def _read(self, conn: h11.Connection, reader: asyncio.StreamReader) -> Request | None:
        head: h11.Request | None = None
        body = bytearray()
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Request):
                head = event
            elif isinstance(event, h11.Data):
                body += event.data
                if len(body) > MAX_BODY:
                    raise h11.RemoteProtocolError("body too large")
            elif isinstance(event, h11.EndOfMessage) and head is not None:
                headers = {
                    k.decode("latin-1").lower(): v.decode("latin-1") for k, v in head.headers
                }
                return Request.parse(
                    head.method.decode("ascii"), head.target.decode("latin-1"), headers, bytes(body)
                )
            else:
                return None  # ConnectionClosed or PAUSED

    async def _answer(
        self,
        conn: h11.Connection,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        req: Request,
    ) -> bool:
        """Answer one request; False when the connection must end."""
        if req.path.startswith("/_emulator/"):
            return await self._send(conn, writer, self._control(req))
        api, handler = None, None
        for candidate in self.apis:
            handler = candidate.match(req)
            if handler is not None:
                api = candidate
                break
        if api is None or handler is None:
            return await self._send(
                conn,
                writer,
                json_response(
                    {"code": 404, "message": f"No route for {req.path}", "status": 404}, 404
                ),
            )
        decision = self.faults.decide(api.provider)
        if decision.delay:
            await asyncio.sleep(decision.delay)
        kind = decision.kind
        if kind == "reset":
            writer.transport.abort()
            return False
        if kind == "connect-timeout":
            await _stall(reader)
            return False
        resp = self._faulted(api, req, kind) if kind else None
        if resp is None:
            try:
                resp = handler()
            except Exception:
                self.errors.append(traceback.format_exc())
                resp = api.error(500, "Internal Server Error")
            if resp.status == 200 and resp.content_type.startswith("application/json"):
                self._last_ok[api.provider] = resp
        if kind == "malformed":
            resp = Response(200, resp.body[: max(1, len(resp.body) // 2)], resp.content_type)
        elif kind == "huge" and resp.content_type.startswith("application/json"):
            resp = Response(
                resp.status,
                resp.body + b" " * max(0, HUGE_BYTES - len(resp.body)),
                resp.content_type,
                resp.headers,
            )
        if kind == "truncate":
            writer.write(self._head(conn, resp) + resp.body[: len(resp.body) // 2])
            await _drain(writer)
            writer.transport.abort()
            return False
        if kind == "read-timeout":
            writer.write(self._head(conn, resp))
            await _drain(writer)
            await _stall(reader)
            return False
        if kind == "slow":
            writer.write(self._head(conn, resp))
            step = max(1, -(-len(resp.body) // SLOW_PIECES))
            for i in range(0, len(resp.body), step):
                await asyncio.sleep(SLOW_PAUSE)
                writer.write(conn.send(h11.Data(data=resp.body[i : i + step])))
                await _drain(writer)
            writer.write(conn.send(h11.EndOfMessage()))
            await _drain(writer)
            return True
        return await self._send(conn, writer, resp)

    def _faulted(self, api: ProviderAPI, req: Request, kind: str) -> Response | None:
        if kind in ("500", "503"):
            return api.error(int(kind), HTTPStatus(int(kind)).phrase)
        if kind in ("429", "429-no-retry-after"):
            resp = api.error(429, "Too Many Requests")
            if kind == "429":
                resp.headers.append(("Retry-After", "1"))
            return resp
        if kind == "auth":
            return api.unauthorized()
        if kind == "html":
            return Response(502, _HTML_502, "text/html; charset=utf-8")
        if kind == "empty-loop":
            return api.empty_page_loop(req)
        if kind == "repeat":
            return self._last_ok.get(api.provider)
        return None

    def _head(self, conn: h11.Connection, resp: Response) -> bytes:
        headers: list[tuple[str, str]] = [
            ("content-type", resp.content_type),
            ("content-length", str(len(resp.body))),
            ("server", "callscope-emulator"),
            *resp.headers,
        ]
        return (
            conn.send(
                h11.Response(
                    status_code=resp.status, headers=headers, reason=_REASONS.get(resp.status, b"")
                )
            )
            or b""
        )

    async def _send(
        self, conn: h11.Connection, writer: asyncio.StreamWriter, resp: Response
    ) -> bool:
        head = self._head(conn, resp)
        if not resp.body:
            writer.write(head + (conn.send(h11.EndOfMessage()) or b""))
        else:
            pieces = conn.send_with_data_passthrough(h11.Data(resp.body)) or []
            if len(resp.body) <= _SMALL_BODY:
                writer.write(head + b"".join(pieces))
            else:
                # Pages run to megabytes: the body goes to the transport as is (concatenating
                # the head would copy it), in one write; the drain below is the only await.
                writer.write(head)
                for piece in pieces:
                    writer.write(piece)
            conn.send(h11.EndOfMessage())  # content-length framing: nothing more to write
        await _drain(writer)
        return True

    # -- control API ----------------------------------------------------------------------------
    def _control(self, req: Request) -> Response:
        if req.path == "/_emulator/faults":
            if req.method == "GET":
                return json_response(self.faults.snapshot())
            if req.method == "POST":
                try:
                    command = json.loads(req.body or b"{}")
                    if not isinstance(command, dict):
                        raise ValueError("the body must be a JSON object")
                    return json_response(self.faults.control(command))
                except (ValueError, TypeError) as e:
                    return json_response({"error": str(e)}, 400)
            return json_response({"error": "use GET or POST"}, 405)
        if req.path == "/_emulator/accounts":
            return json_response([a.to_dict() for a in self.accounts])
        return json_response({"error": f"no control endpoint {req.path}"}, 404)


async def _drain(writer: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        await writer.drain()


async def _stall(reader: asyncio.StreamReader) -> None:
    """Hold the connection open without answering until the client gives up (or we stop)."""
    try:
        while await reader.read(65536):
            pass
    except ConnectionError:
        pass


class EmulatorThread:
    """An :class:`Emulator` on its own event loop in a daemon thread (demo mode, sync tests)."""

    def __init__(self, config: EmulatorConfig | None = None, **overrides: Any) -> None:
        self.emulator = Emulator(config, **overrides)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopped: asyncio.Event | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="callscope-emulator", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._main())

    async def _main(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stopped = asyncio.Event()
        try:
            await self.emulator.start()
        except BaseException as e:  # reported to start() in the calling thread
            self._error = e
            self._ready.set()
            return
        self._ready.set()
        await self._stopped.wait()
        await self.emulator.stop()

    def start(self) -> Emulator:
        """Start and return once the server listens (raises if it could not bind)."""
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self.emulator

    def stop(self) -> None:
        if self._loop is not None and self._stopped is not None and self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._stopped.set)
        self._thread.join(timeout=10)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def accounts(self) -> list[EmulatedAccount]:
        return self.emulator.accounts

    def base_url(self, provider: str) -> str:
        return self.emulator.base_url(provider)


def describe(accounts: Iterable[EmulatedAccount]) -> list[dict[str, str]]:
    return [a.to_dict() for a in accounts]
