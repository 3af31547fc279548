"""Twilio (2010-04-01) and SignalWire (Compatibility / LaML) call APIs.

One implementation, two flavours: the routes, auth, filters and cursor paging are identical, the
wire shapes differ by the data in :class:`~tui.emulator.laml_render.Flavour`. Twilio answers XML
unless the path ends in ``.json``; SignalWire answers JSON with or without the suffix (its own
paging URIs carry none), under ``/api/laml/2010-04-01`` and, as its SDK requests it, without the
``/api/laml`` prefix.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, ClassVar

from .api import AccountSpec, Context, ProviderAPI, route
from .ids import as_uuid, hex_id
from .laml_query import INVALID_PAGE_TOKEN, BadRequest, CallQuery, page_number, page_size
from .laml_render import (
    SIGNALWIRE,
    TWILIO,
    CallsJson,
    Flavour,
    Sids,
    render_call,
    render_event,
    render_notification,
    render_recording,
    to_xml,
)
from .media import mp3, wav
from .wire import (
    Request,
    Response,
    encode_query,
    json_items_response,
    json_response,
    text_response,
)

_PAGING_KEYS = ("Page", "PageSize", "PageToken")


class LamlAPI(ProviderAPI):
    flavour: ClassVar[Flavour]
    account_prefix: ClassVar[str]  # regex of the account segment, prefix included

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.by_account = {a.account: a for a in ctx.accounts}
        self.creds: dict[str, tuple[str, AccountSpec]] = {
            a.username: (a.password, a) for a in ctx.accounts
        }
        self.sids = {a.account: Sids(self.flavour, ctx.dataset.seed, a.key) for a in ctx.accounts}
        self._renderers: dict[str, CallsJson] = {}
        p = self.account_prefix
        j = r"(?P<ext>\.json|\.xml)?"
        sid = r"(?P<sid>[^/.]+)"
        self.routes = [
            route(rf"{p}/Calls{j}", self.list_calls),
            route(rf"{p}/Calls/{sid}{j}", self.fetch_call),
            route(rf"{p}/Calls/{sid}/Recordings{j}", self.list_call_recordings),
            route(rf"{p}/Calls/{sid}/Recordings/(?P<rec>[^/.]+){j}", self.fetch_call_recording),
            route(rf"{p}/Recordings{j}", self.list_account_recordings),
            route(
                rf"{p}/Recordings/(?P<rec>[^/.]+)(?P<ext>\.json|\.xml|\.wav|\.mp3)?", self.recording
            ),
        ]
        self.calls_list_pattern = self.routes[0].pattern

    # -- plumbing -------------------------------------------------------------------------------
    def _wants_json(self, ext: str | None) -> bool:
        return ext == ".json" or (self.flavour.numeric and ext != ".xml")

    def _out(
        self,
        payload: dict[str, Any],
        ext: str | None,
        list_key: str | None = None,
        resource: str = "",
    ) -> Response:
        if self._wants_json(ext):
            return json_response(payload)
        return text_response(to_xml(payload, list_key, resource), content_type="application/xml")

    def error(
        self, status: int, message: str, code: int | str | None = None, ext: str | None = ".json"
    ) -> Response:
        code = (
            int(code)
            if code is not None
            else {401: 20003, 404: 20404, 429: 20429}.get(status, 20000 + status)
        )
        more = self.flavour.more_info or f"https://www.twilio.com/docs/errors/{code}"
        body = {"code": code, "message": message, "more_info": more, "status": status}
        resp = self._out(body, ext)
        resp.status = status
        if status == 401:
            resp.headers.append(
                ("WWW-Authenticate", f'Basic realm="{self.flavour.provider.title()} API"')
            )
        return resp

    def unauthorized(self) -> Response:
        return self.error(401, self._auth_message)

    _auth_message = "Authentication Error - invalid username"

    def _auth(self, req: Request, account: str, ext: str | None) -> AccountSpec | Response:
        """The account the credentials open, if it is the path's ``account``; else the 401."""
        creds = req.basic_auth()
        entry = self.creds.get(creds[0]) if creds else None
        if creds is None or entry is None or entry[0] != creds[1]:
            return self.error(401, self._auth_message, ext=ext)
        spec = entry[1]
        if spec.account != account:
            # Credentials are valid but for another account: the path account is not theirs.
            return self.error(401, self._auth_message, ext=ext)
        return spec

    def _call(self, req: Request, m: re.Match[str]) -> tuple[AccountSpec, int] | Response:
        """The account and call index of a ``…/Calls/{sid}…`` path, or the 401/404 answer."""
        spec = self._auth(req, m["acc"], m["ext"])
        if isinstance(spec, Response):
            return spec
        idx = self._call_index(spec, m["sid"])
        if idx is None:
            return self._not_found(req, m["ext"])
        return spec, idx

    def _not_found(self, req: Request, ext: str | None) -> Response:
        return self.error(404, f"The requested resource {req.path} was not found", ext=ext)

    def _calls_json(self, spec: AccountSpec) -> CallsJson:
        cj = self._renderers.get(spec.account)
        if cj is None:
            sids = self.sids[spec.account]
            cj = CallsJson(self.flavour, self.ctx.dataset, spec.key, sids, spec.account)
            self._renderers[spec.account] = cj
        return cj

    def _call_index(self, spec: AccountSpec, sid: str) -> int | None:
        idx = self.sids[spec.account].call_index(sid)
        return idx if idx is not None and idx < self.ctx.dataset.count(spec.key) else None

    # -- paging ---------------------------------------------------------------------------------
    def _page(
        self,
        req: Request,
        ext: str | None,
        path: str,
        list_key: str,
        desc: Callable[[int | None], Iterator[int]],
        asc: Callable[[int], Iterator[int]],
        pos_of: Callable[[str], int | None],
        sid_of: Callable[[int], str],
        render: Callable[[int], dict[str, Any]],
        render_json: Callable[[list[int]], list[bytes]] | None = None,
    ) -> Response:
        """One list page. ``render`` gives an item as a dict; ``render_json``, if given, the
        JSON text of a whole page's items (the fast path of JSON list pages, same bytes)."""
        f = self.flavour
        try:
            size = page_size(req.params, f.page_size_max)
            page = page_number(req.params)
            token = req.params.get("PageToken")
            if token is not None:
                pos = pos_of(token[2:]) if token[:2] in ("PA", "PB") else None
                if pos is None:
                    raise BadRequest("Invalid PageToken", INVALID_PAGE_TOKEN)
                if token[:2] == "PA":
                    items = list(islice(desc(pos), size + 1))
                    has_next, items = len(items) > size, items[:size]
                else:
                    items = list(islice(asc(pos), size))[::-1]
                    has_next = bool(items) and next(desc(items[-1]), None) is not None
            else:
                items = list(islice(desc(None), size + 1))
                has_next, items = len(items) > size, items[:size]
        except BadRequest as e:
            return self.error(400, e.message, e.code, ext)
        filters = [(k, v) for k, v in req.query if k not in _PAGING_KEYS]
        base = path + (f.list_suffix if self._wants_json(ext) else "")

        def uri(pg: int, tok: str | None) -> str:
            paging = [("Page", str(pg)), ("PageSize", str(size))]
            if not f.numeric:
                paging.reverse()  # Twilio writes PageSize first, SignalWire Page first
            if tok:
                paging.append(("PageToken", tok))
            return f"{base}?{encode_query(filters + paging)}"

        nxt = uri(page + 1, "PA" + sid_of(items[-1])) if has_next and items else None
        prev = uri(page - 1, "PB" + sid_of(items[0])) if page > 0 and items else None
        fast = render_json is not None and self._wants_json(ext)
        records = [] if fast else [render(i) for i in items]
        payload: dict[str, Any] = {list_key: records}
        if f.start_end:
            start = page * size
            payload.update(end=start + max(len(items) - 1, 0), first_page_uri=uri(0, None))
            payload.update(next_page_uri=nxt, page=page, page_size=size, previous_page_uri=prev)
            payload.update(start=start, uri=uri(page, token))
        else:
            payload = {
                "uri": uri(page, token),
                "first_page_uri": uri(0, None),
                "next_page_uri": nxt,
                "previous_page_uri": prev,
                "page": page,
                "page_size": size,
                list_key: records,
            }
        if fast and render_json is not None:
            return json_items_response(payload, list_key, render_json(items))
        return self._out(payload, ext, list_key)

    # -- Calls ----------------------------------------------------------------------------------
    def list_calls(self, req: Request, m: re.Match[str]) -> Response:
        ext = m["ext"]
        spec = self._auth(req, m["acc"], ext)
        if isinstance(spec, Response):
            return spec
        ds, key, sids = self.ctx.dataset, spec.key, self.sids[spec.account]
        try:
            q = CallQuery.parse(req.params, self.flavour, sids)
        except BadRequest as e:
            return self.error(400, e.message, e.code, ext)
        return self._page(
            req,
            ext,
            f"{self.flavour.api_root}/Accounts/{spec.account}/Calls",
            "calls",
            lambda below: q.iter_desc(ds, key, below),
            lambda above: q.iter_asc(ds, key, above),
            lambda s: self._call_index(spec, s),
            sids.call,
            lambda i: render_call(ds.call(key, i), self.flavour, sids, spec.account),
            self._calls_json(spec).items,
        )

    def fetch_call(self, req: Request, m: re.Match[str]) -> Response:
        found = self._call(req, m)
        if isinstance(found, Response):
            return found
        (spec, idx), ext = found, m["ext"]
        call = self.ctx.dataset.call(spec.key, idx)
        return self._out(
            render_call(call, self.flavour, self.sids[spec.account], spec.account),
            ext,
            resource="Call",
        )

    # -- Recordings -----------------------------------------------------------------------------
    def _rec_positions(self, spec: AccountSpec, idx: int) -> list[int]:
        n = self.ctx.dataset.recording_count(spec.key, idx)
        return [idx * 4 + k for k in range(n - 1, -1, -1)]

    def _rec_page(
        self,
        req: Request,
        ext: str | None,
        spec: AccountSpec,
        path: str,
        positions: Callable[[int | None], Iterator[int]],
        account_level: bool,
    ) -> Response:
        ds, sids = self.ctx.dataset, self.sids[spec.account]

        def pos_of(sid: str) -> int | None:
            ref = sids.recording_ref(sid)
            return None if ref is None or ref[0] >= ds.count(spec.key) else ref[0] * 4 + ref[1]

        def asc(above: int) -> Iterator[int]:
            # Recording lists are short (per call) or walked forwards only; materialise newest
            # first up to ``above`` and reverse.
            return iter(sorted(p for p in islice(positions(None), 100_000) if p > above))

        return self._page(
            req,
            ext,
            path,
            "recordings",
            positions,
            asc,
            pos_of,
            lambda p: sids.recording(p // 4, p % 4),
            lambda p: render_recording(
                ds.call(spec.key, p // 4),
                p % 4,
                self.flavour,
                sids,
                spec.account,
                account_level,
                self.ctx.origin(),
            ),
        )

    def list_call_recordings(self, req: Request, m: re.Match[str]) -> Response:
        found = self._call(req, m)
        if isinstance(found, Response):
            return found
        (spec, idx), ext = found, m["ext"]
        pos = self._rec_positions(spec, idx)
        path = f"{self.flavour.api_root}/Accounts/{spec.account}/Calls/{m['sid']}/Recordings"
        return self._rec_page(req, ext, spec, path, lambda below: _below(pos, below), False)

    def list_account_recordings(self, req: Request, m: re.Match[str]) -> Response:
        ext = m["ext"]
        spec = self._auth(req, m["acc"], ext)
        if isinstance(spec, Response):
            return spec
        path = f"{self.flavour.api_root}/Accounts/{spec.account}/Recordings"
        call_sid = req.params.get("CallSid")
        if call_sid:
            idx = self._call_index(spec, call_sid)
            pos = [] if idx is None else self._rec_positions(spec, idx)
            return self._rec_page(req, ext, spec, path, lambda below: _below(pos, below), True)
        return self._rec_page(
            req, ext, spec, path, lambda below: self._all_recordings(spec, below), True
        )

    def _all_recordings(self, spec: AccountSpec, below: int | None) -> Iterator[int]:
        ds = self.ctx.dataset
        top = ds.count(spec.key) - 1 if below is None else below // 4
        for i in range(top, -1, -1):
            for p in self._rec_positions(spec, i):
                if below is None or p < below:
                    yield p

    def fetch_call_recording(self, req: Request, m: re.Match[str]) -> Response:
        found = self._call(req, m)
        if isinstance(found, Response):
            return found
        (spec, idx), ext = found, m["ext"]
        ref = self.sids[spec.account].recording_ref(m["rec"])
        if (
            ref is None
            or ref[0] != idx
            or ref[1] >= self.ctx.dataset.recording_count(spec.key, idx)
        ):
            return self._not_found(req, ext)
        return self._recording_out(spec, idx, ref[1], ext, account_level=False)

    def recording(self, req: Request, m: re.Match[str]) -> Response:
        ext = m["ext"]
        media = ext in (None, ".wav", ".mp3")
        spec = self.by_account.get(m["acc"])
        if not media or self.ctx.media_auth or spec is None:
            authed = self._auth(req, m["acc"], ".json" if media else ext)
            if isinstance(authed, Response):
                return authed
            spec = authed
        ref = self.sids[spec.account].recording_ref(m["rec"])
        ds = self.ctx.dataset
        if (
            ref is None
            or ref[0] >= ds.count(spec.key)
            or ref[1] >= ds.recording_count(spec.key, ref[0])
        ):
            return self._not_found(req, ".json" if media else ext)
        if ext == ".mp3":
            return Response(200, mp3(), "audio/mpeg")
        if media:
            return Response(200, wav(ref[0] * 4 + ref[1]), "audio/x-wav")
        return self._recording_out(spec, ref[0], ref[1], ext, account_level=True)

    def _recording_out(
        self, spec: AccountSpec, index: int, n: int, ext: str | None, *, account_level: bool
    ) -> Response:
        """One recording resource (the call-level and account-level forms differ in media_url)."""
        call = self.ctx.dataset.call(spec.key, index)
        sids = self.sids[spec.account]
        origin = self.ctx.origin()
        body = render_recording(call, n, self.flavour, sids, spec.account, account_level, origin)
        return self._out(body, ext, resource="Recording")

    # -- faults ---------------------------------------------------------------------------------
    def empty_page_loop(self, req: Request) -> Response | None:
        m = self.calls_list_pattern.fullmatch(req.path)
        if m is None:
            return None
        payload: dict[str, Any] = {
            "calls": [],
            "end": 0,
            "first_page_uri": req.target,
            "next_page_uri": req.target,
        }
        payload.update(page=0, page_size=50, previous_page_uri=None, start=0, uri=req.target)
        if not self.flavour.start_end:
            del payload["start"], payload["end"]
        return json_response(payload)


def _below(positions: Iterable[int], below: int | None) -> Iterator[int]:
    return (p for p in positions if below is None or p < below)


class TwilioAPI(LamlAPI):
    """Twilio Programmable Voice 2010-04-01. Base URL ``http://HOST:PORT`` (like api.twilio.com)."""

    provider = "twilio"
    base_path = ""
    flavour = TWILIO
    account_prefix = r"/2010-04-01/Accounts/(?P<acc>AC[^/]*)"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        # Each account also has one API key (SK…:secret), accepted like AccountSid:AuthToken.
        self.api_keys = {
            a.account: ("SK" + hex_id(a.account, "key"), hex_id(a.account, "secret"))
            for a in ctx.accounts
        }
        for a in ctx.accounts:
            sk, secret = self.api_keys[a.account]
            self.creds[sk] = (secret, a)
        self.routes += [
            route(
                rf"{self.account_prefix}/Calls/(?P<sid>[^/.]+)/Notifications(?P<ext>\.json|\.xml)?",
                self.notifications,
            ),
            route(
                rf"{self.account_prefix}/Calls/(?P<sid>[^/.]+)/Events(?P<ext>\.json|\.xml)?",
                self.events,
            ),
        ]

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        out = []
        for i in range(count):
            sid = "AC" + hex_id(seed, "twilio", i)
            label = "Twilio (emulator)" if count == 1 else f"Twilio {i + 1} (emulator)"
            out.append(
                AccountSpec(
                    "twilio", label, sid, sid, hex_id(seed, "twilio-token", i), f"twilio:{i}"
                )
            )
        return out

    def _sub_list(
        self,
        req: Request,
        m: re.Match[str],
        list_key: str,
        make: Callable[[AccountSpec, int], list[dict[str, Any]]],
    ) -> Response:
        found = self._call(req, m)
        if isinstance(found, Response):
            return found
        (spec, idx), ext = found, m["ext"]
        try:
            size = page_size(req.params, self.flavour.page_size_max)
        except BadRequest as e:
            return self.error(400, e.message, e.code, ext)
        items = make(spec, idx)[:size]
        path = f"{self.flavour.api_root}/Accounts/{spec.account}/Calls/{m['sid']}"
        uri = f"{path}/{list_key.title()}.json?PageSize={size}&Page=0"
        payload: dict[str, Any] = {
            "end": max(len(items) - 1, 0),
            list_key: items,
            "first_page_uri": uri,
        }
        payload.update(
            next_page_uri=None, page=0, page_size=size, previous_page_uri=None, start=0, uri=uri
        )
        return self._out(payload, ext, list_key)

    def notifications(self, req: Request, m: re.Match[str]) -> Response:
        def make(spec: AccountSpec, idx: int) -> list[dict[str, Any]]:
            call = self.ctx.dataset.call(spec.key, idx)
            if call.status != "failed":
                return []
            return [render_notification(call, self.sids[spec.account], spec.account)]

        return self._sub_list(req, m, "notifications", make)

    def events(self, req: Request, m: re.Match[str]) -> Response:
        def make(spec: AccountSpec, idx: int) -> list[dict[str, Any]]:
            c = self.ctx.dataset.call(spec.key, idx)
            sids = self.sids[spec.account]
            out = [render_event(c, sids, spec.account, "initiated", c.created)]
            if c.end is not None:
                out.append(render_event(c, sids, spec.account, c.status, c.end))
            return out

        return self._sub_list(req, m, "events", make)


class SignalWireAPI(LamlAPI):
    """SignalWire Compatibility API. Base URL ``http://HOST:PORT/api/laml/2010-04-01``."""

    provider = "signalwire"
    base_path = "/api/laml/2010-04-01"
    flavour = SIGNALWIRE
    # Both path forms; without "/api/laml" only non-Twilio (non "AC…") accounts are claimed.
    account_prefix = (
        r"(?:/api/laml/2010-04-01|/2010-04-01(?=/Accounts/(?!AC)))/Accounts/(?P<acc>[^/]+)"
    )
    _auth_message = "Authentication failed"

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        out = []
        for i in range(count):
            project = as_uuid(hex_id(seed, "signalwire", i))
            label = "SignalWire (emulator)" if count == 1 else f"SignalWire {i + 1} (emulator)"
            token = "PT" + hex_id(seed, "signalwire-token", i, length=48)
            out.append(AccountSpec("signalwire", label, project, project, token, f"signalwire:{i}"))
        return out
