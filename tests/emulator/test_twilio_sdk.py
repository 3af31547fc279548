"""The official twilio package works against the emulator with only its base URL changed."""

from __future__ import annotations

import httpx
from twilio.rest import Client

from tui.emulator import EmulatorThread


def test_official_twilio_client_pages_fetches_and_lists_recordings() -> None:
    with EmulatorThread(calls=300) as emu:
        a = emu.account("twilio")
        client = Client(a.username, a.password)
        client.api.base_url = a.base_url  # the only change: the Api domain's base URL
        listed = client.calls.list(limit=120, page_size=50)
        assert len(listed) == 120 and len({c.sid for c in listed}) == 120
        streamed = [c.sid for c in client.calls.stream(page_size=40)]
        assert len(streamed) == 300
        truth = [emu.api("twilio").sids[a.account].call(i) for i in range(299, -1, -1)]  # type: ignore[attr-defined]
        assert streamed == truth
        with_recording = next(
            c for c in listed if emu.dataset.recording_count(a.key, _index(emu, a, c.sid))
        )
        call = client.calls(with_recording.sid).fetch()
        assert call.sid == with_recording.sid and call.start_time is not None
        recordings = client.calls(call.sid).recordings.list()
        assert recordings and all(r.call_sid == call.sid for r in recordings)
        one = client.recordings(recordings[0].sid).fetch()
        assert one.media_url.startswith(a.base_url)


def test_official_client_and_httpx_walk_every_page_over_one_connection() -> None:
    # Keep-alive: requests (under the twilio SDK) and httpx reuse one connection for a walk.
    with EmulatorThread(calls=300) as emu:
        a = emu.account("twilio")
        client = Client(a.username, a.password)
        client.api.base_url = a.base_url
        assert len(list(client.calls.stream(page_size=50))) == 300
        assert (emu.connections, emu.requests) == (1, 6)
        url: str | None = f"{a.base_url}/2010-04-01/Accounts/{a.account}/Calls.json?PageSize=50"
        walked = 0
        with httpx.Client(auth=(a.username, a.password)) as c:
            while url:
                body = c.get(url).json()
                walked += len(body["calls"])
                url = a.base_url + body["next_page_uri"] if body["next_page_uri"] else None
        assert walked == 300 and (emu.connections, emu.requests) == (2, 12)


def _index(emu: object, a: object, sid: str) -> int:
    return emu.api("twilio").sids[a.account].call_index(sid)  # type: ignore[attr-defined]
