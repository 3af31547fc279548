"""The official twilio package works against the emulator with only its base URL changed."""

from __future__ import annotations

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


def _index(emu: object, a: object, sid: str) -> int:
    return emu.api("twilio").sids[a.account].call_index(sid)  # type: ignore[attr-defined]
