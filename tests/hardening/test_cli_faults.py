"""Fault matrix, CLI side: ``callscope list`` against each provider with a fault mid-walk.

Exit code, exactly one ``callscope:`` error line on stderr naming the provider and the fault
(plan notes such as Exotel's default window are separate ``callscope: note:`` lines), no
traceback, and the rows written before the fault are the clean walk's first rows. A fault the
adapter absorbs (retries, PortSIP's re-login, SignalWire's own paging) must give exit 0 and the
whole clean walk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hardening.conftest import COUNTS, PROVIDERS, record
from tests.ui.conftest import NOW
from tui.cli import main
from tui.core import config as config_module
from tui.emulator import EmulatorConfig, EmulatorThread
from tui.emulator.cli import write_config

# fault → (exit code, words the stderr line must hold); exit 0 = retried and recovered
CLI_FAULTS: dict[str, tuple[int, tuple[str, ...]]] = {
    "500": (0, ()),  # a GET answered 500 is retried (tui.core.http)
    "auth": (3, ("authentication failed", "401")),
    "malformed": (7, ("malformed response",)),
    "empty-loop": (7, ("page",)),
    "503": (0, ()),
    "truncate": (0, ()),
    "reset": (0, ()),
}


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmulatorThread, Path]]:
    thread = EmulatorThread(EmulatorConfig(calls=60, now=NOW))
    emu = thread.start()
    path = tmp_path_factory.mktemp("cli") / "config.toml"
    write_config(path, emu.accounts)
    yield thread, path
    thread.stop()


def run_list(
    path: Path, name: str, capsys: pytest.CaptureFixture[str]
) -> tuple[int, list[str], str]:
    code = main(["list", "--config", str(path), "--account", name, "--all",
                 "--format", "ndjson", "--page-size", "10"])  # fmt: skip
    out = capsys.readouterr()
    ids = [json.loads(line)["id"] for line in out.out.splitlines() if line.strip()]
    return code, ids, out.err


@pytest.mark.parametrize("provider", PROVIDERS)
def test_callscope_list_meets_each_fault_with_an_exit_code_and_one_line(
    provider: str, emulator: tuple[EmulatorThread, Path], capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setenv("CALLSCOPE_HTTP_TIMEOUT", "0.5")
    monkeypatch.setenv("CALLSCOPE_RETRY_BUDGET", "1")
    thread, path = emulator
    emu = thread.emulator
    index = PROVIDERS.index(provider)
    name = config_module.load(path).accounts[index].name
    code, baseline, err = run_list(path, name, capsys)
    assert code == 0 and len(baseline) >= 20, err
    failures = []
    for fault, (want_code, words) in CLI_FAULTS.items():
        COUNTS["faults tried (cli)"] += 1
        emu.faults.once(provider, fault, after=1)
        code, ids, err = run_list(path, name, capsys)
        emu.faults.clear(provider)
        lines = [line for line in err.splitlines()
                 if line.startswith("callscope:") and not line.startswith("callscope: note:")]  # fmt: skip
        problems = []
        if "Traceback" in err:
            problems.append("traceback on stderr")
        if code == 0 and ids == baseline and not lines:
            want_code = 0  # absorbed by the adapter: recovered with identical results
        if code != want_code:
            problems.append(f"exit {code}, expected {want_code}: {err.strip()}")
        if want_code:
            text = lines[0].lower() if len(lines) == 1 else ""
            if len(lines) != 1 or not all(w in text for w in words):
                problems.append(f"stderr should be one specific line: {err.strip()!r}")
            if emu.account(provider).label.split(" (")[0].lower() not in text:
                problems.append(f"the line does not name the provider: {text!r}")
            if ids != baseline[: len(ids)]:
                problems.append("rows written before the fault differ from a clean walk")
        elif ids != baseline:
            problems.append("a retried fault changed the rows")
        outcome = f"exit {code}, {len(ids)} rows" if not problems else "FAIL"
        record("cli", provider, fault, outcome)
        failures += [f"{provider}/{fault}: {p}" for p in problems]
    assert not failures, "\n".join(failures)
