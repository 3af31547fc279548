"""Golden pages: the exact bytes of a representative set of emulator responses, per provider.

Each case requests one page/resource from a fresh emulator (the ``emu`` fixture: seed 1, 500
calls per account, two accounts per provider, the fixed test clock ``DEFAULT_NOW``) and compares
a fingerprint with ``golden/pages.json``: the status, the content type, every other response
header but ``content-length``, the body's length and the SHA-256 of the body. Any changed byte
fails the test, so refactorings of the emulator must keep its wire output identical.

Nothing here depends on the wall clock: the dataset is built from ``EmulatorConfig.now``
(``DEFAULT_NOW``), the server sends no ``Date`` header, and no case asks for the one
clock-dependent answer (PortSIP's ``GET /api/login`` session info). The port is ephemeral and
appears in absolute URLs (recording/media URLs carry the origin): **before hashing, every
``127.0.0.1:<port>`` in the body and in header values is replaced by ``127.0.0.1:PORT``** (and the
body length is taken after that), so the goldens do not depend on the port either.

Regenerate after an intended change of the wire output (then review the diff of the JSON)::

    CALLSCOPE_UPDATE_GOLDEN=1 .venv/bin/pytest -q -p no:randomly tests/emulator/test_golden_pages.py
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tui.emulator import EmulatedAccount, Emulator

GOLDEN = Path(__file__).resolve().parent / "golden" / "pages.json"
UPDATE = os.environ.get("CALLSCOPE_UPDATE_GOLDEN") == "1"
BAD = ("nobody", "wrong-password")
Json = dict[str, Any]


class Recorder:
    """Makes requests and keeps the fingerprint of each response under its case name."""

    def __init__(self, emu: Emulator, provider: str, client: httpx.AsyncClient) -> None:
        self.emu, self.provider, self.client = emu, provider, client
        self.host = f"{emu.config.host}:{emu.port}"
        self.pages: dict[str, Json] = {}

    def normalize(self, text: str) -> str:
        return text.replace(self.host, f"{self.emu.config.host}:PORT")

    async def __call__(
        self,
        name: str,
        url: str,
        *,
        auth: tuple[str, str] | None = None,
        params: dict[str, str] | None = None,
        method: str = "GET",
        **kw: Any,
    ) -> httpx.Response:
        if url.startswith("/"):
            url = self.emu.origin + url
        r = await self.client.request(method, url, params=params, auth=auth, **kw)
        key = f"{self.provider}: {name}"
        assert key not in self.pages, f"duplicate case name {key!r}"
        body = r.content.replace(self.host.encode(), f"{self.emu.config.host}:PORT".encode())
        target = r.request.url.raw_path.decode("ascii")
        self.pages[key] = {
            "request": f"{method} {self.normalize(target)}",
            "status": r.status_code,
            "content_type": r.headers.get("content-type"),
            "headers": [
                [k, self.normalize(v)]
                for k, v in r.headers.multi_items()
                if k not in ("content-type", "content-length")
            ],
            "length": len(body),
            "sha256": hashlib.sha256(body).hexdigest(),
        }
        return r


def _path(url: str) -> str:
    """An absolute or origin-relative URL → its path and query (for following next links)."""
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _creds(a: EmulatedAccount) -> tuple[str, str]:
    return a.username, a.password


# -- Twilio and SignalWire ------------------------------------------------------------------------
async def _laml(rec: Recorder, a: EmulatedAccount, twilio: bool) -> None:
    auth = _creds(a)
    root = f"{a.base_url}/2010-04-01" if twilio else a.base_url
    calls = f"{root}/Accounts/{a.account}/Calls"
    ext = ".json"
    first = await rec("calls first page", f"{calls}{ext}", auth=auth, params={"PageSize": "20"})
    page = first.json()
    assert page["next_page_uri"]
    second = await rec("calls second page", _path(page["next_page_uri"]), auth=auth)
    third = await rec("calls third page", _path(second.json()["next_page_uri"]), auth=auth)
    await rec("calls previous page", _path(third.json()["previous_page_uri"]), auth=auth)
    await rec("calls default page size", f"{calls}{ext}", auth=auth)
    await rec("calls page without .json", calls, auth=auth, params={"PageSize": "5"})
    await rec(
        "calls status=completed",
        f"{calls}{ext}",
        auth=auth,
        params={"Status": "completed", "PageSize": "25"},
    )
    await rec("calls status=busy", f"{calls}{ext}", auth=auth, params={"Status": "busy"})
    sample = page["calls"][5]
    await rec("calls To filter", f"{calls}{ext}", auth=auth, params={"To": sample["to"]})
    await rec("calls From filter", f"{calls}{ext}", auth=auth, params={"From": sample["from"]})
    await rec(
        "calls StartTime range (dates)",
        f"{calls}{ext}",
        auth=auth,
        params={"StartTime>": "2026-10-01", "StartTime<": "2026-10-15", "PageSize": "30"},
    )
    await rec(
        "calls StartTime range (instants)",
        f"{calls}{ext}",
        auth=auth,
        params={
            "StartTime>": "2026-11-01T00:00:00Z",
            "StartTime<": "2026-11-02T12:00:00Z",
            "Status": "completed",
        },
    )
    await rec("calls EndTime day", f"{calls}{ext}", auth=auth, params={"EndTime": "2026-11-10"})
    filtered = await rec(
        "calls filtered first page",
        f"{calls}{ext}",
        auth=auth,
        params={"Status": "completed", "PageSize": "10"},
    )
    await rec("calls filtered second page", _path(filtered.json()["next_page_uri"]), auth=auth)

    # One call and its subresources: a call with recordings (from the account's recording list).
    recs = await rec(
        "account recordings first page",
        f"{root}/Accounts/{a.account}/Recordings{ext}",
        auth=auth,
        params={"PageSize": "10"},
    )
    recording = recs.json()["recordings"][0]
    call_sid, rec_sid = recording["call_sid"], recording["sid"]
    await rec("account recordings second page", _path(recs.json()["next_page_uri"]), auth=auth)
    await rec("call detail", f"{calls}/{call_sid}{ext}", auth=auth)
    await rec("call detail xml", f"{calls}/{call_sid}", auth=auth)
    await rec("call recordings", f"{calls}/{call_sid}/Recordings{ext}", auth=auth)
    await rec("call recording", f"{calls}/{call_sid}/Recordings/{rec_sid}{ext}", auth=auth)
    await rec(
        "account recordings CallSid filter",
        f"{root}/Accounts/{a.account}/Recordings{ext}",
        auth=auth,
        params={"CallSid": call_sid},
    )
    await rec(
        "recording resource", f"{root}/Accounts/{a.account}/Recordings/{rec_sid}{ext}", auth=auth
    )
    await rec("recording media wav", f"{root}/Accounts/{a.account}/Recordings/{rec_sid}.wav")
    await rec("recording media mp3", f"{root}/Accounts/{a.account}/Recordings/{rec_sid}.mp3")
    children = await rec.client.get(f"{calls}{ext}", params={"PageSize": "1000"}, auth=auth)
    parent = next(c["parent_call_sid"] for c in children.json()["calls"] if c["parent_call_sid"])
    await rec(
        "calls ParentCallSid filter", f"{calls}{ext}", auth=auth, params={"ParentCallSid": parent}
    )
    if twilio:
        await rec("call notifications", f"{calls}/{call_sid}/Notifications{ext}", auth=auth)
        await rec("call events", f"{calls}/{call_sid}/Events{ext}", auth=auth)
        failed = await rec.client.get(
            f"{calls}{ext}", params={"Status": "failed", "PageSize": "1"}, auth=auth
        )
        failed_sid = failed.json()["calls"][0]["sid"]
        await rec(
            "failed call notifications", f"{calls}/{failed_sid}/Notifications{ext}", auth=auth
        )

    # Errors.
    await rec("auth failure (bad credentials)", f"{calls}{ext}", auth=BAD)
    await rec("auth failure xml", calls, auth=BAD)
    await rec("auth failure (no credentials)", f"{calls}{ext}")
    other = rec.emu.account(a.provider, 1)
    await rec("auth failure (other account)", f"{calls}{ext}", auth=_creds(other))
    await rec("bad request PageSize=0", f"{calls}{ext}", auth=auth, params={"PageSize": "0"})
    await rec("bad request Status", f"{calls}{ext}", auth=auth, params={"Status": "bogus"})
    await rec("bad request PageToken", f"{calls}{ext}", auth=auth, params={"PageToken": "PAxyz"})
    await rec("bad request StartTime", f"{calls}{ext}", auth=auth, params={"StartTime": "soon"})
    await rec("not found call", f"{calls}/CA{'0' * 32}{ext}", auth=auth)
    await rec("not found recording", f"{calls}/{call_sid}/Recordings/RE{'0' * 32}{ext}", auth=auth)


async def _twilio(rec: Recorder) -> None:
    await _laml(rec, rec.emu.account("twilio"), twilio=True)


async def _signalwire(rec: Recorder) -> None:
    await _laml(rec, rec.emu.account("signalwire"), twilio=False)


def _e164(number: str) -> str:
    """Exotel writes Indian numbers nationally (``0XXXXXXXXXX``); filters take E.164."""
    return "+91" + number[1:] if number.startswith("0") else number


# -- Exotel ---------------------------------------------------------------------------------------
async def _exotel(rec: Recorder) -> None:
    a = rec.emu.account("exotel")
    auth = _creds(a)
    calls = f"{a.base_url}/v1/Accounts/{a.account}/Calls"
    first = await rec("calls first page", f"{calls}.json", auth=auth, params={"PageSize": "20"})
    meta = first.json()["Metadata"]
    second = await rec("calls second page", _path(meta["NextPageUri"]), auth=auth)
    await rec("calls previous page", _path(second.json()["Metadata"]["PrevPageUri"]), auth=auth)
    await rec("calls default page", f"{calls}.json", auth=auth)
    await rec("calls xml page", calls, auth=auth, params={"PageSize": "5"})
    await rec(
        "calls ascending",
        f"{calls}.json",
        auth=auth,
        params={"SortBy": "DateCreated:asc", "PageSize": "15"},
    )
    await rec(
        "calls status=completed",
        f"{calls}.json",
        auth=auth,
        params={"Status": "completed", "PageSize": "25"},
    )
    await rec(
        "calls status=busy,no-answer",
        f"{calls}.json",
        auth=auth,
        params={"Status": "busy,no-answer"},
    )
    sample = next(c for c in first.json()["Calls"] if c["To"][:1] in ("+", "0"))
    await rec("calls To filter", f"{calls}.json", auth=auth, params={"To": _e164(sample["To"])})
    await rec(
        "calls From filter", f"{calls}.json", auth=auth, params={"From": _e164(sample["From"])}
    )
    await rec(
        "calls PhoneNumber filter",
        f"{calls}.json",
        auth=auth,
        params={"PhoneNumber": _e164(sample["PhoneNumberSid"])},
    )
    await rec(
        "calls DateCreated range",
        f"{calls}.json",
        auth=auth,
        params={"DateCreated": "gte:2026-10-25 00:00:00;lte:2026-11-05 23:59:59"},
    )
    await rec(
        "calls Duration range",
        f"{calls}.json",
        auth=auth,
        params={"Duration": "gte:60s;lte:300s", "PageSize": "30"},
    )
    await rec(
        "calls Direction + Price",
        f"{calls}.json",
        auth=auth,
        params={"Direction": "inbound", "Price": "gte:1"},
    )
    filtered = await rec.client.get(
        f"{calls}.json", params={"Status": "completed", "PageSize": "10"}, auth=auth
    )
    await rec(
        "calls filtered second page", _path(filtered.json()["Metadata"]["NextPageUri"]), auth=auth
    )
    recorded = next(c for c in first.json()["Calls"] if c["RecordingUrl"])
    sid = recorded["Sid"]
    detail = await rec(
        "call detail (details, RecordingUrlValidity)",
        f"{calls}/{sid}.json",
        auth=auth,
        params={"details": "true", "RecordingUrlValidity": "10"},
    )
    await rec("call detail", f"{calls}/{sid}.json", auth=auth)
    await rec("call detail xml", f"{calls}/{sid}", auth=auth, params={"details": "true"})
    await rec("recording media", _path(recorded["RecordingUrl"]))
    await rec("recording presigned", _path(detail.json()["Call"]["PreSignedRecordingUrl"]))
    await rec(
        "recording bad signature",
        _path(recorded["RecordingUrl"]),
        params={"X-Amz-Date": "20260101T000000Z", "X-Amz-Expires": "600", "X-Amz-Signature": "0"},
    )
    await rec("recording not found", f"/exotelrecordings/{a.account}/{'0' * 32}.mp3")

    await rec("auth failure (bad credentials)", f"{calls}.json", auth=BAD)
    await rec("auth failure xml", calls, auth=BAD)
    other = rec.emu.account("exotel", 1)
    await rec("auth failure (other account)", f"{calls}.json", auth=_creds(other))
    await rec("bad request PageSize=0", f"{calls}.json", auth=auth, params={"PageSize": "0"})
    await rec("bad request Status", f"{calls}.json", auth=auth, params={"Status": "bogus"})
    await rec("bad request Duration", f"{calls}.json", auth=auth, params={"Duration": "gte:1m"})
    await rec(
        "bad request To (national form)",
        f"{calls}.json",
        auth=auth,
        params={"To": sample["PhoneNumberSid"]},
    )
    await rec("bad request After", f"{calls}.json", auth=auth, params={"After": "nope"})
    await rec(
        "bad request DateCreated",
        f"{calls}.json",
        auth=auth,
        params={"DateCreated": "gte:2026-01-01 00:00:00"},
    )
    await rec(
        "bad request Twilio-style name", f"{calls}.json", auth=auth, params={"StartTime>": "x"}
    )
    await rec("not found call", f"{calls}/{'0' * 32}.json", auth=auth)
    await rec("not found call xml", f"{calls}/{'0' * 32}", auth=auth)


# -- Fone Dynamics --------------------------------------------------------------------------------
async def _fonedynamics(rec: Recorder) -> None:
    a = rec.emu.account("fonedynamics")
    auth = _creds(a)
    calls = f"{a.base_url}/v2/Accounts/{a.account}/Calls"
    first = await rec("calls first page", calls, auth=auth, params={"Results_Count": "20"})
    await rec(
        "calls second page",
        calls,
        auth=auth,
        params={"Results_Count": "20", "Results_Skip": "20"},
    )
    await rec("calls default page", calls, auth=auth)
    prop = a.properties[0]
    await rec(
        "property calls first page",
        f"{a.base_url}/v2/Properties/{prop}/Calls",
        auth=auth,
        params={"Results_Count": "15"},
    )
    await rec(
        "property calls second page",
        f"{a.base_url}/v2/Properties/{prop}/Calls",
        auth=auth,
        params={"Results_Count": "15", "Results_Skip": "15"},
    )
    await rec(
        "calls Disposition=Answered",
        calls,
        auth=auth,
        params={"Disposition": "Answered", "Results_Count": "25"},
    )
    await rec(
        "calls Disposition second page",
        calls,
        auth=auth,
        params={"Disposition": "Busy,NoAnswer", "Results_Count": "10", "Results_Skip": "10"},
    )
    now = rec.emu.dataset.now
    await rec(
        "calls Date range",
        calls,
        auth=auth,
        params={"Date_From": str(now - 20 * 86400), "Date_To": str(now - 10 * 86400)},
    )
    sample = first.json()["Calls"][4]
    await rec("calls To filter", calls, auth=auth, params={"To": sample["To"]})
    await rec(
        "calls Unique=Repeat", calls, auth=auth, params={"Unique": "Repeat", "Results_Count": "30"}
    )
    await rec("calls Prompts_keys", calls, auth=auth, params={"Prompts_keys": "1;2,1"})
    recorded = next(c for c in first.json()["Calls"] if c.get("Recording_Uri"))
    sid = recorded["CallSid"]
    await rec("call detail", f"{a.base_url}/v2/Calls/{sid}", auth=auth)
    await rec("recording media", _path(recorded["Recording_Uri"]))
    unrecorded = next(c for c in first.json()["Calls"] if not c.get("Recording_Uri"))
    await rec("recording not found", f"/fonedynamics/recordings/{unrecorded['CallSid']}.mp3")

    await rec("auth failure (bad credentials)", calls, auth=BAD)
    await rec("auth failure (no credentials)", calls)
    other = rec.emu.account("fonedynamics", 1)
    await rec("forbidden (other account)", calls, auth=_creds(other))
    await rec("bad request Results_Count=0", calls, auth=auth, params={"Results_Count": "0"})
    await rec("bad request Disposition", calls, auth=auth, params={"Disposition": "Maybe"})
    await rec(
        "bad request Date order",
        calls,
        auth=auth,
        params={"Date_From": str(now), "Date_To": str(now - 86400)},
    )
    await rec("bad request To", calls, auth=auth, params={"To": "abc"})
    await rec("bad request missing AccountSid", f"{a.base_url}/v2/Accounts//Calls", auth=auth)
    await rec("not found call", f"{a.base_url}/v2/Calls/CA{'0' * 32}", auth=auth)
    await rec("not found account", f"{a.base_url}/v2/Accounts/AC{'0' * 32}/Calls", auth=auth)
    await rec("not found property", f"{a.base_url}/v2/Properties/PR{'0' * 32}/Calls", auth=auth)


# -- PortSIP --------------------------------------------------------------------------------------
async def _portsip(rec: Recorder) -> None:
    a = rec.emu.account("portsip")
    base = a.base_url
    login = await rec(
        "login",
        f"{base}/login",
        method="POST",
        json={"username": a.username, "password": a.password},
    )
    token = login.json()["access_token"]
    h = {"Authorization": f"Bearer {token}"}
    logs = f"{base}/calllogs"
    first = await rec("calllogs first page", logs, headers=h, params={"top": "20", "count": "true"})
    await rec(
        "calllogs second page", logs, headers=h, params={"top": "20", "skip": "20", "count": "true"}
    )
    await rec("calllogs default page", logs, headers=h)
    await rec(
        "calllogs POST body options",
        logs,
        method="POST",
        headers=h,
        json={"top": 10, "skip": 5, "count": True},
    )
    await rec(
        "calllogs filter status_code",
        logs,
        headers=h,
        params={"filter": "status_code eq 0", "top": "25", "count": "true"},
    )
    sample = first.json()["items"][2]
    await rec(
        "calllogs filter caller",
        logs,
        headers=h,
        params={"filter": f"caller eq '{sample['caller']}' or callee eq '{sample['callee']}'"},
    )
    await rec(
        "calllogs filter time range",
        logs,
        headers=h,
        params={
            "$filter": "started_at ge '2026-11-01T00:00:00Z' and started_at lt '2026-11-04T00:00:00Z'",
            "$count": "true",
        },
    )
    await rec(
        "calllogs filter duration + orderby",
        logs,
        headers=h,
        params={
            "filter": "duration gt 120",
            "orderby": "duration desc, started_at asc",
            "top": "15",
        },
    )
    await rec(
        "calllogs filter startswith + search",
        logs,
        headers=h,
        params={"filter": "startswith(direction,'INBOUND')", "search": "10", "top": "10"},
    )
    await rec(
        "calllogs filtered second page",
        logs,
        headers=h,
        params={"filter": "status_code ne 0", "top": "10", "skip": "10", "count": "true"},
    )
    await rec("cdrs first page", f"{base}/cdrs", headers=h, params={"top": "20", "count": "true"})
    await rec("cdrs second page", f"{base}/cdrs", headers=h, params={"top": "20", "skip": "20"})
    cid = sample["id"]
    await rec("calllog detail", f"{logs}/{cid}", headers=h)
    await rec("cdr detail", f"{base}/cdrs/{cid}", headers=h)
    recs = await rec(
        "recordings first page",
        f"{base}/recordings",
        headers=h,
        params={"top": "10", "count": "true"},
    )
    await rec(
        "recordings second page",
        f"{base}/recordings",
        headers=h,
        params={"top": "10", "skip": "10"},
    )
    await rec(
        "recordings filter + orderby",
        f"{base}/recordings",
        headers=h,
        params={
            "filter": "started_at ge '2026-10-20T00:00:00Z' and started_at le '2026-11-10T00:00:00Z'",
            "orderby": "caller asc",
            "top": "20",
        },
    )
    rid = recs.json()["items"][0]["id"]
    detail = await rec("recording detail", f"{base}/recordings/{rid}", headers=h)
    await rec("recording blob", _path(detail.json()["items"][0]["file_url"]))
    await rec(
        "oauth token",
        f"{base}/login/oauth/token",
        method="POST",
        data={
            "client_id": "9d806019-75b2-4b3d-bb8b-f5a3a412cc0a",
            "grant_type": "password",
            "username": a.username,
            "password": a.password,
        },
    )

    await rec(
        "auth failure (bad login)",
        f"{base}/login",
        method="POST",
        json={"username": a.username, "password": "wrong"},
    )
    await rec("auth failure (bad token)", logs, headers={"Authorization": "Bearer nope"})
    await rec("auth failure (no token)", f"{base}/cdrs")
    await rec("bad request login body", f"{base}/login", method="POST", content=b"[1, 2]")
    await rec("bad request top=0", logs, headers=h, params={"top": "0"})
    await rec("bad request filter", logs, headers=h, params={"filter": "nosuchfield eq 1"})
    await rec("bad request orderby", logs, headers=h, params={"orderby": "caller sideways"})
    await rec("bad request count", logs, headers=h, params={"count": "maybe"})
    await rec("not found calllog", f"{logs}/123456", headers=h)
    await rec("not found cdr", f"{base}/cdrs/42", headers=h)
    await rec("not found recording", f"{base}/recordings/123457", headers=h)
    await rec("not found blob", f"{base}/blobs/AAAA")


PROVIDERS: dict[str, Callable[[Recorder], Awaitable[None]]] = {
    "twilio": _twilio,
    "signalwire": _signalwire,
    "exotel": _exotel,
    "fonedynamics": _fonedynamics,
    "portsip": _portsip,
}


def _load() -> dict[str, Json]:
    if not GOLDEN.exists():
        return {}
    data: dict[str, Json] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    return data


@pytest.mark.parametrize("provider", list(PROVIDERS))
async def test_golden_pages(emu: Emulator, provider: str) -> None:
    async with httpx.AsyncClient(timeout=30) as client:
        rec = Recorder(emu, provider, client)
        await PROVIDERS[provider](rec)
    assert not emu.errors, emu.errors[0]
    golden = _load()
    prefix = f"{provider}: "
    expected = {k: v for k, v in golden.items() if k.startswith(prefix)}
    if UPDATE:
        others = {k: v for k, v in golden.items() if not k.startswith(prefix)}
        merged = dict(sorted((others | rec.pages).items()))
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(merged, indent=1, ensure_ascii=False) + "\n", "utf-8")
        return
    assert expected, f"no goldens for {provider}: run with CALLSCOPE_UPDATE_GOLDEN=1"
    missing = sorted(expected.keys() - rec.pages.keys())
    extra = sorted(rec.pages.keys() - expected.keys())
    changed = sorted(k for k in expected.keys() & rec.pages.keys() if expected[k] != rec.pages[k])
    assert not (missing or extra or changed), (
        f"golden pages differ — changed: {changed}, missing: {missing}, new: {extra}"
        " (regenerate with CALLSCOPE_UPDATE_GOLDEN=1 only for an intended wire change)"
    )
