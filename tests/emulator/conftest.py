"""Fixtures: a small emulator on an ephemeral port, and plain httpx clients for its accounts."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from tui.emulator import EmulatedAccount, Emulator, EmulatorConfig


@pytest.fixture
async def emu() -> AsyncIterator[Emulator]:
    async with Emulator(EmulatorConfig(calls=500, accounts_per_provider=2)) as e:
        yield e


def client(account: EmulatedAccount, **kw: object) -> httpx.AsyncClient:
    return httpx.AsyncClient(auth=(account.username, account.password), **kw)  # type: ignore[arg-type]


def calls_url(account: EmulatedAccount, suffix: str = ".json") -> str:
    if account.provider == "twilio":
        return f"{account.base_url}/2010-04-01/Accounts/{account.account}/Calls{suffix}"
    return f"{account.base_url}/Accounts/{account.account}/Calls{suffix}"


def origin_of(account: EmulatedAccount) -> str:
    return account.base_url.split("/api/laml")[0]
