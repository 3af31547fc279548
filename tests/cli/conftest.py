"""CLI test helpers: one emulator thread for the module, a config file pointing at it, and
``run_cli`` to call ``tui.cli.main`` in-process and capture stdout, stderr and the exit code."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
import tomli_w

from tui.cli import main
from tui.emulator import EmulatedAccount, Emulator, EmulatorConfig, EmulatorThread

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CALLS = 120
PAGE_SIZE = 25  # several pages per walk


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(scope="module")
def emu() -> Iterator[Emulator]:
    thread = EmulatorThread(EmulatorConfig(calls=CALLS, now=NOW))
    emulator = thread.start()
    yield emulator
    thread.stop()


@pytest.fixture
def faults(emu: Emulator) -> Iterator[Emulator]:
    """The emulator, with every fault cleared after the test."""
    yield emu
    emu.faults.clear()


def account_table(a: EmulatedAccount, **overrides: object) -> dict[str, object]:
    table = {k: v for k, v in a.to_config().items() if k != "zone"}  # these tests read UTC
    return {**table, "page_size": PAGE_SIZE, **overrides}


def write_config(path: Path, tables: list[dict[str, object]], **top: object) -> Path:
    path.write_text(tomli_w.dumps({"accounts": tables, **top}), encoding="utf-8")
    os.chmod(path, 0o600)
    return path


@pytest.fixture
def config_file(emu: Emulator, tmp_path: Path) -> Path:
    """A config with one account per emulated provider, named after the provider."""
    return write_config(tmp_path / "config.toml", [account_table(a) for a in emu.accounts])


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads the user's config or the providers' env vars."""
    monkeypatch.setenv("CALLSCOPE_CONFIG_DIR", str(tmp_path / "config-dir"))
    for name in list(os.environ):
        providers = ("TWILIO_", "SIGNALWIRE_", "EXOTEL_", "FONEDYNAMICS_", "PORTSIP_")
        ours = name.startswith("CALLSCOPE_CONFIG") and name != "CALLSCOPE_CONFIG_DIR"
        if ours or name.startswith(providers) or name == "CALLSCOPE_RETRIES":
            monkeypatch.delenv(name)


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    def run(*args: str) -> Result:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


def truth_ids(emu: Emulator, provider: str = "twilio") -> list[str]:
    """Every call id of the provider's account, newest first (from the dataset, not the API)."""
    a = emu.account(provider)
    sids = emu.api(provider).sids[a.account]  # type: ignore[attr-defined]
    return [sids.call(c.index) for c in emu.dataset.calls(a.key)]
