"""Twilio and SignalWire Calls APIs: shapes, limits, errors and auth as documented."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from xml.etree import ElementTree

import httpx
import pytest

from tests.conftest import FIXTURES  # the providers' official examples, copied into the repo
from tui.emulator import Emulator

from .conftest import calls_url, client, origin_of

TWILIO_ENVELOPE = {
    "calls", "page", "page_size", "start", "end", "uri",
    "first_page_uri", "next_page_uri", "previous_page_uri",
}  # fmt: skip


def _twilio_spec() -> dict:
    return json.loads((FIXTURES / "twilio/api_v2010_calls.openapi.json").read_text())


def _signalwire_spec() -> dict:
    return json.loads((FIXTURES / "signalwire/compatibility_calls.openapi.json").read_text())


async def test_twilio_list_envelope_has_exactly_the_documented_keys(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        r = await c.get(calls_url(a), params={"PageSize": 5})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == TWILIO_ENVELOPE
    listed = _twilio_spec()["paths"]["/2010-04-01/Accounts/{AccountSid}/Calls.json"]["get"]
    schema = listed["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(body) == set(schema["properties"])
    assert body["page"] == 0 and body["page_size"] == 5 and body["start"] == 0 and body["end"] == 4
    assert body["previous_page_uri"] is None
    assert "PageToken=PA" in body["next_page_uri"]


async def test_twilio_call_matches_schema_keys_and_types(emu: Emulator) -> None:
    a = emu.account("twilio")
    props = _twilio_spec()["components"]["schemas"]["api.v2010.account.call"]["properties"]
    fixture = json.loads((FIXTURES / "twilio/examples/call.fetch.json").read_text())
    async with client(a) as c:
        calls = (await c.get(calls_url(a), params={"PageSize": 200})).json()["calls"]
    for call in calls:
        assert set(call) == set(props) == set(fixture)
        assert call["sid"].startswith("CA") and len(call["sid"]) == 34
        assert call["duration"] is None or isinstance(call["duration"], str)
        assert call["price"] is None or call["price"].startswith("-")
        assert call["status"] in props["status"].get("enum", []) or call["status"] in (
            "queued", "ringing", "in-progress", "completed", "busy", "failed", "no-answer", "canceled",
        )  # fmt: skip
        assert call["direction"] in ("inbound", "outbound-api", "outbound-dial")
        assert parsedate_to_datetime(call["date_created"]).utcoffset() is not None
        assert call["uri"].endswith(call["sid"] + ".json")
    completed = [c for c in calls if c["status"] == "completed"]
    assert completed and all(int(c["duration"]) >= 0 and c["price"] for c in completed)


async def test_signalwire_list_and_call_match_the_spec(emu: Emulator) -> None:
    a = emu.account("signalwire")
    schemas = _signalwire_spec()["components"]["schemas"]
    async with client(a) as c:
        body = (await c.get(calls_url(a), params={"PageSize": 500})).json()
    assert set(body) == set(schemas["CallListResponse"]["properties"])
    assert set(body) == set(schemas["CallListResponse"]["required"])
    call_keys = set(schemas["Call"]["required"])
    statuses = set()
    for call in body["calls"]:
        assert set(call) == call_keys
        assert isinstance(call["duration"], int)
        assert call["price"] is None or isinstance(call["price"], float)
        assert call["direction"] in ("inbound", "outbound")
        assert call["sid"].count("-") == 4 and len(call["sid"]) == 36
        assert set(call["subresource_uris"]) == {"notifications", "recordings"}
        assert call["uri"].startswith("/api/laml/2010-04-01/Accounts/")
        statuses.add(call["status"])
    assert "no-answer" not in statuses and {"completed", "busy", "canceled"} <= statuses
    assert any(" Sept " in (c["start_time"] or "") for c in body["calls"])


async def test_signalwire_answers_without_the_api_laml_prefix(emu: Emulator) -> None:
    a = emu.account("signalwire")
    async with client(a) as c:
        with_prefix = await c.get(calls_url(a), params={"PageSize": 3})
        sdk_form = await c.get(
            f"{origin_of(a)}/2010-04-01/Accounts/{a.account}/Calls.json", params={"PageSize": 3}
        )
        next_page = await c.get(origin_of(a) + with_prefix.json()["next_page_uri"])
    assert sdk_form.status_code == 200 and sdk_form.json() == with_prefix.json()
    assert next_page.status_code == 200 and next_page.json()["page"] == 1


@pytest.mark.parametrize("provider", ["twilio", "signalwire"])
async def test_wrong_or_missing_credentials_give_the_provider_401(
    emu: Emulator, provider: str
) -> None:
    a = emu.account(provider)
    async with httpx.AsyncClient() as c:
        missing = await c.get(calls_url(a))
        wrong = await c.get(calls_url(a), auth=(a.username, "nope"))
        other = emu.account(provider, 1)
        foreign = await c.get(calls_url(a), auth=(other.username, other.password))
    for r in (missing, wrong, foreign):
        assert r.status_code == 401
        assert r.headers["www-authenticate"].startswith("Basic")
    if provider == "twilio":
        assert missing.json() == {
            "code": 20003,
            "message": "Authentication Error - invalid username",
            "more_info": "https://www.twilio.com/docs/errors/20003",
            "status": 401,
        }
    else:
        expected = json.loads(
            (FIXTURES / "signalwire/examples/error.assembled_from_schema_examples.json").read_text()
        )
        assert missing.json() == expected


async def test_twilio_api_key_authenticates(emu: Emulator) -> None:
    a = emu.account("twilio")
    sk, secret = emu.api("twilio").api_keys[a.account]  # type: ignore[attr-defined]
    async with httpx.AsyncClient(auth=(sk, secret)) as c:
        r = await c.get(calls_url(a), params={"PageSize": 1})
    assert r.status_code == 200


@pytest.mark.parametrize("provider", ["twilio", "signalwire"])
async def test_forged_page_token_gives_21481(emu: Emulator, provider: str) -> None:
    a = emu.account(provider)
    async with client(a) as c:
        first = (await c.get(calls_url(a), params={"PageSize": 2})).json()
        sid = first["calls"][-1]["sid"]
        forged = sid[:-1] + ("0" if sid[-1] != "0" else "1")
        for token in ("PA" + forged, "garbage", "PB", "PA"):
            r = await c.get(calls_url(a), params={"PageSize": 2, "Page": 1, "PageToken": token})
            assert r.status_code == 400
            assert r.json()["code"] == 21481 and r.json()["status"] == 400


@pytest.mark.parametrize("size", ["0", "1001", "-5", "many"])
async def test_page_size_out_of_range_is_a_400_with_twilio_body(emu: Emulator, size: str) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        r = await c.get(calls_url(a), params={"PageSize": size})
    assert r.status_code == 400
    assert set(r.json()) == {"code", "message", "more_info", "status"}
    assert r.json()["status"] == 400


async def test_page_size_1000_is_accepted(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        r = await c.get(calls_url(a), params={"PageSize": 1000})
    assert (
        r.status_code == 200 and len(r.json()["calls"]) == 500 and r.json()["next_page_uri"] is None
    )


async def test_unknown_call_is_a_20404(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        r = await c.get(calls_url(a, "") + "/CA" + "0" * 32 + ".json")
    assert r.status_code == 404
    assert r.json()["code"] == 20404 and r.json()["more_info"].endswith("/20404")


async def test_twilio_answers_xml_without_the_json_suffix(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        listing = await c.get(calls_url(a, ""), params={"PageSize": 2})
        sid = (await c.get(calls_url(a), params={"PageSize": 1})).json()["calls"][0]["sid"]
        one = await c.get(calls_url(a, "") + f"/{sid}")
        err = await c.get(calls_url(a, ""), auth=("x", "y"))
    assert listing.headers["content-type"].startswith("application/xml")
    root = ElementTree.fromstring(listing.content)
    assert root.tag == "TwilioResponse" and len(root.find("Calls")) == 2  # type: ignore[arg-type]
    assert ElementTree.fromstring(one.content).find("Call/Sid").text == sid  # type: ignore[union-attr]
    assert err.status_code == 401
    assert ElementTree.fromstring(err.content).find("RestException/Code").text == "20003"  # type: ignore[union-attr]


async def test_fetch_call_equals_the_list_item(emu: Emulator) -> None:
    for provider in ("twilio", "signalwire"):
        a = emu.account(provider)
        async with client(a) as c:
            item = (await c.get(calls_url(a), params={"PageSize": 7})).json()["calls"][-1]
            one = await c.get(calls_url(a, "") + f"/{item['sid']}.json")
        assert one.status_code == 200 and one.json() == item


@pytest.mark.parametrize("provider", ["twilio", "signalwire"])
async def test_every_listed_call_is_byte_for_byte_the_fetched_call(provider: str) -> None:
    # List pages are rendered by a fast path, single calls by the reference renderer: on hostile
    # data (escapes, non-ASCII, long strings) and every status, both must send the same JSON.
    async with Emulator(calls=240, hostile=True) as emu:
        a = emu.account(provider)
        async with client(a) as c:
            page = await c.get(calls_url(a), params={"PageSize": 1000})
            listed = page.json()["calls"]
            fetched = [await c.get(calls_url(a, "") + f"/{x['sid']}.json") for x in listed]
    assert len(listed) == 240 and len({x["status"] for x in listed}) >= 6
    assert [f.json() for f in fetched] == listed
    compact = json.dumps(page.json(), separators=(",", ":"), ensure_ascii=False).encode()
    assert page.content == compact  # the same encoding as every other response
    for f, x in zip(fetched, listed, strict=True):
        assert f.content == json.dumps(x, separators=(",", ":"), ensure_ascii=False).encode()


async def test_previous_page_uri_leads_back(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        p0 = (await c.get(calls_url(a), params={"PageSize": 4, "Status": "completed"})).json()
        p1 = (await c.get(a.base_url + p0["next_page_uri"])).json()
        back = (await c.get(a.base_url + p1["previous_page_uri"])).json()
    assert [x["sid"] for x in back["calls"]] == [x["sid"] for x in p0["calls"]]
    assert back["page"] == 0 and back["next_page_uri"] == p0["next_page_uri"]


async def test_call_recordings_list_fetch_and_media(emu: Emulator) -> None:
    a = emu.account("twilio")
    ds = emu.dataset
    key = a.key
    idx = next(i for i in range(ds.count(key) - 1, -1, -1) if ds.recording_count(key, i) == 2)
    async with client(a) as c:
        sid = emu.api("twilio").sids[a.account].call(idx)  # type: ignore[attr-defined]
        listing = await c.get(calls_url(a, "") + f"/{sid}/Recordings.json")
        assert listing.status_code == 200
        recs = listing.json()["recordings"]
        assert len(recs) == 2 and all(r["call_sid"] == sid for r in recs)
        props = _twilio_spec()["components"]["schemas"]["api.v2010.account.call.call_recording"]
        assert set(recs[0]) == set(props["properties"])
        one = await c.get(a.base_url + recs[0]["uri"])
        assert one.json() == recs[0]
        acct = (
            await c.get(
                f"{a.base_url}/2010-04-01/Accounts/{a.account}/Recordings/{recs[0]['sid']}.json"
            )
        ).json()
        assert acct["media_url"].startswith(a.base_url)
    async with httpx.AsyncClient() as anon:  # media is public by default
        wav = await anon.get(acct["media_url"])
        wav2 = await anon.get(acct["media_url"] + ".wav")
        mp3 = await anon.get(acct["media_url"] + ".mp3")
        meta = await anon.get(acct["media_url"] + ".json")
    assert wav.headers["content-type"] == "audio/x-wav" and wav.content[:4] == b"RIFF"
    assert wav2.content == wav.content
    assert mp3.headers["content-type"] == "audio/mpeg" and mp3.content[:2] == b"\xff\xfb"
    assert meta.status_code == 401


async def test_media_auth_flag_protects_recordings() -> None:
    async with Emulator(calls=200, media_auth=True) as emu:
        a = emu.account("twilio")
        idx = next(i for i in range(199, -1, -1) if emu.dataset.recording_count(a.key, i))
        rec = emu.api("twilio").sids[a.account].recording(idx, 0)  # type: ignore[attr-defined]
        url = f"{a.base_url}/2010-04-01/Accounts/{a.account}/Recordings/{rec}"
        async with httpx.AsyncClient() as anon:
            assert (await anon.get(url)).status_code == 401
        async with client(a) as c:
            assert (await c.get(url)).status_code == 200


async def test_signalwire_recordings_by_call_sid(emu: Emulator) -> None:
    a = emu.account("signalwire")
    ds = emu.dataset
    idx = next(i for i in range(ds.count(a.key) - 1, -1, -1) if ds.recording_count(a.key, i))
    sid = emu.api("signalwire").sids[a.account].call(idx)  # type: ignore[attr-defined]
    schemas = _signalwire_spec()["components"]["schemas"]
    async with client(a) as c:
        r = await c.get(
            f"{a.base_url}/Accounts/{a.account}/Recordings.json", params={"CallSid": sid}
        )
        everything = await c.get(
            f"{a.base_url}/Accounts/{a.account}/Recordings.json", params={"PageSize": 3}
        )
    body = r.json()
    assert set(body) == set(schemas["RecordingListResponse"]["required"])
    assert len(body["recordings"]) == ds.recording_count(a.key, idx)
    for rec in body["recordings"]:
        assert set(rec) == set(schemas["Recording"]["required"])
        assert rec["call_sid"] == sid and isinstance(rec["duration"], int)
    async with httpx.AsyncClient() as anon:
        media = await anon.get(origin_of(a) + body["recordings"][0]["uri"].removesuffix(".json"))
    assert media.status_code == 200 and media.content[:4] == b"RIFF"
    assert len(everything.json()["recordings"]) == 3 and everything.json()["next_page_uri"]


async def test_notifications_and_events(emu: Emulator) -> None:
    a = emu.account("twilio")
    ds = emu.dataset
    failed = next(i for i in range(ds.count(a.key)) if ds.status(a.key, i) == "failed")
    sid = emu.api("twilio").sids[a.account].call(failed)  # type: ignore[attr-defined]
    async with client(a) as c:
        notes = (await c.get(calls_url(a, "") + f"/{sid}/Notifications.json")).json()
        events = (await c.get(calls_url(a, "") + f"/{sid}/Events.json")).json()
    assert len(notes["notifications"]) == 1 and notes["notifications"][0]["call_sid"] == sid
    assert events["events"][0]["request"]["parameters"]["CallSid"] == sid
    assert set(events) == TWILIO_ENVELOPE - {"calls"} | {"events"}


async def test_garbage_requests_get_400_and_the_server_carries_on(emu: Emulator) -> None:
    import asyncio

    for junk in (
        b"\x00\x01garbage\r\n\r\n",
        b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n",
        b"GET /x HTTP/1.1\r\nBad Header\r\n\r\n",
    ):
        reader, writer = await asyncio.open_connection("127.0.0.1", emu.port)
        writer.write(junk)
        await writer.drain()
        answer = await reader.read(65536)
        writer.close()
        assert answer.startswith(b"HTTP/1.1 400")
    a = emu.account("twilio")
    async with client(a) as c:
        assert (await c.get(calls_url(a))).status_code == 200
        assert (await c.get(f"{a.base_url}/nowhere")).status_code == 404
        assert (await c.post(calls_url(a))).status_code == 405
