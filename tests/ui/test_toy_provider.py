"""A provider taught to callscope from this file alone: a toy adapter, its emulated API and one
registration. Nothing outside the test suite names it, yet the CLI lists its calls and explains
its plan, the browser shows its tab and its own filter field, and the emulator serves it — the
registry (tui.core.registry) is the one place a provider is made known.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import tomli_w
from pydantic import SecretStr

from tui.cli import main
from tui.core import registry
from tui.core.account import Account
from tui.core.filter import CallFilter
from tui.core.http import ErrorInfo
from tui.core.model import Call, Direction, Status
from tui.core.paging import Cursor, Page
from tui.core.plan import Params
from tui.core.planner import Local, Param, PlanBuilder, PlanTable, Sent
from tui.core.registry import EnvAccount, ExtraField, ProviderSpec
from tui.emulator import Emulator, EmulatorConfig, EmulatorThread
from tui.emulator.api import AccountSpec, Context, ProviderAPI, route
from tui.emulator.wire import Request, Response, json_response
from tui.providers.base import Adapter, Capabilities, LinkResult

from .conftest import NOW, make_app, ready, visible_ids, wait_for

USER, PASSWORD = "toy-user", "toy-secret"
MOODS = ("calm", "grumpy", "cheerful")

# -- the emulated API ---------------------------------------------------------------------------


def mood_of(index: int) -> str:
    return MOODS[index % len(MOODS)]


class ToyAPI(ProviderAPI):
    """``GET /toy/calls?offset&limit[&status][&mood]`` → ``{"calls": […], "next", "total"}``,
    newest first, Basic auth."""

    provider = "toy"
    base_path = "/toy"

    def __init__(self, ctx: Context) -> None:
        super().__init__(ctx)
        self.routes = [route(r"/toy/calls", self.list_calls)]

    @classmethod
    def make_accounts(cls, seed: int, count: int) -> list[AccountSpec]:
        return [AccountSpec("toy", "Toy (emulator)", "", USER, PASSWORD, "toy:0")]

    def error(self, status: int, message: str, code: int | str | None = None) -> Response:
        return json_response({"error": message}, status)

    def list_calls(self, req: Request, _m: re.Match[str]) -> Response:
        if req.basic_auth() != (USER, PASSWORD):
            return self.unauthorized()
        ds, key = self.ctx.dataset, self.ctx.accounts[0].key
        statuses = set(filter(None, req.params.get("status", "").split(",")))
        moods = set(filter(None, req.params.get("mood", "").split(",")))
        matching = [
            i
            for i in range(ds.count(key) - 1, -1, -1)
            if (not statuses or ds.status(key, i) in statuses)
            and (not moods or mood_of(i) in moods)
        ]
        offset, limit = int(req.params.get("offset", 0)), int(req.params.get("limit", 20))
        page = matching[offset : offset + limit]
        calls = []
        for i in page:
            record = ds.call(key, i)
            calls.append(
                {
                    "id": f"toy-{i}",
                    "status": record.status,
                    "from": record.from_,
                    "to": record.to,
                    "start": record.start if record.start is not None else record.created,
                    "duration": record.duration,
                    "mood": mood_of(i),
                }
            )
        end = offset + len(page)
        nxt = end if end < len(matching) else None
        return json_response({"calls": calls, "next": nxt, "total": len(matching)})


# -- the adapter ----------------------------------------------------------------------------------


def _statuses(value: frozenset[Status], _b: PlanBuilder) -> Sent:
    return Sent(",".join(sorted(s.value for s in value)))


def _moods(values: tuple[str, ...], _b: PlanBuilder) -> Sent:
    return Sent(",".join(values))


TOY_PLAN = PlanTable(
    title="Toy",
    rules={
        "status": Param("status", _statuses),
        "mood": Param("mood", _moods),
        "dir": Local("the toy has no direction filter"),
    },
)


class ToyAdapter(Adapter):
    provider = "toy"
    title = "Toy"
    paging = "offset"
    default_page_size = 20
    max_page_size = 50
    plan_table = TOY_PLAN
    capabilities = Capabilities(
        server_fields=TOY_PLAN.server_keys(), links=(), total=True, limits=("toys only",)
    )

    def make_auth(self) -> httpx.Auth:
        return httpx.BasicAuth(self.account.username, self.account.password.get_secret_value())

    @staticmethod
    def parse_error(response: httpx.Response, body: Any) -> ErrorInfo:
        return ErrorInfo(message=str(body.get("error")) if isinstance(body, dict) else None)

    async def fetch_page(self, params: Params, cursor: Cursor, page_size: int) -> Page:
        offset = cursor if isinstance(cursor, int) else 0
        query = {**params, "offset": str(offset), "limit": str(page_size)}
        body = await self.http.get_json("calls", params=query)
        calls = [self.safe_normalize(raw) for raw in body["calls"]]
        return Page(calls, body["next"], body["total"], len(calls))

    def normalize(self, raw: Any) -> Call:
        return Call(
            provider=self.provider,
            account=self.account.name,
            id=raw["id"],
            status=Status(raw["status"]),
            status_raw=raw["status"],
            direction=Direction.INBOUND,
            from_number=raw["from"],
            to_number=raw["to"],
            started_at=datetime.fromtimestamp(raw["start"], UTC),
            duration=raw["duration"],
            extras={"mood": raw["mood"]},
            raw=raw,
        )

    async def get_call(self, call_id: str) -> Call:
        raise NotImplementedError

    async def follow(self, call: Call, link: str) -> LinkResult:
        raise NotImplementedError


TOY = ProviderSpec(
    id="toy",
    title="Toy",
    adapter=ToyAdapter,
    emulator=ToyAPI,
    default_base_url="https://toy.example",
    env=EnvAccount(path_id=(), user=("TOY_USER",), secret=("TOY_SECRET",)),
    extras=(ExtraField("mood", "Mood", ("mood",), "how the caller felt"),),
)


# -- the test -------------------------------------------------------------------------------------


@pytest.fixture
def toy() -> Iterator[ProviderSpec]:
    registry.register(TOY)
    yield TOY
    registry.unregister(TOY.id)


@pytest.fixture
async def toy_emu(toy: ProviderSpec) -> Any:
    async with Emulator(EmulatorConfig(calls=60, now=NOW, providers=("twilio", "toy"))) as e:
        yield e


def toy_ground_truth(emu: Emulator, mood: str | None = None) -> list[str]:
    key = emu.account("toy").key
    return [
        f"toy-{i}"
        for i in range(emu.dataset.count(key) - 1, -1, -1)
        if mood is None or mood_of(i) == mood
    ]


def test_the_registry_lists_the_toy_only_while_registered(toy: ProviderSpec) -> None:
    assert "toy" in registry.ids() and registry.extra_field("mood") is not None
    assert registry.extra_field("mood").providers == ("toy",)  # type: ignore[union-attr]
    registry.unregister("toy")
    assert "toy" not in registry.ids() and registry.extra_field("mood") is None
    registry.register(TOY)


@pytest.fixture
def toy_emu_thread(toy: ProviderSpec) -> Iterator[Emulator]:
    """The emulator in a thread of its own: the CLI runs its own event loop in this one."""
    thread = EmulatorThread(EmulatorConfig(calls=60, now=NOW, providers=("twilio", "toy")))
    yield thread.start()
    thread.stop()


def test_the_cli_lists_and_explains_a_registered_provider(
    toy_emu_thread: Emulator, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    toy_emu = toy_emu_thread
    account = toy_emu.account("toy")
    assert account.base_url.endswith("/toy")  # served by the emulator, discovered from the spec
    config = tmp_path / "config.toml"
    config.write_text(tomli_w.dumps({"accounts": [account.to_config()]}), encoding="utf-8")
    config.chmod(0o600)
    base = ["--config", str(config), "-a", account.name or "toy"]

    assert main(["list", *base, "--all", "-f", "ndjson", "--columns", "id"]) == 0
    listed = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    assert listed == toy_ground_truth(toy_emu)

    query = "mood:grumpy status:completed"
    assert main(["list", *base, "--all", "-f", "ndjson", "--columns", "id", "-q", query]) == 0
    listed = [json.loads(line)["id"] for line in capsys.readouterr().out.splitlines()]
    key = toy_emu.account("toy").key
    want = [
        i
        for i in toy_ground_truth(toy_emu, "grumpy")
        if toy_emu.dataset.status(key, int(i.split("-")[1])) == "completed"
    ]
    assert listed == want and want

    assert main(["list", *base, "--explain", "-q", "mood:calm dir:in"]) == 0
    explained = capsys.readouterr().out
    assert "server: mood" in explained and "local: dir" in explained
    assert "mood=calm" in explained


async def test_the_browser_shows_a_tab_and_the_sidebar_field_of_a_registered_provider(
    toy_emu: Emulator, tmp_path: Path
) -> None:
    a = toy_emu.account("toy")
    account = Account(
        name="toy",
        provider="toy",
        label="Toy",
        base_url=a.base_url,
        username=a.username,
        password=SecretStr(a.password),
    )
    app = make_app(tmp_path, [account])
    async with app.run_test(size=(160, 50)) as pilot:
        view = await ready(pilot, app)
        assert view.account.provider == "toy"
        assert visible_ids(view)[:3] == toy_ground_truth(toy_emu)[:3]
        labels = [str(label.render()) for label in view.sidebar.query(".field-label")]
        assert "Mood" in labels
        await pilot.press("slash")
        await pilot.press(*"mood:cheerful", "enter")
        await wait_for(
            pilot,
            lambda: view.filter == CallFilter().with_extra("mood", ["cheerful"])
            and view.pager is not None
            and view.pager.loaded > 0,
        )
        await wait_for(
            pilot, lambda: visible_ids(view)[:3] == toy_ground_truth(toy_emu, "cheerful")[:3]
        )
