"""``callscope show`` and ``callscope recordings`` against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from tests.cli.conftest import Result
from tui.emulator import Emulator


def a_call_with_recordings(emu: Emulator, provider: str = "twilio") -> tuple[str, int]:
    a = emu.account(provider)
    sids = emu.api(provider).sids[a.account]  # type: ignore[attr-defined]
    record = next(c for c in emu.dataset.calls(a.key) if c.recordings > 0)
    return sids.call(record.index), record.recordings


def test_show_prints_the_normalized_call(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    sid, _ = a_call_with_recordings(emu)
    r = run_cli("show", sid, "--config", str(config_file), "-a", "twilio")
    assert r.code == 0, r.err
    fields = dict(line.split(None, 1) for line in r.out.splitlines() if " " in line)
    assert fields["id"] == sid
    assert fields["provider"] == "twilio"
    assert "status" in fields and "from" in fields


def test_show_raw_prints_the_providers_json(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    sid, _ = a_call_with_recordings(emu)
    r = run_cli("show", sid, "--raw", "--config", str(config_file), "-a", "twilio")
    assert r.code == 0, r.err
    body = json.loads(r.out)
    assert body["sid"] == sid
    assert emu.account("twilio").password not in r.out


def test_recordings_lists_and_downloads_into_a_directory(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    sid, count = a_call_with_recordings(emu)
    r = run_cli("recordings", sid, "--config", str(config_file), "-a", "twilio")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert len(lines) == 1 + count
    target = tmp_path / "rec"
    target.mkdir()
    r = run_cli(
        "recordings", sid, "--config", str(config_file), "-a", "twilio", "--download", str(target)
    )
    assert r.code == 0, r.err
    files = sorted(target.iterdir())
    assert len(files) == count
    assert [str(f) for f in files] == sorted(r.out.splitlines())
    for f in files:
        assert f.name.startswith("RE") and f.suffix in (".wav", ".mp3")
        assert f.stat().st_size > 0
    assert not list(target.glob("*.part"))


def test_a_call_without_recordings_says_so(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    a = emu.account("twilio")
    sids = emu.api("twilio").sids[a.account]  # type: ignore[attr-defined]
    record = next(c for c in emu.dataset.calls(a.key) if c.recordings == 0)
    args = ("recordings", sids.call(record.index), "--config", str(config_file), "-a", "twilio")
    r = run_cli(*args)
    assert (r.code, r.out) == (0, "")
    assert "has no recordings" in r.err
    assert run_cli(*args, "--fail-empty").code == 1


def test_download_into_a_directory_that_does_not_exist_creates_it(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    sid, count = a_call_with_recordings(emu)
    target = tmp_path / "calls" / "2026" / "rec"
    args = ("recordings", sid, "--config", str(config_file), "-a", "twilio")
    r = run_cli(*args, "--download", str(target))
    assert r.code == 0, r.err
    files = sorted(target.iterdir())
    assert len(files) == count and [str(f) for f in files] == sorted(r.out.splitlines())
    # a file where the directory should be: one line, exit 2, nothing written
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    r = run_cli(*args, "--download", str(blocker / "rec"))
    assert (r.code, r.out) == (2, "")
    assert r.err == f"callscope: --download: cannot create {blocker / 'rec'}: Not a directory\n"
    r = run_cli(*args, "--download", str(blocker))
    assert (r.code, r.out) == (2, "")
    assert r.err == f"callscope: --download: {blocker} is a file, not a directory\n"


def test_a_call_without_recordings_creates_no_download_directory(
    emu: Emulator, config_file: Path, run_cli: Callable[..., Result], tmp_path: Path
) -> None:
    a = emu.account("twilio")
    sids = emu.api("twilio").sids[a.account]  # type: ignore[attr-defined]
    record = next(c for c in emu.dataset.calls(a.key) if c.recordings == 0)
    r = run_cli("recordings", sids.call(record.index), "--config", str(config_file), "-a",
                "twilio", "--download", str(tmp_path / "rec"))  # fmt: skip
    assert r.code == 0 and "has no recordings" in r.err
    assert not (tmp_path / "rec").exists()
