"""The demo's emulator in a child process (``tui.ui.demo`` starting ``tui.emulator.child``)."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tui.emulator import Emulator, EmulatorConfig
from tui.ui.demo import DemoEmulator

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


async def test_child_serves_the_same_data_as_an_emulator_in_process() -> None:
    child = DemoEmulator(120, NOW)
    try:
        accounts = child.accounts()
        assert [a["provider"] for a in accounts] == [
            "twilio", "signalwire", "exotel", "fonedynamics", "portsip",
        ]  # fmt: skip
        tw = accounts[0]
        url = f"{tw['base_url']}/2010-04-01/Accounts/{tw['account']}/Calls.json?PageSize=30"
        async with Emulator(EmulatorConfig(calls=120, now=NOW)) as emu:
            local = emu.account("twilio")
            assert (tw["account"], tw["username"], tw["password"], tw["zone"]) == (
                local.account, local.username, local.password, local.zone,
            )  # fmt: skip
            auth = (tw["username"], tw["password"])
            async with httpx.AsyncClient() as client:
                theirs = (await client.get(url, auth=auth)).json()
                mine = (
                    await client.get(url.replace(tw["base_url"], local.base_url), auth=auth)
                ).json()
        assert theirs["calls"] == mine["calls"] and len(theirs["calls"]) == 30
    finally:
        child.stop()
    assert child._proc.returncode == 0


def test_child_ends_when_its_parent_closes_stdin() -> None:
    child = DemoEmulator(10, NOW)
    child.accounts()
    assert child._proc.stdin is not None
    child._proc.stdin.close()  # what the kernel does when the app dies
    assert child._proc.wait(10) == 0
    child.stop()  # idempotent


def test_a_child_that_cannot_start_says_why() -> None:
    child = DemoEmulator(10, NOW)
    child._proc.kill()  # dies before it prints its accounts
    with pytest.raises(RuntimeError, match="did not start"):
        child.accounts()
    child.stop()
