"""Exotel Voice v1 "Calls" (providers.md §5): bulk list, one call, recordings.

Base URL ``http://HOST:PORT`` (like ``https://api.exotel.com``); paths:

- ``GET /v1/Accounts/{sid}/Calls.json`` — finished calls, ``{"Metadata": {…}, "Calls": […]}``,
  newest first by ``DateCreated`` (``SortBy=DateCreated:asc`` reverses), ``After``/``Before``
  cursors, every documented filter and limit (:mod:`~tui.emulator.exotel_query`).
- ``GET /v1/Accounts/{sid}/Calls/{CallSid}.json`` — ``{"Call": {…}}``; ``details=true`` adds
  ``Details`` (legs); ``RecordingUrlValidity=5..60`` (either endpoint) adds
  ``PreSignedRecordingUrl``.
- Without ``.json`` both answer XML (``<TwilioResponse>``), errors included.
- ``GET /exotelrecordings/{sid}/{CallSid}.mp3`` — the recording (``RecordingUrl``), standing in
  for Exotel's S3 bucket; a pre-signed URL carries an ``X-Amz-Signature`` that is checked.

Auth: HTTP Basic ``api_key:api_token`` (credentials in the URL's userinfo reach the server as the
same header). Times are zone-less ``YYYY-MM-DD HH:MM:SS`` in :data:`ACCOUNT_ZONE`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from datetime import UTC, datetime
from typing import Any, ClassVar
from xml.sax.saxutils import escape

from .api import AccountSpec, Context, ProviderAPI, route
from .exotel_query import (
    ACCOUNT_ZONE,
    PAGING_KEYS,
    PENDING_SECONDS,
    CallFilter,
    Columns,
    ExotelError,
    Walker,
    bad,
    check_parameter_names,
    format_time,
    page_size,
    sort_ascending,
    to_inr,
)
from .ids import SidCodec, hex_id
from .media import mp3
from .wire import (
    Request,
    Response,
    encode_query,
    json_response,
    text_response,
    write_xml,
    xml_singular,
)

# providers.md §5.6 shows two RestException codes (fixtures exotel/examples/error_401_*); the codes
# of the other statuses are not documented [unconfirmed]: these name the HTTP status in the same
# upper-snake style.
ERROR_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "CONFLICT",
    429: "TOO_MANY_REQUESTS",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
}
# Fixtures exotel/examples/error_401_unauthorized… and error_401_invalid_account_sid….
UNAUTHORIZED_MESSAGE = "Authentication failed. Invalid API Key or Token."
INVALID_ACCOUNT_MESSAGE = "Account SID is invalid or does not match credentials."
# [unconfirmed] §8.4: the HTTP status of an unknown CallSid; 404 per the generic status table.
UNKNOWN_CALL_STATUS = 404
# [unconfirmed] §5.4: what NextPageUri/PrevPageUri hold when the page had no record ("empty/null/
# absent" per the client note); the emulator sends null.
NO_PAGE_URI = None
# [unconfirmed] §5.7: whether the plain RecordingUrl needs the API credentials depends on account
# settings; the emulated account serves it without (like a public S3 object).
RECORDING_PREFIX = "/exotelrecordings"
# [unconfirmed] §5.4/§8.4: whether Metadata.Total is the grand total of the filtered calls or the
# number on the page. The docs' example (Total 1027 with PageSize 20) only fits a grand total, so
# the emulator counts every match (O(1) without predicates; a status column or one scan of the
# date window otherwise, cached per filter). False = the page's count (cheap at any size).
TOTAL_IS_GRAND_TOTAL = True
RECORDING_VALIDITY = (5, 60)  # minutes, §5.2 [doc]
# [unconfirmed] AnsweredBy vocabulary: the docs' table says Human/Machine/NotSure/NA.
_ANSWERED_BY = {"human": "Human", "machine_start": "Machine", "unknown": "NotSure"}
_S3_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{}</Code><Message>{}</Message></Error>'
)


def national(number: str) -> str:
    """Indian numbers as Exotel writes them in records (``0XXXXX38847``); others unchanged."""
    if number.startswith("+91") and len(number) == 13 and number[1:].isdigit():
        return "0" + number[3:]
    return number


class ExotelAPI(ProviderAPI):
    """Exotel Voice v1. Base URL ``http://HOST:PORT`` (like ``https://api.exotel.com``)."""

    provider = "exotel"
    base_path = ""
    home_country = "IN"
    zone: ClassVar[str] = ACCOUNT_ZONE  # the zone a client must read this account's times in

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        seed = ctx.dataset.seed
        self.creds = {a.username: a for a in ctx.accounts}
        self.by_account = {a.account: a for a in ctx.accounts}
        self.sids = {a.account: SidCodec(seed, a.key, "exotel-call") for a in ctx.accounts}
        self.cursors = {a.account: SidCodec(seed, a.key, "exotel-cursor") for a in ctx.accounts}
        self.signing_keys = {
            a.account: hex_id(seed, "exotel-s3", a.account).encode() for a in ctx.accounts
        }
        self._columns: dict[str, Columns] = {}
        self._totals: dict[tuple[str, CallFilter], int] = {}
        acc = r"/v1/Accounts/(?P<acc>[^/]+)"
        self.routes = [
            route(rf"{acc}/Calls(?P<ext>\.json)?", self.list_calls),
            route(rf"{acc}/Calls/(?P<sid>[^/.]+)(?P<ext>\.json)?", self.fetch_call),
            route(rf"{RECORDING_PREFIX}/(?P<acc>[^/]+)/(?P<sid>[^/.]+)\.mp3", self.recording),
        ]
        self.list_pattern = self.routes[0].pattern

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        out = []
        for i in range(count):
            sid = "callscope" + hex_id(seed, "exotel", i, length=8)
            label = "Exotel (emulator)" if count == 1 else f"Exotel {i + 1} (emulator)"
            key = hex_id(seed, "exotel-key", i, length=40)
            token = hex_id(seed, "exotel-token", i, length=40)
            out.append(AccountSpec("exotel", label, sid, key, token, f"exotel:{i}"))
        return out

    # -- plumbing -------------------------------------------------------------------------------
    def _out(self, payload: dict[str, Any], ext: str | None, status: int = 200) -> Response:
        if ext == ".json":
            return json_response(payload, status)
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<TwilioResponse>']
        for k, v in payload.items():
            _xml(k, v, out)
        out.append("</TwilioResponse>")
        return text_response("".join(out), status, "application/xml; charset=utf-8")

    def error(
        self, status: int, message: str, code: int | str | None = None, ext: str | None = ".json"
    ) -> Response:
        code = str(code) if code is not None else ERROR_CODES.get(status, "ERROR")
        resp = self._out(
            {"RestException": {"Status": status, "Message": message, "Code": code}}, ext
        )
        resp.status = status
        if status == 401:
            resp.headers.append(("WWW-Authenticate", 'Basic realm="Exotel"'))
        return resp

    def unauthorized(self) -> Response:
        return self.error(401, UNAUTHORIZED_MESSAGE, "UNAUTHORIZED")

    def _auth(self, req: Request, account: str, ext: str | None) -> AccountSpec | Response:
        creds = req.basic_auth()
        spec = self.creds.get(creds[0]) if creds else None
        if (
            creds is None
            or spec is None
            or not hmac.compare_digest(spec.password.encode(), creds[1].encode())
        ):
            return self.error(401, UNAUTHORIZED_MESSAGE, "UNAUTHORIZED", ext)
        if spec.account != account:
            return self.error(401, INVALID_ACCOUNT_MESSAGE, "INVALID_ACCOUNT_SID", ext)
        return spec

    def _cols(self, spec: AccountSpec) -> Columns:
        cols = self._columns.get(spec.account)
        if cols is None:
            cols = self._columns[spec.account] = Columns(self.ctx.dataset, spec.key)
        return cols

    def call_sid(self, spec: AccountSpec, index: int) -> str:
        return self.sids[spec.account].encode(index)

    def call_index(self, spec: AccountSpec, sid: str) -> int | None:
        if not re.fullmatch(r"[0-9a-f]{32}", sid):
            return None
        idx = self.sids[spec.account].decode(sid)
        return idx if idx is not None and idx < self.ctx.dataset.count(spec.key) else None

    def _cursor(self, spec: AccountSpec, index: int) -> str:
        raw = bytes.fromhex(self.cursors[spec.account].encode(index))
        return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")

    def _cursor_index(self, spec: AccountSpec, params: dict[str, str], name: str) -> int | None:
        if name not in params:
            return None
        value = params[name].strip()
        try:
            raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
        except (binascii.Error, ValueError):
            raw = b""
        idx = self.cursors[spec.account].decode(raw.hex()) if len(raw) == 16 else None
        if idx is None or idx >= self.ctx.dataset.count(spec.key):
            raise bad(f"Invalid {name} value '{value}'")
        return idx

    def _validity(self, params: dict[str, str]) -> int | None:
        if "RecordingUrlValidity" not in params:
            return None
        raw = params["RecordingUrlValidity"].strip()
        lo, hi = RECORDING_VALIDITY
        if not re.fullmatch(r"[0-9]{1,6}", raw) or not lo <= int(raw) <= hi:
            raise bad(f"RecordingUrlValidity must be between {lo} and {hi} minutes")
        return int(raw)

    # -- Calls ----------------------------------------------------------------------------------
    def list_calls(self, req: Request, m: re.Match[str]) -> Response:
        ext = m["ext"]
        spec = self._auth(req, m["acc"], ext)
        if isinstance(spec, Response):
            return spec
        ds = self.ctx.dataset
        try:
            check_parameter_names(req.query)
            size = page_size(req.params)
            ascending = sort_ascending(req.params)
            filt = CallFilter.parse(req.params, ds.now, lambda s: self.call_index(spec, s))
            after = self._cursor_index(spec, req.params, "After")
            before = self._cursor_index(spec, req.params, "Before")
            if after is not None and before is not None:
                raise bad("Use either After or Before, not both")
            validity = self._validity(req.params)
        except ExotelError as e:
            return self.error(e.status, e.message, e.code, ext)
        walker = Walker(self._cols(spec), filt)
        items = walker.page(size, ascending, after, before)
        total_key = (spec.account, filt)
        total = self._totals.get(total_key) if TOTAL_IS_GRAND_TOTAL else len(items)
        if total is None:
            if len(self._totals) > 1024:
                self._totals.clear()
            total = self._totals[total_key] = walker.total()
        kept = [(k, v) for k, v in req.query if k not in PAGING_KEYS or k == "SortBy"]
        base = f"/v1/Accounts/{spec.account}/Calls{ext or ''}"
        first = f"{base}?{encode_query([*kept, ('PageSize', str(size))])}"
        metadata = {
            "Total": total,
            "PageSize": size,
            "FirstPageUri": first,
            "PrevPageUri": f"{first}&Before={self._cursor(spec, items[0])}"
            if items
            else NO_PAGE_URI,
            "NextPageUri": f"{first}&After={self._cursor(spec, items[-1])}"
            if items
            else NO_PAGE_URI,
        }
        calls = [self.render_call(spec, i, validity=validity) for i in items]
        return self._out({"Metadata": metadata, "Calls": calls}, ext)

    def fetch_call(self, req: Request, m: re.Match[str]) -> Response:
        ext = m["ext"]
        spec = self._auth(req, m["acc"], ext)
        if isinstance(spec, Response):
            return spec
        try:
            validity = self._validity(req.params)
        except ExotelError as e:
            return self.error(e.status, e.message, e.code, ext)
        idx = self.call_index(spec, m["sid"])
        if idx is None:
            return self.error(UNKNOWN_CALL_STATUS, f"Call {m['sid']} not found", None, ext)
        details = req.params.get("details", "").strip().lower() == "true"
        return self._out({"Call": self.render_call(spec, idx, details, validity)}, ext)

    # -- records --------------------------------------------------------------------------------
    def render_call(
        self, spec: AccountSpec, i: int, details: bool = False, validity: int | None = None
    ) -> dict[str, Any]:
        ds = self.ctx.dataset
        # The O(1) columns, not ds.call(): list pages render hundreds of calls (same values).
        c = ds.core(spec.key, i)
        sid = self.call_sid(spec, i)
        pending = c.end is not None and c.end + PENDING_SECONDS > ds.now
        ended = c.end is not None and not pending
        if c.is_child:
            direction = "outbound-dial"
            parent = ds.core(spec.key, i - 1)
            exophone = parent.to if parent.direction == "inbound" else parent.from_
        else:
            direction = "inbound" if c.direction == "inbound" else "outbound-api"
            exophone = c.to if c.direction == "inbound" else c.from_
        updated = c.created if c.end is None else c.end if pending else c.end + PENDING_SECONDS
        price = to_inr(c.price) if ended else None
        # Only an outbound, non-child, completed call has answered_by (its generator is seeded
        # only then).
        answerable = c.direction == "outbound" and not c.is_child and c.status == "completed"
        recording = None
        if c.recordings > 0:
            recording = f"{self.ctx.origin()}{RECORDING_PREFIX}/{spec.account}/{sid}.mp3"
        out: dict[str, Any] = {
            "Sid": sid,
            "ParentCallSid": self.call_sid(spec, i - 1) if c.is_child else None,
            "DateCreated": format_time(c.created),
            "DateUpdated": format_time(updated),
            "AccountSid": spec.account,
            "To": national(c.to),
            "From": national(c.from_),
            "PhoneNumberSid": national(exophone),
            "Status": c.status,
            "StartTime": format_time(c.start),
            "EndTime": format_time(c.end) if ended else None,
            "Duration": str(c.end - c.start) if ended and c.end and c.start else None,
            "Price": None if price is None else f"{price:.3f}",
            "Direction": direction,
            "AnsweredBy": _ANSWERED_BY.get(ds.extras(c)[1] or "") if answerable else None,
            "RecordingUrl": recording,
        }
        if validity is not None:
            out["PreSignedRecordingUrl"] = (
                None if recording is None else self._presign(spec, sid, recording, validity)
            )
        if details:
            out["Details"] = _details(c.status, direction, c.start, c.end, c.duration, ended)
        return out

    # -- recordings -----------------------------------------------------------------------------
    def _signature(self, account: str, sid: str, date: str, expires: str) -> str:
        msg = f"{account}/{sid}.mp3|{date}|{expires}".encode()
        return hmac.new(self.signing_keys[account], msg, hashlib.sha256).hexdigest()

    def _presign(self, spec: AccountSpec, sid: str, url: str, minutes: int) -> str:
        date = datetime.fromtimestamp(self.ctx.dataset.now, UTC).strftime("%Y%m%dT%H%M%SZ")
        expires = str(minutes * 60)
        query = [
            ("X-Amz-Algorithm", "AWS4-HMAC-SHA256"),
            ("X-Amz-Date", date),
            ("X-Amz-Expires", expires),
            ("X-Amz-SignedHeaders", "host"),
            ("X-Amz-Signature", self._signature(spec.account, sid, date, expires)),
        ]
        return f"{url}?{encode_query(query)}"

    def recording(self, req: Request, m: re.Match[str]) -> Response:
        spec = self.by_account.get(m["acc"])
        idx = None if spec is None else self.call_index(spec, m["sid"])
        if spec is None or idx is None or self.ctx.dataset.recording_count(spec.key, idx) == 0:
            return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
        if "X-Amz-Signature" in req.params:
            p = req.params
            expected = self._signature(
                spec.account, m["sid"], p.get("X-Amz-Date", ""), p.get("X-Amz-Expires", "")
            )
            if not hmac.compare_digest(expected.encode(), p["X-Amz-Signature"].encode()):
                return _s3_error(
                    403,
                    "SignatureDoesNotMatch",
                    "The request signature we calculated does not match the signature "
                    "you provided.",
                )
        return Response(200, mp3(), "audio/mpeg")

    # -- faults ---------------------------------------------------------------------------------
    def empty_page_loop(self, req: Request) -> Response | None:
        if self.list_pattern.fullmatch(req.path) is None:
            return None
        metadata = {
            "Total": 0,
            "PageSize": 50,
            "FirstPageUri": req.target,
            "PrevPageUri": NO_PAGE_URI,
            "NextPageUri": req.target,
        }
        return json_response({"Metadata": metadata, "Calls": []})


def _details(
    status: str,
    direction: str,
    start: int | None,
    end: int | None,
    talk: int | None,
    ended: bool,
) -> dict[str, Any]:
    """``Details`` of ``details=true``: leg 1 is the caller's leg into the ExoPhone (inbound) or
    the leg to ``From`` (outbound); leg 2 the onward leg (§5.5 [doc])."""
    on_call = end - start if ended and end is not None and start is not None else None
    if not ended:  # live, or ended but not filled in yet
        return {
            "ConversationDuration": None,
            "Leg1Status": status if end is None else None,
            "Leg2Status": None,
            "Legs": [{"Leg": {"Id": 1, "OnCallDuration": None}}],
        }
    if status == "completed":
        return {
            "ConversationDuration": talk,
            "Leg1Status": "completed",
            "Leg2Status": "completed",
            "Legs": [
                {"Leg": {"Id": 1, "OnCallDuration": on_call}},
                {"Leg": {"Id": 2, "OnCallDuration": talk}},
            ],
        }
    if direction == "inbound":  # the caller reached the ExoPhone; the onward leg failed
        return {
            "ConversationDuration": 0,
            "Leg1Status": "completed",
            "Leg2Status": status,
            "Legs": [
                {"Leg": {"Id": 1, "OnCallDuration": on_call}},
                {"Leg": {"Id": 2, "OnCallDuration": 0}},
            ],
        }
    return {  # the first leg never connected, so no second leg was dialled
        "ConversationDuration": 0,
        "Leg1Status": status,
        "Leg2Status": None,
        "Legs": [{"Leg": {"Id": 1, "OnCallDuration": 0}}],
    }


def _s3_error(status: int, code: str, message: str) -> Response:
    return text_response(_S3_XML.format(code, escape(message)), status, "application/xml")


def _xml(tag: str, value: Any, out: list[str]) -> None:
    write_xml(tag, value, out, item=_xml_item)


def _xml_item(tag: str, item: Any) -> tuple[str, Any]:
    """A list item's element: ``[{"Leg": {...}}]`` → ``<Leg>…</Leg>``, else the singular tag."""
    if isinstance(item, dict) and len(item) == 1 and isinstance(next(iter(item.values())), dict):
        return next(iter(item.items()))
    return xml_singular(tag), item
