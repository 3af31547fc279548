"""Each failure class gives its exit code and exactly one clear line on stderr, no traceback."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli.conftest import Result, account_table, write_config
from tui.emulator import Emulator


def one_line(r: Result) -> str:
    lines = r.err.splitlines()
    assert len(lines) == 1, r.err
    assert "Traceback" not in r.err
    return lines[0]


def test_bad_credentials_exit_3(
    emu: Emulator, tmp_path: Path, run_cli: Callable[..., Result]
) -> None:
    cfg = write_config(
        tmp_path / "bad.toml", [account_table(emu.account("twilio"), password="wrong-password")]
    )
    r = run_cli("list", "--config", str(cfg), "--all")
    assert r.code == 3
    line = one_line(r)
    assert line.startswith("callscope: Twilio: authentication failed (HTTP 401")
    assert line.endswith("— check the account's credentials (callscope config check)")
    assert "wrong-password" not in r.err + r.out


@pytest.mark.parametrize("provider", ["twilio", "exotel", "fonedynamics", "portsip"])
def test_an_unknown_call_id_exits_4(
    provider: str, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    r = run_cli("show", "no-such-call-1234", "--config", str(config_file), "-a", provider)
    assert r.code == 4
    assert "not found" in one_line(r)
    assert r.out == ""


def test_a_429_storm_exits_5_after_the_retries(
    faults: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    faults.faults.set("twilio", rates={"429": 1.0})
    before = faults.faults.requests("twilio")
    r = run_cli("list", "--config", str(config_file), "-a", "twilio", "--retries", "0")
    assert r.code == 5
    line = one_line(r)
    assert line.startswith("callscope: Twilio: rate limited (HTTP 429")
    assert line.endswith("— wait for the rate limit to pass")
    assert faults.faults.requests("twilio") == before + 1  # --retries 0: a single attempt


@pytest.mark.parametrize(("provider", "status"), [("fonedynamics", "503"), ("twilio", "500")])
def test_a_5xx_storm_exits_6(
    provider: str,
    status: str,
    faults: Emulator,
    config_file: Path,
    run_cli: Callable[..., Result],
) -> None:
    faults.faults.set(provider, rates={status: 1.0})
    before = faults.faults.requests(provider)
    r = run_cli(
        "list",
        "--config",
        str(config_file),
        "-a",
        provider,
        "--all",
        "--format",
        "json",
        "--retries",
        "1",
    )
    assert r.code == 6
    assert f"server error (HTTP {status}" in one_line(r)
    assert faults.faults.requests(provider) - before >= 2  # --retries 1: each page tried twice


def test_a_malformed_body_exits_7(
    faults: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    faults.faults.set("signalwire", rates={"malformed": 1.0})
    r = run_cli("list", "--config", str(config_file), "-a", "signalwire", "--retries", "0")
    assert r.code == 7
    assert "malformed response" in one_line(r)


def test_a_paging_loop_exits_7_after_the_rows_before_it(
    faults: Emulator, config_file: Path, run_cli: Callable[..., Result]
) -> None:
    faults.faults.once("twilio", "empty-loop", after=1)
    r = run_cli("list", "--config", str(config_file), "-a", "twilio", "--all", "-f", "ndjson")
    assert r.code == 7
    assert "paging loop" in one_line(r)
    assert len(r.out.splitlines()) == 25  # the first page was written before the loop


def test_a_network_failure_exits_6(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    table = {
        "provider": "twilio",
        "name": "gone",
        "base_url": "http://127.0.0.1:9",
        "account": "AC" + "0" * 32,
        "username": "AC" + "0" * 32,
        "password": "x" * 32,
    }
    cfg = write_config(tmp_path / "c.toml", [table])
    r = run_cli("list", "--config", str(cfg), "--retries", "0")
    assert r.code == 6
    assert "network error" in one_line(r)


def test_an_unexpected_exception_is_one_line_and_70_traceback_only_with_debug(
    config_file: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> int:
        raise RuntimeError("boom")

    monkeypatch.setattr("tui.commands.listing._list", broken)
    r = run_cli("list", "--config", str(config_file), "-a", "twilio")
    assert r.code == 70
    assert one_line(r) == (
        "callscope: internal error: RuntimeError: boom (--debug shows the traceback)"
    )
    r = run_cli("list", "--config", str(config_file), "-a", "twilio", "--debug")
    assert r.code == 70
    assert "Traceback" in r.err and "RuntimeError: boom" in r.err


def test_a_broken_config_file_exits_2(tmp_path: Path, run_cli: Callable[..., Result]) -> None:
    cfg = tmp_path / "broken.toml"
    cfg.write_text("accounts = [ nope", encoding="utf-8")
    r = run_cli("list", "--config", str(cfg))
    assert r.code == 2
    assert one_line(r).startswith("callscope: cannot read")
    r = run_cli("list", "--config", str(tmp_path / "absent.toml"))
    assert r.code == 2
    assert "no config file at" in one_line(r)
