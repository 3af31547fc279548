"""PortSIP PBX emulation: token auth, call logs/CDRs, query options, recordings, faults."""

from __future__ import annotations

import json
import re
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from tui.emulator import Emulator, EmulatorConfig
from tui.emulator.portsip import (
    _RING_SLACK_S,
    CDR_LIST_KEYS,
    OAUTH_CLIENT_ID,
    PortSipAPI,
)
from tui.emulator.portsip_odata import parse_time_us

FIX = Path(__file__).resolve().parents[1] / "fixtures/providers/portsip"
SPEC = json.loads((FIX / "calllogs_cdrs_recordings.openapi.json").read_text())
TIME = re.compile(r"^$|^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")
Json = dict[str, Any]


def _props(path: str) -> Json:
    schema = SPEC["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
    return schema["schema"]["properties"]


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(EmulatorConfig(calls=400, providers=("portsip",))) as e:
        yield e


def api_of(emu: Emulator) -> PortSipAPI:
    api = emu.api("portsip")
    assert isinstance(api, PortSipAPI)
    return api


async def login(c: httpx.AsyncClient, emu: Emulator, index: int = 0) -> Json:
    a = emu.account("portsip", index)
    r = await c.post(f"{a.base_url}/login", json={"username": a.username, "password": a.password})
    assert r.status_code == 200, r.text
    body: Json = r.json()
    c.headers["Authorization"] = f"Bearer {body['access_token']}"
    return body


async def walk(c: httpx.AsyncClient, url: str, top: int = 37, **params: str) -> list[Json]:
    out: list[Json] = []
    skip = 0
    while True:
        r = await c.get(url, params={**params, "skip": skip, "top": top, "count": "true"})
        assert r.status_code == 200, r.text
        body = r.json()
        out += body["items"]
        skip += len(body["items"])
        if len(body["items"]) < top:
            assert skip == body["count"]
            return out
        assert skip <= body["count"]


def truth_ids(emu: Emulator, desc: bool = True) -> list[str]:
    a = emu.account("portsip")
    t = api_of(emu).tenants[a.account]
    n = emu.dataset.live_from(a.key)
    order = range(n - 1, -1, -1) if desc else range(n)
    return [t.call_id(i) for i in order]


# -- auth ----------------------------------------------------------------------------------------
async def test_login_token_shape_and_failures(emu: Emulator) -> None:
    a = emu.account("portsip")
    fixture = json.loads((FIX / "examples/access_token.docs_example.json").read_text())
    async with httpx.AsyncClient() as c:
        body = await login(c, emu)
        assert set(body) == set(fixture)
        assert body["expires_in"] == 1800 and body["token_type"] == "Bearer"
        assert re.fullmatch(r"[A-Z0-9]{40,}", body["access_token"])
        for creds in (
            {"username": a.username, "password": "wrong"},
            {"username": "nobody", "password": a.password},
            {"username": a.username, "password": a.password, "domain": "other.example"},
        ):
            r = await c.post(f"{a.base_url}/login", json=creds)
            assert r.status_code == 400
            assert r.json() == {
                "errors": [
                    {"code": "UNAUTHORIZED", "message": "Login failed, authentication error"}
                ]
            }
        r = await c.post(f"{a.base_url}/login", json={**creds, "domain": a.account})
        assert r.status_code == 200
        r = await c.post(f"{a.base_url}/login", content=b"{not json")
        assert r.status_code == 400 and r.json()["errors"][0]["code"] == "VALIDATE_FAILED"


async def test_oauth_form_refresh_rotation_and_json_refresh(emu: Emulator) -> None:
    a = emu.account("portsip")
    url = f"{a.base_url}/login/oauth/token"
    form = {"grant_type": "password", "username": a.username, "password": a.password}
    form |= {"scope": "all", "client_id": OAUTH_CLIENT_ID}
    async with httpx.AsyncClient() as c:
        r = await c.post(url, data=form)
        assert r.status_code == 200 and set(r.json()) >= {"access_token", "refresh_token"}
        refresh = r.json()["refresh_token"]
        bad = await c.post(url, data={**form, "client_id": "nope"})
        assert bad.status_code == 400 and bad.json()["errors"][0]["code"] == "VALIDATE_FAILED"
        wrong = await c.post(url, data={**form, "password": "x"})
        assert wrong.status_code == 400 and wrong.json()["errors"][0]["code"] == "UNAUTHORIZED"
        ref = {
            "grant_type": "refresh_token",
            "refresh_token": refresh,
            "client_id": OAUTH_CLIENT_ID,
        }
        r2 = await c.post(url, data=ref)
        assert r2.status_code == 200 and r2.json()["access_token"] != r.json()["access_token"]
        again = await c.post(url, data=ref)  # rotated: the old refresh token is spent
        assert again.status_code == 400
        assert again.json() == {"errors": [{"code": "UNKNOWN", "message": "unknown error"}]}
        r3 = await c.post(
            f"{a.base_url}/auth/refresh_token", json={"refresh_token": r2.json()["refresh_token"]}
        )
        assert r3.status_code == 200
        h = {"Authorization": f"Bearer {r3.json()['access_token']}"}
        assert (
            await c.get(f"{a.base_url}/calllogs", headers=h, params={"top": 1})
        ).status_code == 200


async def test_tokens_expire_with_an_injected_clock(emu: Emulator) -> None:
    api = api_of(emu)
    now = [1_000_000.0]
    api.clock = lambda: now[0]
    api.token_ttl = 2
    a = emu.account("portsip")
    async with httpx.AsyncClient() as c:
        body = await login(c, emu)
        assert body["expires_in"] == 2
        s = (await c.get(f"{a.base_url}/login")).json()
        assert set(s) == {"access_token", "expires_at", "expires_in", "role"}
        assert s["expires_in"] == 2 and s["expires_at"].endswith("Z")
        assert (await c.get(f"{a.base_url}/calllogs")).status_code == 200
        now[0] += 2.5
        r = await c.get(f"{a.base_url}/calllogs")
        assert r.status_code == 401 and r.json()["errors"][0]["code"] == "UNAUTHORIZED"
        assert (await c.get(f"{a.base_url}/login")).status_code == 401
        r = await c.post(
            f"{a.base_url}/auth/refresh_token", json={"refresh_token": body["refresh_token"]}
        )
        assert r.status_code == 200


async def test_every_data_route_needs_a_valid_bearer_and_revoke_ends_it(emu: Emulator) -> None:
    a = emu.account("portsip")
    paths = ["/calllogs", "/calllogs/1", "/cdrs", "/cdrs/1", "/recordings", "/recordings/1"]
    async with httpx.AsyncClient() as c:
        for auth in (None, "Bearer", "Bearer forged", "Basic dXNlcjpwdw=="):
            h = {"Authorization": auth} if auth else {}
            for p in paths:
                for method in ("GET", "POST"):
                    r = await c.request(method, a.base_url + p, headers=h)
                    assert r.status_code == 401, (p, auth)
                    assert r.json()["errors"][0]["code"] == "UNAUTHORIZED"
        await login(c, emu)
        assert (await c.post(f"{a.base_url}/login/oauth/revoke")).status_code == 200
        assert (await c.get(f"{a.base_url}/calllogs")).status_code == 401


# -- shapes ---------------------------------------------------------------------------------------
async def test_list_and_detail_shapes_match_spec_and_fixture(emu: Emulator) -> None:
    a = emu.account("portsip")
    fixture = json.loads((FIX / "examples/cdrs_list.docs_example.json").read_text())
    summary = _props("/calllogs")["items"]["items"]["properties"]
    async with httpx.AsyncClient() as c:
        await login(c, emu)
        plain = (await c.get(f"{a.base_url}/calllogs", params={"top": 100})).json()
        assert set(plain) == {"items"}  # count only when asked (COUNT_ALWAYS = False)
        body = (await c.get(f"{a.base_url}/calllogs", params={"top": 100, "count": "true"})).json()
        assert set(body) == set(_props("/calllogs")) == {"count", "items"}
        for it in body["items"]:
            assert list(it) == list(summary)
            assert isinstance(it["status_code"], int) and isinstance(it["duration"], int)
            assert all(
                TIME.match(it[k]) for k in ("started_at", "rang_at", "answered_at", "ended_at")
            )
            assert it["direction"] in summary["direction"]["enum"]
            assert it["answered_at"] == "" or it["status_code"] == 0
        cdrs = (await c.get(f"{a.base_url}/cdrs", params={"top": 5})).json()["items"]
        assert all(list(x) == list(fixture["items"][0]) == list(CDR_LIST_KEYS) for x in cdrs)
        one = body["items"][0]
        detail = (await c.get(f"{a.base_url}/calllogs/{one['id']}")).json()
        assert set(detail) == set(_props("/calllogs/{id}"))
        assert {k: detail[k] for k in one} == one and isinstance(detail["cost"], float)
        wrapped = (await c.post(f"{a.base_url}/cdrs/{one['id']}")).json()
        assert set(wrapped) == {"items"} and len(wrapped["items"]) == 1
        assert set(wrapped["items"][0]) == set(_props("/cdrs/{id}")["items"]["items"]["properties"])
        for bad in ("1", "abc", str(int(one["id"]) + 2), one["session_id"]):
            r = await c.get(f"{a.base_url}/calllogs/{bad}")
            assert r.status_code == 404 and r.json()["errors"][0]["code"] == "NOT_FOUND"


async def test_records_carry_the_documented_vocabulary_and_quirks() -> None:
    async with Emulator(EmulatorConfig(calls=3000, providers=("portsip",))) as emu:
        a = emu.account("portsip")
        t = api_of(emu).tenants[a.account]
        items = [t.row(i) for i in range(t.n)]
        codes = {r.get("status_code") for r in items}
        assert {0, 486, 480, 487} <= codes and codes <= {
            0,
            486,
            600,
            408,
            480,
            487,
            403,
            404,
            488,
            500,
            503,
            603,
        }
        assert {r.get("direction") for r in items} == {
            "INBOUND_CALL", "OUTBOUND_CALL", "EXTENSION_CALL", "INBOUND_OUTBOUND_CALL",
        }  # fmt: skip
        reasons = {r.get("end_reason") for r in items}
        assert {"CALLER_DISCONNECT", "CANCELLED", "", "BLIND_TRANSFER_COMPLETED"} <= reasons
        for r in items:
            if r.get("direction") == "EXTENSION_CALL":
                assert re.fullmatch(r"\d{3}", str(r.get("caller")))
                assert re.fullmatch(r"\d{3}", str(r.get("callee")))
                assert r.get("trunk") == "" and r.get("did_cid") == ""
            if r.get("status_code") != 0:
                assert r.get("answered_at") is None and r.get("duration") == 0
        # transfers: a child leg shares its parent's session and says why it was rerouted
        kids = [i for i in range(1, t.n) if emu.dataset.is_child(a.key, i)]
        assert kids
        for i in kids:
            assert t.row(i).get("session_id") == t.row(i - 1).get("session_id")
            assert t.row(i).get("reroute_reason") == "TRANSFER"
        # guards for the range arithmetic: ring time and start order
        for i in range(t.n):
            c = emu.dataset.call(a.key, i)
            assert c.answer is None or (c.start is not None and c.answer - c.start < _RING_SLACK_S)
        starts = [t.start_us(i) for i in range(t.n)]
        assert starts == sorted(set(starts))


# -- limits and bad input ---------------------------------------------------------------------
async def test_limits_and_bad_options_give_validate_failed(emu: Emulator) -> None:
    a = emu.account("portsip")
    bad = [
        {"top": "0"}, {"top": "101"}, {"$top": "500"}, {"top": "x"}, {"skip": "-1"},
        {"count": "maybe"}, {"orderby": "nope asc"}, {"orderby": "caller up"},
        {"filter": "caller eq"}, {"filter": "caller eq '101"}, {"filter": "caller eq 101"},
        {"filter": "duration eq '5'"}, {"filter": "started_at gt 'yesterday'"},
        {"filter": "not caller eq '1'"}, {"filter": "(caller eq '1'"}, {"filter": "caller eq '1')"},
        {"filter": "startswith(duration,'1')"}, {"filter": "caller lt '1' xor callee eq '2'"},
        {"filter": "(" * 100 + "caller eq '1'" + ")" * 100}, {"filter": "caller eq '1' \x00"},
        {"filter": "ñ eq 'x'"}, {"filter": "status_code eq 99999999999999999999999"},
    ]  # fmt: skip
    async with httpx.AsyncClient() as c:
        await login(c, emu)
        for params in bad:
            for path in ("/calllogs", "/cdrs", "/recordings"):
                r = await c.get(a.base_url + path, params=params)
                assert r.status_code == 400, (path, params, r.text)
                err = r.json()["errors"][0]
                assert (
                    err["code"] == "VALIDATE_FAILED" and err["message"] == "field validation failed"
                )
                assert err["detail"]
        ok = await c.get(f"{a.base_url}/calllogs", params={"$top": "100", "$skip": "3"})
        assert ok.status_code == 200 and len(ok.json()["items"]) == 100
        r = await c.post(f"{a.base_url}/calllogs", content=b"[1, 2]")
        assert r.status_code == 400
        r = await c.get(f"{a.base_url}/recordings", params={"filter": "duration gt 1"})
        assert r.status_code == 400  # recordings expose only id/caller/callee/started_at/ended_at
    assert emu.errors == []


# -- paging, filters, ordering vs ground truth --------------------------------------------------
async def test_multi_page_walk_equals_ground_truth(emu: Emulator) -> None:
    a = emu.account("portsip")
    async with httpx.AsyncClient() as c:
        await login(c, emu)
        items = await walk(c, f"{a.base_url}/calllogs")
        assert [x["id"] for x in items] == truth_ids(emu)  # newest first, each once
        asc = await walk(c, f"{a.base_url}/calllogs", orderby="started_at asc", top=100)
        assert [x["id"] for x in asc] == truth_ids(emu, desc=False)
        beyond = await c.get(f"{a.base_url}/calllogs", params={"skip": 10_000})
        assert beyond.json() == {"items": []}


FILTERS: list[tuple[str, Callable[[Json], bool]]] = [
    ("caller eq '101'", lambda x: x["caller"] == "101"),
    ("caller ne '101'", lambda x: x["caller"] != "101"),
    ("caller gt '5' and caller le '7'", lambda x: "5" < x["caller"] <= "7"),
    ("startswith(callee,'10') or endswith(caller,'9')",
     lambda x: x["callee"].startswith("10") or x["caller"].endswith("9")),
    ("contains(caller,'44') and (direction eq 'INBOUND_CALL' or direction eq 'OUTBOUND_CALL')",
     lambda x: "44" in x["caller"] and x["direction"] in ("INBOUND_CALL", "OUTBOUND_CALL")),
    ("started_at ge '2026-11-01T00:00:00Z' and started_at lt '2026-11-10T12:00:00.5Z'",
     lambda x: "2026-11-01T00:00:00" <= x["started_at"] < "2026-11-10T12:00:00.5"),
    ("ended_at lt '2026-09-15T00:00:00+02:00'", lambda x: x["ended_at"] < "2026-09-14T22:00:00Z"),
    ("status_code eq 486 or status_code eq 600", lambda x: x["status_code"] in (486, 600)),
    ("status_code ge 400 and status_code lt 500", lambda x: 400 <= x["status_code"] < 500),
    ("duration gt 60", lambda x: x["duration"] > 60),
    ("answered_at gt '2026-10-01T00:00:00Z'",
     lambda x: x["answered_at"] != "" and x["answered_at"] > "2026-10-01T00:00:00Z"),
    ("trunk eq 'telstra-sip' and did_cid ne ''", lambda x: x["trunk"] == "telstra-sip" and x["did_cid"] != ""),
    ("end_reason eq 'CANCELLED' or reroute_reason eq 'TRANSFER'",
     lambda x: x["end_reason"] == "CANCELLED" or x["reroute_reason"] == "TRANSFER"),
    ("caller_display_name eq 'O''Brien, Pat'", lambda x: x["caller_display_name"] == "O'Brien, Pat"),
]  # fmt: skip


async def test_each_filter_matches_ground_truth(emu: Emulator) -> None:
    a = emu.account("portsip")
    async with httpx.AsyncClient() as c:
        await login(c, emu)
        everything = await walk(c, f"{a.base_url}/calllogs", top=100)
        for n, (expr, pred) in enumerate(FILTERS):
            want = [x for x in everything if pred(x)]
            got = await walk(c, f"{a.base_url}/calllogs", filter=expr, top=23 if n < 2 else 100)
            assert got == want, expr
            assert want or expr.startswith("caller_display_name"), expr
        got = await walk(c, f"{a.base_url}/calllogs", search="101 or 102", top=50)
        assert got == [x for x in everything if any(t in x[f] for t in ("101", "102")
                       for f in ("caller", "callee", "caller_display_name", "callee_display_name", "did_cid"))]  # fmt: skip
        # orderby on two keys: a full sort (stable on index for ties)
        by = await walk(c, f"{a.base_url}/calllogs", orderby="caller asc, started_at desc", top=100)
        assert by == sorted(sorted(everything, key=lambda x: x["started_at"], reverse=True),
                            key=lambda x: x["caller"])  # fmt: skip
        # POST takes the same options from a JSON body
        q = {"filter": FILTERS[7][0], "top": 5, "skip": 1, "count": True}
        post = (await c.post(f"{a.base_url}/calllogs", json=q)).json()
        get = (await c.get(f"{a.base_url}/calllogs", params={**q, "count": "true"})).json()
        assert post == get and post["count"] == len([x for x in everything if FILTERS[7][1](x)])


# -- recordings and blobs -------------------------------------------------------------------------
async def test_recordings_list_detail_and_blob(emu: Emulator) -> None:
    a = emu.account("portsip")
    t = api_of(emu).tenants[a.account]
    async with httpx.AsyncClient() as c:
        await login(c, emu)
        recs = await walk(c, f"{a.base_url}/recordings", top=13)
        want = sum(emu.dataset.recording_count(a.key, i) for i in range(t.n))
        assert len(recs) == want == len({r["id"] for r in recs})
        assert [r["started_at"] for r in recs] == sorted(
            (r["started_at"] for r in recs), reverse=True
        )
        assert all(list(r) == ["id", "caller", "callee", "started_at", "ended_at"] for r in recs)
        one = recs[0]
        flt = f"caller eq '{one['caller']}' and started_at le '{one['started_at']}'"
        sub = await walk(c, f"{a.base_url}/recordings", filter=flt)
        assert sub == [r for r in recs if r["caller"] == one["caller"] and parse_time_us(r["started_at"]) <= parse_time_us(one["started_at"])]  # fmt: skip
        detail = (await c.post(f"{a.base_url}/recordings/{one['id']}")).json()
        fixture = json.loads((FIX / "examples/recording_detail.docs_example.json").read_text())
        assert set(detail) == {"items"} and list(detail["items"][0]) == list(fixture["items"][0])
        d = detail["items"][0]
        assert (d["caller"], d["started_at"]) == (one["caller"], one["started_at"])
        cdr_id = d["file_name"].split("_")[1]
        call = (await c.get(f"{a.base_url}/calllogs/{cdr_id}")).json()
        assert (
            call["caller"] == d["caller"]
            and call["answered_at"] < d["started_at"] <= call["ended_at"]
        )
        assert re.fullmatch(r"/api/blobs/[A-Za-z0-9_-]{32}", d["file_url"])
        audio = await httpx.AsyncClient().get(emu.origin + d["file_url"])  # no token needed
        assert audio.status_code == 200 and audio.content[:4] == b"RIFF"
        assert len(audio.content) == d["file_size"]
        forged = d["file_url"][:-4] + ("AAAA" if not d["file_url"].endswith("AAAA") else "BBBB")
        assert (await c.get(emu.origin + forged)).status_code == 404
        assert (await c.get(emu.origin + "/api/blobs/%%%")).status_code == 404
        assert (await c.get(f"{a.base_url}/recordings/{cdr_id}")).status_code == 404


# -- faults, determinism, performance ------------------------------------------------------------
async def test_faults_use_the_portsip_bodies(emu: Emulator) -> None:
    a = emu.account("portsip")
    async with httpx.AsyncClient() as c:
        await login(c, emu)
        emu.faults.once("portsip", "503")
        r = await c.get(f"{a.base_url}/calllogs")
        assert r.status_code == 503 and r.json()["errors"][0]["code"] == "UNKNOWN"
        emu.faults.once("portsip", "auth")
        r = await c.get(f"{a.base_url}/calllogs")
        assert r.status_code == 401 and r.json()["errors"][0]["code"] == "UNAUTHORIZED"
        emu.faults.once("portsip", "empty-loop")
        r = await c.get(f"{a.base_url}/calllogs", params={"skip": 0, "top": 10})
        assert r.json() == {"count": 20, "items": []}


async def test_determinism_across_runs() -> None:
    bodies = []
    for _ in range(2):
        async with Emulator(EmulatorConfig(calls=300, providers=("portsip",), seed=7)) as emu:
            a = emu.account("portsip")
            async with httpx.AsyncClient() as c:
                await login(c, emu)
                r = await c.get(f"{a.base_url}/calllogs", params={"top": 50, "count": "true"})
                bodies.append(r.content)
    assert bodies[0] == bodies[1]


async def test_one_million_calls_pages_fast() -> None:
    async with Emulator(EmulatorConfig(calls=1_000_000, providers=("portsip",))) as emu:
        a = emu.account("portsip")
        async with httpx.AsyncClient() as c:
            await login(c, emu)
            for params in (
                {"count": "true"},
                {"orderby": "started_at asc", "skip": "500000"},
                {"filter": "started_at ge '2026-10-01T00:00:00Z' and started_at lt '2026-10-02T00:00:00Z'",
                 "count": "true"},
                {"filter": "status_code eq 0"},
                {"filter": "status_code eq 486 or status_code eq 600"},
            ):  # fmt: skip
                await c.get(f"{a.base_url}/calllogs", params={**params, "top": 100})  # warm up
                t0 = time.perf_counter()
                r = await c.get(f"{a.base_url}/calllogs", params={**params, "top": 100})
                elapsed = time.perf_counter() - t0
                assert r.status_code == 200 and len(r.json()["items"]) == 100
                assert elapsed < 0.1, (params, elapsed)
