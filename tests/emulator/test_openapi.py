"""The emulator's Twilio and SignalWire answers validate against the official OpenAPI schemas
(the trimmed specs in tests/fixtures/providers), with openapi-schema-validator."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator, OAS31Validator

from tests.conftest import FIXTURES
from tui.emulator import Emulator

from .conftest import calls_url, client, origin_of


def validator(spec_file: str, cls: Any, path: str) -> Any:
    spec = json.loads((FIXTURES / spec_file).read_text())
    schema = spec["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    # Resolve "#/components/..." against the whole spec: the schema sits at its root.
    return cls({**spec, **schema})


@pytest.mark.parametrize(
    ("provider", "spec_file", "cls", "list_path", "one_path"),
    [
        ("twilio", "twilio/api_v2010_calls.openapi.json", OAS30Validator,
         "/2010-04-01/Accounts/{AccountSid}/Calls.json", "/2010-04-01/Accounts/{AccountSid}/Calls/{Sid}.json"),
        ("signalwire", "signalwire/compatibility_calls.openapi.json", OAS31Validator,
         "/Accounts/{AccountSid}/Calls", "/Accounts/{AccountSid}/Calls/{Sid}"),
    ],
)  # fmt: skip
async def test_list_pages_and_calls_validate_against_the_official_schema(
    emu: Emulator, provider: str, spec_file: str, cls: Any, list_path: str, one_path: str
) -> None:
    account = emu.account(provider)
    list_validator = validator(spec_file, cls, list_path)
    one_validator = validator(spec_file, cls, one_path)
    root = account.base_url if provider == "twilio" else origin_of(account)
    async with client(account) as c:
        page = (await c.get(calls_url(account), params={"PageSize": "50"})).json()
        errors = sorted(list_validator.iter_errors(page), key=str)
        assert not errors, errors[0].message
        broken = {
            **page,
            "page_size": "fifty",
            "calls": [{**page["calls"][0], "status": "exploded"}],
        }
        assert len(list(list_validator.iter_errors(broken))) >= 2  # the check has teeth
        nxt = (await c.get(root + page["next_page_uri"])).json()
        assert not list(list_validator.iter_errors(nxt))
        for call in page["calls"][:10]:
            one = (
                await c.get(
                    root + call["uri"]
                    if call["uri"].endswith(".json")
                    else root + call["uri"] + ".json"
                )
            ).json()
            problems = list(one_validator.iter_errors(one))
            assert not problems, problems[0].message
