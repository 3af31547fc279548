"""Saving recording media: the .part file, and what is left after a failure."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tui.core.media import file_name, save
from tui.core.model import Recording


async def chunks(*parts: bytes, fail: bool = False) -> AsyncIterator[bytes]:
    for part in parts:
        yield part
    if fail:
        raise ConnectionError("reset")


async def test_save_writes_through_a_part_file_and_reports_progress(tmp_path: Path) -> None:
    target = tmp_path / "a.wav"
    seen: list[int] = []
    assert await save(chunks(b"RI", b"FF"), target, seen.append) == 4
    assert target.read_bytes() == b"RIFF" and seen == [2, 4]
    assert not (tmp_path / "a.wav.part").exists()


async def test_a_failed_save_removes_the_part_file_and_keeps_an_older_file(tmp_path: Path) -> None:
    target = tmp_path / "a.wav"
    target.write_bytes(b"older")
    with pytest.raises(ConnectionError):
        await save(chunks(b"RIFF", fail=True), target)
    assert target.read_bytes() == b"older" and list(tmp_path.iterdir()) == [target]


def test_file_name_is_safe_and_takes_the_media_suffix() -> None:
    rec = Recording(provider="twilio", id="../RE1", call_id="CA1", media_url="/r/RE1.mp3?x=1")
    assert file_name(rec) == "RE1.mp3"
    assert file_name(rec, "audio/wav; charset=x") == "RE1.wav"
