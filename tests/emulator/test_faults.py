"""Every injected fault is observable by a plain HTTP client, and rates are deterministic."""

from __future__ import annotations

import json

import httpx
import pytest

from tui.emulator import Emulator, Faults
from tui.emulator.faults import HUGE_BYTES

from .conftest import calls_url, client


async def test_third_request_gets_a_503_with_the_provider_body(emu: Emulator) -> None:
    a = emu.account("twilio")
    emu.faults.once("twilio", "503", after=2)
    async with client(a) as c:
        codes = [(await c.get(calls_url(a), params={"PageSize": 1})).status_code for _ in range(4)]
        assert codes == [200, 200, 503, 200]
        emu.faults.once("twilio", "500")
        r = await c.get(calls_url(a))
    assert r.status_code == 500 and r.json()["code"] == 20500 and r.json()["status"] == 500


@pytest.mark.parametrize(("kind", "retry_after"), [("429", "1"), ("429-no-retry-after", None)])
async def test_429_with_and_without_retry_after(
    emu: Emulator, kind: str, retry_after: str | None
) -> None:
    a = emu.account("signalwire")
    emu.faults.once("signalwire", kind)
    async with client(a) as c:
        r = await c.get(calls_url(a))
    assert r.status_code == 429 and r.headers.get("retry-after") == retry_after
    assert r.json()["code"] == 20429


async def test_body_damaging_faults(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        normal = await c.get(calls_url(a))
        emu.faults.once("twilio", "malformed")
        bad = await c.get(calls_url(a))
        with pytest.raises(json.JSONDecodeError):
            json.loads(bad.content)
        emu.faults.once("twilio", "html")
        html = await c.get(calls_url(a))
        assert html.status_code == 502 and html.headers["content-type"].startswith("text/html")
        emu.faults.once("twilio", "huge")
        huge = await c.get(calls_url(a))
        assert len(huge.content) >= HUGE_BYTES and huge.json() == normal.json()
        emu.faults.once("twilio", "slow")
        slow = await c.get(calls_url(a))
        assert slow.content == normal.content
        emu.faults.once("twilio", "repeat")
        repeated = await c.get(calls_url(a), params={"PageSize": 2})
        assert repeated.content == normal.content
        emu.faults.once("twilio", "auth")
        assert (await c.get(calls_url(a))).status_code == 401
        assert (await c.get(calls_url(a))).status_code == 200


async def test_empty_page_linking_to_itself(emu: Emulator) -> None:
    a = emu.account("twilio")
    emu.faults.once("twilio", "empty-loop")
    async with client(a) as c:
        r = await c.get(calls_url(a), params={"PageSize": 5})
    body = r.json()
    assert body["calls"] == [] and body["next_page_uri"] == body["uri"]
    assert body["next_page_uri"].endswith("PageSize=5")


@pytest.mark.parametrize("kind", ["truncate", "reset"])
async def test_broken_connections(emu: Emulator, kind: str) -> None:
    a = emu.account("twilio")
    emu.faults.once("twilio", kind)
    async with client(a) as c:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            await c.get(calls_url(a))
        assert (await c.get(calls_url(a))).status_code == 200


@pytest.mark.parametrize("kind", ["connect-timeout", "read-timeout"])
async def test_stalls_time_out(emu: Emulator, kind: str) -> None:
    a = emu.account("twilio")
    emu.faults.once("twilio", kind)
    async with client(a, timeout=httpx.Timeout(0.3)) as c:
        with pytest.raises(httpx.ReadTimeout):
            await c.get(calls_url(a))
        assert (await c.get(calls_url(a))).status_code == 200


async def test_http_control_endpoint(emu: Emulator) -> None:
    a = emu.account("twilio")
    async with client(a) as c:
        r = await c.post(
            f"{emu.origin}/_emulator/faults", json={"provider": "twilio", "once": "503"}
        )
        assert r.status_code == 200 and r.json()["twilio"]["pending"]
        assert (await c.get(calls_url(a))).status_code == 503
        r = await c.post(f"{emu.origin}/_emulator/faults", json={"spec": "twilio:500=1"})
        assert (await c.get(calls_url(a))).status_code == 500
        await c.post(f"{emu.origin}/_emulator/faults", json={"clear": True})
        assert (await c.get(calls_url(a))).status_code == 200
        bad = await c.post(
            f"{emu.origin}/_emulator/faults", json={"provider": "twilio", "once": "nope"}
        )
        assert bad.status_code == 400


def test_rates_are_deterministic_and_spec_parses() -> None:
    def run() -> list[str | None]:
        f = Faults(seed=5)
        f.apply_spec("twilio:503=0.2,429=0.1,latency=100±20;signalwire:auth-after=3")
        return [f.decide("twilio").kind for _ in range(200)]

    first = run()
    assert first == run()
    assert 20 < first.count("503") < 60 and first.count("429") > 5
    f = Faults(seed=5)
    f.apply_spec("*:latency=50;twilio:500@1")
    assert [f.decide("twilio").kind for _ in range(3)] == [None, "500", None]
    assert f.decide("exotel").delay == pytest.approx(0.05)
    for bad in ("twilio", "twilio:wat=1", "twilio:latency=fast", "twilio:503=2"):
        with pytest.raises(ValueError):
            Faults().apply_spec(bad)
