"""PortSIP's view of the dataset: call logs, ids and recordings of one tenant (data shaping).

:class:`Tenant` maps an account's dataset calls to PortSIP call logs: exact microsecond times,
snowflake-like ids, the PBX's directions/extensions/trunks and end reasons, recordings and blob
names. :class:`Row` is one call log computed lazily (cheap fields first, the caller's name only
when asked for). Nothing here knows HTTP: :mod:`~tui.emulator.portsip` serves these rows.
"""

from __future__ import annotations

import base64
import binascii
import functools
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from .api import AccountSpec
from .dataset import Core, Dataset
from .ids import SidCodec, mix64, stable_hash
from .portsip_odata import FieldType, Value, format_time_us

# file_name "877828121322061824_878156644691742720_102_45060_08202024_140059.wav" of a call that
# started 06:00:59Z: the second segment is the CDR id, the stamp is the PBX's local time (UTC+8).
PBX_UTC_OFFSET_HOURS = 8
QUIRK_END_REASON = "CALLER_DISCONNECT"  # official cdrs example, outside the documented enum
QUIRK_PERCENT = 10  # share of caller-disconnected calls that carry the quirky value

_T: FieldType = "time"
CALLLOG_FIELDS: dict[str, FieldType] = {
    "id": "str",
    "session_id": "str",
    "caller": "str",
    "caller_domain": "str",
    "caller_display_name": "str",
    "callee": "str",
    "callee_domain": "str",
    "callee_display_name": "str",
    "started_at": _T,
    "rang_at": _T,
    "answered_at": _T,
    "ended_at": _T,
    "call_id": "str",
    "direction": "str",
    "end_reason": "str",
    "reroute_reason": "str",
    "status_code": "int",
    "destination": "str",
    "outbound_caller_id": "str",
    "did_cid": "str",
    "trunk": "str",
    "duration": "int",
    "service_number": "str",
    "user_data": "str",
}
CDR_FIELDS = {k: v for k, v in CALLLOG_FIELDS.items() if k != "session_id"}
# /cdrs list items: exactly the keys of the official example (cdrs_list.docs_example.json).
CDR_LIST_KEYS = tuple(k for k in CDR_FIELDS if k not in ("service_number", "user_data"))
# Detail (OpenAPI /calllogs/{id}): summary + cost, billed_account, in the spec's order.
CALLLOG_DETAIL_KEYS = (
    *[k for k in CALLLOG_FIELDS if k not in ("service_number", "user_data")],
    "cost",
    "billed_account",
    "service_number",
    "user_data",
)
CDR_DETAIL_KEYS = tuple(k for k in CALLLOG_DETAIL_KEYS if k not in ("id", "session_id"))
RECORDING_FIELDS: dict[str, FieldType] = {
    "id": "str",
    "caller": "str",
    "callee": "str",
    "started_at": _T,
    "ended_at": _T,
}
_HEAVY = frozenset(
    {"answered_at", "duration", "caller_display_name", "callee_display_name", "cost"}
)
_HEAVY_ALL = _HEAVY | {"billed_account"}
_TIME_FIELDS = frozenset(k for k, v in CALLLOG_FIELDS.items() if v == "time")

_EPOCH_MS = int(datetime(2018, 1, 1, tzinfo=UTC).timestamp() * 1000)  # snowflake-like ids
_LOW_BITS = 22
IDX_MOD = 1 << (_LOW_BITS - 1)
RING_SLACK_S = 120  # answer - start is below this for every dataset call (a test checks)
_REC_RESUME_MAX_S = 60  # a second recording resumes at most this long after the answer
REC_LAG_US = (RING_SLACK_S + _REC_RESUME_MAX_S + 2) * 1_000_000
_EXT_BASE, _EXT_COUNT = 101, 20
_EXT_NAMES = (
    "Kelly Cruickshank", "Lucas Heidenreich", "Dwayne Turcotte", "Amara Okafor", "Sven Lindqvist",
    "Priya Raman", "Tomás Ortega", "Mei Chen", "Olga Petrova", "Noah Williams",
    "Fatima Zahra", "Liam O'Connor", "Yuki Tanaka", "Chloé Martin", "Ravi Patel",
    "Grace Kim", "Jonas Weber", "Aisha Bello", "Mateo Rossi", "Emma Johansson",
)  # fmt: skip
_TRUNKS = (("telstra-sip", "sip.telstra.example"), ("twilio-elastic", "callscope.pstn.example"),
           ("bandwidth-1", "bw-trunk.example.net"))  # fmt: skip
_EXT_NAME_OF = {str(_EXT_BASE + j): name for j, name in enumerate(_EXT_NAMES)}
_FAILED_CODES = (403, 404, 488, 500, 503, 603)
_INTERNAL_PERCENT = 18


def _strip(addr: str) -> tuple[str, str | None]:
    """A dataset address → (PortSIP number/user, its domain if it names one)."""
    if addr.startswith("sip:"):
        user, _, host = addr[4:].partition("@")
        return user.lstrip("+"), host.split(";")[0] or None
    if addr.startswith("client:"):
        return addr[7:], None
    return addr.lstrip("+"), None


def _status_code(status: str, h: int) -> int:
    """SIP final code: 0 when answered (official example), else by the neutral status."""
    return {
        "completed": 0,
        "busy": 600 if (h >> 12) % 8 == 0 else 486,
        "no-answer": 408 if (h >> 12) % 5 == 0 else 480,
        "canceled": 487,
    }.get(status, _FAILED_CODES[(h >> 12) % len(_FAILED_CODES)])


_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _call_id(h: int) -> str:
    raw = (mix64(h ^ 0xCA11) ^ (mix64(h ^ 0x1D) << 64)).to_bytes(16, "big")
    # base64.urlsafe_b64encode without its Python-level wrappers (one per listed call).
    return binascii.b2a_base64(raw, newline=False).translate(_URLSAFE).decode().rstrip("=") + ".."


class Tenant:
    """The PortSIP view of one account's calls: cheap columns, ids, rows, recordings."""

    def __init__(self, ds: Dataset, spec: AccountSpec) -> None:
        self.ds, self.spec, self.key = ds, spec, spec.key
        self.kh = stable_hash(ds.seed, spec.key, "portsip")
        self.tenant_id = str((mix64(self.kh) % (1 << 40)) << 22 | 1)  # file_name's first segment
        self.blob_codec = SidCodec(ds.seed, spec.key, "portsip-blob")
        self.blob_tag = stable_hash(ds.seed, spec.key, "portsip-blob-tag").to_bytes(8, "big")

    @functools.cached_property
    def own(self) -> frozenset[str]:
        """The tenant's own numbers (DIDs), read from the records' ``endpoint``/``exophone``."""
        found: set[str] = set()
        for j in range(min(self.ds.count(self.key), 64)):
            c = self.ds.call(self.key, j)
            found.update((c.endpoint, c.exophone))
        return frozenset(found)

    @property
    def n(self) -> int:
        """Listed calls: every ended call (the live tail has no CDR yet)."""
        return self.ds.live_from(self.key)

    def h(self, i: int) -> int:
        return mix64(self.kh + i)

    # -- exact times ------------------------------------------------------------------------------
    def start_us(self, i: int, s: int | None = None) -> int:
        """Start in µs; strictly increasing in ``i`` (sub-second parts grow within a second).

        ``s`` is the call's start in seconds when the caller already has it."""
        ds, key = self.ds, self.key
        if s is None:
            s = ds.start(key, i)
        assert s is not None
        k = i
        # start(k - 1) <= slot(k - 1): a slot before s rules out a tie without the full start.
        while k > 0 and i - k < 10_000 and ds.slot(key, k - 1) >= s and ds.start(key, k - 1) == s:
            k -= 1
        micro = self.h(k) % 500_000
        for m in range(k + 1, i + 1):
            micro += 1 + self.h(m) % 1000
        return s * 1_000_000 + min(micro, 999_999)

    def first_at_or_after(self, t_us: int) -> int:
        """Smallest listed index whose start is >= ``t_us`` (``n`` if none)."""
        n = self.n
        i = min(self.ds.first_index_at_or_after(self.key, t_us // 1_000_000), n)
        while i < n and self.start_us(i) < t_us:
            i += 1
        return i

    # -- ids --------------------------------------------------------------------------------------
    def _snowflake(self, us: int, value: int, tag: int) -> str:
        ms = max(0, us // 1000 - _EPOCH_MS)
        return str(ms << _LOW_BITS | (value % IDX_MOD) << 1 | tag)

    def call_id(self, i: int) -> str:
        return self._snowflake(self.start_us(i), i, 0)

    def session_id(self, i: int) -> str:
        root = i - 1 if self.ds.is_child(self.key, i) else i
        return self._snowflake(self.start_us(root), root, 1)

    def index_of(self, cid: str) -> int | None:
        if not cid.isdigit() or len(cid) > 19:
            return None
        v = int(cid)
        if v & 1:
            return None
        i = (v & ((1 << _LOW_BITS) - 1)) >> 1
        while i < self.n:
            if self.call_id(i) == cid:
                return i
            i += IDX_MOD
        return None

    # -- rows -------------------------------------------------------------------------------------
    def cheap(self, i: int, c: Core | None = None) -> dict[str, Value]:
        """The fields computable from the dataset's O(1) columns (``c``: call ``i``'s)."""
        ds, key, h = self.ds, self.key, self.h(i)
        if c is None:
            c = ds.core(key, i)
        status = c.status
        child = c.is_child
        parent = c.has_child
        frm, to = c.from_, c.to
        ext_a = _EXT_BASE + (h >> 8) % _EXT_COUNT
        trunk, trunk_host = _TRUNKS[(h >> 24) % len(_TRUNKS)]
        tenant = self.spec.account
        caller, caller_dom, callee, callee_dom = "", tenant, "", tenant
        did = destination = outbound_cid = ""
        if child:  # a transfer leg of the inbound call i - 1 (same session)
            caller, dom = _strip(frm)
            caller_dom = dom or trunk_host
            did = _strip(ds.parties(key, i - 1)[1])[0]
            user, _ = _strip(to)
            if user.isdigit() and len(user) > 6:
                direction, callee, callee_dom = "INBOUND_OUTBOUND_CALL", user, trunk_host
                destination = user
            else:
                direction = "INBOUND_CALL"
                callee = str(_EXT_BASE + stable_hash(to) % _EXT_COUNT)
        elif not parent and h % 100 < _INTERNAL_PERCENT:
            direction, trunk = "EXTENSION_CALL", ""
            ext_b = _EXT_BASE + (ext_a - _EXT_BASE + 1 + (h >> 16) % (_EXT_COUNT - 1)) % _EXT_COUNT
            caller, callee = str(ext_a), str(ext_b)
        elif parent or (to in self.own and frm not in self.own):
            direction = "INBOUND_CALL"
            caller, dom = _strip(frm)
            caller_dom = dom or trunk_host
            callee, did = str(ext_a), _strip(to)[0]
            destination = did
        else:
            direction = "OUTBOUND_CALL"
            caller, outbound_cid = str(ext_a), _strip(frm)[0]
            callee, dom = _strip(to)
            callee_dom = dom or trunk_host
            destination = callee
        if status == "completed":
            code = 0
            if parent:
                end_reason = ("BLIND_TRANSFER_COMPLETED", "CONSULT_TRANSFER_COMPLETED")[
                    (h >> 32) & 1
                ]
            elif (h >> 33) % 100 < 50:
                quirky = (h >> 40) % 100 < QUIRK_PERCENT
                end_reason = QUIRK_END_REASON if quirky else "CALLER_DISCONNECTED"
            else:
                end_reason = "CALLEE_DISCONNECTED"
        else:
            end_reason = "CANCELLED" if status == "canceled" else ""
            code = _status_code(status, h)
        reroute = ""
        if child:
            reroute = "TRANSFER"
        elif direction == "INBOUND_CALL" and status == "no-answer" and (h >> 44) % 4 == 0:
            reroute = "OVERFLOW"
        start = self.start_us(i, c.start)
        end = c.end
        assert end is not None
        return {
            "id": self._snowflake(start, i, 0),
            "session_id": self.session_id(i) if child else self._snowflake(start, i, 1),
            "caller": caller,
            "caller_domain": caller_dom,
            "callee": callee,
            "callee_domain": callee_dom,
            "started_at": start,
            "rang_at": start + 20_000 + (h >> 20) % 80_000,
            "ended_at": end * 1_000_000 + (h >> 40) % 1_000_000,
            "call_id": _call_id(h),
            "direction": direction,
            "end_reason": end_reason,
            "reroute_reason": reroute,
            "status_code": code,
            "destination": destination,
            "outbound_caller_id": outbound_cid,
            "did_cid": did,
            "trunk": trunk,
            "service_number": "",
            "user_data": "",
        }

    def heavy(self, i: int, row: dict[str, Value], c: Core) -> dict[str, Value]:
        """The fields that need the record's generated extras (the caller's name)."""
        h = self.h(i)
        answered = None if c.answer is None else c.answer * 1_000_000 + (h >> 2) % 1_000_000
        names = _EXT_NAME_OF
        direction = row["direction"]
        caller_name = names.get(str(row["caller"]), "")
        if direction in ("INBOUND_CALL", "INBOUND_OUTBOUND_CALL"):
            caller_name = self.ds.extras(c)[0] or ""
        units = c.price_units
        billed = direction in ("OUTBOUND_CALL", "INBOUND_OUTBOUND_CALL") and units is not None
        return {
            "caller_display_name": caller_name,
            "callee_display_name": names.get(str(row["callee"]), ""),
            "answered_at": answered,
            "duration": c.duration or 0,
            # units / 1e5 is the correctly rounded float of the 5-decimal price, like float(Decimal)
            "cost": units / 100_000 if billed and units is not None else 0.0,
            "billed_account": str(row["caller"]) if billed else "",
        }

    def row(self, i: int) -> Row:
        return Row(self, i)

    # -- recordings -------------------------------------------------------------------------------
    def recordings(self, i: int) -> list[tuple[int, int, int]]:
        """``(start µs, k, end µs)`` of call ``i``'s recordings (they start after the answer)."""
        count = self.ds.recording_count(self.key, i)
        if not count:
            return []
        r = self.row(i)
        answered, ended = r.get("answered_at"), r.get("ended_at")
        assert isinstance(answered, int) and isinstance(ended, int)
        first = answered + 100_000 + self.h(i) % 90_000
        ms = 1000  # recordings carry millisecond times (recordings_list example): keep them exact
        first -= first % ms
        ended -= ended % ms
        if count == 1:
            return [(first, 0, ended + 3_000)]
        duration = r.get("duration")
        assert isinstance(duration, int)
        mid = answered - answered % ms + min(duration // 2, _REC_RESUME_MAX_S) * 1_000_000
        return [(first, 0, max(first + 1000, mid)), (mid + 500_000, 1, ended + 3_000)]

    def recording_id(self, i: int, k: int, start_us: int) -> str:
        return self._snowflake(start_us, i * 2 + k, 1)

    def recording_of(self, rid: str) -> tuple[int, int, int, int] | None:
        """``(call index, k, start µs, end µs)`` of a recording id, if it names one."""
        if not rid.isdigit() or len(rid) > 19 or not int(rid) & 1:
            return None
        v = (int(rid) & ((1 << _LOW_BITS) - 1)) >> 1
        while v < 2 * self.n:
            i, k = divmod(v, 2)
            for start, kk, end in self.recordings(i):
                if kk == k and self.recording_id(i, k, start) == rid:
                    return i, k, start, end
            v += IDX_MOD
        return None

    def blob(self, i: int, k: int) -> str:
        raw = bytes.fromhex(self.blob_codec.encode(i * 4 + k)) + self.blob_tag
        return base64.urlsafe_b64encode(raw).decode()

    def file_name(self, i: int, start_us: int) -> str:
        row = self.row(i)
        local = datetime.fromtimestamp(
            int(row.get("started_at") or 0) // 1_000_000,
            timezone(timedelta(hours=PBX_UTC_OFFSET_HOURS)),
        )
        port = 10000 + self.h(i) % 50000
        caller = str(row.get("caller"))
        return f"{self.tenant_id}_{row.get('id')}_{caller}_{port}_{local:%m%d%Y}_{local:%H%M%S}.wav"


class Row:
    """One call log, computed lazily: the cheap fields first, the caller's name only if needed."""

    __slots__ = ("_cheap", "_core", "_heavy", "i", "t")

    def __init__(self, t: Tenant, i: int) -> None:
        self.t, self.i = t, i
        self._core: Core | None = None
        self._cheap: dict[str, Value] | None = None
        self._heavy: dict[str, Value] | None = None

    def _columns(self) -> tuple[Core, dict[str, Value]]:
        if self._core is None:
            self._core = self.t.ds.core(self.t.key, self.i)
        if self._cheap is None:
            self._cheap = self.t.cheap(self.i, self._core)
        return self._core, self._cheap

    def get(self, field: str) -> Value:
        if field == "status_code" and self._cheap is None:  # PortSIP's "status": kept O(1)
            return _status_code(self.t.ds.status(self.t.key, self.i), self.t.h(self.i))
        core, cheap = self._columns()
        if field in _HEAVY or field == "billed_account":
            if self._heavy is None:
                self._heavy = self.t.heavy(self.i, cheap, core)
            return self._heavy[field]
        return cheap[field]

    def render(self, keys: tuple[str, ...] | list[str]) -> dict[str, Any]:
        core, cheap = self._columns()
        values = cheap
        if not _HEAVY_ALL.isdisjoint(keys):
            if self._heavy is None:
                self._heavy = self.t.heavy(self.i, cheap, core)
            values = cheap | self._heavy
        out = {k: values[k] for k in keys}
        for k in _TIME_FIELDS.intersection(keys):
            v = out[k]
            out[k] = "" if v is None else format_time_us(v, 6)  # type: ignore[arg-type]
        return out
