"""Wire shapes of Twilio and SignalWire (LaML) resources, built from provider-neutral records.

The two providers differ in field types and spellings (string vs numeric duration and price,
``from_formatted`` vs ``formatted_from``, ``outbound-api`` vs ``outbound``, ``Sept``); those
differences live in :class:`Flavour` as data, and one renderer serves both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from json.encoder import encode_basestring  # json.dumps(ensure_ascii=False)'s string encoder
from typing import Any
from xml.sax.saxutils import escape

from .dataset import CallRecord, Core, Dataset, utc
from .ids import SidCodec, as_uuid, hex_id
from .wire import write_xml, xml_singular

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# SignalWire's own examples write September as "Sept" (providers.md §4.4), which strict RFC 2822
# parsers reject; emitting it keeps clients honest.
_MONTHS_SW = (*_MONTHS[:8], "Sept", *_MONTHS[9:])


@dataclass(frozen=True, slots=True)
class Flavour:
    provider: str
    api_root: str  # prefix of every URI the API emits
    more_info: str  # base of error documentation links ("" = per-code Twilio links)
    uuid_sids: bool
    numeric: bool  # duration/price as numbers (SignalWire) instead of strings (Twilio)
    sept: bool
    list_suffix: str  # suffix of list/paging URIs: ".json" (Twilio) or "" (SignalWire)
    start_end: bool  # list envelope carries "start"/"end"
    statuses: dict[str, str]  # neutral status -> provider status
    page_size_max: int


TWILIO = Flavour(
    provider="twilio",
    api_root="/2010-04-01",
    more_info="",
    uuid_sids=False,
    numeric=False,
    sept=False,
    list_suffix=".json",
    start_end=True,
    statuses={
        s: s
        for s in (
            "completed",
            "busy",
            "no-answer",
            "failed",
            "canceled",
            "ringing",
            "in-progress",
            "queued",
        )
    },
    page_size_max=1000,
)
SIGNALWIRE = Flavour(
    provider="signalwire",
    api_root="/api/laml/2010-04-01",
    more_info="https://signalwire.com/docs/compatibility-api/reference/errors",
    uuid_sids=True,
    numeric=True,
    sept=True,
    list_suffix="",
    start_end=False,
    # providers.md §4.4: SignalWire's status set has no "no-answer"; an unanswered call that the
    # caller gave up on is reported as canceled.
    statuses={
        "completed": "completed",
        "busy": "busy",
        "no-answer": "canceled",
        "failed": "failed",
        "canceled": "canceled",
        "ringing": "ringing",
        "in-progress": "in-progress",
        "queued": "queued",
    },
    page_size_max=1000,
)


_HOUR_MINUTE = tuple(f"{m // 60:02d}:{m % 60:02d}" for m in range(1440))
_SECOND = tuple(f"{s:02d}" for s in range(60))


@lru_cache(maxsize=4096)
def _day_prefix(day: int, sept: bool) -> str:
    """``"Fri, 20 Nov 2026 "`` for the UTC day number ``day`` (days since the epoch)."""
    d = utc(day * 86400)
    months = _MONTHS_SW if sept else _MONTHS
    return f"{_DAYS[d.weekday()]}, {d.day:02d} {months[d.month - 1]} {d.year} "


def rfc2822(ts: int | None, sept: bool = False) -> str | None:
    """RFC 2822 in UTC, ``"Fri, 20 Nov 2026 12:00:00 +0000"`` (list pages format thousands)."""
    if ts is None:
        return None
    day, second = divmod(ts, 86400)
    return f"{_day_prefix(day, sept)}{_HOUR_MINUTE[second // 60]}:{_SECOND[second % 60]} +0000"


def formatted(number: str) -> str:
    """North-American numbers as ``(305) 141-6799``; everything else as given."""
    if number.startswith("+1") and len(number) == 12 and number[1:].isdigit():
        return f"({number[2:5]}) {number[5:8]}-{number[8:]}"
    return number


class Sids:
    """Reversible sids of one account: calls, recordings and notifications."""

    def __init__(self, flavour: Flavour, seed: int, key: str) -> None:
        self.flavour = flavour
        self.calls = SidCodec(seed, key, "call")
        self.recs = SidCodec(seed, key, "rec")
        self.seed = seed
        self.key = key

    def _fmt(self, prefix: str, hex32: str) -> str:
        return as_uuid(hex32) if self.flavour.uuid_sids else prefix + hex32

    def _parse(self, prefix: str, sid: str) -> str | None:
        if self.flavour.uuid_sids:
            if len(sid) != 36 or sid.count("-") != 4:
                return None
            return sid
        return sid[2:] if sid.startswith(prefix) and len(sid) == 34 else None

    def call(self, index: int) -> str:
        return self._fmt("CA", self.calls.encode(index))

    def call_index(self, sid: str) -> int | None:
        h = self._parse("CA", sid)
        return None if h is None else self.calls.decode(h)

    def recording(self, index: int, k: int) -> str:
        return self._fmt("RE", self.recs.encode(index * 4 + k))

    def recording_ref(self, sid: str) -> tuple[int, int] | None:
        h = self._parse("RE", sid)
        v = None if h is None else self.recs.decode(h)
        return None if v is None else divmod(v, 4)

    def notification(self, index: int) -> str:
        return self._fmt("NO", hex_id(self.seed, self.key, "no", index))

    def phone_number(self, number: str) -> str:
        return self._fmt("PN", hex_id(self.seed, self.key, "pn", number))


def _price(value: Decimal | None, numeric: bool) -> str | float | None:
    if value is None:
        return None
    return -float(value) if numeric else f"-{value:.5f}"


def render_call(c: CallRecord, f: Flavour, sids: Sids, account: str) -> dict[str, Any]:
    sid = sids.call(c.index)
    base = f"{f.api_root}/Accounts/{account}/Calls/{sid}"
    own = c.to if c.direction == "inbound" else c.from_
    status = f.statuses[c.status]
    if f.uuid_sids:
        direction = c.direction
    else:
        direction = (
            "inbound"
            if c.direction == "inbound"
            else "outbound-dial"
            if c.is_child
            else "outbound-api"
        )
    updated = c.end if c.end is not None else c.created + c.ring
    parent = sids.call(c.parent_index) if c.parent_index is not None else None
    pn = None if c.is_child else sids.phone_number(own)
    if f.numeric:
        return {
            "sid": sid,
            "account_sid": account,
            "date_created": rfc2822(c.created, True),
            "date_updated": rfc2822(updated, True),
            "parent_call_sid": parent,
            "to": c.to,
            "formatted_to": formatted(c.to),
            "to_formatted": formatted(c.to),
            "from": c.from_,
            "formatted_from": formatted(c.from_),
            "from_formatted": formatted(c.from_),
            "phone_number_sid": pn,
            "status": status,
            "start_time": rfc2822(c.start, True),
            "end_time": rfc2822(c.end, True),
            "duration": c.duration or 0,
            "price": _price(c.price, True),
            "price_unit": c.price_unit,
            "direction": direction,
            "answered_by": None
            if c.answered_by is None
            else "human"
            if c.answered_by == "human"
            else "machine",
            "api_version": "2010-04-01",
            "forwarded_from": None,
            "caller_name": c.caller_name,
            "uri": base + ".json",
            "subresource_uris": {"notifications": None, "recordings": base + "/Recordings.json"},
            "annotation": None,
            "group_sid": None,
            "audio_in_mos": 4.3 if c.status == "completed" else None,
            "sip_result_code": str(c.sip_status) if c.sip_status else None,
            "audio_rtt_avg": 48 if c.status == "completed" else None,
            "audio_rtt_min": 21 if c.status == "completed" else None,
            "audio_rtt_max": 97 if c.status == "completed" else None,
            "audio_out_jitter_min": 1 if c.status == "completed" else None,
            "audio_out_jitter_max": 9 if c.status == "completed" else None,
            "audio_out_jitter_avg": 4 if c.status == "completed" else None,
            "audio_out_lost": 0 if c.status == "completed" else None,
        }
    subs = (
        "notifications",
        "recordings",
        "payments",
        "events",
        "siprec",
        "streams",
        "transcriptions",
        "user_defined_message_subscriptions",
        "user_defined_messages",
    )
    names = {
        "user_defined_message_subscriptions": "UserDefinedMessageSubscriptions",
        "user_defined_messages": "UserDefinedMessages",
    }
    return {
        "account_sid": account,
        "answered_by": c.answered_by,
        "api_version": "2010-04-01",
        "caller_name": c.caller_name,
        "date_created": rfc2822(c.created),
        "date_updated": rfc2822(updated),
        "direction": direction,
        "duration": None if c.duration is None else str(c.duration),
        "end_time": rfc2822(c.end),
        "forwarded_from": None,
        "from": c.from_,
        "from_formatted": formatted(c.from_),
        "group_sid": None,
        "parent_call_sid": parent,
        "phone_number_sid": pn,
        "price": _price(c.price, False),
        "price_unit": c.price_unit,
        "sid": sid,
        "start_time": rfc2822(c.start),
        "status": status,
        "subresource_uris": {s: f"{base}/{names.get(s, s.capitalize())}.json" for s in subs},
        "to": c.to,
        "to_formatted": formatted(c.to),
        "trunk_sid": None,
        "uri": base + ".json",
        "queue_time": "0",
    }


class CallsJson:
    """The JSON text of Calls list items, fast: byte for byte ``json_response`` of
    :func:`render_call` (a test compares every call of hostile datasets), built from the dataset's
    O(1) :class:`~tui.emulator.dataset.Core` columns instead of whole records and dicts.

    Pages of 1000 calls are what clients (and the throughput benchmark) ask for, so this path
    avoids per-call dicts, ``Decimal``, ``datetime`` and the JSON encoder: constant parts are
    precomputed per account and only dataset strings go through the JSON string escaper.
    """

    def __init__(self, f: Flavour, ds: Dataset, key: str, sids: Sids, account: str) -> None:
        self.f, self.ds, self.key, self.sids = f, ds, key, sids
        self.account = encode_basestring(account)
        self.uri_prefix = f"{f.api_root}/Accounts/{account}/Calls/"
        self._numbers: dict[str, str] = {}  # own number -> its phone_number_sid, JSON-encoded
        self._statuses = {k: encode_basestring(v) for k, v in f.statuses.items()}

    def items(self, indexes: list[int]) -> list[bytes]:
        """The UTF-8 JSON of calls ``indexes``, in order."""
        render = self._signalwire if self.f.numeric else self._twilio
        return [render(c).encode() for c in self.ds.cores(self.key, indexes)]

    def _phone_number(self, own: str) -> str:
        pn = self._numbers.get(own)
        if pn is None:
            pn = self._numbers[own] = encode_basestring(self.sids.phone_number(own))
        return pn

    def _twilio(self, c: Core) -> str:
        q = encode_basestring
        name, answered_by, _ = self.ds.extras(c)
        sid = self.sids.call(c.idx)
        base = self.uri_prefix + sid
        inbound = c.direction == "inbound"
        direction = "inbound" if inbound else "outbound-dial" if c.is_child else "outbound-api"
        if c.is_child:
            parent, pn = f'"{self.sids.call(c.idx - 1)}"', "null"
        else:
            parent, pn = "null", self._phone_number(c.to if inbound else c.from_)
        updated = c.end if c.end is not None else c.created + c.ring
        u = c.price_units
        price = "null" if u is None else f'"-{u // 100000}.{u % 100000:05d}"'
        return (
            f'{{"account_sid":{self.account},'
            f'"answered_by":{"null" if answered_by is None else q(answered_by)},'
            f'"api_version":"2010-04-01",'
            f'"caller_name":{"null" if name is None else q(name)},'
            f'"date_created":"{rfc2822(c.created)}","date_updated":"{rfc2822(updated)}",'
            f'"direction":"{direction}",'
            f'"duration":{"null" if c.duration is None else f"{chr(34)}{c.duration}{chr(34)}"},'
            f'"end_time":{_date(c.end, False)},"forwarded_from":null,'
            f'"from":{q(c.from_)},"from_formatted":{q(formatted(c.from_))},"group_sid":null,'
            f'"parent_call_sid":{parent},"phone_number_sid":{pn},'
            f'"price":{price},'
            f'"price_unit":"USD","sid":"{sid}","start_time":{_date(c.start, False)},'
            f'"status":{self._statuses[c.status]},'
            f'"subresource_uris":{{"notifications":"{base}/Notifications.json",'
            f'"recordings":"{base}/Recordings.json","payments":"{base}/Payments.json",'
            f'"events":"{base}/Events.json","siprec":"{base}/Siprec.json",'
            f'"streams":"{base}/Streams.json","transcriptions":"{base}/Transcriptions.json",'
            f'"user_defined_message_subscriptions":"{base}/UserDefinedMessageSubscriptions.json",'
            f'"user_defined_messages":"{base}/UserDefinedMessages.json"}},'
            f'"to":{q(c.to)},"to_formatted":{q(formatted(c.to))},"trunk_sid":null,'
            f'"uri":"{base}.json","queue_time":"0"}}'
        )

    def _signalwire(self, c: Core) -> str:
        q = encode_basestring
        name, answered_by, sip = self.ds.extras(c, sip=True)
        sid = self.sids.call(c.idx)
        base = self.uri_prefix + sid
        inbound = c.direction == "inbound"
        if c.is_child:
            parent, pn = f'"{self.sids.call(c.idx - 1)}"', "null"
        else:
            parent, pn = "null", self._phone_number(c.to if inbound else c.from_)
        updated = c.end if c.end is not None else c.created + c.ring
        to, to_f, frm, frm_f = q(c.to), q(formatted(c.to)), q(c.from_), q(formatted(c.from_))
        u = c.price_units
        ab = "null" if answered_by is None else '"human"' if answered_by == "human" else '"machine"'
        ok = c.status == "completed"
        return (
            f'{{"sid":"{sid}","account_sid":{self.account},'
            f'"date_created":"{rfc2822(c.created, True)}",'
            f'"date_updated":"{rfc2822(updated, True)}",'
            f'"parent_call_sid":{parent},"to":{to},"formatted_to":{to_f},"to_formatted":{to_f},'
            f'"from":{frm},"formatted_from":{frm_f},"from_formatted":{frm_f},'
            f'"phone_number_sid":{pn},"status":{self._statuses[c.status]},'
            f'"start_time":{_date(c.start, True)},"end_time":{_date(c.end, True)},'
            f'"duration":{c.duration or 0},"price":{"null" if u is None else -(u / 100000)},'
            f'"price_unit":"USD","direction":"{c.direction}","answered_by":{ab},'
            f'"api_version":"2010-04-01","forwarded_from":null,'
            f'"caller_name":{"null" if name is None else q(name)},"uri":"{base}.json",'
            f'"subresource_uris":{{"notifications":null,"recordings":"{base}/Recordings.json"}},'
            f'"annotation":null,"group_sid":null,"audio_in_mos":{"4.3" if ok else "null"},'
            f'"sip_result_code":{f"{chr(34)}{sip}{chr(34)}" if sip else "null"},'
            + (_SW_AUDIO_OK if ok else _SW_AUDIO_NONE)
        )


_SW_AUDIO_OK = (
    '"audio_rtt_avg":48,"audio_rtt_min":21,"audio_rtt_max":97,"audio_out_jitter_min":1,'
    '"audio_out_jitter_max":9,"audio_out_jitter_avg":4,"audio_out_lost":0}'
)
_SW_AUDIO_NONE = (
    '"audio_rtt_avg":null,"audio_rtt_min":null,"audio_rtt_max":null,'
    '"audio_out_jitter_min":null,"audio_out_jitter_max":null,"audio_out_jitter_avg":null,'
    '"audio_out_lost":null}'
)


def _date(ts: int | None, sept: bool) -> str:
    """An RFC 2822 time as JSON (``null`` for ``None``)."""
    return "null" if ts is None else f'"{rfc2822(ts, sept)}"'


def recording_times(c: CallRecord, k: int) -> tuple[int, int]:
    """(start, duration) of the k-th recording of a completed call."""
    start = (c.answer or c.created) + (0 if k == 0 else (c.duration or 0) // 2)
    dur = (c.duration or 0) if k == 0 else max(1, (c.duration or 0) // 2)
    return start, dur


def render_recording(
    c: CallRecord, k: int, f: Flavour, sids: Sids, account: str, account_level: bool, origin: str
) -> dict[str, Any]:
    sid = sids.recording(c.index, k)
    call_sid = sids.call(c.index)
    start, dur = recording_times(c, k)
    price = Decimal("0.0025") * max(1, math.ceil(dur / 60))
    acc_base = f"{f.api_root}/Accounts/{account}"
    if f.numeric:
        return {
            "sid": sid,
            "account_sid": account,
            "api_version": "2010-04-01",
            "call_sid": call_sid,
            "conference_sid": None,
            "channel": "1",
            "channels": "1",
            "date_created": rfc2822(start + dur, True),
            "date_updated": rfc2822(start + dur + 4, True),
            "start_time": rfc2822(start, True),
            "end_time": rfc2822(start + dur, True),
            "duration": dur,
            "price": f"-{price:.4f}",
            "price_unit": "USD",
            "source": "DialVerb" if k == 0 else "RecordVerb",
            "status": "completed",
            "error_code": None,
            "uri": f"{acc_base}/Recordings/{sid}.json",
            "subresource_uris": {
                "transcriptions": f"{acc_base}/Recordings/{sid}/Transcriptions.json"
            },
            "encryption_details": None,
            "trim": "do-not-trim",
        }
    out: dict[str, Any] = {
        "account_sid": account,
        "api_version": "2010-04-01",
        "call_sid": call_sid,
        "conference_sid": None,
        "channels": 2 if k == 0 else 1,
        "date_created": rfc2822(start),
        "date_updated": rfc2822(start + dur + 4),
        "start_time": rfc2822(start),
        "price": f"-{price:.5f}",
        "price_unit": "USD",
        "duration": str(dur),
        "sid": sid,
        "source": "StartCallRecordingAPI" if k == 0 else "RecordVerb",
        "status": "completed",
        "error_code": None,
        "encryption_details": None,
    }
    if account_level:
        out["uri"] = f"{acc_base}/Recordings/{sid}.json"
        out["subresource_uris"] = {
            "add_on_results": f"{acc_base}/Recordings/{sid}/AddOnResults.json",
            "transcriptions": f"{acc_base}/Recordings/{sid}/Transcriptions.json",
        }
        out["media_url"] = f"{origin}{acc_base}/Recordings/{sid}"
    else:
        out["track"] = "both"
        out["uri"] = f"{acc_base}/Calls/{call_sid}/Recordings/{sid}.json"
    return out


def render_notification(c: CallRecord, sids: Sids, account: str) -> dict[str, Any]:
    sid = sids.notification(c.index)
    call_sid = sids.call(c.index)
    when = rfc2822(c.end or c.created)
    return {
        "account_sid": account,
        "api_version": "2010-04-01",
        "call_sid": call_sid,
        "date_created": when,
        "date_updated": when,
        "error_code": "13227",
        "log": "0",
        "message_date": when,
        "message_text": f"Msg=Geo+Permission+configuration+is+not+permitting+call&to={c.to}",
        "more_info": "https://www.twilio.com/docs/errors/13227",
        "request_method": "POST",
        "request_url": "https://example.com/voice",
        "sid": sid,
        "uri": f"/2010-04-01/Accounts/{account}/Calls/{call_sid}/Notifications/{sid}.json",
    }


def render_event(c: CallRecord, sids: Sids, account: str, status: str, ts: int) -> dict[str, Any]:
    return {
        "request": {
            "method": "POST",
            "url": "https://example.com/status-callback",
            "parameters": {
                "AccountSid": account,
                "CallSid": sids.call(c.index),
                "CallStatus": status,
                "From": c.from_,
                "To": c.to,
                "Direction": "inbound" if c.direction == "inbound" else "outbound-api",
            },
        },
        "response": {
            "response_code": 200,
            "request_duration": 43,
            "content_type": "text/plain",
            "response_body": "",
            "date_created": rfc2822(ts),
        },
    }


def _pascal(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def _xml_value(tag: str, value: Any, out: list[str]) -> None:
    write_xml(tag, value, out, key=_pascal)


def to_xml(payload: dict[str, Any], list_key: str | None = None, resource: str = "") -> str:
    """Twilio's XML form: ``<TwilioResponse>``; a list's paging keys become attributes."""
    out = ['<?xml version="1.0" encoding="UTF-8"?>\n<TwilioResponse>']
    if list_key is None:
        _xml_value(resource or "RestException", payload, out)
    else:
        attrs = " ".join(
            f'{k.replace("_", "")}="{escape(str(v), {chr(34): "&quot;"})}"'
            for k, v in payload.items()
            if k != list_key and v is not None
        )
        tag = _pascal(list_key)
        out.append(f"<{tag} {attrs}>")
        for item in payload[list_key]:
            _xml_value(xml_singular(tag), item, out)
        out.append(f"</{tag}>")
    out.append("</TwilioResponse>")
    return "".join(out)
